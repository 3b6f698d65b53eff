import {
  type ErrorBody,
  EnvironmentErrors,
  KubeErrors,
  type PodUsageView,
  type ResourcesView,
  type Section,
  podUsageRow,
  unavailable,
} from '@eks-info/contracts';
import {
  type InformerHub,
  type InformerStatus,
  type ManagedInformer,
  type MetricsPoller,
  type ResourceObjects,
  informerSection,
  podAmounts,
  podUsageSection,
} from '@eks-info/kube';
import { type CheckResult, sleep } from '@eks-info/platform';
import { nodeUsageRow, persistentVolumeClaimRow, persistentVolumeRow, podRow, serviceRow, warningRows, workloadRow } from './resources.mappers';

export type ResourcesData = Omit<ResourcesView, 'servedBy'>;

export interface ResourcesCollectorOptions {
  /** Namespace of pods, services, workloads, claims and events (nodes and PVs are cluster-wide). */
  namespace: string;
  /** Shared informers; absent when not running in Kubernetes. */
  hub?: InformerHub;
  /** metrics.k8s.io usage for the node and pod usage sections (pods of `namespace`). */
  metrics?: MetricsPoller;
  /** Why there is no hub (shown in every section). */
  unavailable?: ErrorBody;
  /** Most recent warning events shown. */
  maxWarnings?: number;
  /** Right after start, a view waits up to this long for the first lists instead of showing "loading". */
  syncWaitMs?: number;
}

// A type alias (not an interface) so Object.values sees InformerStatus values.
type Informers = {
  pods: ManagedInformer<ResourceObjects['pods']>;
  services: ManagedInformer<ResourceObjects['services']>;
  deployments: ManagedInformer<ResourceObjects['deployments']>;
  statefulsets: ManagedInformer<ResourceObjects['statefulsets']>;
  nodes: ManagedInformer<ResourceObjects['nodes']>;
  persistentvolumes: ManagedInformer<ResourceObjects['persistentvolumes']>;
  persistentvolumeclaims: ManagedInformer<ResourceObjects['persistentvolumeclaims']>;
  events: ManagedInformer<ResourceObjects['events']>;
};

const NOT_IN_CLUSTER: ErrorBody = { code: KubeErrors.NOT_IN_CLUSTER.code, message: 'Not running in Kubernetes' };

/**
 * The /resources page from informer caches: every view is a read of memory, never a list call.
 * Each section depends only on its own informers, so a forbidden or failing resource turns only
 * its section red.
 */
export class ResourcesCollector {
  private informers?: Informers;
  private startedAt = 0;

  constructor(private readonly options: ResourcesCollectorOptions) {}

  /** Creates (or joins) the informers and starts the metrics poll. */
  start(): void {
    const { hub, namespace } = this.options;
    if (!hub || this.informers) return;
    this.startedAt = Date.now();
    this.informers = {
      pods: hub.informer('pods', { namespace }),
      services: hub.informer('services', { namespace }),
      deployments: hub.informer('deployments', { namespace }),
      statefulsets: hub.informer('statefulsets', { namespace }),
      nodes: hub.informer('nodes'),
      persistentvolumes: hub.informer('persistentvolumes'),
      persistentvolumeclaims: hub.informer('persistentvolumeclaims', { namespace }),
      // Warnings only (the API server filters on `type`); the section is useful but not essential.
      events: hub.informer('events', { namespace, fieldSelector: 'type=Warning', optional: true }),
    };
    this.options.metrics?.start();
  }

  async view(): Promise<ResourcesData> {
    const { namespace } = this.options;
    const i = this.informers;
    if (!i) {
      const why = unavailable<never>(this.options.unavailable ?? NOT_IN_CLUSTER);
      return { namespace, pods: why, services: why, workloads: why, nodes: why, podUsage: why, volumes: why, warnings: why, updatedAt: null };
    }
    await this.waitForFirstLists(Object.values<InformerStatus>(i));
    const byName = <T extends { name: string }>(a: T, b: T) => a.name.localeCompare(b.name);
    const metrics = this.options.metrics;
    return {
      namespace,
      pods: section([i.pods], () => i.pods.list().map(podRow).sort(byName)),
      services: section([i.services], () => i.services.list().map(serviceRow).sort(byName)),
      workloads: section([i.deployments, i.statefulsets], () => [
        ...i.deployments
          .list()
          .map((d) => workloadRow('Deployment', d))
          .sort(byName),
        ...i.statefulsets
          .list()
          .map((s) => workloadRow('StatefulSet', s))
          .sort(byName),
      ]),
      nodes: section([i.nodes], () => ({
        nodes: i.nodes
          .list()
          .map((n) => nodeUsageRow(n, metrics?.node(n.metadata?.name ?? '')))
          .sort(byName),
        metricsAvailable: metrics?.available ?? false,
        metricsMessage: metrics ? metrics.message : 'metrics.k8s.io is not polled by this service',
        metricsAt: metrics?.at?.toISOString() ?? null,
      })),
      podUsage: this.podUsage(i.pods),
      volumes: section([i.persistentvolumes, i.persistentvolumeclaims], () => ({
        persistentVolumes: i.persistentvolumes.list().map(persistentVolumeRow).sort(byName),
        claims: i.persistentvolumeclaims.list().map(persistentVolumeClaimRow).sort(byName),
      })),
      warnings: section([i.events], () => warningRows(i.events.list(), this.options.maxWarnings ?? 50)),
      updatedAt: latest(Object.values<InformerStatus>(i).map((x) => x.updatedAt)),
    };
  }

  /** Every pod on a node and not finished, with its usage against its requests and limits; without metrics-server, why and the fix. */
  private podUsage(pods: Informers['pods']): Section<PodUsageView> {
    const metrics = this.options.metrics;
    const state = metrics?.pods ?? { available: false, message: 'metrics.k8s.io is not polled by this service', error: null, at: null };
    return podUsageSection(state, () =>
      section([pods], () => {
        const rows = pods
          .list()
          .filter((p) => p.spec?.nodeName && p.status?.phase !== 'Succeeded' && p.status?.phase !== 'Failed')
          .map((p) => {
            const namespace = p.metadata?.namespace ?? '';
            const name = p.metadata?.name ?? '';
            return podUsageRow({
              namespace,
              name,
              node: p.spec?.nodeName ?? null,
              ...podAmounts(p.spec),
              usage: metrics?.pod(namespace, name) ?? null,
              simulated: metrics?.podSimulated(namespace, name),
              terminating: Boolean(p.metadata?.deletionTimestamp),
            });
          })
          .sort((a, b) => a.name.localeCompare(b.name));
        return { pods: rows, aboveRequest: rows.filter((r) => r.aboveRequest.length > 0).length, metricsAt: state.at?.toISOString() ?? null };
      }),
    );
  }

  /** Readiness check: not in a cluster is fine (local mode); otherwise the page's informers must be synced. */
  readiness(): CheckResult {
    if (!this.options.hub) return { ok: true, detail: (this.options.unavailable ?? NOT_IN_CLUSTER).message };
    if (!this.informers) return { ok: false, detail: 'resources collector not started' };
    const problems = Object.values<InformerStatus>(this.informers)
      .filter((x) => !x.optional && (x.lastError || !x.synced))
      .map((x) => `${x.name}: ${x.lastError?.message ?? 'not synced yet'}`);
    return problems.length ? { ok: false, detail: problems.join('; ') } : { ok: true, detail: 'resources informers synced' };
  }

  /** Only in the first moments after start: wait (bounded) until every informer has listed or failed. */
  private async waitForFirstLists(informers: InformerStatus[]): Promise<void> {
    const deadline = this.startedAt + (this.options.syncWaitMs ?? 2000);
    const pending = () => informers.some((x) => !x.synced && !x.lastError);
    while (pending() && Date.now() < deadline) await sleep(Math.min(25, deadline - Date.now()));
  }
}

/** The environment domain's informer section (see libs/kube `informerSection`). */
const section = <T>(list: InformerStatus[], build: () => T): Section<T> => informerSection(list, build, EnvironmentErrors.COLLECTOR_FAILED.code);

function latest(dates: Array<Date | null>): string | null {
  const times = dates.filter((d): d is Date => d !== null).map((d) => d.getTime());
  return times.length ? new Date(Math.max(...times)).toISOString() : null;
}
