import { Controller, Get, Query, Req, Res } from '@nestjs/common';
import type { FastifyReply, FastifyRequest } from 'fastify';
import {
  type ScalingNodes,
  type ServedBy,
  ScalingRpc,
  type ErrorBody,
  type Section,
  failed,
  isDefaultNodesQuery,
  nodesQueryString,
  parseNodesQuery,
} from '@eks-info/contracts';
import { RpcError } from '@eks-info/platform';
import { type Outcome, PageService } from '../views/page.service';
import type { LiveRendering } from '../views/live-sections';
import { ViewRenderer } from '../views/view-renderer';
import { ScalingSectionsService } from './live/scaling-sections.service';
import { PAGE_SNAPSHOT } from './live/scaling-stream.hub';
import { nodeCardsModel, nodeFilterForm, nodesRequest } from './scaling.presenter';

/**
 * `/scaling`: the node overview and heat strip, node cards, Pending pods, HPAs with their maths
 * and the node autoscaler. The sections come from the rendering shared with the live stream
 * (`/scaling/live`): a view renders nothing of them unless its snapshot is newer than what this
 * gateway rendered last. The node list takes the filters of `/scaling/nodes` in the query string
 * (a browser without JavaScript submits them here); only a filtered or paged list is rendered
 * per request.
 */
@Controller()
export class ScalingPageController {
  private readonly pageKeys = new WeakMap<LiveRendering, Map<string, { servedBy: ServedBy }>>();

  constructor(
    private readonly pages: PageService,
    private readonly live: ScalingSectionsService,
    private readonly views: ViewRenderer,
  ) {}

  @Get('/scaling')
  async scaling(@Req() request: FastifyRequest, @Res() reply: FastifyReply, @Query() query: Record<string, unknown>): Promise<FastifyReply> {
    const parsed = parseNodesQuery(query);
    // A bad filter is the user's to fix: a 400 page that says so, nothing fetched.
    if (!parsed.ok) throw new RpcError(parsed.error);
    const nodesQuery = parsed.value;
    const filtered = !isDefaultNodesQuery(nodesQuery);
    const [snap, list] = await Promise.all([
      this.pages.call(ScalingRpc.snapshot, PAGE_SNAPSHOT),
      filtered ? this.pages.call(ScalingRpc.nodes, nodesRequest(nodesQuery)) : undefined,
    ]);
    const page = { title: 'Scaling', active: 'scaling', template: 'scaling/views/scaling' };
    if (!snap.ok) return this.pages.sendPage(request, reply, page, snap, { snap });
    const live = this.live.forPage(snap.data);
    // The snapshot the sections show (the live rendering may come from a newer one than this view's).
    const latest = this.live.sections.latest;
    const shown = latest?.rendering === live ? latest.model.snapshot : snap.data;
    const overview = shown.overview.status === 'ok' ? shown.overview.data : null;
    const defaultCards = shown.nodeCards.status === 'ok' ? shown.nodeCards.data : null;
    const context = {
      snap,
      live,
      form: nodeFilterForm(overview, nodesQuery, list ? (list.ok && list.data.nodes.status === 'ok' ? list.data.nodes.data : null) : defaultCards),
      // The filtered list, rendered here; the default one is the live section in the page's rendering.
      results: list && this.results(list),
      nodesJson: `/api/v1/scaling/nodes${filtered ? `?${nodesQueryString(nodesQuery)}` : ''}`,
    };
    // The default page depends on nothing but the rendering (and which monitor answered): it is
    // rendered and encoded once per rendering. A filtered one is rendered for its request.
    const key = filtered ? { servedBy: snap.data.servedBy } : this.pageKey(live, snap.data.servedBy);
    return this.pages.sendPage(request, reply, { ...page, live: `/scaling/live?v=${live.version}` }, { ok: true, data: key }, context);
  }

  /** One object per rendering and answering monitor: the key the page's bytes are kept under. */
  private pageKey(live: LiveRendering, servedBy: ServedBy): { servedBy: ServedBy } {
    let byPod = this.pageKeys.get(live);
    if (!byPod) this.pageKeys.set(live, (byPod = new Map()));
    const id = `${servedBy.service}/${servedBy.pod}`;
    let key = byPod.get(id);
    if (!key) byPod.set(id, (key = { servedBy }));
    return key;
  }

  /**
   * `/scaling/nodes?…`: the node list as an HTML fragment, for htmx (the filter form, the pager,
   * the overview's links, and the list's own refresh at each live change). The default list is
   * the live section, so that browsers showing it get its pushes. A browser that opens the
   * address itself is sent to the page with the same filters.
   */
  @Get('/scaling/nodes')
  async nodes(@Req() request: FastifyRequest, @Res() reply: FastifyReply, @Query() query: Record<string, unknown>): Promise<FastifyReply> {
    const parsed = parseNodesQuery(query);
    if (!parsed.ok) throw new RpcError(parsed.error);
    const qs = nodesQueryString(parsed.value);
    if (request.headers['hx-request'] !== 'true') return reply.redirect(`/scaling${qs ? `?${qs}` : ''}#scaling-node-list`, 303);
    reply.header('cache-control', 'no-store').type('text/html; charset=utf-8');
    if (isDefaultNodesQuery(parsed.value)) {
      const snap = await this.pages.call(ScalingRpc.snapshot, PAGE_SNAPSHOT);
      if (snap.ok) {
        const live = this.live.forPage(snap.data);
        return reply.send(this.views.renderPartial('scaling/live/default-results', { live }));
      }
      return reply.send(this.results({ ok: false, error: snap.error }));
    }
    return reply.send(this.results(await this.pages.call(ScalingRpc.nodes, nodesRequest(parsed.value))));
  }

  private results(list: Outcome<ScalingNodes>): string {
    // A failed call shows in the list's own card, like a failed section (the rest of the page stays).
    const nodes: Section<unknown> = list.ok ? list.data.nodes : failed(withoutStatus(list.error));
    const cards = list.ok && list.data.nodes.status === 'ok' ? nodeCardsModel(list.data.nodes.data) : null;
    return this.views.renderPartial('scaling/live/node-results', { nodes, cards });
  }
}

function withoutStatus({ status: _status, ...body }: ErrorBody & { status: number }): ErrorBody {
  return body;
}
