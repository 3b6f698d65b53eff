import type { FastifyInstance, FastifyRequest } from 'fastify';
import { AccessEvents, type AccessRecord } from '@eks-info/contracts';
import type { Identity, MessageBus } from '@eks-info/platform';

/** Requests that are not page or API views: probes, scrapes, assets. */
const NOT_ACCESS = [/^\/health$/, /^\/ready$/, /^\/metrics$/, /^\/static\//, /^\/favicon\.ico$/, /^\/api\/v1\/stream\//];

export function accessRecord(request: FastifyRequest, status: number, elapsedMs: number, identity: Identity): AccessRecord {
  return {
    timestamp: new Date().toISOString(),
    pod_name: identity.pod,
    node_name: identity.node,
    client_ip: request.ip,
    request_path: request.url.split('?')[0],
    request_method: request.method,
    user_agent: String(request.headers['user-agent'] ?? ''),
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
    const path = request.url.split('?')[0];
    if (!NOT_ACCESS.some((re) => re.test(path))) bus.emit(AccessEvents.recorded, accessRecord(request, reply.statusCode, reply.elapsedTime, identity));
    done();
  });
}
