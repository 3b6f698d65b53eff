import { Controller, Get, Query, Render, Req, Res } from '@nestjs/common';
import type { FastifyReply, FastifyRequest } from 'fastify';
import {
  type ScalingNodes,
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
  constructor(
    private readonly pages: PageService,
    private readonly live: ScalingSectionsService,
    private readonly views: ViewRenderer,
  ) {}

  @Get('/scaling')
  @Render('scaling/views/scaling')
  async scaling(@Req() request: FastifyRequest, @Query() query: Record<string, unknown>) {
    const parsed = parseNodesQuery(query);
    // A bad filter is the user's to fix: a 400 page that says so, nothing fetched.
    if (!parsed.ok) throw new RpcError(parsed.error);
    const nodesQuery = parsed.value;
    const filtered = !isDefaultNodesQuery(nodesQuery);
    const [snap, list] = await Promise.all([
      this.pages.call(ScalingRpc.snapshot, PAGE_SNAPSHOT),
      filtered ? this.pages.call(ScalingRpc.nodes, nodesRequest(nodesQuery)) : undefined,
    ]);
    const live = snap.ok ? this.live.forPage(snap.data) : undefined;
    const overview = snap.ok && snap.data.overview.status === 'ok' ? snap.data.overview.data : null;
    const defaultCards = snap.ok && snap.data.nodeCards.status === 'ok' ? snap.data.nodeCards.data : null;
    const shown = list?.ok && list.data.nodes.status === 'ok' ? list.data.nodes.data : filtered ? null : defaultCards;
    return {
      layout: this.pages.layout(request, undefined, { title: 'Scaling', active: 'scaling', live: live && `/scaling/live?v=${live.version}` }, [snap]),
      snap,
      live,
      form: nodeFilterForm(overview, nodesQuery, shown),
      // The filtered list, rendered here; the default one is the live section in the page's rendering.
      results: list && this.results(list),
      nodesJson: `/api/v1/scaling/nodes${nodesQueryString(nodesQuery) ? `?${nodesQueryString(nodesQuery)}` : ''}`,
    };
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
