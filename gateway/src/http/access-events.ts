import type { FastifyInstance, FastifyRequest } from 'fastify';
import { ACCESS_BATCH_MAX, AccessEvents, type AccessRecord, wellFormed } from '@eks-info/contracts';
import type { Identity, MessageBus } from '@eks-info/platform';
import { isNotAView } from './route-classes';

/** Longest path and user agent a record keeps: a client chooses both, so both are bounded. */
export const ACCESS_FIELD_LIMITS = { path: 512, userAgent: 256 } as const;

const bounded = (value: string, max: number) => (value.length > max ? `${value.slice(0, max - 1)}…` : value);

export function accessRecord(request: FastifyRequest, status: number, elapsedMs: number, identity: Identity): AccessRecord {
  return {
    timestamp: new Date().toISOString(),
    pod_name: identity.pod,
    node_name: identity.node,
    client_ip: request.ip,
    request_path: bounded(wellFormed(request.url.split('?')[0]), ACCESS_FIELD_LIMITS.path),
    request_method: request.method,
    user_agent: bounded(wellFormed(String(request.headers['user-agent'] ?? '')), ACCESS_FIELD_LIMITS.userAgent),
    response_status: status,
    response_time_ms: Math.round(elapsedMs * 10) / 10,
    request_id: request.id,
  };
}

/** How long a record waits for others before its batch goes out. */
export const ACCESS_BATCH_MS = 100;

/**
 * Collects access records and sends them as one bus message per ≤ 100 ms or ≤ 500 records,
 * fire-and-forget: a page view costs an array push, not a message.
 */
export class AccessBatcher {
  private records: AccessRecord[] = [];
  private timer?: NodeJS.Timeout;

  constructor(
    private readonly bus: MessageBus,
    private readonly options: { maxRecords?: number; maxDelayMs?: number } = {},
  ) {}

  add(record: AccessRecord): void {
    this.records.push(record);
    if (this.records.length >= (this.options.maxRecords ?? ACCESS_BATCH_MAX)) this.flush();
    else this.timer ??= setTimeout(() => this.flush(), this.options.maxDelayMs ?? ACCESS_BATCH_MS);
  }

  /** Sends what is queued now (also on shutdown, before the bus closes). */
  flush(): void {
    clearTimeout(this.timer);
    this.timer = undefined;
    if (!this.records.length) return;
    const records = this.records;
    this.records = [];
    this.bus.emit(AccessEvents.batch, { records });
  }
}

/**
 * For every page and API request, the design seed's access record goes to the storage service
 * (batched, fire-and-forget), which appends it to its EBS access log. Never delays a response;
 * a clean shutdown sends what is queued.
 */
export function installAccessEvents(fastify: FastifyInstance, bus: MessageBus, identity: Identity): AccessBatcher {
  const batcher = new AccessBatcher(bus);
  fastify.addHook('onResponse', (request, reply, done) => {
    if (!isNotAView(request.url)) batcher.add(accessRecord(request, reply.statusCode, reply.elapsedTime, identity));
    done();
  });
  fastify.addHook('onClose', (_instance, done) => {
    batcher.flush();
    done();
  });
  return batcher;
}
