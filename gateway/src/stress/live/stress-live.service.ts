import { Injectable, type OnModuleDestroy, type OnModuleInit } from '@nestjs/common';
import {
  StressEvents,
  type StressHeartbeat,
  type StressLivePod,
  type StressLiveSummary,
  StressRules,
  type StressTestStatus,
  type SustainedLoadStatus,
} from '@eks-info/contracts';
import { MessageBus } from '@eks-info/platform';

/** A pod silent this long has gone (stopped, killed, or cut off from NATS). */
export const SILENCE_MS = 5000;
/** Points of per-pod history kept for the live chart. */
const HISTORY_POINTS = 180;
/** Tests and loads remembered after their pods are gone (scaled in), so they can still be exported. */
const RUNS_REMEMBERED = 20;
/** The chart's default HPA CPU target until a stress pod has told us the real one. */
const DEFAULT_TARGET = 70;

export interface HistoryPoint {
  /** Epoch ms (gateway clock). */
  t: number;
  cpuMillicores: number;
  cpuPercentOfRequest: number | null;
  memoryMb: number;
}

export type LiveEvent =
  { type: 'heartbeat'; pod: StressLivePod; point: HistoryPoint; summary: StressLiveSummary } | { type: 'gone'; pod: string; summary: StressLiveSummary };

/** A test or load as the heartbeats last reported it: per pod that ran the test, per pod that dispatched the load. */
export interface SeenRun {
  id: string;
  tests: StressTestStatus[];
  loads: SustainedLoadStatus[];
}

interface Entry {
  heartbeat: StressHeartbeat;
  receivedAt: number;
  history: HistoryPoint[];
}

const round1 = (n: number) => Math.round(n * 10) / 10;

/**
 * The gateway's live picture of the stress pods, built from their heartbeats: each gateway
 * replica subscribes (no queue group), keeps the last heartbeat and a short history per pod,
 * drops a pod silent for 5 s, and tells its SSE clients about every change. Times are the
 * gateway's own receive times, so clock skew between pods does not matter.
 */
@Injectable()
export class StressLiveService implements OnModuleInit, OnModuleDestroy {
  private readonly pods = new Map<string, Entry>();
  private readonly runs = new Map<string, { tests: Map<string, StressTestStatus>; loads: Map<string, SustainedLoadStatus> }>();
  private readonly listeners = new Set<(event: LiveEvent) => void>();
  private unsubscribe?: () => void;
  private sweeper?: NodeJS.Timeout;
  private target: { percent: number; source: 'hpa' | 'default' } = { percent: DEFAULT_TARGET, source: 'default' };

  constructor(private readonly bus: MessageBus) {}

  onModuleInit(): void {
    this.unsubscribe = this.bus.subscribe(StressEvents.heartbeat, (hb) => this.accept(hb));
    this.sweeper = setInterval(() => this.sweep(), 500);
    this.sweeper.unref();
  }

  onModuleDestroy(): void {
    this.unsubscribe?.();
    clearInterval(this.sweeper);
    this.listeners.clear();
  }

  /** Records a heartbeat; a new incarnation of a pod (a restart) starts a fresh history. */
  accept(hb: StressHeartbeat, now = Date.now()): void {
    if (!hb || typeof hb.pod !== 'string' || !hb.cpu || !hb.memory) return;
    const previous = this.pods.get(hb.pod);
    if (previous && previous.heartbeat.incarnation === hb.incarnation && hb.seq <= previous.heartbeat.seq) return; // late duplicate
    const history = previous && previous.heartbeat.incarnation === hb.incarnation ? previous.history : [];
    const point: HistoryPoint = {
      t: now,
      cpuMillicores: hb.cpu.usedMillicores,
      cpuPercentOfRequest: hb.cpu.percentOfRequest,
      memoryMb: round1(hb.memory.currentBytes / (1024 * 1024)),
    };
    history.push(point);
    if (history.length > HISTORY_POINTS) history.splice(0, history.length - HISTORY_POINTS);
    const entry = { heartbeat: hb, receivedAt: now, history };
    this.pods.set(hb.pod, entry);
    this.remember(hb);
    this.emit({ type: 'heartbeat', pod: this.view(entry), point, summary: this.summary() });
  }

  /** Drops pods silent for longer than SILENCE_MS. */
  sweep(now = Date.now()): void {
    for (const [name, entry] of this.pods) {
      if (now - entry.receivedAt > SILENCE_MS) {
        this.pods.delete(name);
        this.emit({ type: 'gone', pod: name, summary: this.summary() });
      }
    }
  }

  list(): StressLivePod[] {
    return [...this.pods.values()].map((e) => this.view(e)).sort((a, b) => a.heartbeat.pod.localeCompare(b.heartbeat.pod));
  }

  /** The tests and loads seen lately, running or finished, oldest first; they outlive their pods. */
  recentRuns(): SeenRun[] {
    return [...this.runs].map(([id, r]) => ({ id, tests: [...r.tests.values()], loads: [...r.loads.values()] }));
  }

  private remember(hb: StressHeartbeat): void {
    for (const t of [hb.test, hb.lastTest]) if (t) this.run(t.id).tests.set(t.pod, t);
    for (const l of [hb.load, hb.lastLoad]) if (l) this.run(l.id).loads.set(l.dispatcher.pod, l);
  }

  private run(id: string) {
    let run = this.runs.get(id);
    if (!run) {
      run = { tests: new Map(), loads: new Map() };
      this.runs.set(id, run);
      if (this.runs.size > RUNS_REMEMBERED) this.runs.delete(this.runs.keys().next().value!);
    }
    return run;
  }

  history(): Record<string, HistoryPoint[]> {
    return Object.fromEntries([...this.pods].map(([name, e]) => [name, e.history]));
  }

  activeLoads(): SustainedLoadStatus[] {
    return this.list().flatMap((p) => (p.heartbeat.load && p.heartbeat.load.state === 'running' ? [p.heartbeat.load] : []));
  }

  /** The stress pods' own maxima (the smallest over the live pods), so the gateway refuses what every pod would. */
  podMaxima(): { maxDurationSeconds?: number; maxLoadMillicores?: number } {
    const caps = [...this.pods.values()].map((e) => e.heartbeat.capacity);
    if (!caps.length) return {};
    return { maxDurationSeconds: Math.min(...caps.map((c) => c.maxDurationSeconds)), maxLoadMillicores: Math.min(...caps.map((c) => c.maxLoadMillicores)) };
  }

  /** Remembers the HPA's CPU target (from the stress service's overview) for the replica sum. */
  setCpuTarget(percent: number, source: 'hpa' | 'default'): void {
    this.target = { percent, source };
  }

  summary(): StressLiveSummary {
    const beats = [...this.pods.values()].map((e) => e.heartbeat);
    const cpuReq = beats.map((b) => b.cpu.percentOfRequest).filter((v): v is number => v !== null);
    const memReq = beats.map((b) => b.memory.percentOfRequest).filter((v): v is number => v !== null);
    const mean = (xs: number[]) => (xs.length ? round1(xs.reduce((a, b) => a + b, 0) / xs.length) : null);
    const averageCpu = cpuReq.length === beats.length ? mean(cpuReq) : null;
    let why: string | null = null;
    if (!beats.length) why = 'No stress pod is sending heartbeats.';
    else if (averageCpu === null)
      why = 'The stress pods report no CPU request (CPU_REQUEST_MILLICORES), so utilisation relative to requests, which the HPA uses, is unknown here.';
    return {
      pods: beats.length,
      cpuMillicores: beats.reduce((sum, b) => sum + b.cpu.usedMillicores, 0),
      averageCpuPercentOfRequest: averageCpu,
      averageMemoryPercentOfRequest: memReq.length === beats.length ? mean(memReq) : null,
      cpuTargetPercent: this.target.percent,
      cpuTargetSource: this.target.source,
      expected:
        averageCpu !== null
          ? StressRules.expectedReplicas({ currentReplicas: beats.length, utilization: averageCpu, target: this.target.percent, source: 'live heartbeats' })
          : null,
      why,
    };
  }

  /** Resolves with the first heartbeat (already here or arriving within `timeoutMs`) that matches. */
  waitFor(match: (hb: StressHeartbeat) => boolean, timeoutMs: number): Promise<StressHeartbeat | undefined> {
    const present = [...this.pods.values()].find((e) => match(e.heartbeat));
    if (present) return Promise.resolve(present.heartbeat);
    return new Promise((resolve) => {
      const off = this.onEvent((event) => {
        if (event.type === 'heartbeat' && match(event.pod.heartbeat)) {
          clearTimeout(timer);
          off();
          resolve(event.pod.heartbeat);
        }
      });
      const timer = setTimeout(() => {
        off();
        resolve(undefined);
      }, timeoutMs);
      timer.unref();
    });
  }

  onEvent(listener: (event: LiveEvent) => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  private view(entry: Entry): StressLivePod {
    return { heartbeat: entry.heartbeat, receivedAt: new Date(entry.receivedAt).toISOString() };
  }

  private emit(event: LiveEvent): void {
    for (const listener of this.listeners) {
      try {
        listener(event);
      } catch {
        // one broken listener (a closed stream) must not stop the others
      }
    }
  }
}
