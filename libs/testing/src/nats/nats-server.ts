import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { ManagedProcess } from '../process/managed-process';
import { toolPath } from '../process/paths';
import { freePort, isListening, waitFor } from '../process/wait';

export interface NatsServerOptions {
  /**
   * Largest message the server accepts, as nats-server writes it (e.g. `16MB`); default the
   * server's own 1 MB. The Helm chart and compose set 16MB so a 10 MiB upload fits in one request.
   */
  maxPayload?: string;
}

/**
 * A real nats-server on loopback for one test file. `stop()` and `start()` again keep the same
 * port, so clients configured with its URL can be tested through an outage and a recovery.
 */
export class NatsServer {
  private process?: ManagedProcess;
  private configDir?: string;

  private constructor(
    readonly port: number,
    private readonly options: NatsServerOptions = {},
  ) {}

  static async start(options: NatsServerOptions = {}): Promise<NatsServer> {
    const server = new NatsServer(await freePort(), options);
    await server.start();
    return server;
  }

  get url(): string {
    return `nats://127.0.0.1:${this.port}`;
  }

  get pid(): number | undefined {
    return this.process?.pid;
  }

  async start(): Promise<void> {
    if (this.process?.running) return;
    const args = ['-a', '127.0.0.1', '-p', String(this.port)];
    // max_payload has no command-line flag: it goes in a config file (the flags still win for address and port).
    if (this.options.maxPayload) {
      if (!/^\d+(KB|MB)?$/.test(this.options.maxPayload)) throw new Error(`maxPayload ${this.options.maxPayload}: use a number of bytes, KB or MB`);
      this.configDir ??= mkdtempSync(path.join(os.tmpdir(), 'nats-conf-'));
      const file = path.join(this.configDir, 'nats.conf');
      writeFileSync(file, `max_payload: ${this.options.maxPayload}\n`);
      args.push('-c', file);
    }
    this.process = new ManagedProcess({ name: 'nats-server', command: toolPath('nats-server'), args });
    await waitFor(() => isListening(this.port), { timeoutMs: 10_000, what: `nats-server on ${this.port}` });
  }

  /** Ends the server abruptly (SIGKILL), as a crash or a killed pod would. */
  async kill(): Promise<void> {
    this.process?.killNow();
    await this.process?.exited;
  }

  async stop(): Promise<void> {
    await this.process?.stop('SIGTERM');
    if (this.configDir) rmSync(this.configDir, { recursive: true, force: true });
    this.configDir = undefined;
  }
}
