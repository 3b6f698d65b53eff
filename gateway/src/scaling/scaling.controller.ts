import { Controller, Get, Header, Query } from '@nestjs/common';
import { ScalingRpc, parseEventsQuery, parseHistoryQuery, parseNodesQuery, parseSnapshotQuery } from '@eks-info/contracts';
import { MessageBus, RpcError } from '@eks-info/platform';
import { JSON_CONTENT_TYPE, jsonBody } from '../http/json-body';
import { nodesRequest } from './scaling.presenter';

/**
 * JSON twins of the scaling pages, and the events query other pages (the stress timeline) use.
 * Query parameters are checked here too, so a bad one is a 400 without a round trip.
 */
@Controller('api/v1/scaling')
export class ScalingApiController {
  constructor(private readonly bus: MessageBus) {}

  /** `?nodes=0..5000`: how many nodes `nodes` lists by name (default and cap SNAPSHOT_MAX_NODES; 0 for the page's own view). */
  @Get()
  @Header('content-type', JSON_CONTENT_TYPE)
  async snapshot(@Query() query: Record<string, unknown>) {
    const parsed = parseSnapshotQuery(query);
    if (!parsed.ok) throw new RpcError(parsed.error);
    return jsonBody(await this.bus.request(ScalingRpc.snapshot, parsed.value));
  }

  /** `?group=&zone=&capacityType=&state=&name=&sort=&page=&limit=`: one page of node cards (the node list of /scaling). */
  @Get('nodes')
  @Header('content-type', JSON_CONTENT_TYPE)
  async nodes(@Query() query: Record<string, unknown>) {
    const parsed = parseNodesQuery(query);
    if (!parsed.ok) throw new RpcError(parsed.error);
    return jsonBody(await this.bus.request(ScalingRpc.nodes, nodesRequest(parsed.value)));
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
