import type { Section } from '../../common/section';
import type { Served } from '../../common/served-by';

/** Colour a row is shown in: green / yellow / red. */
export type Health = 'ok' | 'warn' | 'error';

export interface PodRow {
  name: string;
  namespace: string;
  phase: string;
  /** Container readiness, e.g. "1/2". */
  ready: string;
  /** Short human reason: Running, CrashLoopBackOff, Pending (Unschedulable)… */
  reason: string;
  health: Health;
  node: string | null;
  ip: string | null;
  restarts: number;
  createdAt: string | null;
}

export interface ServiceRow {
  name: string;
  type: string;
  clusterIP: string | null;
  /** e.g. "80/TCP → 8080". */
  ports: string[];
  external: string[];
}

export interface ContainerResources {
  name: string;
  image: string;
  requests: { cpu: string | null; memory: string | null };
  limits: { cpu: string | null; memory: string | null };
}

export interface WorkloadRow {
  kind: 'Deployment' | 'StatefulSet';
  name: string;
  desired: number;
  ready: number;
  updated: number;
  available: number;
  health: Health;
  containers: ContainerResources[];
}

export interface NodeUsageRow {
  name: string;
  ready: boolean;
  instanceType: string | null;
  zone: string | null;
  cpuAllocatableMillis: number;
  memoryAllocatableBytes: number;
  /** null when metrics.k8s.io is not installed. */
  cpuUsageMillis: number | null;
  memoryUsageBytes: number | null;
  cpuPercent: number | null;
  memoryPercent: number | null;
}

export interface NodeUsage {
  nodes: NodeUsageRow[];
  /** False when metrics.k8s.io is absent: usage columns are empty and the page says why. */
  metricsAvailable: boolean;
  metricsMessage: string | null;
  metricsAt: string | null;
}

export interface PersistentVolumeRow {
  name: string;
  capacity: string | null;
  accessModes: string[];
  reclaimPolicy: string | null;
  status: string;
  storageClass: string | null;
  claim: string | null;
  driver: string | null;
  volumeHandle: string | null;
  health: Health;
}

export interface PersistentVolumeClaimRow {
  name: string;
  namespace: string;
  status: string;
  volume: string | null;
  capacity: string | null;
  accessModes: string[];
  storageClass: string | null;
  health: Health;
}

export interface EventRow {
  lastSeen: string | null;
  type: string;
  reason: string;
  object: string;
  message: string;
  count: number;
}

export interface ResourcesView extends Served {
  namespace: string;
  pods: Section<PodRow[]>;
  services: Section<ServiceRow[]>;
  workloads: Section<WorkloadRow[]>;
  nodes: Section<NodeUsage>;
  volumes: Section<{ persistentVolumes: PersistentVolumeRow[]; claims: PersistentVolumeClaimRow[] }>;
  warnings: Section<EventRow[]>;
  /** When the informer cache last changed. */
  updatedAt: string | null;
}
