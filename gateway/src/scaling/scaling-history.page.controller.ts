import { Controller, Get, Query, Render, Req } from '@nestjs/common';
import type { FastifyRequest } from 'fastify';
import { HISTORY_HOURS, ScalingRpc, parseHistoryQuery } from '@eks-info/contracts';
import { RpcError } from '@eks-info/platform';
import { PageService } from '../views/page.service';
import { chainRow, eventRow, statsRow } from './scaling.presenter';

const RANGES = [1, 6, 24, 72, 168];

/** `/scaling/history?hours=24`: charts of pods, nodes, CPU and memory, the event table and response times. */
@Controller()
export class ScalingHistoryPageController {
  constructor(private readonly pages: PageService) {}

  @Get('/scaling/history')
  @Render('scaling/views/scaling-history')
  async history(@Req() request: FastifyRequest, @Query() query: Record<string, unknown>) {
    const parsed = parseHistoryQuery(query);
    // A bad range is the user's to fix: a 400 page that says so, nothing fetched.
    if (!parsed.ok) throw new RpcError(parsed.error);
    const { hours } = parsed.value;
    const view = await this.pages.call(ScalingRpc.history, { hours });
    const data = view.ok ? view.data : undefined;
    return {
      layout: this.pages.layout(request, undefined, { title: 'Scaling history', active: 'history' }, [view]),
      view,
      hours,
      jsonUrl: `/api/v1/scaling/history?hours=${hours}`,
      // The range asked for is always one of the choices, so the form shows what the page shows.
      ranges: [...new Set([...RANGES, hours])]
        .sort((a, b) => a - b)
        .map((h) => ({ hours: h, label: h < 24 || h % 24 ? `${h} h` : `${h / 24} d`, selected: h === hours })),
      maxHours: HISTORY_HOURS.max,
      events: data?.events.status === 'ok' ? data.events.data.events.map(eventRow) : [],
      byType: data?.events.status === 'ok' ? Object.entries(data.events.data.byType).map(([type, count]) => ({ type, count })) : [],
      stats: data?.responseTimes.status === 'ok' ? data.responseTimes.data.stats.map(statsRow) : [],
      chains: data?.responseTimes.status === 'ok' ? data.responseTimes.data.chains.map(chainRow) : [],
      points: data?.samples.status === 'ok' ? data.samples.data.points.length : 0,
    };
  }
}
