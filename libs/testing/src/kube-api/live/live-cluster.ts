import { randomBytes } from 'node:crypto';
import * as fx from '../fixtures';
import { resourceByName } from '../resources';
import type { FakeKubeApiServer } from '../server';
import { type KubeObject, kubeTime } from '../store';
import { decideReplicas, type HpaRules, type HpaSpecInput, type Recommendation, type ScaleEvent } from './hpa-algorithm';
import { type Condition, type NodeShape, type PodShape, conditionOf, isDeleting, isTrue, millicores, nodeIp, podLimits, podRequests } from './objects';
import type { PodRuntime, RunningPod } from './pod-runtime';
import { nodeRoom, schedulePod } from './scheduler';

/**
 * The part of a control plane the demo's story needs, acting on the fake API server as the real
 * controllers act on kube-apiserver: the HPA controller (from the pods' measured CPU, with the
 * project's own algorithm), the Deployment/ReplicaSet controller, kube-scheduler, the kubelet
 * (which runs the stress pods through a {@link PodRuntime}: real processes in the demo) and the
 * Cluster Autoscaler with one managed node group. Every object carries the times the real
 * components would write (creation, condition transitions, lastScaleTime, events), so the
 * scaling monitor's events and response times come out of them as they would in EKS.
 *
 * Time is compressed by `timeScale` (real seconds per cluster second): periods, windows and
 * delays given in cluster seconds (the HPA's 15 s sync, its 300 s scale-down window, a node's
 * 50 s to register) take that many times fewer real seconds. Timestamps are the real clock, so
 * what the pages measure is what happened on this machine.
 */
export interface NodeGroupOptions {
  /** The Auto Scaling group behind the managed node group (the Cluster Autoscaler's node group). */
  name: string;
  /** The EKS managed node group (label eks.amazonaws.com/nodegroup). */
  nodegroup: string;
  minSize: number;
  maxSize: number;
  instanceType: string;
  cpuCores: number;
  memoryGi: number;
  region: string;
  /** Where new nodes go, round robin: the zone and the first three octets of its private subnet's addresses. */
  zones: Array<{ zone: string; ipPrefix: string }>;
  /** Cluster seconds from the scale-up to the node registering (EC2 launch, boot, kubelet). */
  registerSeconds: number;
  /** Cluster seconds from registering to Ready (the CNI starts). */
  readySeconds: number;
  /** Cluster seconds an added node must stay empty before it is removed (CA's scale-down-unneeded-time). */
  scaleDownUnneededSeconds: number;
  /**
   * Cluster seconds a node being removed stays tainted and draining before it is deleted
   * (default 20): /scaling shows it drained by Cluster Autoscaler meanwhile.
   */
  drainSeconds?: number;
  /** The pods every node runs (DaemonSets), created with each new node. */
  daemonSets: Array<{ name: string; namespace: string; cpu: string; memory: string }>;
  /** CPU and memory a node uses with only its DaemonSets. */
  idleUsage: { cpuMillicores: number; memoryBytes: number };
}

export interface LiveClusterOptions {
  server: FakeKubeApiServer;
  /** Namespace of the HPA and its Deployment. */
  namespace: string;
  hpaName: string;
  runtime: PodRuntime;
  /** Real seconds per cluster second (1 = real time, 0.1 = ten times faster). */
  timeScale: number;
  nodeGroup: NodeGroupOptions;
  autoscalerNamespace?: string;
  /** What the other pods on each existing node use, for NodeMetrics (the stress pods' measured usage is added). */
  baseUsage?: Record<string, { cpuMillicores: number; memoryBytes: number }>;
  log?: (line: string) => void;
}

interface Handle {
  running: RunningPod;
  uid: string;
  stopping: boolean;
}

interface Planned {
  name: string;
  zone: string;
  ip: string;
  timers: NodeJS.Timeout[];
}

/**
 * The annotation on the PodMetrics the simulated metrics-server made up (the stress pods' are
 * measured and carry none); the services' pollers read it (SIMULATED_USAGE_ANNOTATION in libs/kube).
 */
export const SIMULATED_USAGE = 'eks-info.demo/usage';

/** FNV-1a: a stable number per name, so each pod gets its own made-up usage and keeps it. */
function fnv(text: string): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < text.length; i++) {
    h ^= text.charCodeAt(i);
    h = Math.imul(h, 0x01000193) >>> 0;
  }
  return h;
}

const ALPHABET = 'bcdfghjklmnpqrstvwxz2456789';
const suffix = (n = 5) =>
  Array.from(randomBytes(n))
    .map((b) => ALPHABET[b % ALPHABET.length])
    .join('');

/** The controller's defaults for a direction `behavior` leaves out. */
const DEFAULT_UP: HpaRules = {
  stabilizationWindowSeconds: 0,
  selectPolicy: 'Max',
  policies: [
    { type: 'Pods', value: 4, periodSeconds: 15 },
    { type: 'Percent', value: 100, periodSeconds: 15 },
  ],
};
const DEFAULT_DOWN: HpaRules = { stabilizationWindowSeconds: 300, selectPolicy: 'Max', policies: [{ type: 'Percent', value: 100, periodSeconds: 15 }] };

type Workload = KubeObject & {
  spec: { replicas?: number; template: { metadata?: { labels?: Record<string, string> }; spec: Record<string, unknown> }; [k: string]: unknown };
  status?: Record<string, unknown>;
};

type Hpa = KubeObject & {
  spec: {
    scaleTargetRef: { kind: string; name: string };
    minReplicas?: number;
    maxReplicas: number;
    metrics?: Array<{ type: string; resource?: { name: string; target?: { averageUtilization?: number } } }>;
    behavior?: { scaleUp?: Partial<HpaRules>; scaleDown?: Partial<HpaRules> };
  };
  status?: Record<string, unknown>;
};

export class LiveCluster {
  private readonly server: FakeKubeApiServer;
  private readonly ns: string;
  private readonly casNs: string;
  private readonly timers: NodeJS.Timeout[] = [];
  private readonly handles = new Map<string, Handle>();
  private readonly restarts = new Map<string, number>();
  private readonly failedScheduling = new Map<string, { event: string; count: number; first: Date }>();
  private readonly triggered = new Set<string>();
  private readonly planned: Planned[] = [];
  private readonly emptySince = new Map<string, number>();
  private readonly removing = new Set<string>();
  private recommendations: Recommendation[] = [];
  private scaleEvents: ScaleEvent[] = [];
  private lastScaleTime: string | null = null;
  private hpaWarnings = 0;
  private zoneTurn = 0;
  private nodeCount = 0;
  private unsubscribe?: () => void;
  private queued = false;
  private stopped = false;
  private lastStatus = '';
  /** "namespace/name" of the PodMetrics made up at the last metrics write. */
  private simulatedMetrics = new Set<string>();

  constructor(private readonly options: LiveClusterOptions) {
    this.server = options.server;
    this.ns = options.namespace;
    this.casNs = options.autoscalerNamespace ?? 'kube-system';
  }

  /** Real milliseconds of `seconds` of cluster time. */
  ms(seconds: number): number {
    return Math.max(1, Math.round(seconds * 1000 * this.options.timeScale));
  }

  /** Real ms of the HPA's sync period (15 s) and of the metrics window (metrics-server's ~15 s). */
  get hpaSyncMs(): number {
    return Math.max(500, this.ms(15));
  }

  get metricsWindowMs(): number {
    return Math.max(2000, this.ms(15));
  }

  start(): void {
    this.unsubscribe = this.server.store.subscribe((change) => {
      if (['Pod', 'Node', 'Deployment', 'ReplicaSet'].includes(change.resource.kind)) this.queue();
    });
    const every = (ms: number, fn: () => void) => {
      const t = setInterval(() => {
        if (this.stopped) return;
        try {
          fn();
        } catch (err) {
          this.log(`error: ${(err as Error).message}`);
        }
      }, ms);
      t.unref();
      this.timers.push(t);
    };
    every(this.hpaSyncMs, () => this.syncHpa());
    every(Math.max(500, this.ms(10)), () => this.scanAutoscaler());
    every(Math.max(1000, this.ms(15)), () => this.writeMetrics());
    // The made-up pod usage from the start, as metrics-server has it for pods already running.
    this.writeSimulatedPodMetrics(this.server.now());
    every(60_000, () => this.expireEvents());
    this.queue();
  }

  async stop(): Promise<void> {
    this.stopped = true;
    this.unsubscribe?.();
    for (const t of this.timers) clearInterval(t);
    for (const p of this.planned) for (const t of p.timers) clearTimeout(t);
    await Promise.all([...this.handles.values()].map((h) => h.running.stop().catch(() => undefined)));
    this.handles.clear();
  }

  private log(line: string): void {
    this.options.log?.(line);
  }

  private now(): string {
    return kubeTime(this.server.now());
  }

  private queue(): void {
    if (this.queued || this.stopped) return;
    this.queued = true;
    setImmediate(() => {
      this.queued = false;
      if (this.stopped) return;
      try {
        this.reconcile();
      } catch (err) {
        this.log(`error: ${(err as Error).message}`);
      }
    });
  }

  // ---- reading the cluster ----------------------------------------------------------------

  private list<T extends KubeObject>(kind: string, namespace?: string): T[] {
    return this.server.store.list(resourceByName(kind), namespace) as T[];
  }

  private pods(namespace?: string): PodShape[] {
    return this.list<PodShape>('pods', namespace);
  }

  private nodes(): NodeShape[] {
    return this.list<NodeShape>('nodes');
  }

  private hpa(): Hpa | undefined {
    return this.server.get(`horizontalpodautoscalers/${this.ns}/${this.options.hpaName}`) as Hpa | undefined;
  }

  /** The HPA's Deployment and its current ReplicaSet. */
  private target(): { deployment: Workload; replicaSet: Workload } | undefined {
    const hpa = this.hpa();
    if (!hpa) return undefined;
    const deployment = this.server.get(`deployments/${this.ns}/${hpa.spec.scaleTargetRef.name}`) as Workload | undefined;
    if (!deployment) return undefined;
    const replicaSet = this.list<Workload>('replicasets', this.ns).find((rs) =>
      (rs.metadata.ownerReferences as Array<{ kind: string; name: string }> | undefined)?.some(
        (o) => o.kind === 'Deployment' && o.name === deployment.metadata.name,
      ),
    );
    return replicaSet ? { deployment, replicaSet } : undefined;
  }

  /** Pods of the ReplicaSet (the ones the runtime runs). */
  private ownedPods(replicaSet: string): PodShape[] {
    return this.pods(this.ns).filter((p) => (p.metadata.ownerReferences as Array<{ name: string }> | undefined)?.some((o) => o.name === replicaSet));
  }

  // ---- reconciliation (on every change) ---------------------------------------------------

  private reconcile(): void {
    const target = this.target();
    if (target) this.replicaSetController(target.deployment, target.replicaSet);
    this.scheduler();
    if (target) this.kubelet(target.replicaSet.metadata.name);
    if (target) this.workloadStatus(target.deployment, target.replicaSet);
  }

  /** Creates or deletes pods until the ReplicaSet has the Deployment's replica count. */
  private replicaSetController(deployment: Workload, rs: Workload): void {
    const desired = deployment.spec.replicas ?? 1;
    if ((rs.spec.replicas ?? 0) !== desired) {
      this.server.patch(rs, (o) => {
        (o as Workload).spec.replicas = desired;
      });
    }
    const active = this.ownedPods(rs.metadata.name).filter((p) => !isDeleting(p) && p.status?.phase !== 'Failed');
    if (active.length < desired) {
      for (let i = active.length; i < desired; i++) this.createPod(deployment, rs);
    } else if (active.length > desired) {
      // The ReplicaSet controller's ranking: unscheduled, then not running, then not ready, then the newest.
      const rank = (p: PodShape) => [p.spec.nodeName ? 1 : 0, p.status?.phase === 'Running' ? 1 : 0, isTrue(p, 'Ready') ? 1 : 0];
      const victims = [...active]
        .sort((a, b) => {
          const [ra, rb] = [rank(a), rank(b)];
          for (let i = 0; i < ra.length; i++) if (ra[i] !== rb[i]) return ra[i] - rb[i];
          return (
            Date.parse(b.metadata.creationTimestamp ?? '') - Date.parse(a.metadata.creationTimestamp ?? '') || b.metadata.name.localeCompare(a.metadata.name)
          );
        })
        .slice(0, active.length - desired);
      for (const pod of victims) {
        this.server.delete(pod, { gracePeriodSeconds: 30 });
        this.event({
          involved: { kind: 'ReplicaSet', name: rs.metadata.name, namespace: this.ns },
          reason: 'SuccessfulDelete',
          message: `Deleted pod: ${pod.metadata.name}`,
          source: 'replicaset-controller',
        });
      }
    }
  }

  private createPod(deployment: Workload, rs: Workload): void {
    const template = rs.spec.template ?? deployment.spec.template;
    const hash = rs.metadata.labels?.['pod-template-hash'] ?? '';
    const name = `${rs.metadata.name}-${suffix()}`;
    const spec = structuredClone(template.spec) as Record<string, unknown>;
    this.server.upsert({
      apiVersion: 'v1',
      kind: 'Pod',
      metadata: {
        name,
        namespace: this.ns,
        creationTimestamp: this.now(),
        labels: { ...template.metadata?.labels, 'pod-template-hash': hash },
        ownerReferences: [
          { apiVersion: 'apps/v1', kind: 'ReplicaSet', name: rs.metadata.name, uid: rs.metadata.uid, controller: true, blockOwnerDeletion: true },
        ],
      },
      spec: {
        ...spec,
        restartPolicy: 'Always',
        schedulerName: 'default-scheduler',
        terminationGracePeriodSeconds: 30,
        dnsPolicy: 'ClusterFirst',
        enableServiceLinks: true,
        priority: 0,
        preemptionPolicy: 'PreemptLowerPriority',
        tolerations: [
          { key: 'node.kubernetes.io/not-ready', operator: 'Exists', effect: 'NoExecute', tolerationSeconds: 300 },
          { key: 'node.kubernetes.io/unreachable', operator: 'Exists', effect: 'NoExecute', tolerationSeconds: 300 },
        ],
      },
      status: { phase: 'Pending', qosClass: 'Burstable' },
    });
    this.event({
      involved: { kind: 'ReplicaSet', name: rs.metadata.name, namespace: this.ns },
      reason: 'SuccessfulCreate',
      message: `Created pod: ${name}`,
      source: 'replicaset-controller',
    });
  }

  /** kube-scheduler: binds every unbound pod that fits, in creation order; the others are Unschedulable with the reason. */
  private scheduler(): void {
    const nodes = this.nodes();
    let pods = this.pods();
    const unbound = pods
      .filter((p) => !p.spec.nodeName && !isDeleting(p) && (p.spec.schedulerName ?? 'default-scheduler') === 'default-scheduler')
      .sort(
        (a, b) =>
          Date.parse(a.metadata.creationTimestamp ?? '') - Date.parse(b.metadata.creationTimestamp ?? '') || a.metadata.name.localeCompare(b.metadata.name),
      );
    for (const pod of unbound) {
      const result = schedulePod(pod, nodes, pods);
      const ns = pod.metadata.namespace!;
      if (result.node !== null) {
        const node = result.node;
        const bound = this.server.patch(pod, (o) => {
          const p = o as PodShape;
          p.spec.nodeName = node;
          const conditions = (p.status?.conditions ?? []).filter((c) => c.type !== 'PodScheduled');
          p.status = {
            ...p.status,
            conditions: [...conditions, { type: 'PodScheduled', status: 'True', lastProbeTime: null, lastTransitionTime: this.now() }],
          };
        }) as PodShape;
        pods = pods.map((p) => (p.metadata.uid === bound.metadata.uid ? bound : p));
        this.server.upsert(
          fx.schedulerEvent({
            pod: pod.metadata.name,
            namespace: ns,
            reason: 'Scheduled',
            message: `Successfully assigned ${ns}/${pod.metadata.name} to ${node}`,
            at: this.server.now(),
          }),
        );
        this.failedScheduling.delete(pod.metadata.uid!);
        continue;
      }
      const current = conditionOf(pod, 'PodScheduled');
      if (current?.status !== 'False' || current.message !== result.message) {
        this.server.patch(pod, (o) => {
          const p = o as PodShape;
          const conditions = (p.status?.conditions ?? []).filter((c) => c.type !== 'PodScheduled');
          const since = current?.status === 'False' ? current.lastTransitionTime : this.now();
          p.status = {
            ...p.status,
            phase: 'Pending',
            conditions: [
              ...conditions,
              { type: 'PodScheduled', status: 'False', reason: 'Unschedulable', message: result.message, lastProbeTime: null, lastTransitionTime: since },
            ],
          };
        });
        // The scheduler writes events.k8s.io events; a repeat of a failure is counted in its series.
        const seen = this.failedScheduling.get(pod.metadata.uid!);
        const first = seen?.first ?? this.server.now();
        const event = fx.schedulerEvent({
          pod: pod.metadata.name,
          namespace: ns,
          reason: 'FailedScheduling',
          message: result.message,
          at: first,
          ...(seen ? { series: { count: seen.count + 1, lastObservedTime: this.server.now() } } : {}),
        });
        if (seen) event.metadata.name = seen.event;
        this.server.upsert(event);
        this.failedScheduling.set(pod.metadata.uid!, { event: event.metadata.name, count: (seen?.count ?? 0) + 1, first });
      }
    }
  }

  /** The kubelet of every node: runs the stress pods bound to it, marks them Ready, stops the deleted ones. */
  private kubelet(replicaSet: string): void {
    const nodes = new Map(this.nodes().map((n) => [n.metadata.name, n]));
    for (const pod of this.ownedPods(replicaSet)) {
      const name = pod.metadata.name;
      const handle = this.handles.get(name);
      if (isDeleting(pod)) {
        if (!handle) {
          this.removePod(pod);
        } else if (!handle.stopping) {
          handle.stopping = true;
          void handle.running
            .stop()
            .catch(() => undefined)
            .then(() => {
              this.handles.delete(name);
              if (this.server.get(pod)?.metadata.uid === handle.uid) this.removePod(pod);
            });
        }
        continue;
      }
      const node = pod.spec.nodeName ? nodes.get(pod.spec.nodeName) : undefined;
      if (!node || handle || pod.status?.phase === 'Running' || this.restarts.get(name) === -1) continue;
      this.startContainers(pod, node);
    }
  }

  private removePod(pod: PodShape): void {
    this.server.remove(`pods/${pod.metadata.namespace}/${pod.metadata.name}`);
    this.server.remove(`PodMetrics/${pod.metadata.namespace}/${pod.metadata.name}`);
    this.restarts.delete(pod.metadata.name);
  }

  private startContainers(pod: PodShape, node: NodeShape): void {
    const name = pod.metadata.name;
    const requests = podRequests(pod);
    const limits = podLimits(pod);
    const hostIP = nodeIp(node) ?? '10.0.0.10';
    const ip = this.podIp(hostIP);
    const running = this.options.runtime.start({
      name,
      namespace: pod.metadata.namespace!,
      node: node.metadata.name,
      ip,
      serviceAccount: (pod.spec.serviceAccountName as string | undefined) ?? 'default',
      cpuRequestMillicores: requests.cpu,
      cpuLimitMillicores: limits.cpu,
      memoryRequestBytes: requests.memory,
      memoryLimitBytes: limits.memory,
    });
    const uid = pod.metadata.uid!;
    const handle: Handle = { running, uid, stopping: false };
    this.handles.set(name, handle);
    const restarts = Math.max(0, this.restarts.get(name) ?? 0);
    const container = pod.spec.containers[0];
    const now = this.now();
    this.server.patch(pod, (o) => {
      const p = o as PodShape;
      const scheduled = conditionOf(p, 'PodScheduled');
      p.status = {
        ...p.status,
        phase: 'Pending',
        hostIP,
        hostIPs: [{ ip: hostIP }],
        podIP: ip,
        podIPs: [{ ip }],
        startTime: (p.status?.startTime as string | undefined) ?? now,
        conditions: [
          { type: 'PodReadyToStartContainers', status: 'True', lastProbeTime: null, lastTransitionTime: now },
          { type: 'Initialized', status: 'True', lastProbeTime: null, lastTransitionTime: now },
          {
            type: 'Ready',
            status: 'False',
            lastProbeTime: null,
            lastTransitionTime: now,
            reason: 'ContainersNotReady',
            message: `containers with unready status: [${container.name}]`,
          },
          {
            type: 'ContainersReady',
            status: 'False',
            lastProbeTime: null,
            lastTransitionTime: now,
            reason: 'ContainersNotReady',
            message: `containers with unready status: [${container.name}]`,
          },
          ...(scheduled ? [scheduled] : []),
        ],
        containerStatuses: [
          {
            name: container.name,
            image: (container as { image?: string }).image,
            imageID: '',
            ready: false,
            started: false,
            restartCount: restarts,
            state: { waiting: { reason: 'ContainerCreating' } },
          },
        ],
      };
    });
    running.ready.then(
      () => {
        if (this.handles.get(name) !== handle || handle.stopping || this.stopped) return;
        const at = this.now();
        this.server.patch(`pods/${pod.metadata.namespace}/${name}`, (o) => {
          const p = o as PodShape;
          p.status = {
            ...p.status,
            phase: 'Running',
            conditions: (p.status?.conditions ?? []).map((c): Condition =>
              c.type === 'Ready' || c.type === 'ContainersReady' ? { type: c.type, status: 'True', lastProbeTime: null, lastTransitionTime: at } : c,
            ),
            containerStatuses: [
              {
                name: container.name,
                image: (container as { image?: string }).image,
                imageID: `${(container as { image?: string }).image?.split(':')[0]}@sha256:${randomBytes(32).toString('hex')}`,
                containerID: `containerd://${randomBytes(32).toString('hex')}`,
                ready: true,
                started: true,
                restartCount: restarts,
                state: { running: { startedAt: at } },
              },
            ],
          };
        });
        this.log(`pod ${name} Ready on ${node.metadata.name}`);
      },
      (err: Error) => {
        this.log(`pod ${name}: containers did not start: ${err.message}`);
        void running.stop();
      },
    );
    void running.exited.then(() => {
      if (this.handles.get(name) !== handle || handle.stopping || this.stopped) return;
      // The container ended on its own: the kubelet restarts it, with a back-off, a few times.
      this.handles.delete(name);
      const count = restarts + 1;
      const current = this.server.get(`pods/${pod.metadata.namespace}/${name}`) as PodShape | undefined;
      if (!current || current.metadata.uid !== uid) return;
      this.server.patch(current, (o) => {
        const p = o as PodShape;
        p.status = {
          ...p.status,
          phase: 'Pending',
          conditions: (p.status?.conditions ?? []).map((c): Condition =>
            c.type === 'Ready' || c.type === 'ContainersReady' ? { ...c, status: 'False', lastTransitionTime: this.now(), reason: 'ContainersNotReady' } : c,
          ),
          containerStatuses: [
            {
              name: container.name,
              image: (container as { image?: string }).image,
              imageID: '',
              ready: false,
              started: false,
              restartCount: count,
              state: { waiting: { reason: 'CrashLoopBackOff', message: `back-off restarting failed container ${container.name}` } },
            },
          ],
        };
      });
      this.event({
        involved: { kind: 'Pod', name, namespace: this.ns },
        reason: 'BackOff',
        message: 'Back-off restarting failed container',
        type: 'Warning',
        source: 'kubelet',
      });
      if (count > 3) {
        this.restarts.set(name, -1);
        return;
      }
      this.restarts.set(name, -1);
      const timer = setTimeout(
        () => {
          this.restarts.set(name, count);
          this.queue();
        },
        this.ms(10 * 2 ** (count - 1)),
      );
      timer.unref();
      this.timers.push(timer);
    });
  }

  private podIp(hostIP: string): string {
    const prefix = hostIP.split('.').slice(0, 3).join('.');
    const used = new Set(this.pods().map((p) => p.status?.podIP as string | undefined));
    for (let i = 0; i < 200; i++) {
      const ip = `${prefix}.${100 + ((this.nodeCount * 7 + i * 13) % 150)}`;
      if (!used.has(ip) && ip !== hostIP) return ip;
    }
    return `${prefix}.250`;
  }

  /** The Deployment's and ReplicaSet's status from their pods, as the controllers report it. */
  private workloadStatus(deployment: Workload, rs: Workload): void {
    const pods = this.ownedPods(rs.metadata.name).filter((p) => !isDeleting(p));
    const replicas = pods.length;
    const ready = pods.filter((p) => isTrue(p, 'Ready')).length;
    const desired = deployment.spec.replicas ?? 1;
    const rsStatus = {
      replicas,
      fullyLabeledReplicas: replicas,
      readyReplicas: ready,
      availableReplicas: ready,
      observedGeneration: rs.metadata.generation ?? 1,
    };
    if (JSON.stringify(rs.status) !== JSON.stringify(rsStatus)) this.server.patch(rs, (o) => void ((o as Workload).status = rsStatus));
    const minAvailable = desired - Math.floor(desired / 4);
    const available = ready >= minAvailable;
    const previous = (deployment.status?.conditions as Condition[] | undefined) ?? [];
    const keep = (type: string, status: string, reason: string, message: string): Condition & { lastUpdateTime: string } => {
      const old = previous.find((c) => c.type === type) as (Condition & { lastUpdateTime?: string }) | undefined;
      const same = old?.status === status && old.reason === reason && old.message === message;
      return {
        type,
        status,
        reason,
        message,
        lastUpdateTime: same ? (old.lastUpdateTime ?? this.now()) : this.now(),
        lastTransitionTime: old?.status === status ? (old.lastTransitionTime ?? this.now()) : this.now(),
      };
    };
    const status = {
      observedGeneration: (deployment.metadata.generation as number | undefined) ?? 1,
      replicas,
      updatedReplicas: replicas,
      readyReplicas: ready,
      availableReplicas: ready,
      ...(replicas - ready > 0 ? { unavailableReplicas: replicas - ready } : {}),
      conditions: [
        available
          ? keep('Available', 'True', 'MinimumReplicasAvailable', 'Deployment has minimum availability.')
          : keep('Available', 'False', 'MinimumReplicasUnavailable', 'Deployment does not have minimum availability.'),
        ready === desired && replicas === desired
          ? keep('Progressing', 'True', 'NewReplicaSetAvailable', `ReplicaSet "${rs.metadata.name}" has successfully progressed.`)
          : keep('Progressing', 'True', 'ReplicaSetUpdated', `ReplicaSet "${rs.metadata.name}" is progressing.`),
      ],
    };
    const comparable = (s: unknown) => JSON.stringify(s, (k, v: unknown) => (k === 'lastUpdateTime' || k === 'lastTransitionTime' ? undefined : v));
    if (comparable(deployment.status) !== comparable(status)) this.server.patch(deployment, (o) => void ((o as Workload).status = status));
  }

  // ---- the HPA controller (every sync period) ---------------------------------------------

  /** The HPA's spec as the algorithm takes it (defaults filled in as kube does). */
  hpaSpec(hpa: Hpa): HpaSpecInput {
    const cpu = hpa.spec.metrics?.find((m) => m.type === 'Resource' && m.resource?.name === 'cpu');
    const rules = (given: Partial<HpaRules> | undefined, dflt: HpaRules): HpaRules => ({
      stabilizationWindowSeconds: given?.stabilizationWindowSeconds ?? dflt.stabilizationWindowSeconds,
      selectPolicy: given?.selectPolicy ?? dflt.selectPolicy,
      policies: given?.policies?.length ? given.policies : dflt.policies,
    });
    return {
      minReplicas: hpa.spec.minReplicas ?? 1,
      maxReplicas: hpa.spec.maxReplicas,
      targetUtilization: cpu?.resource?.target?.averageUtilization ?? 80,
      scaleUp: rules(hpa.spec.behavior?.scaleUp, DEFAULT_UP),
      scaleDown: rules(hpa.spec.behavior?.scaleDown, DEFAULT_DOWN),
    };
  }

  /** One HPA sync: measure, decide, scale the Deployment, write the HPA's status. Public for tests. */
  syncHpa(): void {
    const hpa = this.hpa();
    const target = this.target();
    if (!hpa || !target) return;
    const { deployment, replicaSet } = target;
    const spec = this.hpaSpec(hpa);
    const now = this.server.now().getTime();
    const current = deployment.spec.replicas ?? 1;
    const pods = this.ownedPods(replicaSet.metadata.name).filter((p) => !isDeleting(p) && p.status?.phase !== 'Failed');
    const decision = decideReplicas({
      spec,
      currentReplicas: current,
      now,
      recommendations: this.recommendations,
      events: this.scaleEvents,
      pods: pods.map((p) => ({
        name: p.metadata.name,
        pending: p.status?.phase === 'Pending',
        ready: isTrue(p, 'Ready'),
        requestMillicores: podRequests(p).cpu,
        usageMillicores: this.options.runtime.usage(p.metadata.name, this.metricsWindowMs)?.cpuMillicores ?? null,
      })),
    });
    // The spec's windows and periods are the HPA's own (the demo writes them compressed): real seconds.
    const keepFor = Math.max(spec.scaleDown.stabilizationWindowSeconds, spec.scaleUp.stabilizationWindowSeconds, 1) * 1000;
    const periods = Math.max(...[...spec.scaleUp.policies, ...spec.scaleDown.policies].map((p) => p.periodSeconds), 1) * 1000;
    if (decision.utilization !== null) this.recommendations.push({ at: now, replicas: decision.recommendation });
    this.recommendations = this.recommendations.filter((r) => r.at > now - keepFor);
    this.scaleEvents = this.scaleEvents.filter((e) => e.at > now - periods);

    if (decision.desired !== current) {
      this.lastScaleTime = this.now();
      this.scaleEvents.push({ at: now, change: decision.desired - current });
      this.server.patch(deployment, (o) => {
        (o as Workload).spec.replicas = decision.desired;
        o.metadata.generation = ((o.metadata.generation as number | undefined) ?? 1) + 1;
      });
      this.event({
        involved: { kind: 'HorizontalPodAutoscaler', name: hpa.metadata.name, namespace: this.ns },
        reason: 'SuccessfulRescale',
        message: `New size: ${decision.desired}; reason: ${decision.desired > current ? 'cpu resource utilization (percentage of request) above target' : 'All metrics below target'}`,
        source: 'horizontal-pod-autoscaler',
      });
      this.log(`HPA ${hpa.metadata.name}: ${current} → ${decision.desired} (${decision.utilization} % of requests, target ${spec.targetUtilization} %)`);
    }
    if (decision.utilization === null) {
      this.hpaWarnings++;
      // The controller repeats the warning at every sync; the API server counts the repeats.
      this.server.upsert(
        fx.event({
          name: `${hpa.metadata.name}.failedgetresourcemetric`,
          namespace: this.ns,
          type: 'Warning',
          reason: 'FailedGetResourceMetric',
          message: 'failed to get cpu utilization: did not receive metrics for targeted pods (pods might be unready)',
          involvedObject: { kind: 'HorizontalPodAutoscaler', name: hpa.metadata.name, namespace: this.ns },
          count: this.hpaWarnings,
          firstTimestamp:
            (this.server.get(`events/${this.ns}/${hpa.metadata.name}.failedgetresourcemetric`)?.firstTimestamp as string | undefined) ?? this.server.now(),
          lastTimestamp: this.server.now(),
          source: 'horizontal-pod-autoscaler',
        }),
      );
    }
    const previous = (hpa.status?.conditions as Condition[] | undefined) ?? [];
    const conditions = decision.conditions.map((c) => {
      const old = previous.find((p) => p.type === c.type);
      return { ...c, lastTransitionTime: old && old.status === c.status ? old.lastTransitionTime : this.now() };
    });
    const latest = this.server.get(deployment) as Workload | undefined;
    const status = {
      observedGeneration: (hpa.metadata.generation as number | undefined) ?? 1,
      ...((this.lastScaleTime ?? hpa.status?.lastScaleTime) ? { lastScaleTime: this.lastScaleTime ?? hpa.status?.lastScaleTime } : {}),
      currentReplicas: (latest?.status?.replicas as number | undefined) ?? current,
      desiredReplicas: decision.desired,
      currentMetrics:
        decision.utilization === null
          ? []
          : [
              {
                type: 'Resource',
                resource: { name: 'cpu', current: { averageUtilization: decision.utilization, averageValue: `${decision.averageMillicores}m` } },
              },
            ],
      conditions,
    };
    const text = JSON.stringify(status);
    if (text !== this.lastStatus) {
      this.lastStatus = text;
      this.server.patch(hpa, (o) => void ((o as Hpa).status = status));
    }
  }

  // ---- metrics-server ---------------------------------------------------------------------

  /**
   * PodMetrics of the running stress pods from their measured usage, and of every other running
   * pod made up (marked with the {@link SIMULATED_USAGE} annotation); NodeMetrics as the other
   * pods' use plus theirs.
   */
  writeMetrics(): void {
    const window = this.metricsWindowMs;
    const perNode = new Map<string, { cpu: number; memory: number }>();
    const at = this.server.now();
    this.writeSimulatedPodMetrics(at);
    for (const [name, handle] of this.handles) {
      if (handle.stopping) continue;
      const usage = this.options.runtime.usage(name, window);
      const pod = this.server.get(`pods/${this.ns}/${name}`) as PodShape | undefined;
      if (!usage || !pod?.spec.nodeName) continue;
      this.server.upsert(
        fx.podMetrics({
          name,
          namespace: this.ns,
          containers: [{ name: pod.spec.containers[0].name, cpuMillis: usage.cpuMillicores, memoryBytes: usage.memoryBytes }],
          timestamp: at,
        }),
      );
      const sum = perNode.get(pod.spec.nodeName) ?? { cpu: 0, memory: 0 };
      sum.cpu += usage.cpuMillicores;
      sum.memory += usage.memoryBytes;
      perNode.set(pod.spec.nodeName, sum);
    }
    for (const node of this.nodes()) {
      if (!isTrue(node, 'Ready')) continue;
      const base = this.options.baseUsage?.[node.metadata.name] ?? this.options.nodeGroup.idleUsage;
      const extra = perNode.get(node.metadata.name) ?? { cpu: 0, memory: 0 };
      this.server.upsert(
        fx.nodeMetrics({ name: node.metadata.name, cpuMillis: base.cpuMillicores + extra.cpu, memoryBytes: base.memoryBytes + extra.memory, timestamp: at }),
      );
    }
  }

  /**
   * The pods the simulation does not run (system pods, the shop, the dashboard's own): a share of
   * each one's requests fixed by its name (CPU 20–89 %, memory 40–94 %; 5m and 32 MiB without a
   * request), scaled down where the pods of a node would use more than 85 % of what the node's
   * other pods use in all. Written with the annotation that says they are made up.
   */
  private writeSimulatedPodMetrics(at: Date): void {
    const stress = new Set(this.handles.keys());
    const byNode = new Map<string, PodShape[]>();
    for (const pod of this.pods()) {
      if (stress.has(pod.metadata.name) || pod.status?.phase !== 'Running' || !pod.spec.nodeName || isDeleting(pod)) continue;
      const list = byNode.get(pod.spec.nodeName) ?? [];
      list.push(pod);
      byNode.set(pod.spec.nodeName, list);
    }
    const written = new Set<string>();
    for (const [node, pods] of byNode) {
      const base = this.options.baseUsage?.[node] ?? this.options.nodeGroup.idleUsage;
      const raw = pods.map((pod) => {
        const seed = `${pod.metadata.namespace}/${pod.metadata.name}`;
        const requests = podRequests(pod);
        return {
          cpu: requests.cpu ? (requests.cpu * (20 + (fnv(seed) % 70))) / 100 : 5,
          memory: requests.memory ? (requests.memory * (40 + (fnv(`${seed}/memory`) % 55))) / 100 : 32 * 2 ** 20,
        };
      });
      const sum = (key: 'cpu' | 'memory') => raw.reduce((total, p) => total + p[key], 0);
      const cpuScale = Math.min(1, (0.85 * base.cpuMillicores) / Math.max(1, sum('cpu')));
      const memoryScale = Math.min(1, (0.85 * base.memoryBytes) / Math.max(1, sum('memory')));
      for (const [i, pod] of pods.entries()) {
        const key = `${pod.metadata.namespace}/${pod.metadata.name}`;
        written.add(key);
        this.server.upsert(
          fx.podMetrics({
            name: pod.metadata.name,
            namespace: pod.metadata.namespace,
            // Shared evenly by the pod's containers (the demo's pods have one each).
            containers: pod.spec.containers.map((c, _, all) => ({
              name: c.name,
              cpuMillis: Math.max(1, Math.round((raw[i].cpu * cpuScale) / all.length)),
              memoryBytes: Math.round((raw[i].memory * memoryScale) / all.length),
            })),
            timestamp: at,
            annotations: { [SIMULATED_USAGE]: 'simulated' },
          }),
        );
      }
    }
    for (const key of this.simulatedMetrics) if (!written.has(key)) this.server.remove(`PodMetrics/${key}`);
    this.simulatedMetrics = written;
  }

  // ---- the Cluster Autoscaler (every scan interval) ---------------------------------------

  private groupNodes(): NodeShape[] {
    return this.nodes().filter((n) => n.metadata.labels?.['eks.amazonaws.com/nodegroup'] === this.options.nodeGroup.nodegroup);
  }

  /** One scan: scale up for Unschedulable pods, remove nodes empty for long enough. Public for tests. */
  scanAutoscaler(): void {
    const group = this.options.nodeGroup;
    const registered = this.groupNodes().filter((n) => !isDeleting(n));
    const size = registered.length + this.planned.length;
    const pods = this.pods();
    const pending = pods.filter((p) => !p.spec.nodeName && !isDeleting(p) && conditionOf(p, 'PodScheduled')?.reason === 'Unschedulable');

    // Room that is coming: nodes not Ready yet and nodes still launching, each with its DaemonSets.
    const dsCpu = group.daemonSets.reduce((s, d) => s + millicores(d.cpu), 0);
    const freshCpu = group.cpuCores * 1000 - 70 - dsCpu;
    const room = nodeRoom(
      registered.filter((n) => !isTrue(n, 'Ready')),
      pods,
    );
    const coming = [...[...room.values()].map((r) => r.cpu), ...this.planned.map(() => freshCpu)];
    const unplaced: PodShape[] = [];
    for (const pod of pending) {
      const need = podRequests(pod).cpu;
      const slot = coming.findIndex((free) => free >= need);
      if (slot >= 0) coming[slot] -= need;
      else unplaced.push(pod);
    }
    let needed = 0;
    const bins: number[] = [];
    for (const pod of unplaced) {
      const need = podRequests(pod).cpu;
      if (need > freshCpu) continue;
      const slot = bins.findIndex((free) => free >= need);
      if (slot >= 0) bins[slot] -= need;
      else {
        bins.push(freshCpu - need);
        needed++;
      }
    }
    const newSize = Math.min(group.maxSize, size + needed);
    if (needed > 0 && newSize > size) {
      const groupText = `{${group.name} ${size}->${newSize} (max: ${group.maxSize})}`;
      for (const pod of unplaced) {
        if (this.triggered.has(pod.metadata.uid!)) continue;
        this.triggered.add(pod.metadata.uid!);
        this.event({
          involved: { kind: 'Pod', name: pod.metadata.name, namespace: pod.metadata.namespace! },
          reason: 'TriggeredScaleUp',
          message: `pod triggered scale-up: [${groupText}]`,
          source: 'cluster-autoscaler',
        });
      }
      this.event({
        involved: { kind: 'ConfigMap', name: 'cluster-autoscaler-status', namespace: this.casNs },
        namespace: this.casNs,
        reason: 'ScaledUpGroup',
        message: `Scale-up: setting group ${group.name} size to ${newSize} instead of ${size} (max: ${group.maxSize})`,
        source: 'cluster-autoscaler',
      });
      for (let i = size; i < newSize; i++) this.launchNode();
      this.log(`Cluster Autoscaler: ${group.name} ${size} → ${newSize} for ${unplaced.length} Unschedulable pod(s)`);
    } else if (needed > 0) {
      for (const pod of unplaced) {
        const key = `max:${pod.metadata.uid}`;
        if (this.triggered.has(key)) continue;
        this.triggered.add(key);
        this.event({
          involved: { kind: 'Pod', name: pod.metadata.name, namespace: pod.metadata.namespace! },
          reason: 'NotTriggerScaleUp',
          message: `pod didn't trigger scale-up: 1 max node group size reached`,
          source: 'cluster-autoscaler',
        });
      }
    }

    // Scale-down: nodes of the group with nothing but DaemonSets, for long enough, above the minimum size.
    const now = this.server.now().getTime();
    let removable = registered.length - group.minSize;
    for (const node of registered) {
      const name = node.metadata.name;
      const busy = pods.some(
        (p) =>
          p.spec.nodeName === name &&
          !isDeleting(p) &&
          !(p.metadata.ownerReferences as Array<{ kind: string }> | undefined)?.some((o) => o.kind === 'DaemonSet'),
      );
      if (busy || !isTrue(node, 'Ready') || this.removing.has(name)) {
        this.emptySince.delete(name);
        continue;
      }
      const since = this.emptySince.get(name) ?? now;
      this.emptySince.set(name, since);
      if (removable > 0 && now - since >= this.ms(group.scaleDownUnneededSeconds)) {
        removable--;
        this.removeNode(node);
      }
    }
    this.writeAutoscalerStatus(pending.length > 0 || this.planned.length > 0 || registered.some((n) => !isTrue(n, 'Ready')));
  }

  private launchNode(): void {
    const group = this.options.nodeGroup;
    const { zone, ipPrefix } = group.zones[this.zoneTurn++ % group.zones.length];
    this.nodeCount++;
    const ip = `${ipPrefix}.${40 + this.nodeCount}`;
    const name = `ip-${ip.replace(/\./g, '-')}.${group.region}.compute.internal`;
    const plan: Planned = { name, zone, ip, timers: [] };
    this.planned.push(plan);
    const later = (seconds: number, fn: () => void) => {
      const t = setTimeout(() => {
        if (!this.stopped) fn();
      }, this.ms(seconds));
      t.unref();
      plan.timers.push(t);
    };
    later(group.registerSeconds, () => {
      this.planned.splice(this.planned.indexOf(plan), 1);
      const created = this.server.now();
      this.server.upsert(
        fx.node({
          name,
          instanceType: group.instanceType,
          zone,
          region: group.region,
          cpuCores: group.cpuCores,
          memoryGi: group.memoryGi,
          nodegroup: group.nodegroup,
          internalIP: ip,
          createdAt: created,
          ready: false,
        }),
      );
      for (const ds of group.daemonSets) {
        this.server.upsert(
          fx.pod({
            name: `${ds.name}-${suffix()}`,
            namespace: ds.namespace,
            node: name,
            containers: [{ name: ds.name, requests: { cpu: ds.cpu, memory: ds.memory } }],
            owner: { kind: 'DaemonSet', name: ds.name },
            labels: { 'k8s-app': ds.name },
            createdAt: created,
            ip,
          }),
        );
      }
      this.log(`node ${name} registered (NotReady)`);
      later(group.readySeconds, () => {
        if (!this.server.get(`nodes/${name}`)) return;
        const at = this.now();
        this.server.patch(`nodes/${name}`, (o) => {
          const n = o as NodeShape;
          n.status!.conditions = (n.status?.conditions ?? []).map((c) =>
            c.type === 'Ready'
              ? {
                  type: 'Ready',
                  status: 'True',
                  reason: 'KubeletReady',
                  message: 'kubelet is posting ready status',
                  lastHeartbeatTime: at,
                  lastTransitionTime: at,
                }
              : { ...c, lastHeartbeatTime: at },
          );
        });
        this.log(`node ${name} Ready`);
      });
    });
  }

  /**
   * Cluster Autoscaler's scale-down, in its steps: the node is tainted ToBeDeletedByClusterAutoscaler
   * (no new pods) and drained (its only pods are DaemonSets' here), then deleted; the node object
   * goes once its kubelet and the node lifecycle are done.
   */
  private removeNode(node: NodeShape): void {
    const name = node.metadata.name;
    this.removing.add(name);
    const at = this.server.now();
    this.server.patch(node, (o) => {
      const n = o as NodeShape;
      n.spec = {
        ...n.spec,
        taints: [...(n.spec?.taints ?? []), { key: 'ToBeDeletedByClusterAutoscaler', value: String(Math.floor(at.getTime() / 1000)), effect: 'NoSchedule' }],
      };
    });
    this.event({
      involved: { kind: 'Node', name },
      namespace: 'default',
      reason: 'ScaleDown',
      message: 'node removed by cluster autoscaler',
      source: 'cluster-autoscaler',
    });
    this.log(`Cluster Autoscaler: draining empty node ${name}`);
    const later = (ms: number, fn: () => void) => {
      const t = setTimeout(() => {
        if (!this.stopped) fn();
      }, ms);
      t.unref();
      this.timers.push(t);
    };
    later(this.ms(this.options.nodeGroup.drainSeconds ?? 20), () => {
      if (!this.server.get(`nodes/${name}`)) return;
      this.server.patch(`nodes/${name}`, (o) => {
        o.metadata.deletionTimestamp = kubeTime(this.server.now());
      });
      this.log(`Cluster Autoscaler: removing drained node ${name}`);
      later(Math.max(500, this.ms(10)), () => {
        for (const pod of this.pods()) if (pod.spec.nodeName === name) this.server.remove(pod);
        this.server.remove(`nodes/${name}`);
        this.server.remove(`NodeMetrics/${name}`);
        this.removing.delete(name);
        this.emptySince.delete(name);
      });
    });
  }

  private writeAutoscalerStatus(scalingUp: boolean): void {
    const group = this.options.nodeGroup;
    const nodes = this.groupNodes();
    const ready = nodes.filter((n) => isTrue(n, 'Ready') && !isDeleting(n)).length;
    const notStarted = nodes.filter((n) => !isTrue(n, 'Ready')).length;
    const target = nodes.filter((n) => !isDeleting(n)).length + this.planned.length;
    const candidates = this.emptySince.size;
    const when = this.now().replace('T', ' ').replace('Z', ' +0000 UTC');
    const counts = [`        total: ${nodes.length}`, `        ready: ${ready}`, `        notStarted: ${notStarted}`].join('\n');
    const scaleUp = scalingUp ? 'InProgress' : 'NoActivity';
    const scaleDown = candidates ? 'CandidatesPresent' : 'NoCandidates';
    const key = `${nodes.length}|${ready}|${notStarted}|${target}|${scaleUp}|${scaleDown}|${candidates}`;
    const current = this.server.get(`configmaps/${this.casNs}/cluster-autoscaler-status`);
    if (current?.metadata.annotations?.['eks-info.demo/state'] === key) return;
    const status = [
      `time: ${when}`,
      'autoscalerStatus: Running',
      'clusterWide:',
      '  health:',
      '    status: Healthy',
      '    nodeCounts:',
      '      registered:',
      counts,
      '      longUnregistered: 0',
      `      unregistered: ${this.planned.length}`,
      '  scaleUp:',
      `    status: ${scaleUp}`,
      '  scaleDown:',
      `    status: ${scaleDown}`,
      `    candidates: ${candidates}`,
      'nodeGroups:',
      `- name: ${group.name}`,
      '  health:',
      '    status: Healthy',
      '    nodeCounts:',
      '      registered:',
      counts,
      '      longUnregistered: 0',
      `      unregistered: ${this.planned.length}`,
      `    cloudProviderTarget: ${target}`,
      `    minSize: ${group.minSize}`,
      `    maxSize: ${group.maxSize}`,
      '  scaleUp:',
      `    status: ${scaleUp}`,
      '  scaleDown:',
      `    status: ${scaleDown}`,
      `    candidates: ${candidates}`,
      '',
    ].join('\n');
    this.server.upsert(
      fx.configMap({
        name: 'cluster-autoscaler-status',
        namespace: this.casNs,
        data: { status },
        annotations: { 'cluster-autoscaler.kubernetes.io/last-updated': when, 'eks-info.demo/state': key },
      }),
    );
  }

  // ---- events -----------------------------------------------------------------------------

  /** The API server keeps events an hour (--event-ttl): a long demo does not pile them up. */
  expireEvents(ttlMs = 3_600_000): void {
    const cutoff = this.server.now().getTime() - ttlMs;
    for (const e of this.list<KubeObject & { lastTimestamp?: string | null; eventTime?: string | null; series?: { lastObservedTime?: string } }>('events')) {
      const last = Date.parse(e.lastTimestamp ?? e.series?.lastObservedTime ?? e.eventTime ?? e.metadata.creationTimestamp ?? '');
      if (Number.isFinite(last) && last < cutoff) this.server.remove(e);
    }
  }

  private event(o: {
    involved: { kind: string; name: string; namespace?: string };
    namespace?: string;
    reason: string;
    message: string;
    source: string;
    type?: 'Normal' | 'Warning';
  }): void {
    const at = this.server.now();
    this.server.upsert(
      fx.event({
        name: `${o.involved.name}.${randomBytes(8).toString('hex')}`,
        namespace: o.namespace ?? o.involved.namespace ?? this.ns,
        type: o.type ?? 'Normal',
        reason: o.reason,
        message: o.message,
        involvedObject: o.involved,
        firstTimestamp: at,
        lastTimestamp: at,
        source: o.source,
      }),
    );
  }
}
