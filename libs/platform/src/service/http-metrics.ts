import type { FastifyInstance } from 'fastify';
import { platformMetrics } from '../metrics/metrics.registry';

/** Counts and times every HTTP request by route pattern (bounded label values) and status. */
export function installHttpMetrics(fastify: FastifyInstance, service: string): void {
  const count = platformMetrics.httpRequests();
  const duration = platformMetrics.httpDuration();
  fastify.addHook('onResponse', (request, reply, done) => {
    const labels = { service, method: request.method, route: request.routeOptions?.url ?? 'unmatched', status: String(reply.statusCode) };
    count.inc(labels);
    duration.observe(labels, reply.elapsedTime / 1000);
    done();
  });
}
