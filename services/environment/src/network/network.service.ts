import { Inject, Injectable } from '@nestjs/common';
import { type Section, simulatedLabels, simulatedSources, withDemoHint } from '@eks-info/contracts';
import { CONFIG } from '@eks-info/platform';
import type { EnvironmentConfig } from '../environment.config';
import { Ec2MetadataCollector } from '../ec2/ec2-metadata.collector';
import { NetworkCollector, type NetworkViewData, resolveNetworkTarget } from './network.collector';

const SECTIONS = ['vpc', 'subnets', 'securityGroups', 'routeTables', 'loadBalancers'] as const;

/** /network: the VPC named by VPC_ID, else this instance's VPC from IMDS. */
@Injectable()
export class NetworkService {
  private readonly sources: ReturnType<typeof simulatedSources>;
  /** The labelled answer per collector answer: an unchanged answer stays the same object. */
  private readonly labelled = new WeakMap<object, NetworkViewData>();

  constructor(
    private readonly collector: NetworkCollector,
    private readonly ec2: Ec2MetadataCollector,
    @Inject(CONFIG) private readonly config: EnvironmentConfig,
  ) {
    this.sources = simulatedSources(config.SIMULATED_SOURCES);
  }

  async view(): Promise<NetworkViewData> {
    const target = await resolveNetworkTarget({ vpcIdOverride: this.config.VPC_ID, regionOverride: this.config.AWS_REGION, imds: this.ec2 });
    const data = await this.collector.view(target);
    // The AWS answers are moto's; the VPC id is the metadata mock's when it came from IMDS.
    const simulated = simulatedLabels(this.sources, 'aws', ...(data.vpcSource === 'imds' ? (['imds'] as const) : []));
    if (!simulated && SECTIONS.every((s) => data[s].status !== 'unavailable')) return data;
    let out = this.labelled.get(data);
    if (!out) {
      out = { ...data, ...(simulated ? { simulated } : {}) };
      for (const s of SECTIONS) (out as Record<string, unknown>)[s] = withDemoHint(data[s] as Section<unknown>, 'aws', this.sources);
      this.labelled.set(data, out);
    }
    return out;
  }

  refresh(): { cleared: number } {
    return { cleared: this.collector.refresh() };
  }
}
