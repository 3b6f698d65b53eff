import type { FastifyInstance, FastifyRequest } from 'fastify';
import { AccessEvents, type AccessRecord, wellFormed } from '@eks-info/contracts';
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

/**
 * For every page and API request, an access event (the design seed's record) goes out on the bus,
 * fire-and-forget: storage replicas append it to their EBS access log. Never delays a response.
 */
export function installAccessEvents(fastify: FastifyInstance, bus: MessageBus, identity: Identity): void {
  fastify.addHook('onResponse', (request, reply, done) => {
    if (!isNotAView(request.url)) bus.emit(AccessEvents.recorded, accessRecord(request, reply.statusCode, reply.elapsedTime, identity));
    done();
  });
}
