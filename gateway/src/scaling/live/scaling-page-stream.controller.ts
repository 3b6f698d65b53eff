import { Controller, Get, Query, Req, Res } from '@nestjs/common';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { parseHistoryQuery } from '@eks-info/contracts';
import { RpcError } from '@eks-info/platform';
import { StreamSlots } from '../../http/event-stream';
import { openLiveStream } from '../../views/live-sections';
import { HistorySectionsService } from './history-sections.service';
import { ScalingSectionsService } from './scaling-sections.service';

/**
 * The pages' live streams: `/scaling/live?v=` and `/scaling/history/live?hours=&v=` send the
 * sections that changed as HTML fragments (one SSE event per section, named like its slot),
 * rendered once per change for every browser. `v` is the version the page shows; a page of
 * another version gets every section first. Bounded like the JSON streams: a 429 beyond the slots.
 */
@Controller()
export class ScalingPageStreamController {
  private readonly slots = new StreamSlots('scaling page');
  private readonly historySlots = new StreamSlots('scaling history page');

  constructor(
    private readonly scaling: ScalingSectionsService,
    private readonly history: HistorySectionsService,
  ) {}

  @Get('/scaling/live')
  scalingStream(@Req() request: FastifyRequest, @Res() reply: FastifyReply, @Query('v') v?: unknown): void {
    openLiveStream(request, reply, this.slots, v, (stream, known) => this.scaling.sections.connect(stream, known));
  }

  @Get('/scaling/history/live')
  historyStream(@Req() request: FastifyRequest, @Res() reply: FastifyReply, @Query() query: Record<string, unknown>): void {
    const parsed = parseHistoryQuery({ hours: query.hours });
    if (!parsed.ok) throw new RpcError(parsed.error);
    openLiveStream(request, reply, this.historySlots, query.v, (stream, known) => this.history.connect(parsed.value.hours, stream, known));
  }
}
