import { randomUUID } from 'node:crypto';
import { type FakeResource, resourceByName, resourceOfObject } from './resources';

export interface KubeObjectMeta {
  name: string;
  namespace?: string;
  uid?: string;
  resourceVersion?: string;
  creationTimestamp?: string;
  deletionTimestamp?: string;
  labels?: Record<string, string>;
  annotations?: Record<string, string>;
  [key: string]: unknown;
}

/** An object in wire form (what the API server sends as JSON). */
export interface KubeObject {
  apiVersion: string;
  kind: string;
  metadata: KubeObjectMeta;
  [key: string]: unknown;
}

export type StoreChangeType = 'ADDED' | 'MODIFIED' | 'DELETED';

export interface StoreChange {
  rv: number;
  type: StoreChangeType;
  resource: FakeResource;
  object: KubeObject;
  /** The state before this change (MODIFIED, DELETED), so selector-filtered watches can tell enter/leave. */
  previous?: KubeObject;
}

/** Names an object: "pods/demo/web-1", "Node/ip-10-0-1-5", or the object itself. */
export type ObjectRef = string | Pick<KubeObject, 'apiVersion' | 'kind' | 'metadata'>;

export interface StoreOptions {
  now: () => Date;
  /** Changes kept for watches to resume from; older resourceVersions get 410 Gone. */
  historyLimit: number;
  startResourceVersion?: number;
}

/** Timestamps as the API server writes them: RFC 3339, seconds precision. */
export const kubeTime = (d: Date): string => d.toISOString().replace(/\.\d{3}Z$/, 'Z');

/**
 * The fake API server's state: objects per resource, one monotonic resourceVersion across all
 * of them (like etcd), and a bounded change history that watches resume from.
 */
export class KubeStore {
  private rv: number;
  private readonly collections = new Map<FakeResource, Map<string, KubeObject>>();
  private history: StoreChange[] = [];
  /** A watch may resume from any resourceVersion ≥ this one. */
  private oldestResumable: number;
  private readonly listeners = new Set<(change: StoreChange) => void>();

  constructor(private readonly options: StoreOptions) {
    this.rv = options.startResourceVersion ?? 1000;
    this.oldestResumable = this.rv;
  }

  get resourceVersion(): number {
    return this.rv;
  }

  get oldestResourceVersion(): number {
    return this.oldestResumable;
  }

  /** Creates or replaces an object (ADDED or MODIFIED); returns the stored copy. */
  upsert(input: KubeObject): KubeObject {
    const resource = resourceOfObject(input.apiVersion, input.kind);
    const obj = structuredClone(input);
    if (resource.namespaced) obj.metadata.namespace ??= 'default';
    else delete obj.metadata.namespace;
    const collection = this.collection(resource);
    const key = keyOf(obj.metadata.namespace, obj.metadata.name);
    const previous = collection.get(key);
    obj.metadata.uid = previous?.metadata.uid ?? obj.metadata.uid ?? randomUUID();
    obj.metadata.creationTimestamp = previous?.metadata.creationTimestamp ?? obj.metadata.creationTimestamp ?? kubeTime(this.options.now());
    obj.metadata.resourceVersion = String(++this.rv);
    collection.set(key, obj);
    this.record({ rv: this.rv, type: previous ? 'MODIFIED' : 'ADDED', resource, object: obj, previous });
    return structuredClone(obj);
  }

  /** Applies `mutate` to a copy of the object and stores it. */
  patch(ref: ObjectRef, mutate: (obj: KubeObject) => void): KubeObject {
    const current = this.get(ref);
    if (!current) throw new Error(`no such object: ${describeRef(ref)}`);
    mutate(current);
    return this.upsert(current);
  }

  /** Deletes an object; the DELETED event carries its final state with a new resourceVersion. */
  remove(ref: ObjectRef): KubeObject | undefined {
    const { resource, namespace, name } = this.resolve(ref);
    const collection = this.collection(resource);
    const key = keyOf(namespace, name);
    const previous = collection.get(key);
    if (!previous) return undefined;
    collection.delete(key);
    const obj = structuredClone(previous);
    obj.metadata.resourceVersion = String(++this.rv);
    this.record({ rv: this.rv, type: 'DELETED', resource, object: obj, previous });
    return structuredClone(obj);
  }

  get(ref: ObjectRef): KubeObject | undefined {
    const { resource, namespace, name } = this.resolve(ref);
    const obj = this.collection(resource).get(keyOf(namespace, name));
    return obj && structuredClone(obj);
  }

  /** Stored objects of a resource (not copies: callers must not mutate them). */
  list(resource: FakeResource, namespace?: string): KubeObject[] {
    const all = [...this.collection(resource).values()];
    return namespace && resource.namespaced ? all.filter((o) => o.metadata.namespace === namespace) : all;
  }

  /** Changes after `rv`, or undefined when history no longer reaches back that far (410 Gone). */
  changesSince(rv: number): StoreChange[] | undefined {
    if (rv < this.oldestResumable) return undefined;
    let lo = 0;
    let hi = this.history.length;
    while (lo < hi) {
      const mid = (lo + hi) >> 1;
      if (this.history[mid].rv <= rv) lo = mid + 1;
      else hi = mid;
    }
    return this.history.slice(lo);
  }

  /** Forgets the change history, as etcd compaction does: older resourceVersions become too old. */
  compact(): void {
    this.history = [];
    this.oldestResumable = this.rv;
  }

  subscribe(listener: (change: StoreChange) => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  resolve(ref: ObjectRef): { resource: FakeResource; namespace?: string; name: string } {
    if (typeof ref !== 'string') {
      const resource = resourceOfObject(ref.apiVersion, ref.kind);
      return { resource, namespace: resource.namespaced ? (ref.metadata.namespace ?? 'default') : undefined, name: ref.metadata.name };
    }
    const parts = ref.split('/');
    const resource = resourceByName(parts[0]);
    if (resource.namespaced ? parts.length !== 3 : parts.length !== 2) {
      throw new Error(`bad object reference '${ref}': use ${resource.namespaced ? `${resource.plural}/<namespace>/<name>` : `${resource.plural}/<name>`}`);
    }
    return resource.namespaced ? { resource, namespace: parts[1], name: parts[2] } : { resource, name: parts[1] };
  }

  private record(change: StoreChange): void {
    this.history.push(change);
    // Trim in batches so a long scenario stays O(1) per change on average.
    const limit = this.options.historyLimit;
    if (this.history.length > limit + Math.ceil(limit / 4)) {
      const dropped = this.history.splice(0, this.history.length - limit);
      this.oldestResumable = dropped[dropped.length - 1].rv;
    }
    for (const listener of this.listeners) listener(change);
  }

  private collection(resource: FakeResource): Map<string, KubeObject> {
    let c = this.collections.get(resource);
    if (!c) this.collections.set(resource, (c = new Map()));
    return c;
  }
}

const keyOf = (namespace: string | undefined, name: string) => `${namespace ?? ''}/${name}`;
const describeRef = (ref: ObjectRef) => (typeof ref === 'string' ? ref : `${ref.kind} ${ref.metadata.namespace ?? ''}/${ref.metadata.name}`);
