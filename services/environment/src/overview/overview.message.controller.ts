import { Controller } from '@nestjs/common';
import { EnvironmentRpc } from '@eks-info/contracts';
import { OnRequest } from '@eks-info/platform';
import { OverviewService } from './overview.service';

@Controller()
export class OverviewMessageController {
  constructor(private readonly overview: OverviewService) {}

  @OnRequest(EnvironmentRpc.overview)
  get() {
    return this.overview.overview();
  }

  @OnRequest(EnvironmentRpc.interruption)
  interruption() {
    return this.overview.interruption();
  }
}
