import { Injectable, type OnModuleDestroy, type OnModuleInit } from '@nestjs/common';
import { CommonErrors, type ErrorBody, ScalingEvents, ScalingRpc, type ScalingSnapshot, isNewerSnapshot } from '@eks-info/contracts';
import { MessageBus, RpcError } from '@eks-info/platform';
import type { EventStream } from '../../http/event-stream';

export type ScalingTopic = 'snapshot' | 'events' | 'samples';
export const SCALING_TOPICS: readonly ScalingTopic[] = ['snapshot', 'events', 'samples'];

/** What the hub hands to the gateway's own watchers (the live HTML sections): the newest snapshot, or why there is none. */
export type SnapshotUpdate = { snapshot: ScalingSnapshot; problem: null } | { snapshot: undefined; problem: ErrorBody };

interface Client {
  stream: EventStream;
  topics: Set<ScalingTopic>;
  /** The last snapshot this client got (so it never gets an older one, or the same twice). */
  last?: Pick<ScalingSnapshot, 'startedAt' | 'version'>;
}

/**
 * One gateway replica's side of the live scaling pages. It subscribes (no queue group: every
 * replica gets every announcement) to the monitor's change, event and sample announcements and
 * fans them out to its own JSON stream clients and to the gateway's own watchers (the pages' live
 * HTML sections). Snapshots are fetched only while someone watches, once per announcement however
 * many browsers watch (one request in flight; announcements that arrive meanwhile cause one more
 * fetch after it).
 */
@Injectable()
export class ScalingStreamHub implements OnModuleInit, OnModuleDestroy {
  private readonly clients = new Set<Client>();
  private readonly snapshotWatchers = new Set<(update: SnapshotUpdate) => void>();
  private readonly historyWatchers = new Set<(topic: 'events' | 'samples') => void>();
  private readonly unsubscribe: Array<() => void> = [];
  private latest?: ScalingSnapshot;
  private fetching = false;
  private again = false;

  constructor(private readonly bus: MessageBus) {}

  onModuleInit(): void {
    this.unsubscribe.push(
      this.bus.subscribe(ScalingEvents.changed, (change) => {
        if (this.watching('snapshot') && (!this.latest || isNewerSnapshot(change, this.latest))) this.refresh();
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
   * Follows the snapshot for the gateway itself: `watcher` gets each newer snapshot (fetched once
   * for all watchers and JSON clients) or the problem when a fetch fails. Starts with a fetch.
   */
  watchSnapshots(watcher: (update: SnapshotUpdate) => void): () => void {
    this.snapshotWatchers.add(watcher);
    this.refresh();
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

  /** Adds a browser; one that wants snapshots gets the current one at once. */
  add(stream: EventStream, topics: Set<ScalingTopic>): void {
    const client: Client = { stream, topics };
    this.clients.add(client);
    stream.onClose(() => this.clients.delete(client));
    if (topics.has('snapshot')) this.refresh();
  }

  private watching(topic: ScalingTopic): boolean {
    if (topic === 'snapshot' && this.snapshotWatchers.size) return true;
    for (const c of this.clients) if (c.topics.has(topic)) return true;
    return false;
  }

  private tellHistory(topic: 'events' | 'samples'): void {
    for (const watcher of this.historyWatchers) watcher(topic);
  }

  private broadcast(topic: ScalingTopic, event: string, data: unknown): void {
    for (const c of this.clients) if (c.topics.has(topic)) c.stream.send(event, data);
  }

  private refresh(): void {
    if (this.fetching) {
      this.again = true;
      return;
    }
    this.fetching = true;
    void this.bus
      .request(ScalingRpc.snapshot, {})
      .then(
        (snapshot) => {
          if (!this.latest || isNewerSnapshot(snapshot, this.latest)) this.latest = snapshot;
          this.pushLatest();
        },
        (err: unknown) => {
          const body: ErrorBody =
            err instanceof RpcError ? err.body : { code: CommonErrors.INTERNAL.code, message: 'The scaling snapshot could not be fetched.' };
          this.broadcast('snapshot', 'problem', body);
          for (const watcher of this.snapshotWatchers) watcher({ snapshot: undefined, problem: body });
        },
      )
      .finally(() => {
        this.fetching = false;
        if (this.again) {
          this.again = false;
          this.refresh();
        }
      });
  }

  private pushLatest(): void {
    const snapshot = this.latest;
    if (!snapshot) return;
    for (const watcher of this.snapshotWatchers) watcher({ snapshot, problem: null });
    for (const c of this.clients) {
      if (!c.topics.has('snapshot') || (c.last && !isNewerSnapshot(snapshot, c.last))) continue;
      c.last = { startedAt: snapshot.startedAt, version: snapshot.version };
      c.stream.send('snapshot', snapshot);
    }
  }
}
