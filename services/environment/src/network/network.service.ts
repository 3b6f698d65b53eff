import { Inject, Injectable } from '@nestjs/common';
import type { NetworkView } from '@eks-info/contracts';
import { CONFIG } from '@eks-info/platform';
import type { EnvironmentConfig } from '../environment.config';
import { Ec2MetadataCollector } from '../ec2/ec2-metadata.collector';
import { NetworkCollector, resolveNetworkTarget } from './network.collector';

/** /network: the VPC named by VPC_ID, else this instance's VPC from IMDS. */
@Injectable()
export class NetworkService {
  constructor(
    private readonly collector: NetworkCollector,
    private readonly ec2: Ec2MetadataCollector,
    @Inject(CONFIG) private readonly config: EnvironmentConfig,
  ) {}

  async view(): Promise<Omit<NetworkView, 'servedBy'>> {
    const target = await resolveNetworkTarget({ vpcIdOverride: this.config.VPC_ID, regionOverride: this.config.AWS_REGION, imds: this.ec2 });
    return this.collector.view(target);
  }

  refresh(): { cleared: number } {
    return { cleared: this.collector.refresh() };
  }
}
