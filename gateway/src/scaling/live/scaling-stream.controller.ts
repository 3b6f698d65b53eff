import { Controller, Get, Query, Req, Res } from '@nestjs/common';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { ScalingErrors } from '@eks-info/contracts';
import { RpcError } from '@eks-info/platform';
import { EventStream, StreamSlots } from '../../http/event-stream';
import { SCALING_TOPICS, ScalingStreamHub, type ScalingTopic } from './scaling-stream.hub';

/**
 * `/api/v1/stream/scaling?topics=snapshot,events,samples&nodes=0`: Server-Sent Events for the
 * scaling pages. `snapshot` (default): the whole snapshot when it changes (≤ 1 s after the watch
 * event), or with `nodes=0` the snapshot without its node list by name (what the page shows: a
 * few tens of kilobytes at 5,000 nodes instead of hundreds);
 * `events`: each new scaling event (`scaling-event`); `samples`: each new history sample
 * (`sample`). A failed snapshot fetch is sent as `problem` with the error body.
 */
@Controller('api/v1/stream')
export class ScalingStreamController {
  private readonly slots = new StreamSlots('scaling');

  constructor(private readonly hub: ScalingStreamHub) {}

  @Get('scaling')
  stream(@Req() request: FastifyRequest, @Res() reply: FastifyReply, @Query('topics') topicsParam?: unknown, @Query('nodes') nodesParam?: unknown): void {
    const raw = typeof topicsParam === 'string' && topicsParam.trim() ? topicsParam.split(',').map((t) => t.trim()) : ['snapshot'];
    const unknown = raw.find((t) => !SCALING_TOPICS.includes(t as ScalingTopic));
    if (unknown !== undefined || raw.length === 0) {
      throw new RpcError({
        code: ScalingErrors.INVALID_QUERY.code,
        message: `unknown topic ${JSON.stringify(String(unknown)).slice(0, 40)}`,
        fix: `Use any of: ${SCALING_TOPICS.join(', ')}.`,
      });
    }
    // The page's own snapshot (no node list by name) or the whole one, as /api/v1/scaling answers them.
    if (nodesParam !== undefined && nodesParam !== '0') {
      throw new RpcError({
        code: ScalingErrors.INVALID_QUERY.code,
        message: `nodes may only be 0 on the stream, got ${JSON.stringify(String(nodesParam)).slice(0, 40)}`,
        fix: 'Leave nodes out for whole snapshots, or pass nodes=0 for snapshots without the node list by name.',
      });
    }
    const free = this.slots.take(request);
    const stream = new EventStream(request, reply);
    stream.onClose(free);
    this.hub.add(stream, new Set(raw as ScalingTopic[]), { withoutNodeList: nodesParam === '0' });
  }
}
