import { z } from 'zod';
import { PodUsageView } from '../../common/pod-usage';
import { sectionOf } from '../../common/section';
import { Served } from '../../common/served-by';
import { Simulated } from '../simulation';

/** Colour a row is shown in: green / yellow / red. */
export const Health = z.enum(['ok', 'warn', 'error']);
export type Health = z.output<typeof Health>;

export const PodRow = z.object({
  name: z.string(),
  namespace: z.string(),
  phase: z.string(),
  /** Container readiness, e.g. "1/2". */
  ready: z.string(),
  /** Short human reason: Running, CrashLoopBackOff, Pending (Unschedulable)… */
  reason: z.string(),
  health: Health,
  node: z.string().nullable(),
  ip: z.string().nullable(),
  restarts: z.number(),
  createdAt: z.string().nullable(),
});
export type PodRow = z.output<typeof PodRow>;

export const ServiceRow = z.object({
  name: z.string(),
  type: z.string(),
  clusterIP: z.string().nullable(),
  /** e.g. "80/TCP → 8080". */
  ports: z.array(z.string()),
  external: z.array(z.string()),
});
export type ServiceRow = z.output<typeof ServiceRow>;

export const ContainerResources = z.object({
  name: z.string(),
  image: z.string(),
  requests: z.object({
    cpu: z.string().nullable(),
    memory: z.string().nullable(),
  }),
  limits: z.object({
    cpu: z.string().nullable(),
    memory: z.string().nullable(),
  }),
});
export type ContainerResources = z.output<typeof ContainerResources>;

export const WorkloadRow = z.object({
  kind: z.enum(['Deployment', 'StatefulSet']),
  name: z.string(),
  desired: z.number(),
  ready: z.number(),
  updated: z.number(),
  available: z.number(),
  health: Health,
  containers: z.array(ContainerResources),
});
export type WorkloadRow = z.output<typeof WorkloadRow>;

export const NodeUsageRow = z.object({
  name: z.string(),
  ready: z.boolean(),
  instanceType: z.string().nullable(),
  zone: z.string().nullable(),
  cpuAllocatableMillis: z.number(),
  memoryAllocatableBytes: z.number(),
  /** null when metrics.k8s.io is not installed. */
  cpuUsageMillis: z.number().nullable(),
  memoryUsageBytes: z.number().nullable(),
  cpuPercent: z.number().nullable(),
  memoryPercent: z.number().nullable(),
});
export type NodeUsageRow = z.output<typeof NodeUsageRow>;

export const NodeUsage = z.object({
  nodes: z.array(NodeUsageRow),
  /** False when metrics.k8s.io is absent: usage columns are empty and the page says why. */
  metricsAvailable: z.boolean(),
  metricsMessage: z.string().nullable(),
  metricsAt: z.string().nullable(),
});
export type NodeUsage = z.output<typeof NodeUsage>;

export const PersistentVolumeRow = z.object({
  name: z.string(),
  capacity: z.string().nullable(),
  accessModes: z.array(z.string()),
  reclaimPolicy: z.string().nullable(),
  status: z.string(),
  storageClass: z.string().nullable(),
  claim: z.string().nullable(),
  driver: z.string().nullable(),
  volumeHandle: z.string().nullable(),
  health: Health,
});
export type PersistentVolumeRow = z.output<typeof PersistentVolumeRow>;

export const PersistentVolumeClaimRow = z.object({
  name: z.string(),
  namespace: z.string(),
  status: z.string(),
  volume: z.string().nullable(),
  capacity: z.string().nullable(),
  accessModes: z.array(z.string()),
  storageClass: z.string().nullable(),
  health: Health,
});
export type PersistentVolumeClaimRow = z.output<typeof PersistentVolumeClaimRow>;

export const EventRow = z.object({
  lastSeen: z.string().nullable(),
  type: z.string(),
  reason: z.string(),
  object: z.string(),
  message: z.string(),
  count: z.number(),
});
export type EventRow = z.output<typeof EventRow>;

export const ResourcesView = z.object({
  ...Served.shape,
  namespace: z.string(),
  pods: sectionOf(z.array(PodRow)),
  services: sectionOf(z.array(ServiceRow)),
  workloads: sectionOf(z.array(WorkloadRow)),
  nodes: sectionOf(NodeUsage),
  /** Each pod's CPU and memory used against its requests and limits (metrics.k8s.io); unavailable, with the fix, without metrics-server. */
  podUsage: sectionOf(PodUsageView),
  volumes: sectionOf(
    z.object({
      persistentVolumes: z.array(PersistentVolumeRow),
      claims: z.array(PersistentVolumeClaimRow),
    }),
  ),
  warnings: sectionOf(z.array(EventRow)),
  /** When the informer cache last changed. */
  updatedAt: z.string().nullable(),
  /** `npm run demo`: every section comes from the simulated cluster. */
  simulated: Simulated.optional(),
});
export type ResourcesView = z.output<typeof ResourcesView>;
