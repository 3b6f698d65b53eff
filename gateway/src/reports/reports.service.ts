import { Injectable } from '@nestjs/common';
import { CommonErrors, EVENTS_LIMIT, HISTORY_HOURS, ScalingRpc, type ScalingEventsPage, type Section, StressErrors, ok } from '@eks-info/contracts';
import { MessageBus, RpcError } from '@eks-info/platform';
import { type SeenRun, StressLiveService } from '../stress/live/stress-live.service';
import { StressViewService } from '../stress/stress-view.service';
import { sectionFromError } from '../views/section-from-error';
import { type ScalingReport, type StressRun, nodesInWindow, samplesIn } from './report.model';

/** The window opens this long before the test started, so the report shows the cluster at rest. */
const BEFORE_MS = 60_000;
/** And closes this long after it ended: scale-in waits for the HPA's 5-minute stabilisation, then nodes drain. */
const AFTER_MS = 15 * 60_000;
/** A report's parts come from the scaling monitor: each gets this long. */
const PART_TIMEOUT_MS = 5_000;

/**
 * Builds reports from what the pages show: the stress pods' heartbeats (the test's parameters and
 * results), the stress HPA, and the scaling monitor's samples, events and response-time chains
 * over the report's window. Each part degrades on its own, like a page section.
 */
@Injectable()
export class ReportsService {
  constructor(
    private readonly bus: MessageBus,
    private readonly live: StressLiveService,
    private readonly views: StressViewService,
  ) {}

  /** The report of test or load `id`, or of the latest one a live stress pod knows. */
  async stress(id: string | undefined, now = Date.now()): Promise<ScalingReport> {
    const run = findRun(this.live.recentRuns(), id);
    if (!run) {
      throw new RpcError({
        code: StressErrors.NOT_FOUND.code,
        message: id ? `No live stress pod knows test or load ${id}.` : 'No live stress pod has run a test or a load yet.',
        fix: 'A gateway remembers the last 20 tests and loads the stress pods reported since it started; start one, or pick one listed on /stress.',
      });
    }
    const from = new Date(Date.parse(run.startedAt) - BEFORE_MS).toISOString();
    const end = run.finishedAt ? Date.parse(run.finishedAt) + AFTER_MS : now;
    const to = new Date(Math.min(now, end)).toISOString();
    const [hpa, events, samples] = await Promise.all([this.views.hpa(), this.events(from, to), this.samples(from, to, now)]);
    const timeline: ScalingReport['timeline'] = events.status === 'ok' ? ok({ events: events.data.events, truncated: events.data.truncated }) : events;
    return {
      kind: 'stress-test',
      title: `${run.kind === 'load' ? 'Sustained load' : `${run.kind === 'cpu' ? 'CPU' : 'Memory'} test`} ${run.id}`,
      generatedAt: new Date(now).toISOString(),
      window: {
        from,
        to,
        why: `from a minute before ${run.id} started until ${run.finishedAt ? '15 minutes after it ended (scale-in included)' : 'now (it is still running)'}`,
      },
      run,
      hpa,
      samples,
      timeline,
      responseTimes: events.status === 'ok' ? ok({ stats: events.data.stats, chains: events.data.chains }) : events,
      nodes: nodesInWindow(samples, timeline),
      cost: events.status === 'ok' ? (events.data.cost ?? null) : events,
    };
  }

  /** The report of the scaling history's last `hours`, as /scaling/history shows it. */
  async history(hours: number, now = Date.now()): Promise<ScalingReport> {
    let answer;
    try {
      answer = await this.bus.request(ScalingRpc.history, { hours }, { timeoutMs: PART_TIMEOUT_MS });
    } catch (err) {
      // The whole report comes from the monitor: without it there is nothing to keep.
      if (err instanceof RpcError) throw err;
      throw new RpcError({ code: CommonErrors.INTERNAL.code, message: 'The scaling monitor could not be asked.' });
    }
    const timeline: ScalingReport['timeline'] =
      answer.events.status === 'ok'
        ? ok({ events: [...answer.events.data.events].reverse(), truncated: answer.events.data.total > answer.events.data.events.length })
        : answer.events;
    const samples: ScalingReport['samples'] =
      answer.samples.status === 'ok' ? ok({ intervalSeconds: answer.samples.data.intervalSeconds, points: answer.samples.data.points }) : answer.samples;
    // The cost of the range comes with the events query (one event is enough to get it).
    const costOfRange = await this.events(answer.from, answer.to, 1);
    return {
      kind: 'scaling-history',
      title: `Scaling history, last ${hours} h`,
      generatedAt: new Date(now).toISOString(),
      window: { from: answer.from, to: answer.to, why: `the last ${hours} hours of the scaling monitor's history` },
      run: null,
      hpa: null,
      samples,
      timeline,
      responseTimes: answer.responseTimes,
      nodes: nodesInWindow(samples, timeline),
      cost: costOfRange.status === 'ok' ? (costOfRange.data.cost ?? null) : costOfRange,
    };
  }

  private async events(since: string, until: string, limit: number = EVENTS_LIMIT.max): Promise<Section<ScalingEventsPage>> {
    try {
      return ok(await this.bus.request(ScalingRpc.events, { since, until, limit }, { timeoutMs: PART_TIMEOUT_MS }));
    } catch (err) {
      return monitorPart<ScalingEventsPage>(err);
    }
  }

  /** Samples of the window: the history answers whole hours back from now, cut to the window here. */
  private async samples(from: string, to: string, now: number): Promise<ScalingReport['samples']> {
    const hours = Math.min(HISTORY_HOURS.max, Math.max(HISTORY_HOURS.min, Math.ceil((now - Date.parse(from)) / 3_600_000)));
    try {
      const answer = await this.bus.request(ScalingRpc.history, { hours }, { timeoutMs: PART_TIMEOUT_MS });
      if (answer.samples.status !== 'ok') return answer.samples;
      return ok({ intervalSeconds: answer.samples.data.intervalSeconds, points: samplesIn(answer.samples.data.points, from, to) });
    } catch (err) {
      return monitorPart(err);
    }
  }
}

/** A test or load by id, or the one started last, from what the heartbeats reported (pods that are gone included). */
export function findRun(runs: SeenRun[], id?: string): StressRun | undefined {
  const starts = (r: SeenRun) => [...r.tests, ...r.loads].map((x) => x.startedAt).sort()[0] ?? '';
  const run = id ? runs.find((r) => r.id === id) : [...runs].sort((a, b) => starts(b).localeCompare(starts(a)))[0];
  if (!run || (!run.tests.length && !run.loads.length)) return undefined;
  const all = [...run.tests, ...run.loads];
  return {
    id: run.id,
    kind: run.tests[0]?.kind ?? 'load',
    startedAt: starts(run),
    finishedAt: all.every((r) => r.finishedAt)
      ? all
          .map((r) => r.finishedAt!)
          .sort()
          .at(-1)!
      : null,
    tests: run.tests,
    loads: run.loads,
  };
}

const monitorPart = <T>(err: unknown): Section<T> =>
  sectionFromError(err, 'The scaling monitor could not be asked.', 'This part comes from the scaling monitor');
