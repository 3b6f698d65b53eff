import path from 'node:path';
import { JSONCodec, type NatsConnection, connect } from 'nats';
import { StressEvents, StressHeartbeat } from '@eks-info/contracts';
import type { PodRuntime, PodUsage, RunningPod, RuntimePod } from '../kube-api/live/pod-runtime';
import { ManagedProcess } from '../process/managed-process';
import { componentEntry, distPath, guardRequireArgs, nodeBin, repoRoot } from '../process/paths';
import { freePort, waitFor } from '../process/wait';
import { isolatedEnv } from '../stack/app-process';

export interface StressWorkersOptions {
  natsUrl: string;
  /** The simulated cluster's kubeconfig: each pod watches the stress HPA there, as in a cluster. */
  kubeconfig: string;
  namespace: string;
  hpaName: string;
  /** Variables every pod gets on top of its downward-API ones (e.g. SIMULATED_SOURCES). */
  env?: Record<string, string>;
  /** How long a pod may take to answer /ready. */
  readyTimeoutMs?: number;
  log?: (line: string) => void;
}

interface Sample {
  at: number;
  cpu: number;
  memory: number;
}

const codec = JSONCodec<{ data?: unknown }>();
/** Heartbeats kept per pod: a minute at the default interval is more than any metrics window. */
const MAX_SAMPLES = 120;

/**
 * The container runtime of the demo's simulated kubelet: every stress pod the simulated cluster
 * schedules runs as a real stress service process (the production bundle) on NATS, with the
 * pod's name, node, IP and resources in its downward-API variables. Its usage is what the pod
 * itself measures and publishes in its heartbeats — the HPA acts on real CPU. Each process
 * leaves with this one (it polls its parent), so none outlives the demo.
 */
export class StressWorkerRuntime implements PodRuntime {
  private readonly samples = new Map<string, Sample[]>();
  private readonly processes = new Set<ManagedProcess>();

  private constructor(
    private readonly options: StressWorkersOptions,
    private readonly nc: NatsConnection,
  ) {}

  static async connect(options: StressWorkersOptions): Promise<StressWorkerRuntime> {
    const nc = await connect({ servers: options.natsUrl, name: 'simulated-kubelet', maxReconnectAttempts: -1 });
    const runtime = new StressWorkerRuntime(options, nc);
    const sub = nc.subscribe(StressEvents.heartbeat.subject);
    void (async () => {
      for await (const msg of sub) {
        const parsed = StressHeartbeat.safeParse(codec.decode(msg.data).data);
        if (parsed.success) runtime.record(parsed.data);
      }
    })();
    await nc.flush();
    return runtime;
  }

  private record(hb: StressHeartbeat): void {
    const list = this.samples.get(hb.pod) ?? [];
    list.push({ at: Date.now(), cpu: hb.cpu.usedMillicores, memory: hb.memory.currentBytes });
    if (list.length > MAX_SAMPLES) list.splice(0, list.length - MAX_SAMPLES);
    this.samples.set(hb.pod, list);
  }

  usage(pod: string, windowMs: number): PodUsage | undefined {
    const from = Date.now() - windowMs;
    const recent = (this.samples.get(pod) ?? []).filter((s) => s.at >= from);
    if (!recent.length) return undefined;
    return {
      cpuMillicores: Math.round(recent.reduce((s, x) => s + x.cpu, 0) / recent.length),
      memoryBytes: Math.round(recent.reduce((s, x) => s + x.memory, 0) / recent.length),
      samples: recent.length,
    };
  }

  start(pod: RuntimePod): RunningPod {
    const args = [
      ...guardRequireArgs(),
      '--require',
      path.join(path.dirname(distPath('libs/testing/src/stress/stress-workers.js')), 'exit-with-parent.js'),
      distPath(componentEntry('stress')),
    ];
    const ready = freePort().then(async (port) => {
      const proc = new ManagedProcess({
        name: pod.name,
        command: nodeBin,
        args,
        cwd: repoRoot,
        env: isolatedEnv({
          ...this.options.env,
          NATS_URL: this.options.natsUrl,
          POD_NAME: pod.name,
          POD_NAMESPACE: pod.namespace,
          POD_IP: pod.ip,
          NODE_NAME: pod.node,
          SERVICE_ACCOUNT_NAME: pod.serviceAccount,
          CPU_REQUEST_MILLICORES: String(pod.cpuRequestMillicores),
          CPU_LIMIT_MILLICORES: String(pod.cpuLimitMillicores),
          MEMORY_REQUEST_BYTES: String(pod.memoryRequestBytes),
          MEMORY_LIMIT_BYTES: String(pod.memoryLimitBytes),
          // No cgroup of its own here: the process's own CPU and memory are the pod's.
          STRESS_USAGE_SOURCE: 'process',
          KUBE_MODE: 'kubeconfig',
          KUBECONFIG: this.options.kubeconfig,
          WATCH_NAMESPACE: this.options.namespace,
          STRESS_HPA_NAME: this.options.hpaName,
          MANAGEMENT_PORT: String(port),
          MANAGEMENT_HOST: '127.0.0.1',
          SHUTDOWN_GRACE_MS: '500',
          LOG_LEVEL: this.options.env?.LOG_LEVEL ?? 'warn',
        }),
      });
      this.processes.add(proc);
      void proc.exited.then(() => this.processes.delete(proc));
      handle.proc = proc;
      await waitFor(
        async () => {
          if (!proc.running) throw new Error(`exited: ${proc.tail(5)}`);
          return (await fetch(`http://127.0.0.1:${port}/ready`, { signal: AbortSignal.timeout(1000) }).catch(() => undefined))?.status === 200;
        },
        { timeoutMs: this.options.readyTimeoutMs ?? 30_000, intervalMs: 100, what: `${pod.name} ready` },
      );
      this.options.log?.(`stress pod ${pod.name} is running as process ${proc.pid}`);
    });
    const handle: { proc?: ManagedProcess } = {};
    const exited = ready.then(
      () => handle.proc!.exited.then(() => undefined),
      () => handle.proc?.exited.then(() => undefined),
    );
    return {
      ready,
      exited: exited.then(() => undefined),
      stop: async () => {
        await ready.catch(() => undefined);
        await handle.proc?.stop('SIGTERM', 10_000);
        this.samples.delete(pod.name);
      },
    };
  }

  /** Stops every pod process and the heartbeat subscription. */
  async close(): Promise<void> {
    await Promise.all([...this.processes].map((p) => p.stop('SIGTERM', 5_000)));
    await this.nc.close().catch(() => undefined);
  }
}
