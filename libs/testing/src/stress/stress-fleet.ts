import { type EventContract, type RpcContract, type StressHeartbeat, StressEvents } from '@eks-info/contracts';
import { ManagedProcess } from '../process/managed-process';
import { distPath, guardRequireArgs, nodeBin, repoRoot, componentEntry } from '../process/paths';
import { freePort, waitFor } from '../process/wait';
import { isolatedEnv } from '../stack/app-process';
import type { CgroupSandbox } from './cgroup-sandbox';

export interface StressProcess {
  pod: string;
  process: ManagedProcess;
  managementUrl: string;
  pid: number;
  stop(signal?: NodeJS.Signals): Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
}

/**
 * A stress service process from dist/, as a pod runs it: its own POD_NAME, a management port on
 * loopback, NATS at `natsUrl`, optionally inside a cgroup sandbox (memory limit, CPU quota).
 * Resolves once /ready answers 200 (NATS connected, handlers subscribed).
 */
export async function startStressProcess(options: {
  pod: string;
  natsUrl: string;
  env?: Record<string, string | undefined>;
  sandbox?: CgroupSandbox;
  timeoutMs?: number;
}): Promise<StressProcess> {
  const port = await freePort();
  const args = [...guardRequireArgs(), '--enable-source-maps', distPath(componentEntry('stress'))];
  const cmd = options.sandbox ? options.sandbox.wrap(nodeBin, args) : { command: nodeBin, args };
  const proc = new ManagedProcess({
    name: options.pod,
    command: cmd.command,
    args: cmd.args,
    cwd: repoRoot,
    env: isolatedEnv({
      NATS_URL: options.natsUrl,
      POD_NAME: options.pod,
      NODE_NAME: `node-of-${options.pod}`,
      MANAGEMENT_PORT: String(port),
      MANAGEMENT_HOST: '127.0.0.1',
      KUBE_MODE: 'off',
      LOG_LEVEL: 'warn',
      ...options.env,
    }),
  });
  const managementUrl = `http://127.0.0.1:${port}`;
  await waitFor(
    async () => {
      if (!proc.running) throw new Error(`${options.pod} exited:\n${proc.tail()}`);
      return (await fetch(`${managementUrl}/ready`).catch(() => undefined))?.status === 200;
    },
    { timeoutMs: options.timeoutMs ?? 20_000, what: `${options.pod} ready` },
  ).catch((err: Error) => {
    proc.killNow();
    throw new Error(`${err.message}\n--- ${options.pod} output ---\n${proc.tail()}`);
  });
  return { pod: options.pod, process: proc, managementUrl, pid: proc.pid, stop: (signal) => proc.stop(signal) };
}

/**
 * The part of the platform's MessageBus the stress tests use (the platform's own specs import
 * this library, so it cannot import the platform back): pass `createRuntime(…).bus`.
 */
export interface StressTestBus {
  request<Req, Res>(contract: RpcContract<Req, Res>, data: Req, options?: { timeoutMs?: number }): Promise<Res>;
  gather<Req, Res>(contract: RpcContract<Req, Res>, data: Req, options: { windowMs: number; max?: number }): Promise<Res[]>;
  subscribe<E>(contract: EventContract<E>, handler: (data: E) => void | Promise<void>, options?: { queue?: string }): () => void;
  close(): Promise<void>;
}

/**
 * The test's own client on the bus: sends stress commands with the contracts and records every
 * heartbeat, as a gateway would.
 */
export class StressBusClient {
  readonly heartbeats: Array<StressHeartbeat & { receivedAt: number }> = [];
  private readonly off: () => void;

  constructor(readonly bus: StressTestBus) {
    this.off = bus.subscribe(StressEvents.heartbeat, (hb) => {
      this.heartbeats.push({ ...hb, receivedAt: Date.now() });
      if (this.heartbeats.length > 5000) this.heartbeats.splice(0, 2500);
    });
  }

  /** The latest heartbeat of a pod. */
  latest(pod: string): (StressHeartbeat & { receivedAt: number }) | undefined {
    for (let i = this.heartbeats.length - 1; i >= 0; i--) if (this.heartbeats[i].pod === pod) return this.heartbeats[i];
    return undefined;
  }

  /** Waits for a heartbeat, received after now, that matches. */
  waitForHeartbeat(match: (hb: StressHeartbeat) => boolean, timeoutMs = 10_000): Promise<StressHeartbeat> {
    const after = Date.now();
    return waitFor(() => this.heartbeats.find((hb) => hb.receivedAt >= after && match(hb)), { timeoutMs, what: 'a matching stress heartbeat' });
  }

  async close(): Promise<void> {
    this.off();
    await this.bus.close();
  }
}
