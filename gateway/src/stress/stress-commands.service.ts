import { randomBytes } from 'node:crypto';
import { Injectable } from '@nestjs/common';
import {
  type CpuTestBody,
  type MemoryTestBody,
  type PodStartOutcome,
  type StartTestRequest,
  StressErrors,
  type StressKind,
  StressRpc,
  StressRules,
  type StressLoadResult,
  type StressMaxima,
  type StressStartResult,
  type StressStopResult,
  StressStopRequest,
  type StressTestStatus,
  type SustainedLoadStatus,
  type TestSpec,
  type z,
  TransportErrors,
} from '@eks-info/contracts';
import { MessageBus, RpcError } from '@eks-info/platform';
import { parseInput } from '../http/contract-input';
import { StressLiveService } from './live/stress-live.service';

/** How long a broadcast collects answers; every live pod answers within milliseconds. */
const GATHER_WINDOW_MS = 1000;
/** Attempts of a `one` start while some live pod is idle (the queue group picks at random). */
const ONE_ATTEMPTS = 10;
/** After a lost reply, how long a heartbeat may take to show that the test runs. */
const CONFIRM_MS = 2500;
/** How long this gateway answers a repeated `one` id from its own memory. */
const RECENT_MS = 10 * 60_000;

export type CommandBody = Record<string, unknown>;

const newId = (prefix: string) => `${prefix}-${randomBytes(5).toString('hex')}`;

/**
 * Sends stress commands and confirms them. Core NATS delivers at most once, so every command
 * carries an id that makes repeats harmless: a `one` start that lost its reply is confirmed from
 * the heartbeats; an `all` start is broadcast once more to live pods that did not answer.
 */
@Injectable()
export class StressCommandsService {
  /** This gateway's recent `one` answers by test id, for repeats that come before a heartbeat shows the test. */
  private readonly recent = new Map<string, { at: number; result: StressStartResult }>();
  /** Loads this gateway started, by id, for the same reason. */
  private readonly recentLoads = new Map<string, { at: number; load: SustainedLoadStatus }>();

  constructor(
    private readonly bus: MessageBus,
    private readonly live: StressLiveService,
  ) {}

  async start(kind: StressKind, body: CommandBody): Promise<StressStartResult> {
    const schema: z.ZodType<CpuTestBody | MemoryTestBody> = StressRules.startBody(kind, this.maxima());
    const { target, testId, ...fields } = parseInput(schema, body, StressErrors.INVALID);
    const spec = { kind, ...fields } as TestSpec;
    const request: StartTestRequest = { testId: testId ?? newId(kind === 'cpu' ? 'cpu' : 'mem'), spec };
    const result = target === 'all' ? await this.startAll(request) : await this.startOne(request);
    this.remember(result);
    return result;
  }

  async startLoad(body: CommandBody): Promise<StressLoadResult> {
    const { loadId: requestedId, ...load } = parseInput(StressRules.loadBody(this.maxima()), body, StressErrors.INVALID);
    const loadId = requestedId ?? newId('load');
    const running = this.live.activeLoads().find((l) => l.id !== loadId);
    if (running) {
      throw new RpcError({
        code: StressErrors.CONFLICT.code,
        message: `Sustained load ${running.id} (${running.millicores}m, dispatched by ${running.dispatcher.pod}) is still running.`,
        fix: `Stop it first (DELETE /api/v1/stress/tests/${running.id}) or wait until it ends.`,
      });
    }
    const reply = await this.bus.request(StressRpc.startLoad, { loadId, ...load });
    this.recentLoads.set(loadId, { at: Date.now(), load: reply.load });
    return { load: reply.load, duplicate: reply.duplicate };
  }

  async stop(idRaw: string): Promise<StressStopResult> {
    const { id } = parseInput(StressStopRequest, { id: idRaw }, StressErrors.INVALID);
    const replies = await this.bus.gather(StressRpc.stop, { id }, { windowMs: GATHER_WINDOW_MS });
    if (!replies.length) throw noPods();
    const stopped = replies.filter((r) => r.found).map((r) => ({ pod: r.servedBy.pod, node: r.servedBy.node, test: r.test, load: r.load }));
    if (!stopped.length) {
      throw new RpcError({
        code: StressErrors.NOT_FOUND.code,
        message: `No stress pod is running test or load ${id}.`,
        details: `${replies.length} pod(s) answered`,
        fix: 'It may have ended already; the page lists the running tests.',
      });
    }
    return { id, stopped };
  }

  /** What the live pods accept at most (their configured maxima, from the heartbeats). */
  private maxima(): StressMaxima {
    const m = this.live.podMaxima();
    return { maxDurationSeconds: m.maxDurationSeconds, maxMillicores: m.maxLoadMillicores };
  }

  /**
   * What this gateway knows of a test or load it started, before any heartbeat shows it: the
   * `Location` of a 201 resolves at once instead of after the next heartbeat.
   */
  startedHere(id: string): { tests: StressTestStatus[]; loads: SustainedLoadStatus[] } | undefined {
    const test = this.recent.get(id);
    if (test && Date.now() - test.at < RECENT_MS) return { tests: test.result.accepted.map((a) => a.test), loads: [] };
    const load = this.recentLoads.get(id);
    if (load && Date.now() - load.at < RECENT_MS) return { tests: [], loads: [load.load] };
    return undefined;
  }

  /**
   * Queue group: one pod takes it. A busy pod refuses (409); while another live pod is idle, ask
   * again. A repeated id is answered from what is known (this gateway's recent answers, then the
   * heartbeats) so a client's retry cannot land on a second pod and run the test twice.
   */
  private async startOne(request: StartTestRequest): Promise<StressStartResult> {
    const known = this.knownStart(request.testId);
    if (known) return known;
    for (let attempt = 1; ; attempt++) {
      try {
        const reply = await this.bus.request(StressRpc.start, request);
        return this.result(
          request,
          'one',
          [{ pod: reply.servedBy.pod, node: reply.servedBy.node, test: reply.test, duplicate: reply.duplicate }],
          [],
          [],
          'reply',
        );
      } catch (err) {
        if (!(err instanceof RpcError)) throw err;
        const someoneIdle = this.live.list().some((p) => !p.heartbeat.test);
        if (err.code === StressErrors.CONFLICT.code && someoneIdle && attempt < ONE_ATTEMPTS) continue;
        if (err.code === TransportErrors.TIMEOUT.code) {
          // The command may have arrived and only the reply been lost: the heartbeat tells.
          const hb = await this.live.waitFor((h) => h.test?.id === request.testId, CONFIRM_MS);
          if (hb?.test) return this.result(request, 'one', [{ pod: hb.pod, node: hb.node, test: hb.test, duplicate: false }], [], [], 'heartbeat');
        }
        throw err;
      }
    }
  }

  /**
   * Broadcast with the platform's gather rather than per-pod subjects addressed from the
   * heartbeat set: a broadcast also reaches a replica that started a moment ago and has not sent a
   * heartbeat yet, and pods need no subject of their own. The heartbeat set then shows which live
   * pods did not answer (a lost message); the same command (same id) goes out once more, and pods
   * that already run it answer "duplicate".
   */
  private async startAll(request: StartTestRequest): Promise<StressStartResult> {
    const byPod = new Map<string, PodStartOutcome>();
    const collect = async () => {
      for (const r of await this.bus.gather(StressRpc.startAll, request, { windowMs: GATHER_WINDOW_MS }))
        if (!byPod.has(r.servedBy.pod)) byPod.set(r.servedBy.pod, r);
    };
    await collect();
    const unanswered = () =>
      this.live
        .list()
        .map((p) => p.heartbeat.pod)
        .filter((pod) => !byPod.has(pod));
    if (unanswered().length) await collect();
    if (!byPod.size) throw noPods();
    const outcomes = [...byPod.values()].sort((a, b) => a.servedBy.pod.localeCompare(b.servedBy.pod));
    const accepted = outcomes
      .filter((o) => o.accepted && o.test)
      .map((o) => ({ pod: o.servedBy.pod, node: o.servedBy.node, test: o.test!, duplicate: Boolean(o.duplicate) }));
    const rejected = outcomes
      .filter((o) => !o.accepted)
      .map((o) => ({ pod: o.servedBy.pod, node: o.servedBy.node, error: o.error ?? { code: StressErrors.CONFLICT.code, message: 'refused' } }));
    if (!accepted.length) {
      // Nobody runs it: answer with the refusal itself (400 for a bad value, 409 when all are busy).
      const first = rejected[0].error;
      throw new RpcError({ ...first, details: rejected.map((r) => `${r.pod}: ${r.error.message}`).join('\n') });
    }
    return this.result(request, 'all', accepted, rejected, unanswered(), 'reply');
  }

  private knownStart(testId: string): StressStartResult | undefined {
    const recent = this.recent.get(testId);
    if (recent && Date.now() - recent.at < RECENT_MS) {
      return { ...recent.result, accepted: recent.result.accepted.map((a) => ({ ...a, duplicate: true })) };
    }
    const pod = this.live.list().find((p) => p.heartbeat.test?.id === testId || p.heartbeat.lastTest?.id === testId);
    const test = pod && (pod.heartbeat.test?.id === testId ? pod.heartbeat.test : pod.heartbeat.lastTest);
    if (!pod || !test) return undefined;
    return {
      testId,
      kind: test.kind,
      target: 'one',
      accepted: [{ pod: pod.heartbeat.pod, node: pod.heartbeat.node, test, duplicate: true }],
      rejected: [],
      missing: [],
      confirmedBy: 'heartbeat',
    };
  }

  private remember(result: StressStartResult): void {
    this.recent.set(result.testId, { at: Date.now(), result });
    for (const [id, entry] of this.recent) if (Date.now() - entry.at > RECENT_MS || this.recent.size > 500) this.recent.delete(id);
    for (const [id, entry] of this.recentLoads) if (Date.now() - entry.at > RECENT_MS || this.recentLoads.size > 500) this.recentLoads.delete(id);
  }

  private result(
    request: StartTestRequest,
    target: 'one' | 'all',
    accepted: StressStartResult['accepted'],
    rejected: StressStartResult['rejected'],
    missing: string[],
    confirmedBy: StressStartResult['confirmedBy'],
  ): StressStartResult {
    return { testId: request.testId, kind: request.spec.kind, target, accepted, rejected, missing, confirmedBy };
  }
}

function noPods(): RpcError {
  return new RpcError({
    code: StressErrors.NO_PODS.code,
    message: 'No stress pod answered.',
    fix: 'Check that the stress Deployment has running pods connected to NATS (their /ready names what is missing).',
  });
}
