import { Controller } from '@nestjs/common';
import { EnvironmentRpc } from '@eks-info/contracts';
import { OnRequest } from '@eks-info/platform';
import { ResourcesCollector } from './resources.collector';

@Controller()
export class ResourcesMessageController {
  constructor(private readonly resources: ResourcesCollector) {}

  @OnRequest(EnvironmentRpc.resources)
  view() {
    return this.resources.view();
  }
}
