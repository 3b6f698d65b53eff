import { Controller } from '@nestjs/common';
import { StorageRpc } from '@eks-info/contracts';
import { OnRequest } from '@eks-info/platform';
import { OverviewService } from './overview.service';

@Controller()
export class OverviewMessageController {
  constructor(private readonly overview: OverviewService) {}

  @OnRequest(StorageRpc.overview)
  get() {
    return this.overview.overview();
  }
}
