import { Inject, Injectable } from '@nestjs/common';
import type { EnvironmentOverview, InterruptionView } from '@eks-info/contracts';
import { ok, simulatedLabels, simulatedSources, withDemoHint } from '@eks-info/contracts';
import { CONFIG, IDENTITY, type Identity, TtlCache, redactEnvironment, sensitiveNames } from '@eks-info/platform';
import type { EnvironmentConfig } from '../environment.config';
import { CLUSTER_SOURCE, type ClusterSource, EC2_SOURCE, type Ec2Source, SENSITIVE_SPECS } from '../environment.tokens';
import { InterruptionCollector } from '../ec2/interruption.collector';
import { sectionWithin } from './deadline';
import { collectPod } from './pod.collector';
import { SystemCollector } from './system.collector';

/** The home page: every section collected in parallel, each bounded by its own deadline. */
@Injectable()
export class OverviewService {
  private readonly system = new SystemCollector();
  /** The environment does not change while the process runs: redact it once. */
  private readonly env: ReturnType<typeof redactEnvironment>;

  constructor(
    @Inject(IDENTITY) private readonly identity: Identity,
    @Inject(CONFIG) private readonly config: EnvironmentConfig,
    @Inject(CLUSTER_SOURCE) private readonly cluster: ClusterSource,
    @Inject(EC2_SOURCE) private readonly ec2: Ec2Source,
    private readonly interruptions: InterruptionCollector,
    @Inject(SENSITIVE_SPECS) specs: Array<Record<string, { sensitive?: boolean }>>,
  ) {
    this.env = redactEnvironment(process.env, sensitiveNames(...(specs as Parameters<typeof sensitiveNames>)));
  }

  /**
   * The overview, collected at most once a second (single flight): page views within the second
   * share one answer — the same object, so the bus and the gateway see an unchanged answer and
   * reuse what they made of it. System facts (memory, load, uptime) are that fresh; after a
   * second, views get the last answer while the next is collected (after 10 s idle, they wait).
   */
  overview(): Promise<Omit<EnvironmentOverview, 'servedBy'>> {
    return this.recent.get('overview', () => this.collect());
  }

  // Stale-while-revalidate: the refresh each second runs beside the page views, none waits for it.
  private readonly recent = new TtlCache<Omit<EnvironmentOverview, 'servedBy'>>({ ttlMs: 1_000, staleMs: 10_000 });

  /** The interruption section alone, for the home page's live card (read as often as the page polls, cached a few seconds in IMDS). */
  async interruption(): Promise<Omit<InterruptionView, 'servedBy'>> {
    const sources = simulatedSources(this.config.SIMULATED_SOURCES);
    const interruption = await sectionWithin(this.interruptions.interruption(), this.config.SECTION_DEADLINE_MS, 'The instance metadata service');
    const simulated = simulatedLabels(sources, 'imds');
    return { interruption: withDemoHint(interruption, 'imds', sources), ...(simulated ? { simulated } : {}) };
  }

  private async collect(): Promise<Omit<EnvironmentOverview, 'servedBy'>> {
    const deadline = this.config.SECTION_DEADLINE_MS;
    const sources = simulatedSources(this.config.SIMULATED_SOURCES);
    const pod = collectPod(this.identity, process.env, sources?.has('kubernetes'));
    const nodeName = pod.status === 'ok' ? pod.data.node : null;
    const [cluster, node, ec2, network, interruption] = await Promise.all([
      sectionWithin(this.cluster.cluster(), deadline, 'The Kubernetes API'),
      sectionWithin(this.cluster.node(nodeName), deadline, 'The Kubernetes API'),
      sectionWithin(this.ec2.ec2(), deadline, 'The instance metadata service'),
      sectionWithin(this.ec2.network(), deadline, 'The instance metadata service'),
      sectionWithin(this.interruptions.interruption(), deadline, 'The instance metadata service'),
    ]);
    const instanceType = ec2.status === 'ok' ? ec2.data.instanceType : node.status === 'ok' ? node.data.instanceType : null;
    const simulated = simulatedLabels(sources, 'kubernetes', 'imds', 'aws');
    return {
      pod: withDemoHint(pod, 'kubernetes', sources),
      cluster: withDemoHint(cluster, 'kubernetes', sources),
      node: withDemoHint(node, 'kubernetes', sources),
      ec2: withDemoHint(ec2, 'imds', sources),
      system: ok(this.system.collect(instanceType)),
      network: withDemoHint(network, 'imds', sources),
      interruption: withDemoHint(interruption, 'imds', sources),
      env: ok(this.env),
      collectedAt: new Date().toISOString(),
      ...(simulated ? { simulated } : {}),
    };
  }
}
