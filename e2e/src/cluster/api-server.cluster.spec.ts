// The real kube-apiserver and the fake API server of the test harness, held to the same
// behaviour where they used to differ: each check runs the same requests against both.
import { FakeKubeApiServer, KubeClient, kubeFixtures as fx, waitFor } from '@eks-info/testing';
import { compactEtcd, controlPlane, describeCluster, waitForObject } from './support';

const NS = 'api-agreement';
type Obj = Record<string, any>; // eslint-disable-line @typescript-eslint/no-explicit-any

const cp = () => controlPlane();
let fake: FakeKubeApiServer;
let fakeClient: KubeClient;

beforeAll(async () => {
  await cp().createNamespace(NS);
  fake = await FakeKubeApiServer.start({ namespace: NS, objects: [fx.node({ name: 'n1' })] });
  fakeClient = new KubeClient(fake.url, fake.token, fake.caCert);
});
afterAll(async () => {
  await fake?.close();
  await cp()
    .admin()
    .delete(`/api/v1/namespaces/${NS}`)
    .catch(() => undefined);
});

const pod = (name: string, cpu: string, node?: string) => ({
  apiVersion: 'v1',
  kind: 'Pod',
  metadata: { name, namespace: NS },
  spec: { ...(node ? { nodeName: node } : {}), containers: [{ name: 'app', image: 'app:1', resources: { requests: { cpu } } }] },
});

/** What a watch from `rv` received: the HTTP status and the first event's type and Status. */
async function watchFrom(client: KubeClient, rv: string): Promise<{ status: number; first: Obj | undefined }> {
  const w = await client.watch(`/api/v1/namespaces/${NS}/pods?watch=true&resourceVersion=${rv}`);
  await waitFor(() => w.events.length > 0, { timeoutMs: 10_000, what: 'the first watch event' });
  w.close();
  return { status: w.status, first: w.events[0] };
}

describeCluster('the real API server and the fake one agree', () => {
  it('on a watch from an expired resourceVersion: HTTP 200, then one ERROR event with the 410 Status', async () => {
    // A real server expires resourceVersions by etcd compaction; a watch cache that starts after
    // it (a restarted API server) cannot serve them.
    const admin = cp().admin();
    await admin.create(`/api/v1/namespaces/${NS}/configmaps`, { metadata: { name: 'bump' }, data: { a: '1' } });
    const list = await admin.get<Obj>(`/api/v1/namespaces/${NS}/pods`);
    const old = Number(list.body.metadata.resourceVersion) - 1;
    await admin.patch(`/api/v1/namespaces/${NS}/configmaps/bump`, { data: { a: '2' } });
    const latest = Number((await admin.get<Obj>(`/api/v1/namespaces/${NS}/configmaps/bump`)).body.metadata.resourceVersion);
    await compactEtcd(latest);
    const restarted = await cp().startApiServer();
    try {
      const real = await watchFrom(restarted.admin(), String(old));
      fake.expireWatchHistory();
      const fromFake = await watchFrom(fakeClient, String(fake.store.oldestResourceVersion - 1));
      for (const got of [real, fromFake]) {
        expect(got.status).toBe(200);
        expect(got.first).toMatchObject({
          type: 'ERROR',
          object: {
            kind: 'Status',
            status: 'Failure',
            reason: 'Expired',
            code: 410,
            message: expect.stringMatching(/^too old resource version: \d+ \(\d+\)$/),
          },
        });
      }
    } finally {
      await restarted.stop();
    }
  });

  it('on field selectors: the supported fields of each kind work, any other is a 400 "field label not supported"', async () => {
    const cases: Array<[string, number]> = [
      ['/api/v1/pods?fieldSelector=spec.nodeName%3Dn1,status.phase!%3DFailed', 200],
      ['/api/v1/pods?fieldSelector=metadata.namespace%3Ddefault', 200],
      ['/api/v1/pods?fieldSelector=spec.containers%3Dx', 400],
      ['/api/v1/nodes?fieldSelector=spec.unschedulable%3Dfalse', 200],
      ['/api/v1/nodes?fieldSelector=status.phase%3DRunning', 400],
      ['/api/v1/events?fieldSelector=involvedObject.name%3Dx,reason%3DFailedScheduling,type%3DWarning', 200],
      ['/api/v1/events?fieldSelector=series.count%3D2', 400],
      ['/api/v1/namespaces/kube-system/configmaps?fieldSelector=metadata.name%3Dcluster-autoscaler-status', 200],
    ];
    for (const [path, status] of cases) {
      const real = await cp().admin().get<Obj>(path);
      const fromFake = await fakeClient.get<Obj>(path);
      expect([path, real.status, fromFake.status]).toEqual([path, status, status]);
      if (status === 400) {
        expect(fromFake.body).toMatchObject({ kind: 'Status', reason: 'BadRequest', code: 400, message: real.body.message });
      }
    }
  });

  it('on scheduler events: the core view of an events.k8s.io event, repeats counted in series', async () => {
    const admin = cp().admin();
    await admin.create(`/api/v1/namespaces/${NS}/pods`, pod('too-big', '64'));
    // The same failure again: another pod's deletion makes the scheduler retry the unschedulable one.
    for (let i = 0; i < 2; i++) {
      await waitFor(async () => (await admin.get<Obj>(`/api/v1/namespaces/${NS}/pods/too-big`)).body.status?.conditions?.length > 0, { timeoutMs: 20_000 });
      await admin.create(`/api/v1/namespaces/${NS}/pods`, pod(`nudge-${i}`, '10m'));
      await waitFor(async () => (await admin.get<Obj>(`/api/v1/namespaces/${NS}/pods/nudge-${i}`)).body.spec?.nodeName, { timeoutMs: 20_000 });
      await admin.delete(`/api/v1/namespaces/${NS}/pods/nudge-${i}?gracePeriodSeconds=0`);
    }
    const events = (await waitForObject<Obj>(
      admin,
      `/api/v1/namespaces/${NS}/events?fieldSelector=involvedObject.name%3Dtoo-big,reason%3DFailedScheduling`,
      (l) => (l?.items ?? []).some((e: Obj) => e.series),
      'a FailedScheduling event with a series',
    ))!.items as Obj[];
    const real = events.find((e) => e.series)!;
    const fixture = fx.schedulerEvent({
      pod: 'too-big',
      namespace: NS,
      reason: 'FailedScheduling',
      message: real.message,
      series: { count: 2, lastObservedTime: new Date() },
    });
    const shape = (e: Obj) => ({
      count: e.count ?? null,
      firstTimestamp: e.firstTimestamp,
      lastTimestamp: e.lastTimestamp,
      eventTime: /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{6}Z$/.test(e.eventTime),
      seriesCount: typeof e.series?.count,
      seriesLast: /\.\d{6}Z$/.test(e.series?.lastObservedTime ?? ''),
      reportingComponent: e.reportingComponent,
      source: e.source,
      type: e.type,
      action: e.action,
      involvedKind: e.involvedObject.kind,
    });
    expect(shape(real)).toEqual({
      count: null,
      firstTimestamp: null,
      lastTimestamp: null,
      eventTime: true,
      seriesCount: 'number',
      seriesLast: true,
      reportingComponent: 'default-scheduler',
      source: {},
      type: 'Warning',
      action: 'Scheduling',
      involvedKind: 'Pod',
    });
    expect(shape(fixture)).toEqual(shape(real));
  });

  it('on deleting a pod bound to a node: graceful, deletionTimestamp = now + 30 s, still there while Terminating', async () => {
    const admin = cp().admin();
    await admin.create(`/api/v1/namespaces/${NS}/pods`, pod('graceful', '10m'));
    await waitForObject<Obj>(admin, `/api/v1/namespaces/${NS}/pods/graceful`, (p) => p?.status?.phase === 'Running', 'the pod Running on a kwok node');
    const before = Date.now();
    const res = await admin.delete<Obj>(`/api/v1/namespaces/${NS}/pods/graceful`);
    expect(res.status).toBe(200);
    fake.upsert(fx.pod({ name: 'graceful', namespace: NS, node: 'n1' }));
    const fromFake = fake.delete(`pods/${NS}/graceful`)!;
    for (const meta of [res.body.metadata, fromFake.metadata as Obj]) {
      expect(meta.deletionGracePeriodSeconds).toBe(30);
      const due = Date.parse(meta.deletionTimestamp) - before;
      expect(due).toBeGreaterThan(28_000);
      expect(due).toBeLessThan(32_000);
    }
    expect((await admin.get(`/api/v1/namespaces/${NS}/pods/graceful`)).status).toBe(200);
    expect((await fakeClient.get(`/api/v1/namespaces/${NS}/pods/graceful`)).status).toBe(200);
  });

  it('on new nodes: created with the not-ready taint', async () => {
    const admin = cp().admin();
    const real = await admin.create<Obj>('/api/v1/nodes', { apiVersion: 'v1', kind: 'Node', metadata: { name: 'agreement-unmanaged' } });
    try {
      const [fromFake] = fake.upsert(fx.node({ name: 'agreement-new' }));
      for (const node of [real, fromFake as Obj]) expect(node.spec.taints).toEqual([{ key: 'node.kubernetes.io/not-ready', effect: 'NoSchedule' }]);
    } finally {
      await admin.delete('/api/v1/nodes/agreement-unmanaged');
    }
  });
});
