import type { FastifyReply, FastifyRequest } from 'fastify';
import { CommonErrors } from '@eks-info/contracts';
import { RpcError } from '@eks-info/platform';

/**
 * Live connections one gateway replica holds for one stream, and for one client of it. Each
 * holds a socket and receives every push, so both are bounded: a 429 beyond, before the
 * response starts.
 */
export const STREAM_LIMITS = { perStream: 200, perClient: 8 } as const;

/** The open connections of one stream, by client address. */
export class StreamSlots {
  private readonly byClient = new Map<string, number>();
  private total = 0;

  constructor(
    private readonly name: string,
    private readonly limits: { perStream: number; perClient: number } = STREAM_LIMITS,
  ) {}

  get size(): number {
    return this.total;
  }

  /** Takes a slot for this request's client, or throws the 429; the slot frees when the stream closes. */
  take(request: FastifyRequest): () => void {
    const client = request.ip;
    const mine = this.byClient.get(client) ?? 0;
    if (this.total >= this.limits.perStream || mine >= this.limits.perClient) {
      const whose = this.total >= this.limits.perStream ? `This gateway already serves ${this.limits.perStream}` : `This client already holds ${mine}`;
      throw new RpcError({
        code: CommonErrors.RATE_LIMITED.code,
        message: `${whose} live ${this.name} connections.`,
        fix: 'Close other tabs showing this page, or use the refresh button.',
      });
    }
    this.total++;
    this.byClient.set(client, mine + 1);
    let freed = false;
    return () => {
      if (freed) return;
      freed = true;
      this.total--;
      const left = (this.byClient.get(client) ?? 1) - 1;
      if (left > 0) this.byClient.set(client, left);
      else this.byClient.delete(client);
    };
  }
}

/**
 * One Server-Sent Events connection. Pages subscribe with EventSource; the gateway pushes what
 * arrives on the bus. A comment line every `heartbeatMs` keeps proxies (the ALB idles out at 60 s)
 * from closing a quiet stream and lets the server notice a vanished client.
 */
export class EventStream {
  private closed = false;
  private readonly timer: NodeJS.Timeout;
  private readonly closeHandlers: Array<() => void> = [];

  constructor(
    request: FastifyRequest,
    private readonly reply: FastifyReply,
    options: { heartbeatMs?: number; retryMs?: number } = {},
  ) {
    reply.hijack();
    reply.raw.writeHead(200, {
      'content-type': 'text/event-stream; charset=utf-8',
      'cache-control': 'no-cache, no-transform',
      connection: 'keep-alive',
      'x-accel-buffering': 'no',
      'x-content-type-options': 'nosniff',
    });
    reply.raw.write(`retry: ${options.retryMs ?? 3000}\n\n`);
    this.timer = setInterval(() => this.write(': keep-alive\n\n'), options.heartbeatMs ?? 15_000);
    this.timer.unref();
    request.raw.once('close', () => this.close());
  }

  get isClosed(): boolean {
    return this.closed;
  }

  send(event: string, data: unknown): void {
    this.write(`event: ${event}\ndata: ${JSON.stringify(data)}\n\n`);
  }

  /**
   * An HTML fragment as one event: every line of it a `data:` line (the browser joins them with
   * newlines, so the fragment arrives as it was rendered). With `id`, the browser's last event id
   * becomes it and a reconnect sends it back as `Last-Event-ID`.
   */
  static htmlFrame(event: string, html: string, id?: string): string {
    const data = html
      .split(/\r\n|\r|\n/)
      .map((line) => `data: ${line}\n`)
      .join('');
    return `event: ${event}\n${id === undefined ? '' : `id: ${id}\n`}${data}\n`;
  }

  sendHtml(event: string, html: string, id?: string): void {
    this.write(EventStream.htmlFrame(event, html, id));
  }

  /** Writes frames built once for many streams (see `htmlFrame`). */
  sendFrames(frames: string): void {
    if (frames) this.write(frames);
  }

  onClose(handler: () => void): void {
    if (this.closed) handler();
    else this.closeHandlers.push(handler);
  }

  close(): void {
    if (this.closed) return;
    this.closed = true;
    clearInterval(this.timer);
    for (const h of this.closeHandlers.splice(0)) h();
    if (!this.reply.raw.writableEnded) this.reply.raw.end();
  }

  private write(chunk: string): void {
    if (!this.closed && !this.reply.raw.writableEnded) this.reply.raw.write(chunk);
  }
}
