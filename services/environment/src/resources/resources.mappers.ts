import type {
  ContainerResources,
  EventRow,
  Health,
  NodeUsageRow,
  PersistentVolumeClaimRow,
  PersistentVolumeRow,
  PodRow,
  ServiceRow,
  WorkloadRow,
} from '@eks-info/contracts';
import { cpuMillicores, memoryBytes, type ResourceObjects, type Usage } from '@eks-info/kube';

type Pod = ResourceObjects['pods'];
type ContainerStatus = NonNullable<NonNullable<Pod['status']>['containerStatuses']>[number];

/** Container states that need someone to act, shown red; other waiting states are transitional (yellow). */
const FAILING_REASONS = new Set([
  'CrashLoopBackOff',
  'ImagePullBackOff',
  'ErrImagePull',
  'InvalidImageName',
  'CreateContainerConfigError',
  'CreateContainerError',
  'RunContainerError',
  'ContainerCannotRun',
  'OOMKilled',
  'Error',
  'DeadlineExceeded',
]);

const severity = (reason: string): Health => (FAILING_REASONS.has(reason) ? 'error' : 'warn');

/** The reason of the first container that is not running, failing ones first. */
function containerProblem(statuses: ContainerStatus[]): string | undefined {
  const reasons = statuses.flatMap((c) => {
    if (c.state?.waiting?.reason) return [c.state.waiting.reason];
    if (c.state?.terminated) return [c.state.terminated.reason ?? (c.state.terminated.exitCode ? 'Error' : 'Completed')];
    return [];
  });
  return reasons.find((r) => FAILING_REASONS.has(r)) ?? reasons.find((r) => r !== 'Completed');
}

/** A pod's status in a word or two, the way `kubectl get pods` shows it, and its colour. */
export function podStatus(pod: Pod): { reason: string; health: Health } {
  const status = pod.status ?? {};
  const phase = status.phase ?? 'Unknown';
  if (pod.metadata?.deletionTimestamp) return { reason: 'Terminating', health: 'warn' };
  if (status.reason) return { reason: status.reason, health: phase === 'Failed' ? 'error' : 'warn' };
  const scheduled = status.conditions?.find((c) => c.type === 'PodScheduled');
  if (phase === 'Pending' && scheduled?.status === 'False') return { reason: `Pending (${scheduled.reason ?? 'Unschedulable'})`, health: 'warn' };
  const init = (status.initContainerStatuses ?? []).find(
    (c) => !c.ready && (c.state?.waiting?.reason || (c.state?.terminated && c.state.terminated.exitCode !== 0)),
  );
  if (init) {
    const reason = init.state?.waiting?.reason ?? init.state?.terminated?.reason ?? 'Error';
    return { reason: `Init:${reason}`, health: severity(reason) };
  }
  if (phase === 'Succeeded') return { reason: 'Completed', health: 'ok' };
  const problem = containerProblem(status.containerStatuses ?? []);
  if (problem) return { reason: problem, health: severity(problem) };
  if (phase === 'Running') {
    const allReady = (status.containerStatuses ?? []).every((c) => c.ready) && (status.containerStatuses?.length ?? 0) > 0;
    return allReady ? { reason: 'Running', health: 'ok' } : { reason: 'Running (not ready)', health: 'warn' };
  }
  return { reason: phase, health: phase === 'Failed' ? 'error' : 'warn' };
}

export function podRow(pod: Pod): PodRow {
  const statuses = pod.status?.containerStatuses ?? [];
  const { reason, health } = podStatus(pod);
  return {
    name: pod.metadata?.name ?? '',
    namespace: pod.metadata?.namespace ?? '',
    phase: pod.status?.phase ?? 'Unknown',
    ready: `${statuses.filter((c) => c.ready).length}/${pod.spec?.containers.length ?? statuses.length}`,
    reason,
    health,
    node: pod.spec?.nodeName ?? null,
    ip: pod.status?.podIP ?? null,
    restarts: [...statuses, ...(pod.status?.initContainerStatuses ?? [])].reduce((sum, c) => sum + (c.restartCount ?? 0), 0),
    createdAt: pod.metadata?.creationTimestamp ?? null,
  };
}

/** "80/TCP → 8080", "443:30443/TCP → https" (node port after the colon), "53/UDP". */
export function serviceRow(svc: ResourceObjects['services']): ServiceRow {
  const spec = svc.spec ?? {};
  const ports = (spec.ports ?? []).map((p) => {
    const target = p.targetPort !== undefined && String(p.targetPort) !== String(p.port) ? ` → ${p.targetPort}` : '';
    return `${p.port}${p.nodePort ? `:${p.nodePort}` : ''}/${p.protocol ?? 'TCP'}${target}`;
  });
  const external = [
    ...(svc.status?.loadBalancer?.ingress ?? []).flatMap((i) => [i.hostname, i.ip].filter((x): x is string => Boolean(x))),
    ...(spec.externalIPs ?? []),
    ...(spec.externalName ? [spec.externalName] : []),
  ];
  return { name: svc.metadata?.name ?? '', type: spec.type ?? 'ClusterIP', clusterIP: spec.clusterIP ?? null, ports, external };
}

type PodTemplateOwner = ResourceObjects['deployments'] | ResourceObjects['statefulsets'];

function containerResources(owner: PodTemplateOwner): ContainerResources[] {
  return (owner.spec?.template.spec?.containers ?? []).map((c) => ({
    name: c.name,
    image: c.image ?? '',
    requests: { cpu: c.resources?.requests?.cpu ?? null, memory: c.resources?.requests?.memory ?? null },
    limits: { cpu: c.resources?.limits?.cpu ?? null, memory: c.resources?.limits?.memory ?? null },
  }));
}

export function workloadRow(kind: WorkloadRow['kind'], obj: PodTemplateOwner): WorkloadRow {
  const desired = obj.spec?.replicas ?? 1;
  const ready = obj.status?.readyReplicas ?? 0;
  const available = obj.status?.availableReplicas ?? 0;
  // Progressing=False is a rollout past its deadline (ProgressDeadlineExceeded).
  const stuck = (obj.status?.conditions ?? []).some((c) => c.type === 'Progressing' && c.status === 'False');
  const health: Health = desired === 0 ? 'ok' : stuck || ready === 0 ? 'error' : ready >= desired && available >= desired ? 'ok' : 'warn';
  return {
    kind,
    name: obj.metadata?.name ?? '',
    desired,
    ready,
    updated: obj.status?.updatedReplicas ?? 0,
    available,
    health,
    containers: containerResources(obj),
  };
}

const percent = (used: number, of: number) => Math.round((used / of) * 1000) / 10;

/** Allocatable capacity against metrics-server usage (the basis `kubectl top node` uses). */
export function nodeUsageRow(node: ResourceObjects['nodes'], usage: Usage | undefined): NodeUsageRow {
  const labels = node.metadata?.labels ?? {};
  const cpuAllocatableMillis = cpuMillicores(node.status?.allocatable?.cpu) ?? 0;
  const memoryAllocatableBytes = memoryBytes(node.status?.allocatable?.memory) ?? 0;
  return {
    name: node.metadata?.name ?? '',
    ready: (node.status?.conditions ?? []).some((c) => c.type === 'Ready' && c.status === 'True'),
    instanceType: labels['node.kubernetes.io/instance-type'] ?? labels['beta.kubernetes.io/instance-type'] ?? null,
    zone: labels['topology.kubernetes.io/zone'] ?? labels['failure-domain.beta.kubernetes.io/zone'] ?? null,
    cpuAllocatableMillis,
    memoryAllocatableBytes,
    cpuUsageMillis: usage?.cpuMillis ?? null,
    memoryUsageBytes: usage?.memoryBytes ?? null,
    cpuPercent: usage && cpuAllocatableMillis > 0 ? percent(usage.cpuMillis, cpuAllocatableMillis) : null,
    memoryPercent: usage && memoryAllocatableBytes > 0 ? percent(usage.memoryBytes, memoryAllocatableBytes) : null,
  };
}

const VOLUME_HEALTH: Record<string, Health> = { Bound: 'ok', Available: 'ok', Pending: 'warn', Released: 'warn', Failed: 'error', Lost: 'error' };

export function persistentVolumeRow(pv: ResourceObjects['persistentvolumes']): PersistentVolumeRow {
  const spec = pv.spec ?? {};
  const status = pv.status?.phase ?? 'Unknown';
  // CSI volumes (EBS, EFS) name their driver and handle; in-tree EBS and NFS are recognised too.
  const driver =
    spec.csi?.driver ?? (spec.awsElasticBlockStore ? 'kubernetes.io/aws-ebs' : spec.nfs ? 'nfs' : spec.local ? 'local' : spec.hostPath ? 'hostPath' : null);
  const volumeHandle = spec.csi?.volumeHandle ?? spec.awsElasticBlockStore?.volumeID ?? (spec.nfs ? `${spec.nfs.server}:${spec.nfs.path}` : null);
  return {
    name: pv.metadata?.name ?? '',
    capacity: spec.capacity?.storage ?? null,
    accessModes: spec.accessModes ?? [],
    reclaimPolicy: spec.persistentVolumeReclaimPolicy ?? null,
    status,
    storageClass: spec.storageClassName || null,
    claim: spec.claimRef ? `${spec.claimRef.namespace}/${spec.claimRef.name}` : null,
    driver,
    volumeHandle,
    health: VOLUME_HEALTH[status] ?? 'warn',
  };
}

export function persistentVolumeClaimRow(pvc: ResourceObjects['persistentvolumeclaims']): PersistentVolumeClaimRow {
  const status = pvc.status?.phase ?? 'Unknown';
  return {
    name: pvc.metadata?.name ?? '',
    namespace: pvc.metadata?.namespace ?? '',
    status,
    volume: pvc.spec?.volumeName ?? null,
    capacity: pvc.status?.capacity?.storage ?? pvc.spec?.resources?.requests?.storage ?? null,
    accessModes: pvc.status?.accessModes ?? pvc.spec?.accessModes ?? [],
    storageClass: pvc.spec?.storageClassName ?? null,
    health: VOLUME_HEALTH[status] ?? 'warn',
  };
}

type KubeEvent = ResourceObjects['events'];

/** When an event last happened: core/v1 events fill different fields depending on who wrote them. */
function lastSeen(e: KubeEvent): string | null {
  return e.lastTimestamp ?? e.series?.lastObservedTime ?? e.eventTime ?? e.firstTimestamp ?? e.metadata?.creationTimestamp ?? null;
}

export function eventRow(e: KubeEvent): EventRow {
  return {
    lastSeen: lastSeen(e),
    type: e.type ?? 'Normal',
    reason: e.reason ?? '',
    object: `${e.involvedObject.kind ?? ''}/${e.involvedObject.name ?? ''}`,
    message: e.message ?? '',
    count: e.count ?? e.series?.count ?? 1,
  };
}

/** Warning events, newest first, at most `limit`. */
export function warningRows(events: readonly KubeEvent[], limit: number): EventRow[] {
  const time = (row: EventRow) => (row.lastSeen ? Date.parse(row.lastSeen) : 0);
  return events
    .filter((e) => e.type === 'Warning')
    .map(eventRow)
    .sort((a, b) => time(b) - time(a))
    .slice(0, limit);
}
