import { Controller } from '@nestjs/common';
import { ScalingRpc } from '@eks-info/contracts';
import { OnRequest } from '@eks-info/platform';
import { SnapshotService } from './snapshot.service';

@Controller()
export class SnapshotMessageController {
  constructor(private readonly snapshots: SnapshotService) {}

  @OnRequest(ScalingRpc.snapshot)
  snapshot() {
    return this.snapshots.snapshot();
  }
}
