import { Controller, Get, Query, Render, Req } from '@nestjs/common';
import type { FastifyRequest } from 'fastify';
import { HISTORY_HOURS, ScalingRpc, parseHistoryQuery } from '@eks-info/contracts';
import { RpcError } from '@eks-info/platform';
import { PageService } from '../views/page.service';
import { HistorySectionsService } from './live/history-sections.service';

const RANGES = [1, 6, 24, 72, 168];

/**
 * `/scaling/history?hours=24`: charts of pods, nodes, CPU and memory (drawn in the browser), and
 * the response times, events and storage as live sections shared with `/scaling/history/live`.
 */
@Controller()
export class ScalingHistoryPageController {
  constructor(
    private readonly pages: PageService,
    private readonly live: HistorySectionsService,
  ) {}

  @Get('/scaling/history')
  @Render('scaling/views/scaling-history')
  async history(@Req() request: FastifyRequest, @Query() query: Record<string, unknown>) {
    const parsed = parseHistoryQuery(query);
    // A bad range is the user's to fix: a 400 page that says so, nothing fetched.
    if (!parsed.ok) throw new RpcError(parsed.error);
    const { hours } = parsed.value;
    const view = await this.pages.call(ScalingRpc.history, { hours });
    const data = view.ok ? view.data : undefined;
    const live = data ? this.live.forPage(hours, data) : undefined;
    return {
      layout: this.pages.layout(
        request,
        undefined,
        { title: 'Scaling history', active: 'history', live: live && `/scaling/history/live?hours=${hours}&v=${live.version}` },
        [view],
      ),
      view,
      live,
      hours,
      jsonUrl: `/api/v1/scaling/history?hours=${hours}`,
      exportUrl: `/scaling/history/report?hours=${hours}`,
      exportJsonUrl: `/api/v1/scaling/history/report?hours=${hours}&download=1`,
      // The range asked for is always one of the choices, so the form shows what the page shows.
      ranges: [...new Set([...RANGES, hours])]
        .sort((a, b) => a - b)
        .map((h) => ({ hours: h, label: h < 24 || h % 24 ? `${h} h` : `${h / 24} d`, selected: h === hours })),
      maxHours: HISTORY_HOURS.max,
      points: data?.samples.status === 'ok' ? data.samples.data.points.length : 0,
    };
  }
}
