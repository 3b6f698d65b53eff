import { createHash } from 'node:crypto';
import { Logger } from '@nestjs/common';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { counter } from '@eks-info/platform';
import { EventStream, type StreamSlots } from '../http/event-stream';
import type { ViewRenderer } from './view-renderer';

/** The event that closes every push: its id is the version the browser now shows. */
export const LIVE_VERSION_EVENT = 'live-version';

const liveMetrics = {
  renders: () => counter('gateway_live_renders_total', 'Renderings of the live sections of a page (once per change, shared by every browser)', ['stream']),
  sections: () => counter('gateway_live_sections_sent_total', 'Live section fragments written to browsers', ['stream']),
};

/** Every section of a page rendered from one state. */
export interface LiveRendering {
  /** A hash of every section's HTML: the page carries it, the browser sends it back on (re)connect. */
  readonly version: string;
  /** Each section's HTML by section id (the SSE event name and the `sse-swap` of its slot on the page). */
  readonly html: Readonly<Record<string, string>>;
  /** When it was rendered (epoch ms). */
  readonly at: number;
}

export interface LiveSectionsOptions<M> {
  /** Names the stream in metrics: scaling, stress, scaling-history. */
  name: string;
  /** Section id → the registered partial that renders it from the model. */
  sections: Readonly<Record<string, string>>;
  /** Renders at most once per this many milliseconds, however often `invalidate` is called. */
  minIntervalMs: number;
  /** The model at render time, or undefined when there is nothing new to render. */
  build: () => M | undefined | Promise<M | undefined>;
  /** The first browser connected (true) or the last one left (false): start or stop following the source. */
  onWatch?: (watching: boolean) => void;
}

interface Current<M> {
  model: M;
  rendering: LiveRendering;
  /** Each section as an SSE frame, built once per rendering. */
  frames: Record<string, string>;
  /** Every section and the version event: for browsers whose page is older. */
  all?: string;
}

/**
 * The live sections of one page (or one variant of it, such as a history range) on this gateway
 * replica. Each change is rendered once, with the same partials the page shows, and shared by
 * every connected browser: the rendering is compared with the previous one and only the sections
 * whose HTML changed go out, as HTML fragments over SSE; htmx swaps them into their slots.
 *
 * Browsers say which version their page shows (`?v=` from the page, or `Last-Event-ID` on a
 * reconnect). One that shows another version gets every section once, then the changes with the
 * others. A push ends with a `live-version` event carrying the new version as its id, so a
 * browser cut off in the middle of a push asks again from the version it fully has.
 */
export class LiveSections<M extends object> {
  private current?: Current<M>;
  /** The version each connected browser shows. */
  private readonly clients = new Map<EventStream, { known: string | undefined }>();
  private timer?: NodeJS.Timeout;
  private building = false;
  private again = false;
  private lastRenderAt = 0;
  private closed = false;
  private readonly logger = new Logger('LiveSections');
  private lastWarning = { message: '', at: 0 };

  constructor(
    private readonly views: ViewRenderer,
    private readonly options: LiveSectionsOptions<M>,
  ) {}

  /** The latest rendering and the model it was rendered from. */
  get latest(): { model: M; rendering: LiveRendering } | undefined {
    return this.current && { model: this.current.model, rendering: this.current.rendering };
  }

  get size(): number {
    return this.clients.size;
  }

  /**
   * Renders `model` now, makes it the current state and pushes the sections that changed to every
   * connected browser. For a page whose data is newer than the current rendering (pages otherwise
   * reuse `latest`), and for the throttled renders of `invalidate`.
   */
  publish(model: M): LiveRendering {
    const html: Record<string, string> = {};
    const hash = createHash('sha256');
    for (const [id, partial] of Object.entries(this.options.sections)) {
      html[id] = this.views.renderPartial(partial, model).trim();
      hash.update(id).update('\0').update(html[id]).update('\0');
    }
    const version = hash.digest('base64url').slice(0, 22);
    const rendering: LiveRendering = { version, html, at: Date.now() };
    this.lastRenderAt = rendering.at;
    liveMetrics.renders().inc({ stream: this.options.name });

    const previous = this.current;
    if (previous?.rendering.version === version) {
      this.current = { ...previous, model, rendering: { ...previous.rendering, at: rendering.at } };
      return this.current.rendering;
    }
    const frames: Record<string, string> = {};
    for (const id of Object.keys(html)) frames[id] = EventStream.htmlFrame(id, html[id]);
    const next: Current<M> = { model, rendering, frames };
    this.current = next;
    if (this.clients.size) {
      const changed = previous ? Object.keys(html).filter((id) => html[id] !== previous.rendering.html[id]) : Object.keys(html);
      const diff = changed.map((id) => frames[id]).join('') + versionFrame(version);
      for (const [stream, client] of this.clients) {
        if (client.known === version) continue;
        const sendAll = client.known !== previous?.rendering.version;
        stream.sendFrames(sendAll ? this.everything(next) : diff);
        liveMetrics.sections().inc({ stream: this.options.name }, sendAll ? Object.keys(html).length : changed.length);
        client.known = version;
      }
    }
    return rendering;
  }

  /** Something the sections show changed: render (at most once per `minIntervalMs`) and push. */
  invalidate(): void {
    if (this.closed) return;
    if (this.building) {
      this.again = true;
      return;
    }
    if (this.timer) return;
    const wait = Math.max(0, this.lastRenderAt + this.options.minIntervalMs - Date.now());
    this.timer = setTimeout(() => void this.flush(), wait);
    this.timer.unref();
  }

  /**
   * Connects a browser whose page shows version `known` (undefined: nothing yet). A page older
   * than the current rendering gets every section at once; the first browser starts the source.
   */
  connect(stream: EventStream, known: string | undefined): void {
    const client = { known };
    this.clients.set(stream, client);
    stream.onClose(() => {
      this.clients.delete(stream);
      if (!this.clients.size && !this.closed) this.options.onWatch?.(false);
    });
    if (stream.isClosed) return;
    if (this.current && known !== this.current.rendering.version) {
      stream.sendFrames(this.everything(this.current));
      liveMetrics.sections().inc({ stream: this.options.name }, Object.keys(this.current.frames).length);
      client.known = this.current.rendering.version;
    }
    if (this.clients.size === 1) this.options.onWatch?.(true);
  }

  /** Disconnects every browser and stops rendering. */
  close(): void {
    this.closed = true;
    clearTimeout(this.timer);
    this.timer = undefined;
    for (const stream of [...this.clients.keys()]) stream.close();
    this.clients.clear();
  }

  /** Logs a failure once a minute while it repeats, and at once when it changes. */
  private warnOnce(message: string): void {
    const now = Date.now();
    if (message === this.lastWarning.message && now - this.lastWarning.at < 60_000) return;
    this.lastWarning = { message, at: now };
    this.logger.warn(message);
  }

  private everything(current: Current<M>): string {
    current.all ??= Object.values(current.frames).join('') + versionFrame(current.rendering.version);
    return current.all;
  }

  private async flush(): Promise<void> {
    this.timer = undefined;
    if (this.closed) return;
    this.building = true;
    try {
      const model = await this.options.build();
      if (model !== undefined && !this.closed) this.publish(model);
    } catch (err) {
      // A failed source or template must not stop later renders (tried again at the same pace,
      // not at once); the browsers keep what they show.
      this.lastRenderAt = Date.now();
      this.warnOnce(`live ${this.options.name} sections not rendered: ${err instanceof Error ? err.message : String(err)}`);
    } finally {
      this.building = false;
      if (this.again) {
        this.again = false;
        this.invalidate();
      }
    }
  }
}

function versionFrame(version: string): string {
  return EventStream.htmlFrame(LIVE_VERSION_EVENT, version, version);
}

const VERSION = /^[A-Za-z0-9_-]{1,64}$/;

/**
 * The version a connecting browser shows: `Last-Event-ID` when EventSource reconnects by itself,
 * else `?v=` from the page it loaded. Anything else counts as no version (it gets everything).
 */
export function knownVersion(request: FastifyRequest, fromPage: unknown): string | undefined {
  const header = request.headers['last-event-id'];
  const value = typeof header === 'string' && header ? header : fromPage;
  return typeof value === 'string' && VERSION.test(value) ? value : undefined;
}

/**
 * Answers a request for a page's live stream: takes one of `slots` (or throws the 429 before the
 * response starts), opens the event stream, and hands it to `connect` with the version the
 * browser shows.
 */
export function openLiveStream(
  request: FastifyRequest,
  reply: FastifyReply,
  slots: StreamSlots,
  fromPage: unknown,
  connect: (stream: EventStream, known: string | undefined) => void,
): void {
  const free = slots.take(request);
  const stream = new EventStream(request, reply);
  stream.onClose(free);
  connect(stream, knownVersion(request, fromPage));
}
