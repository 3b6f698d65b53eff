import type { FastifyInstance } from 'fastify';
import type { RpcContract } from '@eks-info/contracts';
import type { MessageBus } from '@eks-info/platform';
import type { PageService } from '../views/page.service';
import type { GatewayExceptionFilter } from './gateway-exception.filter';
import { JSON_CONTENT_TYPE, jsonBody } from './json-body';

/**
 * The hottest routes are exactly one bus read with no input: a JSON twin answered as the service
 * sent it, or a page that depends on nothing but that answer. They are served as plain Fastify
 * routes rather than Nest handlers. Every hook still runs (host allowlist, auth, security headers,
 * rate limit, metrics, access events, request context); what is skipped is Nest's per-request
 * pipeline (execution context, guards, interceptors, pipes, each behind its own promise): as a
 * plain route `GET /api/v1/environment` served 13 % more in a same-run A/B (bench/README.md).
 * Errors (a failed read, or a throw while encoding or rendering) get the gateway's envelope or
 * error page from the same filter as every Nest route.
 * Register after every hook and plugin, as Nest does its routes. The handlers return nothing:
 * Fastify waits for send (a returned reply, a thenable, would make it watch the stream's end).
 */
type NoInput = RpcContract<Record<string, never>, object>;

/** A JSON twin that is one bus read with no input. */
export interface BusRead {
  url: string;
  contract: NoInput;
}

/** A page that shows one bus read with no input, rendered and encoded once per answer (`PageService.sendPage`). */
export interface BusPage {
  url: string;
  contract: NoInput;
  page: { title: string; active: string; template: string; live?: string };
  /** The name the template knows the answer (an `Outcome`) by. */
  as: string;
}

export function registerBusReads(fastify: FastifyInstance, bus: MessageBus, errors: GatewayExceptionFilter, reads: readonly BusRead[]): void {
  for (const { url, contract } of reads) {
    fastify.get(url, (request, reply) => {
      bus
        .request(contract, {})
        .then((answer) => void reply.header('content-type', JSON_CONTENT_TYPE).send(jsonBody(answer)))
        .catch((err: unknown) => errors.answer(err, request, reply));
    });
  }
}

export function registerBusPages(fastify: FastifyInstance, pages: PageService, errors: GatewayExceptionFilter, list: readonly BusPage[]): void {
  for (const { url, contract, page, as } of list) {
    fastify.get(url, (request, reply) => {
      // `call` turns a failed read into an error section; what can still throw is the rendering.
      pages
        .call(contract, {})
        .then((outcome) => void pages.sendPage(request, reply, page, outcome, { [as]: outcome }))
        .catch((err: unknown) => errors.answer(err, request, reply));
    });
  }
}
