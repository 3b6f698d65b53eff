import { Controller } from '@nestjs/common';
import { EnvironmentRpc } from '@eks-info/contracts';
import { OnRequest } from '@eks-info/platform';
import { NetworkService } from './network.service';

@Controller()
export class NetworkMessageController {
  constructor(private readonly network: NetworkService) {}

  @OnRequest(EnvironmentRpc.network)
  view() {
    return this.network.view();
  }

  @OnRequest(EnvironmentRpc.refreshNetwork)
  refresh() {
    return this.network.refresh();
  }
}
