import type { FastifyInstance } from 'fastify';
import type { RpcContract } from '@eks-info/contracts';
import type { MessageBus } from '@eks-info/platform';
import type { GatewayExceptionFilter } from './gateway-exception.filter';
import { JSON_CONTENT_TYPE, jsonBody } from './json-body';

/** A JSON twin that is exactly one bus read with no input, answered as the service sent it. */
export interface BusRead {
  url: string;
  contract: RpcContract<Record<string, never>, object>;
}

/**
 * Serves bus reads as plain Fastify routes rather than Nest handlers. Every hook still runs
 * (host allowlist, auth, security headers, rate limit, metrics, access events, request context);
 * what is skipped is Nest's per-request pipeline (execution context, guards, interceptors, pipes,
 * each behind its own promise), which cost the hottest twin, `GET /api/v1/environment`, 12 % of
 * its throughput in a same-run A/B (bench/README.md). Errors get the gateway's envelope from the
 * same filter as every Nest route. Register after every hook and plugin, as Nest does its routes.
 */
export function registerBusReads(fastify: FastifyInstance, bus: MessageBus, errors: GatewayExceptionFilter, reads: readonly BusRead[]): void {
  for (const { url, contract } of reads) {
    fastify.get(url, (request, reply) => {
      bus.request(contract, {}).then(
        (answer) => void reply.header('content-type', JSON_CONTENT_TYPE).send(jsonBody(answer)),
        (err: unknown) => errors.answer(err, request, reply),
      );
      // Returns nothing: Fastify waits for send. (Returning the reply, a thenable, makes Fastify
      // watch the stream for its end: listeners per request.)
    });
  }
}
