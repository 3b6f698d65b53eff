import { Controller, Get, Query, Req, Res } from '@nestjs/common';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { StreamSlots } from '../../http/event-stream';
import { openLiveStream } from '../../views/live-sections';
import { StressSectionsService } from './stress-sections.service';

/**
 * `/stress/live?v=`: the /stress page's live stream. The sections that changed, as HTML fragments
 * (one SSE event per section, named like its slot), rendered at most once a second for every
 * browser. `v` is the version the page shows; a page of another version gets every section first.
 */
@Controller()
export class StressPageStreamController {
  private readonly slots = new StreamSlots('stress page');

  constructor(private readonly stress: StressSectionsService) {}

  @Get('/stress/live')
  stream(@Req() request: FastifyRequest, @Res() reply: FastifyReply, @Query('v') v?: unknown): void {
    openLiveStream(request, reply, this.slots, v, (stream, known) => this.stress.sections.connect(stream, known));
  }
}
