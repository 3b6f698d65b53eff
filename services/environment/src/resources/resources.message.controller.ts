import { Controller, Inject } from '@nestjs/common';
import { EnvironmentRpc, type ResourcesView, type Section, simulatedLabels, simulatedSources, withDemoHint } from '@eks-info/contracts';
import { CONFIG, OnRequest } from '@eks-info/platform';
import type { EnvironmentConfig } from '../environment.config';
import { ResourcesCollector } from './resources.collector';

type ResourcesData = Omit<ResourcesView, 'servedBy'>;
const SECTIONS = ['pods', 'services', 'workloads', 'nodes', 'podUsage', 'volumes', 'warnings'] as const;

@Controller()
export class ResourcesMessageController {
  private readonly sources: ReturnType<typeof simulatedSources>;
  /** The labelled answer per collector answer: an unchanged answer stays the same object. */
  private readonly labelled = new WeakMap<object, ResourcesData>();

  constructor(
    private readonly resources: ResourcesCollector,
    @Inject(CONFIG) config: EnvironmentConfig,
  ) {
    this.sources = simulatedSources(config.SIMULATED_SOURCES);
  }

  @OnRequest(EnvironmentRpc.resources)
  async view(): Promise<ResourcesData> {
    const data = await this.resources.view();
    const simulated = simulatedLabels(this.sources, 'kubernetes');
    if (!simulated && SECTIONS.every((s) => data[s].status !== 'unavailable')) return data;
    let out = this.labelled.get(data);
    if (!out) {
      out = { ...data, ...(simulated ? { simulated } : {}) };
      for (const s of SECTIONS) (out as Record<string, unknown>)[s] = withDemoHint(data[s] as Section<unknown>, 'kubernetes', this.sources);
      this.labelled.set(data, out);
    }
    return out;
  }
}
