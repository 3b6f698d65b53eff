import { Controller, Get, Query, Req, Res } from '@nestjs/common';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { StreamSlots } from '../../http/event-stream';
import { openLiveStream } from '../../views/live-sections';
import { HomeSectionsService } from './home-sections.service';

/**
 * `/environment/live?v=`: the home page's live stream. Its interruption card as an HTML fragment
 * (SSE event `home-interruption`) whenever it changes; `v` is the version the page shows.
 */
@Controller()
export class HomePageStreamController {
  private readonly slots = new StreamSlots('home page');

  constructor(private readonly home: HomeSectionsService) {}

  @Get('/environment/live')
  stream(@Req() request: FastifyRequest, @Res() reply: FastifyReply, @Query('v') v?: unknown): void {
    openLiveStream(request, reply, this.slots, v, (stream, known) => this.home.sections.connect(stream, known));
  }
}
