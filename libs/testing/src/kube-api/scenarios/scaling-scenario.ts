import { createHash } from 'node:crypto';
import * as fx from '../fixtures';
import type { FakeKubeApiServer } from '../server';
import { type KubeObject, kubeTime } from '../store';

/**
 * A scripted scale-up and scale-down, as an EKS cluster with managed node groups, the HPA and
 * the Cluster Autoscaler plays it: load rises, the HPA wants 4 replicas instead of 2, one new
 * pod fits and one stays Pending (Insufficient cpu), the Cluster Autoscaler grows the node group,
 * a node joins and turns Ready, the Pending pod is scheduled on it; later the load drops, the
 * scale-down stabilisation window holds the replicas for 5 minutes, the HPA scales down and the
 * Cluster Autoscaler removes the extra node.
 *
 * Every timestamp on every object is set by the script (creationTimestamp, condition transition
 * times, event times, lastScaleTime), so what a collector derives from them is known exactly:
 * see `expected`. `scale` compresses the script (0.25: the 10-minute story in 2.5 minutes), for
 * the timestamps and for playback alike, so a demo stays consistent with the wall clock.
 */
export interface ScalingScenarioOptions {
  /** Scripted second 0, at a whole second. */
  start: Date;
  namespace?: string;
  /** Real seconds per scripted second (1 = as scripted). */
  scale?: number;
  /** Repetition number: later cycles use fresh names for the objects they create. */
  cycle?: number;
}

export interface ScenarioStep {
  /** Scripted seconds after the start (before scaling). */
  at: number;
  description: string;
  apply(server: FakeKubeApiServer): void;
}

export interface ExpectedEvent {
  type: string;
  name: string;
  /** ISO time, whole seconds. */
  at: string;
}

export interface ExpectedChain {
  type: 'hpa_to_pods_ready' | 'pending_to_scheduled' | 'node_created_to_ready' | 'pending_to_node_ready' | 'node_drained_to_removed';
  seconds: number;
}

export interface ScalingScenario {
  start: Date;
  /** Scripted length of one cycle, in seconds (before scaling). */
  length: number;
  scale: number;
  /** Objects present before the first step (cycle 0 only). */
  baseline: KubeObject[];
  steps: ScenarioStep[];
  /** The scaling events a collector must record for this cycle, and the response times it must compute. */
  expected: { events: ExpectedEvent[]; chains: ExpectedChain[] };
  names: { hpa: string; deployment: string; replicaSet: string; newPods: [string, string]; newNode: string; nodes: string[] };
}

const NODE_GROUP = 'eks-default-20250101000000000000000001';
const SCENARIO_LENGTH = 600;
/** CPU request of a stress pod: two fill the free room of the three baseline nodes but for one. */
const STRESS_CPU = '800m';

const hex = (seed: string, n: number) => createHash('sha256').update(seed).digest('hex').slice(0, n);
/** A pod-name suffix like the ReplicaSet controller's (five of bcdfghjklmnpqrstvwxz2456789). */
function suffix(seed: string): string {
  const alphabet = 'bcdfghjklmnpqrstvwxz2456789';
  const digest = createHash('sha256').update(seed).digest();
  return Array.from({ length: 5 }, (_, i) => alphabet[digest[i] % alphabet.length]).join('');
}

export function scalingScenario(options: ScalingScenarioOptions): ScalingScenario {
  const ns = options.namespace ?? 'demo';
  const scale = options.scale ?? 1;
  const cycle = options.cycle ?? 0;
  const t0 = Math.floor(options.start.getTime() / 1000) * 1000;
  /** Scripted second → timestamp. */
  const at = (s: number) => kubeTime(new Date(t0 + Math.round(s * scale) * 1000));
  const seconds = (s: number) => Math.round(s * scale);
  const longAgo = kubeTime(new Date(t0 - 3 * 86_400_000));

  const rs = 'stress-6d5f7c8b9';
  const owner = { kind: 'ReplicaSet', name: rs };
  const labels = { app: 'stress', 'pod-template-hash': '6d5f7c8b9' };
  const containers = [
    { name: 'stress', image: 'public.ecr.aws/eks-info/app:1.0.0', requests: { cpu: STRESS_CPU, memory: '256Mi' }, limits: { cpu: '1', memory: '512Mi' } },
  ];
  const podC = `stress-6d5f7c8b9-${suffix(`c${cycle}`)}`;
  const podD = `stress-6d5f7c8b9-${suffix(`d${cycle}`)}`;
  const newNode = `ip-10-0-4-${40 + (cycle % 200)}.eu-west-1.compute.internal`;
  const nodes = ['ip-10-0-1-10.eu-west-1.compute.internal', 'ip-10-0-2-20.eu-west-1.compute.internal', 'ip-10-0-3-30.eu-west-1.compute.internal'];
  const nodeFixture = (name: string, zone: string, createdAt: string, ready = true) =>
    fx.node({ name, instanceType: 'm7g.large', zone, cpuCores: 2, memoryGi: 8, nodegroup: 'default', createdAt, ready });

  // ---- objects ------------------------------------------------------------------------------

  /** A stress pod in one of its states, with the transition times of that state. */
  function stressPod(
    name: string,
    s: { created: number; pendingAt?: number; scheduledAt?: number; node?: string; readyAt?: number; deletingAt?: number },
  ): KubeObject {
    const created = at(s.created);
    const base = fx.pod({
      name,
      namespace: ns,
      node: s.node,
      phase: s.readyAt !== undefined ? 'Running' : 'Pending',
      containers,
      labels,
      owner,
      createdAt: created,
    });
    const status = base.status as Record<string, unknown>;
    const conditions: Array<Record<string, unknown>> = [];
    if (s.scheduledAt !== undefined) {
      const ready = s.readyAt !== undefined;
      conditions.push(
        {
          type: 'PodReadyToStartContainers',
          status: ready ? 'True' : 'False',
          lastProbeTime: null,
          lastTransitionTime: at(ready ? s.readyAt! : s.scheduledAt),
        },
        { type: 'Initialized', status: 'True', lastProbeTime: null, lastTransitionTime: at(s.scheduledAt) },
        {
          type: 'Ready',
          status: ready ? 'True' : 'False',
          lastProbeTime: null,
          lastTransitionTime: at(ready ? s.readyAt! : s.scheduledAt),
          ...(ready ? {} : { reason: 'ContainersNotReady', message: 'containers with unready status: [stress]' }),
        },
        {
          type: 'ContainersReady',
          status: ready ? 'True' : 'False',
          lastProbeTime: null,
          lastTransitionTime: at(ready ? s.readyAt! : s.scheduledAt),
          ...(ready ? {} : { reason: 'ContainersNotReady' }),
        },
        { type: 'PodScheduled', status: 'True', lastProbeTime: null, lastTransitionTime: at(s.scheduledAt) },
      );
      if (ready) {
        for (const c of (status.containerStatuses as Array<Record<string, unknown>>) ?? []) c.state = { running: { startedAt: at(s.readyAt!) } };
        status.startTime = at(s.scheduledAt);
      }
    } else if (s.pendingAt !== undefined) {
      conditions.push({
        type: 'PodScheduled',
        status: 'False',
        reason: 'Unschedulable',
        message: fx.DEFAULT_UNSCHEDULABLE,
        lastProbeTime: null,
        lastTransitionTime: at(s.pendingAt),
      });
    }
    status.conditions = conditions;
    // deletionTimestamp is when the grace period ends (a real API server sets it to the request time + grace).
    if (s.deletingAt !== undefined) Object.assign(base.metadata, { deletionTimestamp: at(s.deletingAt + 30), deletionGracePeriodSeconds: 30 });
    return base;
  }

  function stressMetrics(name: string, cpuMillis: number): KubeObject {
    return fx.podMetrics({ name, namespace: ns, containers: [{ name: 'stress', cpuMillis, memoryBytes: 180 * 2 ** 20 }] });
  }

  function nodeMetrics(name: string, cpuMillis: number): KubeObject {
    return fx.nodeMetrics({ name, cpuMillis, memoryBytes: 3.2 * 2 ** 30 });
  }

  /** The stress HPA with a given status: utilisation, replicas, last scale and its conditions. */
  function hpa(s: { cpu: number; current: number; desired: number; lastScale?: number; able: [string, string, number] }): KubeObject {
    const obj = fx.horizontalPodAutoscaler({
      name: 'stress',
      namespace: ns,
      target: { kind: 'Deployment', name: 'stress' },
      minReplicas: 2,
      maxReplicas: 6,
      cpuTarget: 60,
      scaleDownStabilizationSeconds: seconds(300),
    });
    Object.assign(obj.metadata, { creationTimestamp: longAgo });
    const spec = obj.spec as {
      behavior: { scaleUp: { policies: Array<{ periodSeconds: number }> }; scaleDown: { policies: Array<{ periodSeconds: number }> } };
    };
    for (const p of [...spec.behavior.scaleUp.policies, ...spec.behavior.scaleDown.policies]) p.periodSeconds = Math.max(1, seconds(15));
    const [ableReason, ableMessage, ableSince] = s.able;
    obj.status = {
      currentReplicas: s.current,
      desiredReplicas: s.desired,
      ...(s.lastScale !== undefined ? { lastScaleTime: at(s.lastScale) } : { lastScaleTime: longAgo }),
      currentMetrics: [
        { type: 'Resource', resource: { name: 'cpu', current: { averageUtilization: s.cpu, averageValue: `${Math.round((s.cpu / 100) * 800)}m` } } },
      ],
      conditions: [
        { type: 'AbleToScale', status: 'True', reason: ableReason, message: ableMessage, lastTransitionTime: at(ableSince) },
        {
          type: 'ScalingActive',
          status: 'True',
          reason: 'ValidMetricFound',
          message: 'the HPA was able to successfully calculate a replica count from cpu resource utilization (percentage of request)',
          lastTransitionTime: longAgo,
        },
        {
          type: 'ScalingLimited',
          status: 'False',
          reason: 'DesiredWithinRange',
          message: 'the desired count is within the acceptable range',
          lastTransitionTime: longAgo,
        },
      ],
    };
    return obj;
  }

  function deployment(replicas: number, ready: number): KubeObject {
    return fx.deployment({ name: 'stress', namespace: ns, replicas, readyReplicas: ready, containers, labels: { app: 'stress' }, createdAt: longAgo });
  }

  function autoscalerStatus(s: { ready: number; target: number; scaleUp: string; scaleDown: string; candidates: number; time: number }): KubeObject {
    const when = at(s.time).replace('T', ' ').replace('Z', ' +0000 UTC');
    const counts = (n: number) => `        total: ${n}\n        ready: ${n}\n        notStarted: 0`;
    const status = [
      `time: ${when}`,
      'autoscalerStatus: Running',
      'clusterWide:',
      '  health:',
      '    status: Healthy',
      '    nodeCounts:',
      '      registered:',
      counts(s.ready),
      '      longUnregistered: 0',
      '      unregistered: 0',
      '  scaleUp:',
      `    status: ${s.scaleUp}`,
      '  scaleDown:',
      `    status: ${s.scaleDown}`,
      `    candidates: ${s.candidates}`,
      'nodeGroups:',
      `- name: ${NODE_GROUP}`,
      '  health:',
      '    status: Healthy',
      '    nodeCounts:',
      '      registered:',
      counts(s.ready),
      '      longUnregistered: 0',
      '      unregistered: 0',
      `    cloudProviderTarget: ${s.target}`,
      '    minSize: 2',
      '    maxSize: 6',
      '  scaleUp:',
      `    status: ${s.scaleUp}`,
      '  scaleDown:',
      `    status: ${s.scaleDown}`,
      `    candidates: ${s.candidates}`,
      '',
    ].join('\n');
    return fx.configMap({
      name: 'cluster-autoscaler-status',
      namespace: 'kube-system',
      data: { status },
      annotations: { 'cluster-autoscaler.kubernetes.io/last-updated': when },
    });
  }

  const event = (o: {
    name: string;
    reason: string;
    message: string;
    involved: { kind: string; name: string; namespace?: string };
    namespace: string;
    at: number;
    source: string;
    type?: 'Normal' | 'Warning';
  }) =>
    fx.event({
      name: `${o.name}.${hex(`${o.reason}${cycle}${o.at}`, 16)}`,
      namespace: o.namespace,
      type: o.type ?? 'Normal',
      reason: o.reason,
      message: o.message,
      involvedObject: { kind: o.involved.kind, name: o.involved.name, namespace: o.involved.namespace },
      lastTimestamp: at(o.at),
      firstTimestamp: at(o.at),
      source: o.source,
    });

  // ---- the cluster before the story ----------------------------------------------------------

  const systemPod = (name: string, node: string, cpu: string, namespace = 'kube-system', workload?: { kind: string; name: string }) =>
    fx.pod({ name, namespace, node, containers: [{ name: name.split('-')[0], requests: { cpu, memory: '64Mi' } }], owner: workload, createdAt: longAgo });
  const appPod = (name: string, node: string, cpu: string, workload: { kind: string; name: string }) => {
    const app = workload.kind === 'ReplicaSet' ? workload.name.replace(/-[a-z0-9]+$/, '') : workload.name;
    const labels: Record<string, string> = { app };
    if (workload.kind === 'ReplicaSet') labels['pod-template-hash'] = workload.name.slice(app.length + 1);
    return fx.pod({ name, namespace: ns, node, containers: [{ name: app, requests: { cpu, memory: '128Mi' } }], owner: workload, createdAt: longAgo, labels });
  };
  const baseline: KubeObject[] = [
    nodeFixture(nodes[0], 'eu-west-1a', longAgo),
    nodeFixture(nodes[1], 'eu-west-1b', longAgo),
    fx.node({
      name: nodes[2],
      instanceType: 'm7g.large',
      zone: 'eu-west-1c',
      cpuCores: 2,
      memoryGi: 8,
      nodegroup: 'default',
      capacityType: 'SPOT',
      createdAt: longAgo,
    }),
    ...nodes.flatMap((n, i) => [
      systemPod(`aws-node-${suffix(`aws${i}`)}`, n, '25m', 'kube-system', { kind: 'DaemonSet', name: 'aws-node' }),
      systemPod(`kube-proxy-${suffix(`proxy${i}`)}`, n, '100m', 'kube-system', { kind: 'DaemonSet', name: 'kube-proxy' }),
    ]),
    systemPod('coredns-5b9dfbf96-x2x9q', nodes[0], '100m', 'kube-system', { kind: 'ReplicaSet', name: 'coredns-5b9dfbf96' }),
    systemPod('coredns-5b9dfbf96-7qxtm', nodes[1], '100m', 'kube-system', { kind: 'ReplicaSet', name: 'coredns-5b9dfbf96' }),
    appPod('gateway-7c9f8d6b5d-kq2zr', nodes[0], '250m', { kind: 'ReplicaSet', name: 'gateway-7c9f8d6b5d' }),
    appPod('gateway-7c9f8d6b5d-m4b8n', nodes[1], '250m', { kind: 'ReplicaSet', name: 'gateway-7c9f8d6b5d' }),
    appPod('environment-5c8d7f9b6-p9w2c', nodes[2], '100m', { kind: 'ReplicaSet', name: 'environment-5c8d7f9b6' }),
    appPod('scaling-monitor-6b7c8d9f5-t7v4x', nodes[2], '100m', { kind: 'ReplicaSet', name: 'scaling-monitor-6b7c8d9f5' }),
    appPod('storage-0', nodes[2], '250m', { kind: 'StatefulSet', name: 'storage' }),
    appPod('nats-0', nodes[2], '250m', { kind: 'StatefulSet', name: 'nats' }),
    stressPod(`stress-6d5f7c8b9-${suffix('a')}`, {
      created: (-3 * 86_400) / scale,
      scheduledAt: (-3 * 86_400) / scale,
      node: nodes[0],
      readyAt: (-3 * 86_400) / scale,
    }),
    stressPod(`stress-6d5f7c8b9-${suffix('b')}`, {
      created: (-3 * 86_400) / scale,
      scheduledAt: (-3 * 86_400) / scale,
      node: nodes[1],
      readyAt: (-3 * 86_400) / scale,
    }),
    fx.deployment({ name: 'gateway', namespace: ns, replicas: 2, createdAt: longAgo }),
    fx.replicaSet({ name: 'gateway-7c9f8d6b5d', namespace: ns, deployment: 'gateway', replicas: 2, createdAt: longAgo }),
    fx.deployment({ name: 'environment', namespace: ns, replicas: 1, createdAt: longAgo }),
    fx.replicaSet({ name: 'environment-5c8d7f9b6', namespace: ns, deployment: 'environment', replicas: 1, createdAt: longAgo }),
    fx.deployment({ name: 'scaling-monitor', namespace: ns, replicas: 1, createdAt: longAgo }),
    fx.replicaSet({ name: 'scaling-monitor-6b7c8d9f5', namespace: ns, deployment: 'scaling-monitor', replicas: 1, createdAt: longAgo }),
    deployment(2, 2),
    fx.replicaSet({ name: rs, namespace: ns, deployment: 'stress', replicas: 2, labels, containers, createdAt: longAgo }),
    hpa({ cpu: 22, current: 2, desired: 2, able: ['ReadyForNewScale', 'recommended size matches current size', -3600 / scale] }),
    autoscalerStatus({ ready: 3, target: 3, scaleUp: 'NoActivity', scaleDown: 'NoCandidates', candidates: 0, time: 0 }),
    ...nodes.map((n, i) => nodeMetrics(n, [780, 760, 420][i])),
    stressMetrics(`stress-6d5f7c8b9-${suffix('a')}`, 176),
    stressMetrics(`stress-6d5f7c8b9-${suffix('b')}`, 170),
  ];
  const stressA = `stress-6d5f7c8b9-${suffix('a')}`;
  const stressB = `stress-6d5f7c8b9-${suffix('b')}`;

  // ---- the story ---------------------------------------------------------------------------

  /**
   * The added node as the Cluster Autoscaler removes it: tainted ToBeDeletedByClusterAutoscaler and
   * cordoned at 540 (the node lifecycle controller stamps the cordon's taint), deleted at 560.
   */
  const removedNode = (deleted: boolean) => {
    const n = nodeFixture(newNode, 'eu-west-1a', at(75), true);
    for (const c of (n.status as Record<string, unknown>).conditions as Array<Record<string, unknown>>)
      if (c.type === 'Ready') Object.assign(c, { lastTransitionTime: at(120) });
    if (deleted) Object.assign(n.metadata, { deletionTimestamp: at(560) });
    Object.assign(n.spec as object, {
      unschedulable: true,
      taints: [
        { key: 'node.kubernetes.io/unschedulable', effect: 'NoSchedule', timeAdded: at(540) },
        { key: 'ToBeDeletedByClusterAutoscaler', value: String(Math.floor(Date.parse(at(540)) / 1000)), effect: 'NoSchedule' },
      ],
    });
    return n;
  };
  const steps: ScenarioStep[] = [
    {
      at: 20,
      description: 'load rises: the stress pods use 115 % of their CPU request',
      apply: (s) => {
        s.upsert(stressMetrics(stressA, 920), stressMetrics(stressB, 920), nodeMetrics(nodes[0], 1520), nodeMetrics(nodes[1], 1500));
        s.upsert(hpa({ cpu: 115, current: 2, desired: 2, able: ['ReadyForNewScale', 'recommended size matches current size', -3600 / scale] }));
      },
    },
    {
      at: 30,
      description: 'the HPA decides on 4 replicas: ceil(2 × 115 / 60) = 4',
      apply: (s) => {
        s.upsert(
          hpa({
            cpu: 115,
            current: 2,
            desired: 4,
            lastScale: 30,
            able: ['SucceededRescale', 'the HPA controller was able to update the target scale to 4', 30],
          }),
        );
        s.upsert(deployment(4, 2));
        s.upsert(
          event({
            name: 'stress',
            namespace: ns,
            reason: 'SuccessfulRescale',
            message: 'New size: 4; reason: cpu resource utilization (percentage of request) above target',
            involved: { kind: 'HorizontalPodAutoscaler', name: 'stress', namespace: ns },
            at: 30,
            source: 'horizontal-pod-autoscaler',
          }),
        );
      },
    },
    {
      at: 31,
      description: 'the ReplicaSet creates two pods',
      apply: (s) => {
        s.upsert(stressPod(podC, { created: 31 }), stressPod(podD, { created: 31 }));
      },
    },
    {
      at: 32,
      description: 'one pod fits on the spot node; the other is Unschedulable (Insufficient cpu)',
      apply: (s) => {
        s.upsert(stressPod(podC, { created: 31, scheduledAt: 32, node: nodes[2] }), stressPod(podD, { created: 31, pendingAt: 32 }));
      },
    },
    {
      at: 33,
      description: 'the Cluster Autoscaler grows the node group from 3 to 4',
      apply: (s) => {
        s.upsert(
          event({
            name: podD,
            namespace: ns,
            reason: 'TriggeredScaleUp',
            message: `pod triggered scale-up: [{${NODE_GROUP} 3->4 (max: 6)}]`,
            involved: { kind: 'Pod', name: podD, namespace: ns },
            at: 33,
            source: 'cluster-autoscaler',
          }),
          event({
            name: 'cluster-autoscaler-status',
            namespace: 'kube-system',
            reason: 'ScaledUpGroup',
            message: `Scale-up: setting group ${NODE_GROUP} size to 4 instead of 3 (max: 6)`,
            involved: { kind: 'ConfigMap', name: 'cluster-autoscaler-status', namespace: 'kube-system' },
            at: 33,
            source: 'cluster-autoscaler',
          }),
          autoscalerStatus({ ready: 3, target: 4, scaleUp: 'InProgress', scaleDown: 'NoCandidates', candidates: 0, time: 33 }),
        );
      },
    },
    {
      at: 40,
      description: 'the pod on the spot node is Ready',
      apply: (s) => {
        s.upsert(stressPod(podC, { created: 31, scheduledAt: 32, node: nodes[2], readyAt: 40 }), stressMetrics(podC, 700), deployment(4, 3));
        s.upsert(hpa({ cpu: 64, current: 4, desired: 4, lastScale: 30, able: ['ReadyForNewScale', 'recommended size matches current size', 40] }));
      },
    },
    {
      at: 75,
      description: 'the new node registers (NotReady while its network starts)',
      apply: (s) => {
        s.upsert(nodeFixture(newNode, 'eu-west-1a', at(75), false));
      },
    },
    {
      at: 120,
      description: 'the new node is Ready',
      apply: (s) => {
        const n = nodeFixture(newNode, 'eu-west-1a', at(75), true);
        for (const c of (n.status as Record<string, unknown>).conditions as Array<Record<string, unknown>>)
          if (c.type === 'Ready') Object.assign(c, { lastTransitionTime: at(120), lastHeartbeatTime: at(120) });
        s.upsert(
          n,
          nodeMetrics(newNode, 120),
          autoscalerStatus({ ready: 4, target: 4, scaleUp: 'InProgress', scaleDown: 'NoCandidates', candidates: 0, time: 120 }),
        );
      },
    },
    {
      at: 122,
      description: 'the Pending pod is scheduled on the new node',
      apply: (s) => {
        s.upsert(stressPod(podD, { created: 31, scheduledAt: 122, node: newNode }));
      },
    },
    {
      at: 131,
      description: 'all four replicas are Ready; the load per pod is back near the target',
      apply: (s) => {
        s.upsert(stressPod(podD, { created: 31, scheduledAt: 122, node: newNode, readyAt: 131 }), stressMetrics(podD, 500), deployment(4, 4));
        s.upsert(stressMetrics(stressA, 500), stressMetrics(stressB, 500), stressMetrics(podC, 500), nodeMetrics(newNode, 640));
        s.upsert(hpa({ cpu: 62, current: 4, desired: 4, lastScale: 30, able: ['ReadyForNewScale', 'recommended size matches current size', 131] }));
        s.upsert(autoscalerStatus({ ready: 4, target: 4, scaleUp: 'NoActivity', scaleDown: 'NoCandidates', candidates: 0, time: 131 }));
      },
    },
    {
      at: 160,
      description: 'load drops: the HPA would want 2, but the scale-down stabilisation window holds 4',
      apply: (s) => {
        s.upsert(stressMetrics(stressA, 150), stressMetrics(stressB, 150), stressMetrics(podC, 150), stressMetrics(podD, 150));
        s.upsert(nodeMetrics(nodes[0], 700), nodeMetrics(nodes[1], 690), nodeMetrics(nodes[2], 520), nodeMetrics(newNode, 260));
        s.upsert(
          hpa({
            cpu: 19,
            current: 4,
            desired: 4,
            lastScale: 30,
            able: ['ScaleDownStabilized', 'recent recommendations were higher than current one, applying the highest recent recommendation', 160],
          }),
        );
      },
    },
    {
      at: 460,
      description: 'the window has passed: the HPA scales down to 2',
      apply: (s) => {
        s.upsert(
          hpa({
            cpu: 19,
            current: 4,
            desired: 2,
            lastScale: 460,
            able: ['SucceededRescale', 'the HPA controller was able to update the target scale to 2', 460],
          }),
        );
        s.upsert(deployment(2, 4));
        s.upsert(
          event({
            name: 'stress',
            namespace: ns,
            reason: 'SuccessfulRescale',
            message: 'New size: 2; reason: All metrics below target',
            involved: { kind: 'HorizontalPodAutoscaler', name: 'stress', namespace: ns },
            at: 460,
            source: 'horizontal-pod-autoscaler',
          }),
        );
      },
    },
    {
      at: 461,
      description: 'the two newest pods terminate',
      apply: (s) => {
        s.upsert(
          stressPod(podC, { created: 31, scheduledAt: 32, node: nodes[2], readyAt: 40, deletingAt: 461 }),
          stressPod(podD, { created: 31, scheduledAt: 122, node: newNode, readyAt: 131, deletingAt: 461 }),
        );
      },
    },
    {
      at: 490,
      description: 'they are gone',
      apply: (s) => {
        s.remove(`pods/${ns}/${podC}`);
        s.remove(`pods/${ns}/${podD}`);
        s.remove(`PodMetrics/${ns}/${podC}`);
        s.remove(`PodMetrics/${ns}/${podD}`);
        s.upsert(
          deployment(2, 2),
          hpa({ cpu: 21, current: 2, desired: 2, lastScale: 460, able: ['ReadyForNewScale', 'recommended size matches current size', 490] }),
        );
        s.upsert(stressMetrics(stressA, 170), stressMetrics(stressB, 165), nodeMetrics(nodes[2], 420), nodeMetrics(newNode, 90));
      },
    },
    {
      at: 500,
      description: 'the Cluster Autoscaler finds the new node unneeded',
      apply: (s) => {
        s.upsert(autoscalerStatus({ ready: 4, target: 4, scaleUp: 'NoActivity', scaleDown: 'CandidatesPresent', candidates: 1, time: 500 }));
      },
    },
    {
      at: 540,
      description: 'the Cluster Autoscaler taints the unneeded node and drains it',
      apply: (s) => {
        s.upsert(removedNode(false));
      },
    },
    {
      at: 560,
      description: 'the Cluster Autoscaler removes the node',
      apply: (s) => {
        s.upsert(removedNode(true));
        s.upsert(
          event({
            name: newNode,
            namespace: 'default',
            reason: 'ScaleDown',
            message: 'node removed by cluster autoscaler',
            involved: { kind: 'Node', name: newNode },
            at: 560,
            source: 'cluster-autoscaler',
          }),
        );
      },
    },
    {
      at: 570,
      description: 'the node is gone; the cluster is back where it started',
      apply: (s) => {
        s.remove(`nodes/${newNode}`);
        s.remove(`NodeMetrics/${newNode}`);
        s.upsert(autoscalerStatus({ ready: 3, target: 3, scaleUp: 'NoActivity', scaleDown: 'NoCandidates', candidates: 0, time: 570 }));
      },
    },
  ];

  const ev = (type: string, name: string, s: number): ExpectedEvent => ({ type, name, at: new Date(Date.parse(at(s))).toISOString() });
  return {
    start: new Date(t0),
    length: SCENARIO_LENGTH,
    scale,
    baseline: cycle === 0 ? baseline : [],
    steps,
    expected: {
      events: [
        ev('hpa_scale_up', 'stress', 30),
        ev('pod_created', podC, 31),
        ev('pod_created', podD, 31),
        ev('pod_scheduled', podC, 32),
        ev('pod_pending', podD, 32),
        ev('autoscaler_scale_up', 'cluster-autoscaler-status', 33),
        ev('pod_ready', podC, 40),
        ev('node_added', newNode, 75),
        ev('node_ready', newNode, 120),
        ev('pod_scheduled', podD, 122),
        ev('pod_ready', podD, 131),
        ev('hpa_scale_down', 'stress', 460),
        ev('pod_deleted', podC, 461),
        ev('pod_deleted', podD, 461),
        ev('node_draining', newNode, 540),
        ev('autoscaler_scale_down', newNode, 560),
        ev('node_removed', newNode, 560),
      ],
      chains: [
        { type: 'hpa_to_pods_ready', seconds: seconds(131) - seconds(30) },
        { type: 'pending_to_scheduled', seconds: seconds(122) - seconds(32) },
        { type: 'node_created_to_ready', seconds: seconds(120) - seconds(75) },
        { type: 'pending_to_node_ready', seconds: seconds(120) - seconds(32) },
        { type: 'node_drained_to_removed', seconds: seconds(560) - seconds(540) },
      ],
    },
    names: { hpa: 'stress', deployment: 'stress', replicaSet: rs, newPods: [podC, podD], newNode, nodes },
  };
}

export interface PlayOptions {
  /** Wait for the wall clock to reach each step's (scaled) time; else run the steps back to back. */
  realTime?: boolean;
  signal?: AbortSignal;
  /** Called after each step. */
  onStep?: (step: ScenarioStep, index: number) => void;
}

/** Puts the baseline in and plays the steps (in real time, or as fast as possible). */
export async function playScenario(server: FakeKubeApiServer, scenario: ScalingScenario, options: PlayOptions = {}): Promise<void> {
  if (scenario.baseline.length) server.upsert(...scenario.baseline);
  for (const [index, step] of scenario.steps.entries()) {
    if (options.signal?.aborted) return;
    if (options.realTime) {
      const due = scenario.start.getTime() + Math.round(step.at * scenario.scale) * 1000;
      const wait = due - Date.now();
      if (wait > 0) await abortableSleep(wait, options.signal);
      if (options.signal?.aborted) return;
    }
    step.apply(server);
    options.onStep?.(step, index);
  }
}

function abortableSleep(ms: number, signal?: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    const timer = setTimeout(done, ms);
    function done() {
      clearTimeout(timer);
      signal?.removeEventListener('abort', done);
      resolve();
    }
    signal?.addEventListener('abort', done, { once: true });
  });
}
