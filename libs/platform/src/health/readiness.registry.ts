import type { Logger } from 'pino';

export interface CheckResult {
  ok: boolean;
  /** Why, in words an operator can act on ("NATS disconnected", "/data/ebs is not a mount point"). */
  detail?: string;
}

export type ReadinessCheck = () => CheckResult | Promise<CheckResult>;

/**
 * Named readiness checks of a process. `/ready` runs them all; a failing one names the broken
 * dependency. During shutdown the registry reports not-ready first so load balancers drain.
 * Transitions are logged once (ready → not ready and back), never per probe.
 */
export class ReadinessRegistry {
  private readonly checks = new Map<string, ReadinessCheck>();
  private readonly lastState = new Map<string, boolean>();
  private draining = false;

  constructor(private readonly logger?: Logger) {}

  register(name: string, check: ReadinessCheck): void {
    this.checks.set(name, check);
  }

  /** Marks the process as shutting down: every later /ready fails with "shutting down". */
  drain(): void {
    this.draining = true;
  }

  get isDraining(): boolean {
    return this.draining;
  }

  names(): string[] {
    return [...this.checks.keys()];
  }

  async run(timeoutMs = 2000): Promise<Record<string, CheckResult>> {
    const out: Record<string, CheckResult> = {};
    if (this.draining) out.shutdown = { ok: false, detail: 'shutting down' };
    await Promise.all(
      [...this.checks].map(async ([name, check]) => {
        let result: CheckResult;
        try {
          result = await Promise.race([
            Promise.resolve(check()),
            new Promise<CheckResult>((resolve) => setTimeout(() => resolve({ ok: false, detail: `check did not finish within ${timeoutMs} ms` }), timeoutMs).unref()),
          ]);
        } catch (err) {
          result = { ok: false, detail: (err as Error).message };
        }
        out[name] = result;
        if (this.lastState.get(name) !== result.ok) {
          if (this.lastState.has(name) || !result.ok) {
            this.logger?.[result.ok ? 'info' : 'warn']({ check: name, detail: result.detail }, result.ok ? 'readiness check passes' : 'readiness check fails');
          }
          this.lastState.set(name, result.ok);
        }
      }),
    );
    return out;
  }
}
