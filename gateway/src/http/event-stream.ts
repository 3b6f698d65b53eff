import type { FastifyReply, FastifyRequest } from 'fastify';

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
