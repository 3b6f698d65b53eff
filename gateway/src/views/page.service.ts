import { Inject, Injectable } from '@nestjs/common';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { CommonErrors, type ErrorBody, type RpcContract, type ServedBy } from '@eks-info/contracts';
import { IDENTITY, type Identity, MessageBus, RpcError } from '@eks-info/platform';
import { ViewRenderer } from './view-renderer';
import { requestFrom } from '../http/contract-input';
import { navigationFor } from './navigation';

/** A service call as a page sees it: the reply, or the error to show in that page's section. */
export type Outcome<T> = { ok: true; data: T } | { ok: false; error: ErrorBody & { status: number } };

export interface LayoutContext {
  title: string;
  active: string;
  nav: ReturnType<typeof navigationFor>;
  csrfToken?: string;
  /** The page's live stream (`/scaling/live?v=…`): htmx connects to it and swaps the sections it pushes. */
  live?: string;
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
  /** Page bodies by the answer they show (see `body`); entries go with their answers. */
  private readonly bodies = new WeakMap<object, Map<string, string>>();

  constructor(
    private readonly bus: MessageBus,
    @Inject(IDENTITY) private readonly identity: Identity,
    private readonly views: ViewRenderer,
  ) {}

  /**
   * A page body rendered once per upstream answer: concurrent views share one coalesced answer,
   * so under load the Handlebars work is done once per answer instead of once per view. Only for
   * bodies that depend on nothing but the answer (no CSRF token, no user); the layout around it
   * is rendered per request. Render with `@Render('views/prerendered')` and `{ layout, html }`.
   */
  body(template: string, outcome: Outcome<object>, context: Record<string, unknown>): string {
    if (!outcome.ok) return this.views.render(template, context);
    let byTemplate = this.bodies.get(outcome.data);
    if (!byTemplate) {
      byTemplate = new Map();
      this.bodies.set(outcome.data, byTemplate);
    }
    let html = byTemplate.get(template);
    if (html === undefined) {
      html = this.views.render(template, context);
      byTemplate.set(template, html);
    }
    return html;
  }

  /**
   * Parses `input` (a form body, query or path parameters) with the contract's request schema
   * and asks the service. Bad input is the 400 outcome naming each bad field, with no bus call.
   */
  async call<Req, Res>(contract: RpcContract<Req, Res>, input: unknown): Promise<Outcome<Res>> {
    try {
      return { ok: true, data: await this.bus.request(contract, requestFrom(contract, input)) };
    } catch (err) {
      if (err instanceof RpcError) return { ok: false, error: { ...err.body, status: err.status } };
      return { ok: false, error: { code: CommonErrors.INTERNAL.code, message: 'The request failed unexpectedly.', status: 500 } };
    }
  }

  layout(
    request: FastifyRequest,
    reply: FastifyReply | undefined,
    page: { title: string; active: string; forms?: boolean; live?: string },
    outcomes: Array<Outcome<unknown>> = [],
  ): LayoutContext {
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
      live: page.live,
      servedBy,
      transport: this.bus.kind,
      user: (request as FastifyRequest & { user?: string }).user,
      requestId: request.id,
    };
  }
}
