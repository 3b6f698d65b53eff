import { Inject, Injectable } from '@nestjs/common';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { CommonErrors, type ErrorBody, type RpcContract, type ServedBy } from '@eks-info/contracts';
import { IDENTITY, type Identity, MessageBus, RpcError } from '@eks-info/platform';
import { navigationFor } from './navigation';

/** A service call as a page sees it: the reply, or the error to show in that page's section. */
export type Outcome<T> = { ok: true; data: T } | { ok: false; error: ErrorBody & { status: number } };

export interface LayoutContext {
  title: string;
  active: string;
  nav: ReturnType<typeof navigationFor>;
  csrfToken?: string;
  servedBy: ServedBy[];
  transport: string;
  user?: string;
  requestId: string;
}

/**
 * What every page controller needs: service calls that never throw (a failing service becomes
 * an error section, not an error page) and the layout context (navigation, CSRF token for the
 * page's forms, and which pod of each service answered).
 */
@Injectable()
export class PageService {
  constructor(
    private readonly bus: MessageBus,
    @Inject(IDENTITY) private readonly identity: Identity,
  ) {}

  async call<Req, Res>(contract: RpcContract<Req, Res>, data: Req): Promise<Outcome<Res>> {
    try {
      return { ok: true, data: await this.bus.request(contract, data) };
    } catch (err) {
      if (err instanceof RpcError) return { ok: false, error: { ...err.body, status: err.status } };
      return { ok: false, error: { code: CommonErrors.INTERNAL.code, message: 'The request failed unexpectedly.', status: 500 } };
    }
  }

  layout(request: FastifyRequest, reply: FastifyReply | undefined, page: { title: string; active: string; forms?: boolean }, outcomes: Array<Outcome<unknown>> = []): LayoutContext {
    const servedBy: ServedBy[] = [{ service: 'gateway', pod: this.identity.pod, node: this.identity.node }];
    for (const o of outcomes) {
      const by = o.ok ? (o.data as { servedBy?: ServedBy }).servedBy : undefined;
      if (by && !servedBy.some((s) => s.service === by.service && s.pod === by.pod)) servedBy.push(by);
    }
    return {
      title: page.title,
      active: page.active,
      nav: navigationFor(page.active),
      csrfToken: page.forms && reply ? reply.generateCsrf() : undefined,
      servedBy,
      transport: this.bus.kind,
      user: (request as FastifyRequest & { user?: string }).user,
      requestId: request.id,
    };
  }
}
