import { Controller, Get, Query, Req, Res } from '@nestjs/common';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { CommonErrors, ScalingErrors } from '@eks-info/contracts';
import { RpcError } from '@eks-info/platform';
import { EventStream } from '../../http/event-stream';
import { SCALING_TOPICS, ScalingStreamHub, type ScalingTopic } from './scaling-stream.hub';

/** Live connections one gateway replica accepts; each holds a socket and gets every push. */
export const MAX_SCALING_STREAMS = 200;

/**
 * `/api/v1/stream/scaling?topics=snapshot,events,samples`: Server-Sent Events for the scaling
 * pages. `snapshot` (default): the whole snapshot when it changes (≤ 1 s after the watch event);
 * `events`: each new scaling event (`scaling-event`); `samples`: each new history sample
 * (`sample`). A failed snapshot fetch is sent as `problem` with the error body.
 */
@Controller('api/v1/stream')
export class ScalingStreamController {
  constructor(private readonly hub: ScalingStreamHub) {}

  @Get('scaling')
  stream(@Req() request: FastifyRequest, @Res() reply: FastifyReply, @Query('topics') topicsParam?: unknown): void {
    const raw = typeof topicsParam === 'string' && topicsParam.trim() ? topicsParam.split(',').map((t) => t.trim()) : ['snapshot'];
    const unknown = raw.find((t) => !SCALING_TOPICS.includes(t as ScalingTopic));
    if (unknown !== undefined || raw.length === 0) {
      throw new RpcError({
        code: ScalingErrors.INVALID_QUERY.code,
        message: `unknown topic ${JSON.stringify(String(unknown)).slice(0, 40)}`,
        fix: `Use any of: ${SCALING_TOPICS.join(', ')}.`,
      });
    }
    if (this.hub.size >= MAX_SCALING_STREAMS) {
      throw new RpcError({
        code: CommonErrors.RATE_LIMITED.code,
        message: `This gateway already serves ${MAX_SCALING_STREAMS} live scaling connections.`,
        fix: 'Close other tabs, or use the refresh button.',
      });
    }
    this.hub.add(new EventStream(request, reply), new Set(raw as ScalingTopic[]));
  }
}
