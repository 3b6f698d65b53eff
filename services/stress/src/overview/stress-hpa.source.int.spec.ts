// The stress HPA from an informer against the fake API server over real HTTPS: list once, then
// watch; the page's figures and the replica sum follow the object; failures degrade the section.
import { KubeErrors, StressErrors } from '@eks-info/contracts';
import { loadKubeAccess } from '@eks-info/kube';
import { FakeKubeApiServer, kubeFixtures as fx, waitFor } from '@eks-info/testing';
import { StressHpaSource } from './stress-hpa.source';

describe('StressHpaSource', () => {
  let server: FakeKubeApiServer;
  let source: StressHpaSource | undefined;

  beforeEach(async () => {
    server = await FakeKubeApiServer.start({
      objects: [
        fx.horizontalPodAutoscaler({
          name: 'eks-info-stress',
          minReplicas: 3,
          maxReplicas: 10,
          cpuTarget: 70,
          memoryTarget: 80,
          currentCpu: 140,
          currentMemory: 40,
          currentReplicas: 3,
          desiredReplicas: 6,
        }),
        fx.horizontalPodAutoscaler({ name: 'eks-info-gateway', currentReplicas: 2 }),
      ],
    });
  });

  afterEach(async () => {
    await source?.stop();
    source = undefined;
    await server.close();
  });

  function start(name?: string): StressHpaSource {
    const access = loadKubeAccess({ KUBE_MODE: 'kubeconfig', KUBECONFIG: server.writeKubeconfig(), WATCH_NAMESPACE: undefined });
    source = new StressHpaSource({ access, name, watchdogSeconds: 60 });
    source.start();
    return source;
  }

  it('shows current/desired replicas, targets and the replica sum, and follows the watch without listing again', async () => {
    const s = start('eks-info-stress');
    await waitFor(() => s.view().status === 'ok', { timeoutMs: 5000 });
    const view = s.view();
    if (view.status !== 'ok') throw new Error(view.message);
    expect(view.data).toMatchObject({
      name: 'eks-info-stress',
      namespace: 'demo',
      minReplicas: 3,
      maxReplicas: 10,
      currentReplicas: 3,
      desiredReplicas: 6,
      target: { kind: 'Deployment', name: 'eks-info-stress' },
    });
    expect(view.data.metrics).toEqual([
      expect.objectContaining({ name: 'cpu', targetUtilization: 70, currentUtilization: 140 }),
      expect.objectContaining({ name: 'memory', targetUtilization: 80, currentUtilization: 40 }),
    ]);
    expect(view.data.expected).toMatchObject({ replicas: 6, unclamped: 6, currentReplicas: 3, utilization: 140, target: 70 });
    expect(view.data.expected!.explanation).toContain('ceil(3 × 140 / 70) = 6');
    expect(s.readiness().ok).toBe(true);

    const lists = server.listCalls();
    server.upsert(
      fx.horizontalPodAutoscaler({
        name: 'eks-info-stress',
        minReplicas: 3,
        maxReplicas: 10,
        cpuTarget: 70,
        currentCpu: 300,
        currentReplicas: 6,
        desiredReplicas: 10,
      }),
    );
    await waitFor(() => s.view().status === 'ok' && (s.view() as { data: { currentReplicas: number } }).data.currentReplicas === 6, { timeoutMs: 5000 });
    const after = s.view();
    if (after.status !== 'ok') throw new Error(after.message);
    // ceil(6 × 300 / 70) = 26, clamped to the maximum of 10.
    expect(after.data.expected).toMatchObject({ unclamped: 26, replicas: 10 });
    for (let i = 0; i < 20; i++) s.view();
    expect(server.listCalls()).toBe(lists);
  });

  it('says so when the named HPA does not exist, when none is configured, and outside a cluster', async () => {
    const missing = start('nope');
    await waitFor(() => missing.view().status !== 'unavailable', { timeoutMs: 5000 });
    expect(missing.view()).toMatchObject({ status: 'error', code: StressErrors.NO_HPA.code, message: expect.stringContaining('nope') });
    await missing.stop();

    expect(start(undefined).view()).toMatchObject({ status: 'unavailable', code: StressErrors.NO_HPA.code });
    const outside = new StressHpaSource({
      access: loadKubeAccess({ KUBE_MODE: 'off', KUBECONFIG: undefined, WATCH_NAMESPACE: undefined }),
      name: 'eks-info-stress',
      watchdogSeconds: 60,
    });
    outside.start();
    expect(outside.view()).toMatchObject({ status: 'unavailable', code: KubeErrors.NOT_IN_CLUSTER.code });
    expect(outside.readiness().ok).toBe(true);
  });

  it('turns the section red with the API error when RBAC forbids the list', async () => {
    server.forbid('horizontalpodautoscalers');
    const s = start('eks-info-stress');
    await waitFor(() => s.view().status === 'error', { timeoutMs: 5000 });
    expect(s.view()).toMatchObject({ status: 'error', code: KubeErrors.FORBIDDEN.code });
    expect(s.readiness().ok).toBe(false);
  });
});
