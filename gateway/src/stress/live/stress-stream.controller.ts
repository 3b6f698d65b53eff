import { Controller, Get, Req, Res } from '@nestjs/common';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { EventStream, StreamSlots } from '../../http/event-stream';
import { StressLiveService } from './stress-live.service';

/**
 * `/api/v1/stream/stress`: Server-Sent Events with the live stress view. On connect a
 * `snapshot` (every live pod, its recent history and the summary); then a `heartbeat` per pod
 * per second and a `gone` when a pod has been silent for 5 s.
 */
@Controller('api/v1/stream')
export class StressStreamController {
  private readonly slots = new StreamSlots('stress');

  constructor(private readonly live: StressLiveService) {}

  @Get('stress')
  stream(@Req() request: FastifyRequest, @Res() reply: FastifyReply): void {
    const free = this.slots.take(request);
    const stream = new EventStream(request, reply);
    stream.onClose(free);
    stream.send('snapshot', { pods: this.live.list(), history: this.live.history(), summary: this.live.summary() });
    const off = this.live.onEvent((event) => {
      if (event.type === 'heartbeat') stream.send('heartbeat', { pod: event.pod, point: event.point, summary: event.summary });
      else stream.send('gone', { pod: event.pod, summary: event.summary });
    });
    stream.onClose(off);
  }
}
