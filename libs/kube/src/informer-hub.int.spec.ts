import { KubeConfig } from '@kubernetes/client-node';
import { KubeErrors } from '@eks-info/contracts';
import { FakeKubeApiServer, kubeFixtures as fx, waitFor } from '@eks-info/testing';
import pino from 'pino';
import { register } from 'prom-client';
import { keepIdentity, type ObjectTransform } from './informer';
import { InformerHub, type InformerHubOptions } from './informer-hub';
import { type KubeObject, KARPENTER } from './resources';

// Informers against the fake API server over real HTTPS: the recovery paths SPEC §4 and §7 name.

let server: FakeKubeApiServer;
let hub: InformerHub;
let logLines: Array<Record<string, unknown>>;

function startHub(options: Partial<InformerHubOptions> = {}): InformerHub {
  const kubeConfig = new KubeConfig();
  kubeConfig.loadFromString(server.kubeconfigYaml());
  logLines = [];
  const logger = pino({ level: 'info' }, { write: (line: string) => void logLines.push(JSON.parse(line) as Record<string, unknown>) });
  // Short intervals keep the suite fast; the behaviour is the same as with production values.
  hub = new InformerHub({ kubeConfig, logger, watchdogMs: 30_000, backoffBaseMs: 50, backoffMaxMs: 400, ...options });
  return hub;
}

async function restarts(reason: string, resource = 'pods'): Promise<number> {
  const metric = await register.getSingleMetric('kube_informer_restarts_total')?.get();
  return (metric?.values ?? []).filter((v) => v.labels.reason === reason && v.labels.resource === resource).reduce((sum, v) => sum + v.value, 0);
}

/** Records "add web-1"-style change lines from an informer. */
function record(informer: { onChange(cb: (type: string, obj: { metadata?: { name?: string } }) => void): () => void }): string[] {
  const seen: string[] = [];
  informer.onChange((type, obj) => seen.push(`${type} ${obj.metadata?.name}`));
  return seen;
}

const names = (items: readonly { metadata?: { name?: string } }[]) => items.map((o) => o.metadata?.name).sort();
const pause = (ms: number) => new Promise((r) => setTimeout(r, ms));

beforeEach(async () => {
  server = await FakeKubeApiServer.start({
    objects: [fx.pod({ name: 'web-a' }), fx.pod({ name: 'web-b' }), fx.pod({ name: 'web-d' }), fx.pod({ name: 'other', namespace: 'kube-system' })],
  });
});

afterEach(async () => {
  await hub?.stop();
  await server.close();
});

describe('InformerHub', () => {
  it('lists once, then keeps the cache current from the watch', async () => {
    const pods = startHub().informer('pods', { namespace: 'demo' });
    expect(await pods.whenSynced(5000)).toBe(true);
    expect(names(pods.list())).toEqual(['web-a', 'web-b', 'web-d']);
    expect(pods.get('web-a')?.kind).toBe('Pod');
    const seen = record(pods);

    server.upsert(fx.pod({ name: 'web-c' }));
    server.patch('pods/demo/web-a', (p) => void ((p.metadata.labels ??= {}).version = 'v2'));
    server.remove('pods/demo/web-b');
    server.upsert(fx.pod({ name: 'elsewhere', namespace: 'kube-system' }));

    await waitFor(() => seen.length === 3, { timeoutMs: 5000, what: 'three watch events' });
    expect(seen).toEqual(['add web-c', 'update web-a', 'delete web-b']);
    expect(names(pods.list())).toEqual(['web-a', 'web-c', 'web-d']);
    expect(pods.get('web-a')?.metadata?.labels?.version).toBe('v2');
    // Timestamps stay strings whether an object came from the list or the watch.
    expect(typeof pods.get('web-d')?.metadata?.creationTimestamp).toBe('string');
    expect(typeof pods.get('web-c')?.metadata?.creationTimestamp).toBe('string');
    expect(server.listCalls('pods')).toBe(1);
    expect(hub.informer('pods', { namespace: 'demo' })).toBe(pods);
  });

  it('caches only what its transform keeps, from the list and the watch alike, in a cache of its own', async () => {
    // What a reader of pod placement needs: identity, the node, and one label.
    const placement: ObjectTransform = {
      name: 'placement',
      apply: (o: KubeObject) => ({
        metadata: { ...keepIdentity(o), labels: { version: o.metadata?.labels?.version ?? 'v1' } },
        spec: { nodeName: (o as { spec?: { nodeName?: string } }).spec?.nodeName },
      }),
    };
    startHub();
    const slim = hub.informer('pods', { namespace: 'demo', transform: placement });
    const full = hub.informer('pods', { namespace: 'demo' });
    expect(slim).not.toBe(full);
    expect(hub.informer('pods', { namespace: 'demo', transform: placement })).toBe(slim);
    await hub.whenSynced(5000);
    const kept = (o: KubeObject | undefined) => ({ keys: Object.keys(o ?? {}).sort(), metadata: Object.keys(o?.metadata ?? {}).sort() });
    const shape = { keys: ['metadata', 'spec'], metadata: ['labels', 'name', 'namespace', 'resourceVersion', 'uid'] };
    expect(kept(slim.get('web-a'))).toEqual(shape);
    expect(slim.get('web-a')?.metadata?.resourceVersion).toBe(full.get('web-a')?.metadata?.resourceVersion);
    expect(full.get('web-a')?.status).toBeDefined();

    const changes: Array<[string, KubeObject]> = [];
    slim.onChange((type, o) => changes.push([type, o]));
    server.upsert(fx.pod({ name: 'web-c', node: 'node-9' }));
    server.patch('pods/demo/web-a', (p) => void ((p.metadata.labels ??= {}).version = 'v2'));
    server.remove('pods/demo/web-b');
    await waitFor(() => changes.length === 3, { timeoutMs: 5000, what: 'three watch events' });
    expect(changes.map(([type, o]) => [type, o.metadata?.name, kept(o)])).toEqual([
      ['add', 'web-c', shape],
      ['update', 'web-a', shape],
      ['delete', 'web-b', shape],
    ]);
    expect((slim.get('web-c') as { spec?: { nodeName?: string } }).spec?.nodeName).toBe('node-9');
    expect(slim.get('web-a')?.metadata?.labels).toEqual({ version: 'v2' });

    // The kept resourceVersion is what the watch resumes from: a dropped watch reconnects without a relist.
    const lists = server.listCalls('pods');
    server.dropWatches();
    await waitFor(() => server.openWatches('pods') === 2, { timeoutMs: 5000, what: 'both watches back' });
    server.upsert(fx.pod({ name: 'web-e' }));
    await waitFor(() => slim.get('web-e') !== undefined, { timeoutMs: 5000, what: 'event after reconnect' });
    expect(server.listCalls('pods')).toBe(lists);
    expect(kept(slim.get('web-e'))).toEqual(shape);
  });

  it('relists after a 410 ERROR event on the open watch without a second add for existing objects', async () => {
    const pods = startHub().informer('pods', { namespace: 'demo' });
    await pods.whenSynced(5000);
    const seen = record(pods);
    const expiredBefore = await restarts('expired');

    // The client misses these changes (its watch is stalled), then the history is compacted.
    server.stallWatches();
    server.patch('pods/demo/web-a', (p) => void ((p.metadata.labels ??= {}).version = 'v2'));
    server.remove('pods/demo/web-b');
    server.upsert(fx.pod({ name: 'web-c' }));
    await pause(100);
    expect(seen).toEqual([]);
    server.expireWatchHistory();

    await waitFor(() => server.listCalls('pods') === 2 && seen.length === 3, { timeoutMs: 5000, what: 'relist after 410' });
    await pause(100);
    expect([...seen].sort()).toEqual(['add web-c', 'delete web-b', 'update web-a']);
    expect(names(pods.list())).toEqual(['web-a', 'web-c', 'web-d']);
    expect(pods.lastError).toBeNull();
    expect(await restarts('expired')).toBe(expiredBefore + 1);
  });

  it('relists when a new watch from a too-old resourceVersion gets the ERROR 410 event (HTTP 200, as a real server answers)', async () => {
    const pods = startHub().informer('pods', { namespace: 'demo' });
    await pods.whenSynced(5000);
    const seen = record(pods);

    server.stallWatches();
    server.remove('pods/demo/web-d');
    server.upsert(fx.pod({ name: 'web-e' }));
    server.expireWatchHistory({ notifyOpenWatches: false });
    server.dropWatches();

    await waitFor(() => seen.length === 2, { timeoutMs: 5000, what: 'changes after relist' });
    await pause(100);
    expect([...seen].sort()).toEqual(['add web-e', 'delete web-d']);
    expect(server.listCalls('pods')).toBe(2);
    expect(pods.lastError).toBeNull();
  });

  it('reconnects a dropped watch from its resourceVersion: no relist, no error shown', async () => {
    const pods = startHub().informer('pods', { namespace: 'demo' });
    await pods.whenSynced(5000);
    const seen = record(pods);
    const droppedBefore = await restarts('dropped');
    const errors: unknown[] = [];
    const sampler = setInterval(() => pods.lastError && errors.push(pods.lastError), 5);

    expect(server.dropWatches()).toBe(1);
    await waitFor(() => server.openWatches('pods') === 1, { timeoutMs: 5000, what: 'a new watch' });
    server.upsert(fx.pod({ name: 'web-f' }));
    await waitFor(() => seen.includes('add web-f'), { timeoutMs: 5000, what: 'event after reconnect' });
    clearInterval(sampler);

    expect(seen).toEqual(['add web-f']);
    expect(server.listCalls('pods')).toBe(1);
    expect(server.watchCalls('pods')).toBe(2);
    expect(errors).toEqual([]);
    expect(await restarts('dropped')).toBe(droppedBefore + 1);
  });

  it('restarts a silently stalled watch with the watchdog', async () => {
    const pods = startHub({ watchdogMs: 800 }).informer('pods', { namespace: 'demo' });
    await pods.whenSynced(5000);
    const seen = record(pods);
    const before = await restarts('watchdog');
    const watchesBefore = server.watchCalls('pods');

    server.stallWatches();
    const stalledAt = Date.now();
    server.upsert(fx.pod({ name: 'web-g' }));
    await pause(300);
    expect(seen).toEqual([]);

    await waitFor(() => seen.includes('add web-g'), { timeoutMs: 5000, what: 'event through the restarted watch' });
    // Delivered by a new watch opened once the old one had been silent for the watchdog interval.
    expect(Date.now() - stalledAt).toBeGreaterThanOrEqual(700);
    expect(server.watchCalls('pods')).toBeGreaterThan(watchesBefore);
    expect(server.listCalls('pods')).toBe(1);
    expect(await restarts('watchdog')).toBeGreaterThan(before);
    expect(logLines.some((l) => l.reason === 'watchdog' && l.informer === 'pods in demo')).toBe(true);
  });

  it('shows a 403 as FORBIDDEN with the RBAC fix, then recovers once permission is granted', async () => {
    server.forbid('events');
    startHub();
    const pods = hub.informer('pods', { namespace: 'demo' });
    const events = hub.informer('events', { namespace: 'demo', fieldSelector: 'type=Warning' });
    await waitFor(() => events.lastError !== null, { timeoutMs: 5000, what: 'the 403' });
    await pods.whenSynced(5000);

    expect(events.lastError).toMatchObject({
      code: KubeErrors.FORBIDDEN.code,
      message: 'Forbidden: the service account cannot list events in namespace "demo"',
      details: `events is forbidden: User "system:serviceaccount:demo:eks-info" cannot list resource "events" in API group "" in the namespace "demo"`,
    });
    expect(events.lastError?.fix).toContain('Role in namespace "demo"');
    expect(events.synced).toBe(false);
    expect(pods.lastError).toBeNull();
    const readiness = hub.readiness();
    expect(readiness.ok).toBe(false);
    expect(readiness.detail).toContain('events in demo (type=Warning): Forbidden');
    expect(readiness.detail).not.toContain('pods in demo');

    server.upsert(fx.warningEvent({ reason: 'BackOff', message: 'Back-off restarting failed container', involvedObject: { kind: 'Pod', name: 'web-a' } }));
    server.allow('events');
    await waitFor(() => events.synced && !events.lastError, { timeoutMs: 5000, what: 'recovery' });
    expect(events.list().map((e) => e.reason)).toEqual(['BackOff']);
    expect(hub.readiness()).toEqual({ ok: true, detail: '2 informers synced' });
    expect(logLines.some((l) => l.msg === 'informer recovered' && l.informer === 'events in demo (type=Warning)')).toBe(true);
  });

  it('retries a failing list with backoff until it succeeds, logging the failure once', async () => {
    server.failNext('pods', 500, { times: 4, verbs: ['list'] });
    const before = await restarts('error');
    const pods = startHub().informer('pods', { namespace: 'demo' });

    expect(await pods.whenSynced(10_000)).toBe(true);
    expect(server.listCalls('pods')).toBe(5);
    expect(await restarts('error')).toBe(before + 4);
    expect(names(pods.list())).toEqual(['web-a', 'web-b', 'web-d']);
    expect(pods.lastError).toBeNull();
    const warnings = logLines.filter((l) => l.level === 40 && l.informer === 'pods in demo');
    expect(warnings).toHaveLength(1);
    expect(warnings[0]).toMatchObject({
      reason: 'error',
      code: KubeErrors.UNREACHABLE.code,
      error: 'The API server answered 500 to list pods in namespace "demo"',
    });
  });

  it('reports an unreachable API server as UNREACHABLE and keeps retrying', async () => {
    startHub();
    const url = server.url;
    await server.close();
    const pods = hub.informer('pods', { namespace: 'demo' });
    await waitFor(() => pods.lastError !== null, { timeoutMs: 5000, what: 'the connection error' });
    expect(pods.lastError).toMatchObject({ code: KubeErrors.UNREACHABLE.code, message: `Cannot reach the Kubernetes API server at ${url}` });
    expect(pods.lastError?.details).toContain('ECONNREFUSED');
    const errorsBefore = await restarts('error');
    await waitFor(async () => (await restarts('error')) > errorsBefore, { timeoutMs: 5000, what: 'another attempt' });
  });

  it('watches custom resources (Karpenter NodePools)', async () => {
    server.upsert(fx.nodePool({ name: 'default' }));
    const pools = startHub().informer(KARPENTER.nodepools);
    expect(await pools.whenSynced(5000)).toBe(true);
    expect(pools.list().map((p) => p.metadata?.name)).toEqual(['default']);
    server.upsert(fx.nodePool({ name: 'spot' }));
    await waitFor(() => pools.list().length === 2, { timeoutMs: 5000, what: 'watch on nodepools' });
    expect(pools.get('spot')?.kind).toBe('NodePool');
  });

  it('reports a missing CRD as API_NOT_FOUND; an optional informer does not fail readiness', async () => {
    server.setFeature('karpenter', false);
    startHub();
    const pods = hub.informer('pods', { namespace: 'demo' });
    const claims = hub.informer(KARPENTER.nodeclaims, { optional: true });
    await waitFor(() => claims.lastError !== null, { timeoutMs: 5000, what: 'the 404' });
    await pods.whenSynced(5000);
    expect(claims.lastError).toMatchObject({ code: KubeErrors.API_NOT_FOUND.code, message: 'The API server does not serve nodeclaims.karpenter.sh' });
    const readiness = hub.readiness();
    expect(readiness.ok).toBe(true);
    expect(readiness.detail).toContain('optional: nodeclaims.karpenter.sh: The API server does not serve');
  });

  it('keeps delivering changes when a subscriber throws', async () => {
    const pods = startHub().informer('pods', { namespace: 'demo' });
    await pods.whenSynced(5000);
    pods.onChange(() => {
      throw new Error('subscriber bug');
    });
    const seen = record(pods);
    server.upsert(fx.pod({ name: 'web-h' }));
    server.upsert(fx.pod({ name: 'web-i' }));
    await waitFor(() => seen.length === 2, { timeoutMs: 5000, what: 'both events' });
    expect(pods.list()).toHaveLength(5);
    expect(logLines.filter((l) => l.msg === 'informer change listener threw')).toHaveLength(1);
  });

  it('restarts every waiting informer within seconds of the API server coming back, however long its backoff grew', async () => {
    // Backoffs of up to a minute each (full jitter): without a shared recovery, readiness waits for the slowest timer.
    startHub({ backoffBaseMs: 60_000, backoffMaxMs: 60_000, recoveryProbeMs: 500 });
    const pods = hub.informer('pods', { namespace: 'demo' });
    const nodes = hub.informer('nodes');
    await hub.whenSynced(5000);
    await server.goOffline();
    await waitFor(() => pods.waitingForServer && nodes.waitingForServer, { timeoutMs: 5000, what: 'both informers backing off' });
    await pause(300); // a few refused attempts: the first backoff is behind them
    server.upsert(fx.pod({ name: 'web-z' }), fx.node({ name: 'n1' }));

    await server.comeBack();
    const back = Date.now();
    // Relisted (what changed during the outage is there), without waiting out the backoff.
    await waitFor(() => hub.readiness().ok && names(pods.list()).includes('web-z') && names(nodes.list()).join() === 'n1', {
      timeoutMs: 10_000,
      intervalMs: 50,
      what: 'both informers relisted after the outage',
    });
    expect(Date.now() - back).toBeLessThan(3000);
  });

  it('counts refusals right after an outage as the server starting (a real kube-apiserver refuses all until its authorizer has synced)', async () => {
    startHub({ backoffBaseMs: 60_000, backoffMaxMs: 60_000, recoveryProbeMs: 300 });
    const pods = hub.informer('pods', { namespace: 'demo' });
    await hub.whenSynced(5000);
    await server.goOffline();
    await waitFor(() => pods.waitingForServer, { timeoutMs: 5000, what: 'the informer backing off' });
    // Back, but refusing at first: seen on a restarted kube-apiserver for a fraction of a second.
    server.forbid('pods');
    await server.comeBack();
    await waitFor(() => pods.lastError?.code === KubeErrors.FORBIDDEN.code, { timeoutMs: 5000, what: 'the refusal' });
    expect(pods.waitingForServer).toBe(true);
    server.allow('pods');
    const allowed = Date.now();
    // The probe restarts it within its interval, not at the end of a minute-long backoff.
    await waitFor(() => hub.readiness().ok, { timeoutMs: 10_000, intervalMs: 50, what: 'the informer relisted' });
    expect(Date.now() - allowed).toBeLessThan(3000);
  });

  it('keeps its backoff for an informer the server refuses (403): the probe only helps unreachable servers', async () => {
    server.forbid('nodes');
    startHub({ backoffBaseMs: 60_000, backoffMaxMs: 60_000, recoveryProbeMs: 100 });
    const nodes = hub.informer('nodes');
    await waitFor(() => nodes.lastError !== null, { timeoutMs: 5000, what: 'the 403' });
    const lists = server.listCalls('nodes');
    await pause(1000);
    expect(nodes.waitingForServer).toBe(false);
    // Its own timer may fire once in that second (full jitter); a probe waking it would list about ten times.
    expect(server.listCalls('nodes')).toBeLessThanOrEqual(lists + 1);
  });
});
