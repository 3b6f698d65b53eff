/**
 * Nodes being drained, end to end in the monitor: the fake Kubernetes API server over HTTPS
 * (list, then watch), a node tainted the way Karpenter and the Node Termination Handler do it,
 * and their events about the node in `default`. The snapshot marks the node with who drains it
 * and why; the history records the drain and the removal with the reason, and the scale-in chain.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { ScalingNode } from '@eks-info/contracts';
import { ApiDiscovery, InformerHub, type KubeObject, loadKubeAccess } from '@eks-info/kube';
import { FakeKubeApiServer, kubeFixtures as fx, waitFor } from '@eks-info/testing';
import { HistoryStore } from '../history/history.store';
import { SnapshotService } from '../snapshot/snapshot.service';
import { ScalingCollector } from './scaling.collector';

jest.setTimeout(30_000);

let server: FakeKubeApiServer;
let dir: string;
let collector: ScalingCollector;
let hub: InformerHub;
let snapshots: SnapshotService;

const KARPENTER_NODE = 'ip-10-0-3-40.eu-west-1.compute.internal';
const SPOT_NODE = 'ip-10-0-5-77.eu-west-1.compute.internal';

beforeAll(async () => {
  dir = mkdtempSync(path.join(os.tmpdir(), 'scaling-drain-'));
  const createdAt = new Date(Date.now() - 3 * 3_600_000);
  server = await FakeKubeApiServer.start({
    objects: [
      fx.node({ name: KARPENTER_NODE, nodePool: 'general', createdAt }),
      fx.node({ name: SPOT_NODE, nodegroup: 'spot', capacityType: 'SPOT', createdAt }),
      fx.node({ name: 'ip-10-0-9-9.eu-west-1.compute.internal', createdAt }),
    ],
    karpenter: false,
  });
  const access = loadKubeAccess({ KUBE_MODE: 'kubeconfig', KUBECONFIG: server.writeKubeconfig(), WATCH_NAMESPACE: 'demo' });
  if (!access.ok) throw new Error(access.error.message);
  const { kubeConfig } = access.access;
  hub = new InformerHub({ kubeConfig, watchdogMs: 5000, backoffBaseMs: 100, backoffMaxMs: 1000 });
  collector = new ScalingCollector({
    namespace: 'demo',
    autoscalerNamespace: 'kube-system',
    hub,
    discovery: new ApiDiscovery(kubeConfig),
    store: new HistoryStore({ dir, retentionDays: 7 }),
    sampleIntervalMs: 60_000,
    retentionDays: 7,
    maxNodes: 1000,
  });
  collector.start();
  snapshots = new SnapshotService(collector);
  await waitFor(() => collector.readiness().ok, { timeoutMs: 10_000, what: 'synced informers' });
});

afterAll(async () => {
  await hub?.stop();
  await collector?.stop();
  await server?.close();
  rmSync(dir, { recursive: true, force: true });
});

async function card(name: string): Promise<ScalingNode | undefined> {
  const snap = await snapshots.snapshot();
  if (snap.nodeCards.status !== 'ok') throw new Error(snap.nodeCards.message);
  return snap.nodeCards.data.nodes.find((n) => n.name === name);
}

const recorded = (type: string, node: string) => collector.store.events(0, Infinity).filter((e) => e.event_type === type && e.object.name === node);

const taint =
  (key: string, effect = 'NoSchedule', value?: string) =>
  (o: KubeObject) => {
    const spec = ((o as { spec?: unknown }).spec ??= {}) as { taints?: Array<{ key: string; value?: string; effect: string }> };
    spec.taints = [...(spec.taints ?? []), { key, effect, ...(value ? { value } : {}) }];
  };

describe('a node being drained', () => {
  it('Karpenter: marked on its card with the reason from its event, recorded as draining then removed, and the scale-in measured', async () => {
    expect((await card(KARPENTER_NODE))?.drain ?? null).toBeNull();

    server.patch(`nodes/${KARPENTER_NODE}`, taint('karpenter.sh/disrupted'));
    const marked = await waitFor(async () => ((await card(KARPENTER_NODE))?.drain ? card(KARPENTER_NODE) : undefined), { what: 'the drain on the card' });
    expect(marked).toMatchObject({ status: 'Ready (draining)', health: 'warn', drain: { by: 'karpenter', taint: 'karpenter.sh/disrupted:NoSchedule' } });
    const [draining] = await waitFor(() => (recorded('node_draining', KARPENTER_NODE).length ? recorded('node_draining', KARPENTER_NODE) : undefined), {
      what: 'the node_draining event',
    });
    expect(draining).toMatchObject({ trigger: expect.stringMatching(/^Karpenter: /), details: { source: 'karpenter' } });
    const snap = await snapshots.snapshot();
    expect(snap.overview).toMatchObject({ status: 'ok', data: { draining: { karpenter: 1 } } });
    // On the page's node events too.
    if (snap.nodeEvents.status !== 'ok') throw new Error(snap.nodeEvents.message);
    expect(snap.nodeEvents.data.some((e) => e.event_type === 'node_draining' && e.object.name === KARPENTER_NODE)).toBe(true);

    server.upsert(
      fx.event({
        namespace: 'default',
        reason: 'DisruptionTerminating',
        message: 'Disrupting Node: Underutilized',
        involvedObject: { kind: 'Node', name: KARPENTER_NODE },
        source: 'karpenter',
      }),
    );
    await waitFor(async () => (await card(KARPENTER_NODE))?.drain?.reason.includes('Underutilized'), { what: "Karpenter's reason on the card" });
    // Karpenter said why after it tainted the node: the drain is recorded again, with that reason.
    const reasoned = await waitFor(
      () => recorded('node_draining', KARPENTER_NODE).find((e) => e.trigger === 'Karpenter: DisruptionTerminating: Disrupting Node: Underutilized'),
      { what: "the drain with Karpenter's reason" },
    );
    expect(reasoned.details).toMatchObject({ reason: 'DisruptionTerminating: Disrupting Node: Underutilized', source: 'karpenter' });

    server.delete(`nodes/${KARPENTER_NODE}`);
    const [removed] = await waitFor(() => (recorded('node_removed', KARPENTER_NODE).length ? recorded('node_removed', KARPENTER_NODE) : undefined), {
      what: 'the node_removed event',
    });
    expect(removed.trigger).toBe('Karpenter: DisruptionTerminating: Disrupting Node: Underutilized');
    const history = await waitFor(
      async () => {
        const chains = collector.tracker.list(-Infinity, Infinity).filter((c) => c.type === 'node_drained_to_removed' && c.subject === KARPENTER_NODE);
        return chains.length ? chains : undefined;
      },
      { what: 'the drained → removed chain' },
    );
    expect(history[0]).toMatchObject({ status: 'completed' });
  });

  it('Node Termination Handler: a cordon with its SpotInterruption event is the handler draining for a spot interruption', async () => {
    server.upsert(
      fx.event({
        namespace: 'default',
        reason: 'SpotInterruption',
        message: 'Spot ITN received. Instance will be interrupted at 2025-11-13T12:02:00Z',
        involvedObject: { kind: 'Node', name: SPOT_NODE },
        source: 'aws-node-termination-handler',
      }),
    );
    server.patch(`nodes/${SPOT_NODE}`, (o) => {
      (o.spec as { unschedulable?: boolean }).unschedulable = true;
    });
    const marked = await waitFor(async () => ((await card(SPOT_NODE))?.drain ? card(SPOT_NODE) : undefined), { what: 'the drain on the card' });
    expect(marked?.drain).toMatchObject({ by: 'node-termination-handler', who: 'AWS Node Termination Handler', taint: null });
    expect(marked?.drain?.reason).toContain('Spot ITN received');
    const [draining] = await waitFor(() => (recorded('node_draining', SPOT_NODE).length ? recorded('node_draining', SPOT_NODE) : undefined), {
      what: 'the node_draining event',
    });
    expect(draining.trigger).toContain('AWS Node Termination Handler: SpotInterruption');
    expect(draining.details.source).toBe('aws-node-termination-handler');
    // Its event came first and is in that one record: no second one.
    await new Promise((r) => setTimeout(r, 300));
    expect(recorded('node_draining', SPOT_NODE)).toHaveLength(1);
  });
});
