import { randomUUID } from 'node:crypto';
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
  /**
   * Pages with forms: a fresh idempotency key per render, sent with each form (suffixed per form),
   * so a double click or a resubmitted form does its work once.
   */
  formKey?: string;
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
/** Stand-ins for what differs per request in a cached page: the signed-in user and the request id. */
const USER_SLOT = '\u0000user\u0000';
const REQUEST_SLOT = '\u0000request\u0000';

/** A whole page, encoded: the bytes around the per-request slots. */
interface EncodedPage {
  /** [before the user, between user and request id, after the request id]; no user slot: [before id, after id]. */
  parts: Buffer[];
  hasUser: boolean;
}

@Injectable()
export class PageService {
  /** Page bodies by the answer they show (see `body`); entries go with their answers. */
  private readonly bodies = new WeakMap<object, Map<string, string>>();
  /** Whole encoded pages by the answer they show, then by template and whether a user is signed in. */
  private readonly pages = new WeakMap<object, Map<string, EncodedPage>>();

  constructor(
    private readonly bus: MessageBus,
    @Inject(IDENTITY) private readonly identity: Identity,
    private readonly views: ViewRenderer,
  ) {}

  /**
   * A page body rendered once per upstream answer: concurrent views share one coalesced answer,
   * so under load the Handlebars work is done once per answer instead of once per view. Only for
   * bodies that depend on nothing but the answer (no CSRF token, no user); the layout around it
   * is rendered per request (or cached too, see `sendPage`).
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
   * Sends a page that depends on nothing but one upstream answer (no forms, so no CSRF token):
   * the whole page — layout and body — is rendered and UTF-8 encoded once per answer, and each
   * view only splices its user name and request id into the bytes. With the bus handing out an
   * unchanged answer as the same object, a page view costs no rendering and no encoding while
   * the service's answer stays the same. `page.live` is a live page's stream (as in `layout`).
   */
  sendPage(
    request: FastifyRequest,
    reply: FastifyReply,
    page: { title: string; active: string; template: string; live?: string },
    outcome: Outcome<object>,
    context: Record<string, unknown>,
  ): FastifyReply {
    const user = (request as FastifyRequest & { user?: string }).user;
    const encoded = outcome.ok ? this.encodedPage(page, outcome, context, user !== undefined) : this.encode(page, outcome, context, user !== undefined);
    const id = Buffer.from(request.id);
    const chunks = encoded.hasUser
      ? [encoded.parts[0], Buffer.from(escapeHtml(user ?? '')), encoded.parts[1], id, encoded.parts[2]]
      : [encoded.parts[0], id, encoded.parts[1]];
    return reply.type('text/html; charset=utf-8').send(Buffer.concat(chunks));
  }

  private encodedPage(
    page: { title: string; active: string; template: string; live?: string },
    outcome: Outcome<object> & { ok: true },
    context: Record<string, unknown>,
    withUser: boolean,
  ): EncodedPage {
    let byKey = this.pages.get(outcome.data);
    if (!byKey) this.pages.set(outcome.data, (byKey = new Map()));
    const key = `${page.template}\u0000${page.title}\u0000${withUser}\u0000${page.live ?? ''}`;
    let encoded = byKey.get(key);
    if (!encoded) byKey.set(key, (encoded = this.encode(page, outcome, context, withUser)));
    return encoded;
  }

  private encode(
    page: { title: string; active: string; template: string; live?: string },
    outcome: Outcome<object>,
    context: Record<string, unknown>,
    withUser: boolean,
  ): EncodedPage {
    const layout: LayoutContext = {
      ...this.layoutFor(page, [outcome]),
      user: withUser ? USER_SLOT : undefined,
      requestId: REQUEST_SLOT,
    };
    const html = this.views.render('views/layouts/main', { layout, body: this.body(page.template, outcome, context) });
    const [head, rest] = withUser ? split(html, USER_SLOT) : [undefined, html];
    const [middle, tail] = split(rest, REQUEST_SLOT);
    const parts = [head, middle, tail].filter((p): p is string => p !== undefined).map((p) => Buffer.from(p));
    return { parts, hasUser: withUser };
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
    return {
      ...this.layoutFor(page, outcomes),
      csrfToken: page.forms && reply ? reply.generateCsrf() : undefined,
      formKey: page.forms ? randomUUID() : undefined,
      user: (request as FastifyRequest & { user?: string }).user,
      requestId: request.id,
    };
  }

  /** The parts of the layout that depend on the page and its answers, not on the request. */
  private layoutFor(page: { title: string; active: string; live?: string }, outcomes: Array<Outcome<unknown>>): Omit<LayoutContext, 'requestId'> {
    const servedBy: ServedBy[] = [{ service: 'gateway', pod: this.identity.pod, node: this.identity.node }];
    for (const o of outcomes) {
      const by = o.ok ? (o.data as { servedBy?: ServedBy }).servedBy : undefined;
      if (by && !servedBy.some((s) => s.service === by.service && s.pod === by.pod)) servedBy.push(by);
    }
    return { title: page.title, active: page.active, nav: navigationFor(page.active), live: page.live, servedBy, transport: this.bus.kind };
  }
}

/** `text` split at the one place `slot` appears in it. */
function split(text: string, slot: string): [string, string] {
  const at = text.indexOf(slot);
  if (at < 0 || text.indexOf(slot, at + slot.length) >= 0) throw new Error(`the page must show ${JSON.stringify(slot)} exactly once`);
  return [text.slice(0, at), text.slice(at + slot.length)];
}

const HTML_ESCAPES: Record<string, string> = { '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#x27;', '`': '&#x60;', '=': '&#x3D;' };

/** Handlebars' own escaping, for the user name spliced into a cached page. */
function escapeHtml(text: string): string {
  return text.replace(/[&<>"'`=]/g, (c) => HTML_ESCAPES[c]);
}
