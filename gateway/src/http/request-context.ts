import type { FastifyInstance } from 'fastify';
import { runWithRequestId } from '@eks-info/platform';

/**
 * Runs each route handler inside the request's correlation context, so logs carry its id and
 * every bus request it makes sends the id on in the NATS headers. A preHandler hook, the last
 * step before the handler: a body read from the socket arrives in the socket's context, so an
 * earlier hook's context would not reach the handler. (A Nest interceptor did this before, at
 * the cost of an async-context bind and an Observable per request.)
 */
export function installRequestContext(fastify: FastifyInstance): void {
  fastify.addHook('preHandler', (request, _reply, done) => runWithRequestId(request.id, done));
}
