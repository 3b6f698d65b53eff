import { Injectable, type OnModuleDestroy, type OnModuleInit } from '@nestjs/common';
import { CommonErrors, type ErrorBody, ScalingEvents, ScalingRpc, type ScalingSnapshot, type ScalingSnapshotQuery, isNewerSnapshot } from '@eks-info/contracts';
import { MessageBus, RpcError } from '@eks-info/platform';
import type { EventStream } from '../../http/event-stream';

export type ScalingTopic = 'snapshot' | 'events' | 'samples';
export const SCALING_TOPICS: readonly ScalingTopic[] = ['snapshot', 'events', 'samples'];

/** What the hub hands to the gateway's own watchers (the live HTML sections): the newest snapshot, or why there is none. */
export type SnapshotUpdate = { snapshot: ScalingSnapshot; problem: null } | { snapshot: undefined; problem: ErrorBody };

interface Client {
  stream: EventStream;
  topics: Set<ScalingTopic>;
  /** Snapshots without the node list by name (the page's feed). */
  withoutNodeList: boolean;
  /** The last snapshot this client got (so it never gets an older one, or the same twice). */
  last?: Pick<ScalingSnapshot, 'startedAt' | 'version'>;
}

/** What the page's sections show of the nodes: the overview and the first cards, no list by name (see SNAPSHOT_MAX_NODES). */
export const PAGE_SNAPSHOT: ScalingSnapshotQuery = { nodes: 0 };

/**
 * One snapshot variant followed for someone: fetched once per announcement however many watch
 * (one request in flight; announcements that arrive meanwhile cause one more fetch after it).
 */
class SnapshotFeed {
  latest?: ScalingSnapshot;
  private fetching = false;
  private again = false;

  constructor(
    private readonly bus: MessageBus,
    private readonly query: ScalingSnapshotQuery,
    private readonly deliver: (snapshot: ScalingSnapshot) => void,
    private readonly fail: (problem: ErrorBody) => void,
  ) {}

  refresh(): void {
    if (this.fetching) {
      this.again = true;
      return;
    }
    this.fetching = true;
    void this.bus
      .request(ScalingRpc.snapshot, this.query)
      .then(
        (snapshot) => {
          if (!this.latest || isNewerSnapshot(snapshot, this.latest)) this.latest = snapshot;
          this.deliver(this.latest);
        },
        (err: unknown) =>
          this.fail(err instanceof RpcError ? err.body : { code: CommonErrors.INTERNAL.code, message: 'The scaling snapshot could not be fetched.' }),
      )
      .finally(() => {
        this.fetching = false;
        if (this.again) {
          this.again = false;
          this.refresh();
        }
      });
  }
}

/**
 * One gateway replica's side of the live scaling pages. It subscribes (no queue group: every
 * replica gets every announcement) to the monitor's change, event and sample announcements and
 * fans them out to its own JSON stream clients and to the gateway's own watchers (the pages' live
 * HTML sections). Snapshots are fetched only while someone watches, once per announcement however
 * many browsers watch: the page's sections follow the snapshot without its list of nodes by name
 * (PAGE_SNAPSHOT, small at any cluster size), JSON stream clients the whole snapshot, as
 * `/api/v1/scaling` answers it.
 */
@Injectable()
export class ScalingStreamHub implements OnModuleInit, OnModuleDestroy {
  private readonly clients = new Set<Client>();
  private readonly snapshotWatchers = new Set<(update: SnapshotUpdate) => void>();
  private readonly historyWatchers = new Set<(topic: 'events' | 'samples') => void>();
  private readonly unsubscribe: Array<() => void> = [];
  private readonly page: SnapshotFeed;
  private readonly full: SnapshotFeed;

  constructor(private readonly bus: MessageBus) {
    this.page = new SnapshotFeed(
      bus,
      PAGE_SNAPSHOT,
      (snapshot) => {
        for (const watcher of this.snapshotWatchers) watcher({ snapshot, problem: null });
        this.pushToClients(snapshot, true);
      },
      (problem) => {
        for (const watcher of this.snapshotWatchers) watcher({ snapshot: undefined, problem });
        this.broadcast('snapshot', 'problem', problem, true);
      },
    );
    this.full = new SnapshotFeed(
      bus,
      {},
      (snapshot) => this.pushToClients(snapshot, false),
      (problem) => this.broadcast('snapshot', 'problem', problem, false),
    );
  }

  onModuleInit(): void {
    this.unsubscribe.push(
      this.bus.subscribe(ScalingEvents.changed, (change) => {
        if ((this.snapshotWatchers.size || this.watching('snapshot', true)) && (!this.page.latest || isNewerSnapshot(change, this.page.latest)))
          this.page.refresh();
        if (this.watching('snapshot', false) && (!this.full.latest || isNewerSnapshot(change, this.full.latest))) this.full.refresh();
      }),
      this.bus.subscribe(ScalingEvents.recorded, (event) => {
        this.broadcast('events', 'scaling-event', event);
        this.tellHistory('events');
      }),
      this.bus.subscribe(ScalingEvents.sampled, (point) => {
        this.broadcast('samples', 'sample', point);
        this.tellHistory('samples');
      }),
    );
  }

  onModuleDestroy(): void {
    for (const off of this.unsubscribe.splice(0)) off();
    for (const c of this.clients) c.stream.close();
    this.clients.clear();
    this.snapshotWatchers.clear();
    this.historyWatchers.clear();
  }

  /**
   * Follows the snapshot for the gateway itself: `watcher` gets each newer page snapshot
   * (PAGE_SNAPSHOT, fetched once for all watchers) or the problem when a fetch fails. Starts with a fetch.
   */
  watchSnapshots(watcher: (update: SnapshotUpdate) => void): () => void {
    this.snapshotWatchers.add(watcher);
    this.page.refresh();
    return () => this.snapshotWatchers.delete(watcher);
  }

  /** Tells `watcher` that the history has a new event or sample. */
  watchHistory(watcher: (topic: 'events' | 'samples') => void): () => void {
    this.historyWatchers.add(watcher);
    return () => this.historyWatchers.delete(watcher);
  }

  get size(): number {
    return this.clients.size;
  }

  /** Adds a JSON stream client; one that wants snapshots gets the current one at once. */
  add(stream: EventStream, topics: Set<ScalingTopic>, options: { withoutNodeList?: boolean } = {}): void {
    const client: Client = { stream, topics, withoutNodeList: options.withoutNodeList ?? false };
    this.clients.add(client);
    stream.onClose(() => this.clients.delete(client));
    if (topics.has('snapshot')) (client.withoutNodeList ? this.page : this.full).refresh();
  }

  /** Whether a JSON client follows `topic` (for snapshots: of the given kind, when given). */
  private watching(topic: ScalingTopic, withoutNodeList?: boolean): boolean {
    for (const c of this.clients) if (c.topics.has(topic) && (withoutNodeList === undefined || c.withoutNodeList === withoutNodeList)) return true;
    return false;
  }

  private tellHistory(topic: 'events' | 'samples'): void {
    for (const watcher of this.historyWatchers) watcher(topic);
  }

  /** To the clients of `topic` (for snapshot problems: those of the feed that failed). */
  private broadcast(topic: ScalingTopic, event: string, data: unknown, withoutNodeList?: boolean): void {
    for (const c of this.clients) {
      if (c.topics.has(topic) && (withoutNodeList === undefined || c.withoutNodeList === withoutNodeList)) c.stream.send(event, data);
    }
  }

  private pushToClients(snapshot: ScalingSnapshot, withoutNodeList: boolean): void {
    // Encoded once for every client (a snapshot of a large cluster is hundreds of kilobytes).
    let frame: string | undefined;
    for (const c of this.clients) {
      if (!c.topics.has('snapshot') || c.withoutNodeList !== withoutNodeList || (c.last && !isNewerSnapshot(snapshot, c.last))) continue;
      c.last = { startedAt: snapshot.startedAt, version: snapshot.version };
      frame ??= `event: snapshot\ndata: ${JSON.stringify(snapshot)}\n\n`;
      c.stream.sendFrames(frame);
    }
  }
}
