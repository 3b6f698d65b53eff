import type { Logger } from 'pino';

export interface CheckResult {
  ok: boolean;
  /** Why, in words an operator can act on ("NATS disconnected", "/data/ebs is not a mount point"). */
  detail?: string;
}

export type ReadinessCheck = () => CheckResult | Promise<CheckResult>;

/** State shared by a registry and its scoped views. */
interface State {
  checks: Map<string, ReadinessCheck>;
  lastState: Map<string, boolean>;
  draining: boolean;
  logger?: Logger;
}

/**
 * Named readiness checks of a process. `/ready` runs them all; a failing one names the broken
 * dependency. During shutdown the registry reports not-ready first so load balancers drain.
 * Transitions are logged once (ready → not ready and back), never per probe.
 */
export class ReadinessRegistry {
  private readonly state: State;

  constructor(
    logger?: Logger,
    private readonly prefix = '',
    shared?: State,
  ) {
    this.state = shared ?? { checks: new Map(), lastState: new Map(), draining: false, logger };
  }

  register(name: string, check: ReadinessCheck): void {
    this.state.checks.set(this.prefix + name, check);
  }

  /** A view registering its checks as `<prefix>.<name>` (several services in one process). */
  scoped(prefix: string): ReadinessRegistry {
    return new ReadinessRegistry(undefined, `${this.prefix}${prefix}.`, this.state);
  }

  /** Marks the process as shutting down: every later /ready fails with "shutting down". */
  drain(): void {
    this.state.draining = true;
  }

  get isDraining(): boolean {
    return this.state.draining;
  }

  names(): string[] {
    return [...this.state.checks.keys()];
  }

  async run(timeoutMs = 2000): Promise<Record<string, CheckResult>> {
    const { checks, lastState, logger } = this.state;
    const out: Record<string, CheckResult> = {};
    if (this.state.draining) out.shutdown = { ok: false, detail: 'shutting down' };
    await Promise.all(
      [...checks].map(async ([name, check]) => {
        let timer: NodeJS.Timeout | undefined;
        let result: CheckResult;
        try {
          result = await Promise.race([
            Promise.resolve(check()),
            new Promise<CheckResult>((resolve) => {
              timer = setTimeout(() => resolve({ ok: false, detail: `check did not finish within ${timeoutMs} ms` }), timeoutMs);
            }),
          ]);
        } catch (err) {
          result = { ok: false, detail: (err as Error).message };
        } finally {
          clearTimeout(timer);
        }
        out[name] = result;
        if (lastState.get(name) !== result.ok) {
          if (lastState.has(name) || !result.ok) {
            logger?.[result.ok ? 'info' : 'warn']({ check: name, detail: result.detail }, result.ok ? 'readiness check passes' : 'readiness check fails');
          }
          lastState.set(name, result.ok);
        }
      }),
    );
    return out;
  }
}
