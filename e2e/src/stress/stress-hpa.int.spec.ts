/**
 * The stress HPA on /stress and GET /api/v1/stress, with the stress service reading it from the
 * fake Kubernetes API server (real HTTPS list/watch) and the gateway rendering it: current and
 * desired replicas, targets, the replica sum from the HPA's metric and from live heartbeats.
 */
import type { StressView } from '@eks-info/contracts';
import {
  FakeKubeApiServer,
  type ManagedProcess,
  NatsServer,
  type StressProcess,
  freePort,
  kubeFixtures as fx,
  startNodeProcess,
  startStressProcess,
  waitFor,
  componentEntry,
} from '@eks-info/testing';

jest.setTimeout(120_000);

describe('stress HPA through the gateway', () => {
  let nats: NatsServer;
  let kube: FakeKubeApiServer;
  let stress: StressProcess;
  let gateway: ManagedProcess;
  let base: string;

  beforeAll(async () => {
    nats = await NatsServer.start();
    kube = await FakeKubeApiServer.start({
      objects: [
        fx.horizontalPodAutoscaler({
          name: 'eks-info-stress',
          minReplicas: 3,
          maxReplicas: 10,
          cpuTarget: 70,
          memoryTarget: 80,
          currentCpu: 140,
          currentMemory: 30,
          currentReplicas: 3,
          desiredReplicas: 6,
        }),
      ],
    });
    stress = await startStressProcess({
      pod: 'stress-hpa-a',
      natsUrl: nats.url,
      env: {
        KUBE_MODE: 'kubeconfig',
        KUBECONFIG: kube.writeKubeconfig(),
        STRESS_HPA_NAME: 'eks-info-stress',
        CPU_REQUEST_MILLICORES: '250',
        MEMORY_REQUEST_BYTES: String(256 * 1024 * 1024),
      },
    });
    const port = await freePort();
    base = `http://127.0.0.1:${port}`;
    gateway = await startNodeProcess({
      name: 'gateway',
      entry: componentEntry('gateway'),
      env: { NATS_URL: nats.url, PORT: String(port), HOST: '127.0.0.1', LOG_LEVEL: 'warn' },
      readyUrl: `${base}/ready`,
    });
  });

  afterAll(async () => {
    await gateway?.stop();
    await stress?.stop();
    await kube?.close();
    await nats?.stop();
  });

  it('shows current/desired replicas, targets and what the HPA should want, and follows changes of the HPA', async () => {
    const ready = await (await fetch(`${stress.managementUrl}/ready`)).json();
    expect(JSON.stringify(ready)).toContain('stress HPA informer synced');

    const view = await waitFor(
      async () => {
        const v = (await (await fetch(`${base}/api/v1/stress`)).json()) as StressView;
        return v.hpa.status === 'ok' && v.pods.length === 1 ? v : undefined;
      },
      { timeoutMs: 10_000, what: 'the HPA and a live pod in the view' },
    );
    if (view.hpa.status !== 'ok') throw new Error('unreachable');
    expect(view.hpa.data).toMatchObject({ name: 'eks-info-stress', currentReplicas: 3, desiredReplicas: 6, minReplicas: 3, maxReplicas: 10 });
    expect(view.hpa.data.expected?.explanation).toContain('ceil(3 × 140 / 70) = 6');
    // From heartbeats: one live pod with a 250m request; the target is the HPA's own.
    expect(view.summary).toMatchObject({ pods: 1, cpuTargetPercent: 70, cpuTargetSource: 'hpa' });
    expect(view.summary.expected).toMatchObject({ currentReplicas: 1, target: 70 });
    expect(view.pods[0].heartbeat.cpu.requestMillicores).toBe(250);
    // No scaling monitor runs here: its section says so, neutrally.
    expect(view.timeline).toMatchObject({ status: 'unavailable', code: 'TRANSPORT.UNAVAILABLE' });

    const page = await (await fetch(`${base}/stress`)).text();
    expect(page).toContain('<strong>3</strong> current · <strong>6</strong> desired · range 3–10');
    expect(page).toContain("From the HPA's own metric:</strong> 3 replicas at 140 % average CPU (from metrics-server)");

    kube.upsert(
      fx.horizontalPodAutoscaler({
        name: 'eks-info-stress',
        minReplicas: 3,
        maxReplicas: 10,
        cpuTarget: 70,
        currentCpu: 65,
        currentReplicas: 6,
        desiredReplicas: 6,
      }),
    );
    await waitFor(
      async () => {
        const v = (await (await fetch(`${base}/api/v1/stress`)).json()) as StressView;
        return v.hpa.status === 'ok' && v.hpa.data.currentReplicas === 6 && v.hpa.data.expected?.withinTolerance === true;
      },
      { timeoutMs: 5000, what: 'the HPA change in the view' },
    );
    expect(kube.listCalls('horizontalpodautoscalers')).toBe(1);
  });
});
