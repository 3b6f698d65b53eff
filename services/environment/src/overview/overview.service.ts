import { Inject, Injectable } from '@nestjs/common';
import type { EnvironmentOverview } from '@eks-info/contracts';
import { ok, simulatedLabels, simulatedSources, withDemoHint } from '@eks-info/contracts';
import { CONFIG, IDENTITY, type Identity, TtlCache, redactEnvironment, sensitiveNames } from '@eks-info/platform';
import type { EnvironmentConfig } from '../environment.config';
import { CLUSTER_SOURCE, type ClusterSource, EC2_SOURCE, type Ec2Source, SENSITIVE_SPECS } from '../environment.tokens';
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
    @Inject(SENSITIVE_SPECS) specs: Array<Record<string, { sensitive?: boolean }>>,
  ) {
    this.env = redactEnvironment(process.env, sensitiveNames(...(specs as Parameters<typeof sensitiveNames>)));
  }

  /**
   * The overview, collected at most once a second (single flight): page views within the second
   * share one answer — the same object, so the bus and the gateway see an unchanged answer and
   * reuse what they made of it. System facts (memory, load, uptime) are that fresh.
   */
  overview(): Promise<Omit<EnvironmentOverview, 'servedBy'>> {
    return this.recent.get('overview', () => this.collect());
  }

  private readonly recent = new TtlCache<Omit<EnvironmentOverview, 'servedBy'>>({ ttlMs: 1_000 });

  private async collect(): Promise<Omit<EnvironmentOverview, 'servedBy'>> {
    const deadline = this.config.SECTION_DEADLINE_MS;
    const sources = simulatedSources(this.config.SIMULATED_SOURCES);
    const pod = collectPod(this.identity, process.env, sources?.has('kubernetes'));
    const nodeName = pod.status === 'ok' ? pod.data.node : null;
    const [cluster, node, ec2, network] = await Promise.all([
      sectionWithin(this.cluster.cluster(), deadline, 'The Kubernetes API'),
      sectionWithin(this.cluster.node(nodeName), deadline, 'The Kubernetes API'),
      sectionWithin(this.ec2.ec2(), deadline, 'The instance metadata service'),
      sectionWithin(this.ec2.network(), deadline, 'The instance metadata service'),
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
      env: ok(this.env),
      collectedAt: new Date().toISOString(),
      ...(simulated ? { simulated } : {}),
    };
  }
}
