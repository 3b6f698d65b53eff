import { type ChildProcess, spawn } from 'node:child_process';
import readline from 'node:readline';

export interface StartOptions {
  name: string;
  command: string;
  args: string[];
  env?: NodeJS.ProcessEnv;
  cwd?: string;
  /** Print the process's output as it arrives (debugging). */
  echo?: boolean;
}

const live = new Set<ManagedProcess>();
/** Stops every process the tests started, by PID, when the worker exits. */
process.once('exit', () => {
  for (const p of live) p.killNow();
});

/**
 * A child process a test started: its output is kept for assertions and failure messages, and
 * it is stopped by its own PID only.
 */
export class ManagedProcess {
  readonly child: ChildProcess;
  readonly output: string[] = [];
  readonly exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
  private exitInfo?: { code: number | null; signal: NodeJS.Signals | null };

  constructor(readonly options: StartOptions) {
    this.child = spawn(options.command, options.args, {
      cwd: options.cwd,
      env: options.env ?? process.env,
      stdio: ['ignore', 'pipe', 'pipe'],
      // Its own process group, so the last-resort kill also ends what it started (a launcher's children).
      detached: true,
    });
    live.add(this);
    // Whole lines only: a JSON log line may arrive split over two chunks.
    const collect = (line: string) => {
      if (line) this.output.push(line);
      if (this.output.length > 5000) this.output.splice(0, this.output.length - 5000);
      if (options.echo) process.stderr.write(`[${options.name}] ${line}\n`);
    };
    for (const stream of [this.child.stdout, this.child.stderr]) if (stream) readline.createInterface({ input: stream }).on('line', collect);
    // 'close' (not 'exit'): it comes after the output streams ended, so every line is in.
    this.exited = new Promise((resolve) => {
      this.child.once('close', (code, signal) => {
        this.exitInfo = { code, signal };
        live.delete(this);
        resolve(this.exitInfo);
      });
    });
  }

  get pid(): number {
    return this.child.pid ?? -1;
  }

  get running(): boolean {
    return this.exitInfo === undefined;
  }

  /** Lines of output so far (JSON log lines parsed where possible). */
  jsonLines(): Array<Record<string, unknown>> {
    return this.output.flatMap((l) => {
      try {
        return [JSON.parse(l) as Record<string, unknown>];
      } catch {
        return [];
      }
    });
  }

  tail(n = 40): string {
    return this.output.slice(-n).join('\n');
  }

  /** Sends `signal` and waits for the exit; escalates to SIGKILL after `timeoutMs`. */
  async stop(signal: NodeJS.Signals = 'SIGTERM', timeoutMs = 10_000): Promise<{ code: number | null; signal: NodeJS.Signals | null }> {
    if (!this.running) return this.exitInfo!;
    this.child.kill(signal);
    const timer = setTimeout(() => this.killNow(), timeoutMs);
    const info = await this.exited;
    clearTimeout(timer);
    return info;
  }

  /** Last resort: SIGKILL to the process group this process leads (it and everything it started). */
  killNow(): void {
    if (!this.running || !this.child.pid) return;
    try {
      process.kill(-this.child.pid, 'SIGKILL');
    } catch {
      this.child.kill('SIGKILL');
    }
  }
}

export function startProcess(options: StartOptions): ManagedProcess {
  return new ManagedProcess(options);
}
