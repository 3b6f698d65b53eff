import { AppsV1Api, AutoscalingV2Api, CoreV1Api, KubeConfig, Metrics, type V1Pod } from '@kubernetes/client-node';
import { waitFor } from '../../process/wait';
import { FakeKubeApiServer } from '../server';
import { demoCluster, demoNodes } from './demo-cluster';
import { LiveCluster, SIMULATED_USAGE } from './live-cluster';
import type { PodRuntime, PodUsage, RunningPod, RuntimePod } from './pod-runtime';

/**
 * The demo's simulated control plane on the fake API server, read back over HTTPS with the real
 * Kubernetes client as the dashboard reads it: a load makes the HPA scale the stress Deployment
 * out, the pod that does not fit goes Pending with the scheduler's reason, the Cluster Autoscaler
 * adds a node that registers NotReady and turns Ready after its delay, the pod is scheduled there
 * and Ready; the load gone, the HPA scales back in after its (compressed) stabilisation window
 * and the empty node is removed. Time runs 50 times faster than in a cluster.
 */

const SCALE = 0.02;
const NS = 'demo';

/** Pods whose "containers" start at once; each Ready pod takes an equal share of `load` (a sustained load on a queue group). */
class SharedLoadRuntime implements PodRuntime {
  load = 0;
  idle = 10;
  readonly running = new Set<string>();
  readonly started: RuntimePod[] = [];

  start(pod: RuntimePod): RunningPod {
    this.started.push(pod);
    let exit!: () => void;
    const exited = new Promise<void>((resolve) => (exit = resolve));
    const ready = new Promise<void>((resolve) => setTimeout(resolve, 50)).then(() => void this.running.add(pod.name));
    return {
      ready,
      exited,
      stop: async () => {
        this.running.delete(pod.name);
        exit();
      },
    };
  }

  usage(pod: string): PodUsage | undefined {
    if (!this.running.has(pod)) return undefined;
    return { cpuMillicores: this.idle + this.load / this.running.size, memoryBytes: 90 * 2 ** 20, samples: 3 };
  }
}

let server: FakeKubeApiServer;
let cluster: LiveCluster;
let runtime: SharedLoadRuntime;
let core: CoreV1Api;
let apps: AppsV1Api;
let autoscaling: AutoscalingV2Api;
let metrics: Metrics;
const lines: string[] = [];

beforeAll(async () => {
  const demo = demoCluster({
    namespace: NS,
    region: 'eu-west-1',
    nodes: demoNodes('eu-west-1'),
    ebsPath: '/data/ebs',
    efsPath: '/data/efs',
    image: 'eks-info:test',
    now: new Date(),
    timeScale: SCALE,
  });
  server = await FakeKubeApiServer.start({ objects: demo.objects, namespace: NS });
  runtime = new SharedLoadRuntime();
  cluster = new LiveCluster({
    server,
    namespace: NS,
    hpaName: demo.hpaName,
    runtime,
    timeScale: SCALE,
    baseUsage: demo.baseUsage,
    nodeGroup: { ...demo.nodeGroup, registerSeconds: 50, readySeconds: 30, scaleDownUnneededSeconds: 250 },
    log: (line) => lines.push(line),
  });
  cluster.start();
  const kc = new KubeConfig();
  kc.loadFromString(server.kubeconfigYaml());
  core = kc.makeApiClient(CoreV1Api);
  apps = kc.makeApiClient(AppsV1Api);
  autoscaling = kc.makeApiClient(AutoscalingV2Api);
  metrics = new Metrics(kc);
});

afterAll(async () => {
  await cluster?.stop();
  await server?.close();
});

const stressPods = async () =>
  (await core.listNamespacedPod({ namespace: NS, labelSelector: 'app.kubernetes.io/component=stress' })).items.filter((p) => !p.metadata?.deletionTimestamp);
const condition = (p: V1Pod, type: string) => p.status?.conditions?.find((c) => c.type === type);
const hpa = () => autoscaling.readNamespacedHorizontalPodAutoscaler({ name: 'eks-info-stress', namespace: NS });
const eventsAbout = async (name: string, reason: string) =>
  (await core.listEventForAllNamespaces({})).items.filter((e) => e.involvedObject.name === name && e.reason === reason);

describe('the simulated control plane', () => {
  it('runs the two stress replicas and keeps 2 while they idle', async () => {
    await waitFor(async () => (await stressPods()).filter((p) => condition(p, 'Ready')?.status === 'True').length === 2, {
      timeoutMs: 10_000,
      what: 'two Ready stress pods',
    });
    expect(runtime.started.map((p) => p.cpuRequestMillicores)).toEqual([250, 250]);
    // 10m of 250m is 4 %: ceil(2 × 4 / 60) = 1, held at the minimum of 2.
    const status = await waitFor(async () => ((await hpa()).status?.currentMetrics?.length ? (await hpa()).status : undefined), { what: 'HPA metrics' });
    expect(status).toMatchObject({ currentReplicas: 2, desiredReplicas: 2 });
    expect(status?.currentMetrics?.[0].resource?.current.averageUtilization).toBe(4);
  });

  it("answers metrics-server's pod metrics: the stress pods' measured usage, every other running pod's made up and marked so, within its node's usage", async () => {
    const stress = new Set((await stressPods()).map((p) => p.metadata!.name!));
    const cpu = (q: string) => (q.endsWith('n') ? Number(q.slice(0, -1)) / 1e6 : q.endsWith('m') ? Number(q.slice(0, -1)) : Number(q) * 1000);
    const kib = (q: string) => Number(q.replace(/Ki$/, '')) * 1024;
    const listed = await waitFor(
      async () => {
        const items = (await metrics.getPodMetrics()).items;
        return [...stress].every((name) => items.some((m) => m.metadata.name === name)) ? items : undefined;
      },
      { timeoutMs: 10_000, what: 'pod metrics of the stress pods' },
    );
    const annotationOf = (m: (typeof listed)[number]) => (m.metadata as { annotations?: Record<string, string> }).annotations?.[SIMULATED_USAGE];
    // Measured: what the runtime reports (10m idle), no mark.
    for (const m of listed.filter((x) => stress.has(x.metadata.name))) {
      expect(annotationOf(m)).toBeUndefined();
      expect(cpu(m.containers[0].usage.cpu)).toBe(runtime.idle);
    }
    // Every other running pod of the cluster (system pods, the shop, the dashboard) has made-up usage, marked.
    const all = (await core.listPodForAllNamespaces({})).items;
    const running = all.filter((p) => p.status?.phase === 'Running' && !stress.has(p.metadata!.name!));
    expect(running.length).toBeGreaterThan(20);
    const made = new Map(listed.filter((m) => !stress.has(m.metadata.name)).map((m) => [`${m.metadata.namespace}/${m.metadata.name}`, m]));
    expect([...made.keys()].sort()).toEqual(running.map((p) => `${p.metadata!.namespace}/${p.metadata!.name}`).sort());
    for (const m of made.values()) expect(annotationOf(m)).toBe('simulated');
    // On each node the pods use less than the node does in all.
    const nodes = (await metrics.getNodeMetrics()).items;
    for (const node of nodes) {
      const on = listed.filter(
        (m) => all.find((p) => p.metadata?.name === m.metadata.name && p.metadata?.namespace === m.metadata.namespace)?.spec?.nodeName === node.metadata.name,
      );
      const podsCpu = on.reduce((sum, m) => sum + m.containers.reduce((s, c) => s + cpu(c.usage.cpu), 0), 0);
      const podsMemory = on.reduce((sum, m) => sum + m.containers.reduce((s, c) => s + kib(c.usage.memory), 0), 0);
      expect(podsCpu).toBeLessThan(cpu(node.usage.cpu));
      expect(podsMemory).toBeLessThan(kib(node.usage.memory));
    }
    // Made up once per pod: the next write reports the same.
    const again = await waitFor(
      async () => {
        const items = (await metrics.getPodMetrics()).items;
        return items.find((m) => m.metadata.name === [...made.values()][0].metadata.name && m.timestamp !== [...made.values()][0].timestamp);
      },
      { timeoutMs: 5_000, what: 'the next metrics write' },
    );
    expect(again.containers).toEqual([...made.values()][0].containers);
  });

  it('scales out on load; what does not fit is Pending; a node joins, turns Ready and takes it', async () => {
    // 600m over 2 pods: 300m + 10m of 250m = 124 % against 60 %: ceil(2 × 124 / 60) = 5.
    runtime.load = 600;
    const decided = await waitFor(async () => ((await hpa()).status?.desiredReplicas === 5 ? await hpa() : undefined), {
      timeoutMs: 10_000,
      what: 'desired 5',
    });
    expect(decided.status?.lastScaleTime).toBeTruthy();
    expect((await apps.readNamespacedDeployment({ name: 'eks-info-stress', namespace: NS })).spec?.replicas).toBe(5);
    const rescale = await eventsAbout('eks-info-stress', 'SuccessfulRescale');
    expect(rescale.map((e) => e.message)).toContain('New size: 5; reason: cpu resource utilization (percentage of request) above target');

    // One new pod fits on the third node (345m free); the other two do not fit anywhere.
    const pending = await waitFor(
      async () => {
        const waiting = (await stressPods()).filter((p) => condition(p, 'PodScheduled')?.reason === 'Unschedulable');
        return waiting.length === 2 ? waiting : undefined;
      },
      { timeoutMs: 10_000, what: 'two Unschedulable pods' },
    );
    const first = pending[0];
    expect(condition(first, 'PodScheduled')?.message).toMatch(/^0\/3 nodes are available: 3 Insufficient cpu\. preemption: /);
    expect((await eventsAbout(first.metadata!.name!, 'FailedScheduling'))[0]?.message).toContain('Insufficient cpu');
    expect((await stressPods()).filter((p) => p.spec?.nodeName === 'ip-10-0-48-30.eu-west-1.compute.internal')).toHaveLength(1);

    // The Cluster Autoscaler asks for one node (two 250m pods fit in one), which registers NotReady.
    const triggered = await waitFor(async () => (await eventsAbout(first.metadata!.name!, 'TriggeredScaleUp'))[0], {
      timeoutMs: 5_000,
      what: 'TriggeredScaleUp',
    });
    expect(triggered.message).toBe('pod triggered scale-up: [{eks-default-20250101000000000000000001 3->4 (max: 5)}]');
    const joined = await waitFor(async () => (await core.listNode({})).items.find((n) => n.metadata?.name === 'ip-10-0-17-41.eu-west-1.compute.internal'), {
      timeoutMs: 10_000,
      what: 'the new node',
    });
    expect(joined.spec?.taints?.map((t) => t.key)).toContain('node.kubernetes.io/not-ready');
    expect(joined.metadata?.labels).toMatchObject({ 'eks.amazonaws.com/nodegroup': 'default', 'topology.kubernetes.io/zone': 'eu-west-1a' });

    // Ready after its delay; both Pending pods are scheduled onto it and become Ready.
    const ready = await waitFor(
      async () => {
        const n = await core.readNode({ name: joined.metadata!.name! });
        return condition(n as V1Pod, 'Ready')?.status === 'True' ? n : undefined;
      },
      { timeoutMs: 10_000, what: 'the new node Ready' },
    );
    const readyAt = Date.parse(String(condition(ready as V1Pod, 'Ready')!.lastTransitionTime));
    const createdAt = Date.parse(String(ready.metadata!.creationTimestamp));
    // 30 cluster seconds of CNI start, at 50× speed: 0.6 s, in whole-second timestamps.
    expect(readyAt - createdAt).toBeLessThanOrEqual(2000);
    const placed = await waitFor(
      async () => {
        const pods = (await stressPods()).filter((p) => pending.some((w) => w.metadata!.uid === p.metadata!.uid));
        return pods.every((p) => p.spec?.nodeName === joined.metadata!.name && condition(p, 'Ready')?.status === 'True') ? pods : undefined;
      },
      { timeoutMs: 10_000, what: 'the Pending pods Ready on the new node' },
    );
    for (const p of placed) {
      const pendingSince = Date.parse(
        String(
          condition(
            pending.find((w) => w.metadata!.uid === p.metadata!.uid)!,
            'PodScheduled',
          )!.lastTransitionTime,
        ),
      );
      const scheduledAt = Date.parse(String(condition(p, 'PodScheduled')!.lastTransitionTime));
      expect(pendingSince).toBeLessThanOrEqual(createdAt);
      expect(scheduledAt).toBeGreaterThanOrEqual(readyAt);
      expect(Date.parse(String(condition(p, 'Ready')!.lastTransitionTime))).toBeGreaterThanOrEqual(scheduledAt);
    }
    // 600m over 5 pods: 130m of 250m = 52 %, ceil(5 × 52 / 60) = 5: it stays.
    await new Promise((r) => setTimeout(r, 1500));
    expect((await hpa()).status).toMatchObject({ currentReplicas: 5, desiredReplicas: 5 });
  });

  it('scales back in after the stabilisation window once the load stops, and removes the empty node', async () => {
    runtime.load = 0;
    const stopped = Date.now();
    // The window is 300 s compressed to 6 s: the HPA holds 5 until then.
    await new Promise((r) => setTimeout(r, 3000));
    expect((await hpa()).status?.desiredReplicas).toBe(5);
    expect((await hpa()).status?.conditions?.find((c) => c.type === 'AbleToScale')?.reason).toBe('ScaleDownStabilized');
    await waitFor(async () => (await hpa()).status?.desiredReplicas === 2, { timeoutMs: 15_000, what: 'desired 2' });
    expect(Date.now() - stopped).toBeGreaterThanOrEqual(5500);
    await waitFor(async () => (await stressPods()).length === 2 && runtime.running.size === 2, { timeoutMs: 10_000, what: 'two stress pods left' });
    // The pods on the new node were the newest: it is empty, and goes after 250 cluster seconds (5 s).
    await waitFor(async () => !(await core.listNode({})).items.some((n) => n.metadata?.name === 'ip-10-0-17-41.eu-west-1.compute.internal'), {
      timeoutMs: 15_000,
      what: 'the new node removed',
    });
    expect(await eventsAbout('ip-10-0-17-41.eu-west-1.compute.internal', 'ScaleDown')).toHaveLength(1);
    expect((await core.listNode({})).items).toHaveLength(3);
  });

  it('expires events after an hour, as the API server does', async () => {
    const events = async () => (await core.listEventForAllNamespaces({})).items.length;
    const before = await events();
    expect(before).toBeGreaterThan(10);
    cluster.expireEvents();
    expect(await events()).toBe(before);
    await cluster.stop();
    server.setNow(new Date(Date.now() + 3_601_000));
    cluster.expireEvents();
    expect(await events()).toBe(0);
  });
});
