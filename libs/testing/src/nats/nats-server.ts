import { ManagedProcess } from '../process/managed-process';
import { toolPath } from '../process/paths';
import { freePort, isListening, waitFor } from '../process/wait';

/**
 * A real nats-server on loopback for one test file. `stop()` and `start()` again keep the same
 * port, so clients configured with its URL can be tested through an outage and a recovery.
 */
export class NatsServer {
  private process?: ManagedProcess;

  private constructor(readonly port: number) {}

  static async start(): Promise<NatsServer> {
    const server = new NatsServer(await freePort());
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
    this.process = new ManagedProcess({ name: 'nats-server', command: toolPath('nats-server'), args: ['-a', '127.0.0.1', '-p', String(this.port)] });
    await waitFor(() => isListening(this.port), { timeoutMs: 10_000, what: `nats-server on ${this.port}` });
  }

  /** Ends the server abruptly (SIGKILL), as a crash or a killed pod would. */
  async kill(): Promise<void> {
    this.process?.killNow();
    await this.process?.exited;
  }

  async stop(): Promise<void> {
    await this.process?.stop('SIGTERM');
  }
}
