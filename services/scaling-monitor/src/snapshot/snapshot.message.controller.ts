import { Controller } from '@nestjs/common';
import { Payload } from '@nestjs/microservices';
import { ScalingRpc, type ScalingNodesQuery, type ScalingSnapshotQuery, normalizeNodesQuery } from '@eks-info/contracts';
import { OnRequest } from '@eks-info/platform';
import { SnapshotService } from './snapshot.service';

@Controller()
export class SnapshotMessageController {
  constructor(private readonly snapshots: SnapshotService) {}

  @OnRequest(ScalingRpc.snapshot)
  snapshot(@Payload() query: ScalingSnapshotQuery) {
    return this.snapshots.snapshot(query);
  }

  @OnRequest(ScalingRpc.nodes)
  nodes(@Payload() query: ScalingNodesQuery) {
    return this.snapshots.nodes(normalizeNodesQuery(query));
  }
}
