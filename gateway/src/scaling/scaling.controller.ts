import { Controller, Get, Header, Query } from '@nestjs/common';
import { ScalingRpc, parseEventsQuery, parseHistoryQuery } from '@eks-info/contracts';
import { MessageBus, RpcError } from '@eks-info/platform';
import { JSON_CONTENT_TYPE, jsonBody } from '../http/json-body';

/**
 * JSON twins of the scaling pages, and the events query other pages (the stress timeline) use.
 * Query parameters are checked here too, so a bad one is a 400 without a round trip.
 */
@Controller('api/v1/scaling')
export class ScalingApiController {
  constructor(private readonly bus: MessageBus) {}

  @Get()
  @Header('content-type', JSON_CONTENT_TYPE)
  async snapshot() {
    return jsonBody(await this.bus.request(ScalingRpc.snapshot, {}));
  }

  /** `?hours=1..168` (default 24). */
  @Get('history')
  @Header('content-type', JSON_CONTENT_TYPE)
  async history(@Query() query: Record<string, unknown>) {
    const parsed = parseHistoryQuery(query);
    if (!parsed.ok) throw new RpcError(parsed.error);
    return jsonBody(await this.bus.request(ScalingRpc.history, parsed.value));
  }

  /** `?since=ISO&until=ISO&types=a,b&namespace=&workload=Kind/name&limit=1..1000`: events oldest first, with response-time chains. */
  @Get('events')
  @Header('content-type', JSON_CONTENT_TYPE)
  async events(@Query() query: Record<string, unknown>) {
    const parsed = parseEventsQuery(query);
    if (!parsed.ok) throw new RpcError(parsed.error);
    const { since, until, types, namespace, workload, limit } = parsed.value;
    return jsonBody(
      await this.bus.request(ScalingRpc.events, {
        since,
        until,
        limit,
        ...(types ? { types } : {}),
        ...(namespace ? { namespace } : {}),
        ...(workload ? { workload } : {}),
      }),
    );
  }
}
