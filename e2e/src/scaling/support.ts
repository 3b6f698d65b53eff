import { mkdtempSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { type FakeKubeApiServer, type ManagedProcess, freePort, startNodeProcess, waitFor } from '@eks-info/testing';

/** One Server-Sent Event as a client received it, with the receive time. */
export interface SseMessage {
  event: string;
  data: string;
  at: number;
}

/**
 * A Server-Sent Events client over fetch (what a browser's EventSource does): keeps every
 * message with its arrival time, so tests can measure push latency.
 */
export class SseClient {
  readonly messages: SseMessage[] = [];
  private readonly abort = new AbortController();
  private readonly done: Promise<void>;
  status = 0;

  private constructor(readonly url: string) {
    this.done = this.run();
  }

  static async open(url: string): Promise<SseClient> {
    const client = new SseClient(url);
    await waitFor(() => client.status !== 0, { timeoutMs: 10_000, what: `the stream at ${url}` });
    return client;
  }

  /** Resolves with the first message (after `from`) matching the predicate. */
  next(predicate: (m: SseMessage) => boolean, options: { from?: number; timeoutMs?: number } = {}): Promise<SseMessage> {
    const from = options.from ?? 0;
    return waitFor(() => this.messages.find((m) => m.at >= from && predicate(m)), { timeoutMs: options.timeoutMs ?? 10_000, intervalMs: 5, what: `an SSE message from ${this.url}` });
  }

  json<T>(m: SseMessage): T {
    return JSON.parse(m.data) as T;
  }

  async close(): Promise<void> {
    this.abort.abort();
    await this.done.catch(() => undefined);
  }

  private async run(): Promise<void> {
    const res = await fetch(this.url, { headers: { accept: 'text/event-stream' }, signal: this.abort.signal });
    this.status = res.status;
    if (!res.body) return;
    const decoder = new TextDecoder();
    let buffer = '';
    const reader = res.body.getReader();
    try {
      for (;;) {
        const { value, done } = await reader.read();
        if (done) break;
        buffer += decoder.decode(value, { stream: true });
        let end: number;
        while ((end = buffer.indexOf('\n\n')) >= 0) {
          const block = buffer.slice(0, end);
          buffer = buffer.slice(end + 2);
          let event = 'message';
          const data: string[] = [];
          for (const line of block.split('\n')) {
            if (line.startsWith('event: ')) event = line.slice(7);
            else if (line.startsWith('data: ')) data.push(line.slice(6));
          }
          if (data.length) this.messages.push({ event, data: data.join('\n'), at: Date.now() });
        }
      }
    } catch {
      // Aborted by close().
    }
  }
}

export function tempDir(prefix: string): string {
  return mkdtempSync(path.join(os.tmpdir(), prefix));
}

/** Kubernetes access of every process a scaling test starts: the fake API server's kubeconfig. */
export function kubeEnv(server: FakeKubeApiServer): Record<string, string> {
  return { KUBE_MODE: 'kubeconfig', KUBECONFIG: server.writeKubeconfig(), WATCH_NAMESPACE: 'demo', KUBE_WATCHDOG_SECONDS: '60' };
}

/** The scaling-monitor as its own process over NATS, with its management port. */
export async function startMonitor(natsUrl: string, env: Record<string, string>): Promise<{ proc: ManagedProcess; port: number }> {
  const port = await freePort();
  const proc = await startNodeProcess({
    name: 'scaling-monitor',
    entry: 'services/scaling-monitor/src/main.js',
    env: { NATS_URL: natsUrl, MANAGEMENT_PORT: String(port), MANAGEMENT_HOST: '127.0.0.1', SHUTDOWN_GRACE_MS: '0', ...env },
    readyUrl: `http://127.0.0.1:${port}/ready`,
    timeoutMs: 30_000,
  });
  return { proc, port };
}

export async function startGatewayProcess(natsUrl: string, env: Record<string, string> = {}): Promise<{ proc: ManagedProcess; url: string }> {
  const port = await freePort();
  const url = `http://127.0.0.1:${port}`;
  const proc = await startNodeProcess({
    name: 'gateway',
    entry: 'gateway/src/main.js',
    env: { NATS_URL: natsUrl, PORT: String(port), HOST: '127.0.0.1', SHUTDOWN_GRACE_MS: '0', ...env },
    readyUrl: `${url}/ready`,
  });
  return { proc, url };
}


export async function getJson<T>(url: string): Promise<{ status: number; body: T }> {
  const res = await fetch(url);
  return { status: res.status, body: (await res.json()) as T };
}
