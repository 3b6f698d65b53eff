import { waitFor } from '../process/wait';

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
  contentType = '';

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
    return waitFor(() => this.messages.find((m) => m.at >= from && predicate(m)), {
      timeoutMs: options.timeoutMs ?? 10_000,
      intervalMs: 5,
      what: `an SSE message from ${this.url}`,
    });
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
    this.contentType = res.headers.get('content-type') ?? '';
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
