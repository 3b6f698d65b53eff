/**
 * Nodes being drained (Karpenter, the AWS Node Termination Handler, Cluster Autoscaler, a cordon)
 * as the /scaling page marks them and as scaling events: from the node as the informer caches it
 * (NODE_CACHE), the drainers' events, the detector and the chains.
 */
import type { KubeObject } from '@eks-info/kube';
import { kubeFixtures as fx } from '@eks-info/testing';
import { ClusterState } from '../collector/cluster-state';
import { nodesPage } from '../collector/cluster-views';
import { type KubeEvent, NODE_CACHE, type Node } from '../collector/kube-objects';
import { normalizeNodesQuery } from '@eks-info/contracts';
import { ChainTracker } from './chain-tracker';
import { EventDetector } from './event-detector';

const NOW = Date.parse('2025-11-13T12:00:00Z');
const ago = (minutes: number) => new Date(NOW - minutes * 60_000);

function setup() {
  const state = new ClusterState({ namespace: 'demo', maxNodes: 100, now: () => NOW });
  const detector = new EventDetector({
    now: () => NOW,
    horizon: () => NOW - 3_600_000,
    knownPendingSince: () => null,
    node: (n) => state.node(n),
    drainNote: (n) => state.drainNotes.get(n),
  });
  const tracker = new ChainTracker();
  /** Applies the node as the informer would hand it over (through the cache transform). */
  const node = (type: 'add' | 'update' | 'delete', o: Parameters<typeof fx.node>[0], extra: { deleting?: Date } = {}) => {
    const raw = fx.node(o);
    if (extra.deleting) Object.assign(raw.metadata!, { deletionTimestamp: extra.deleting.toISOString(), deletionGracePeriodSeconds: 0 });
    const { prev, next } = state.applyNode(type, NODE_CACHE.apply(raw) as unknown as Node);
    const events = detector.node(prev, next);
    const chains = events.flatMap((e) => tracker.add(e));
    return { events, chains };
  };
  const event = (o: Parameters<typeof fx.event>[0]) => state.applyEvent('add', fx.event(o) as unknown as KubeEvent);
  const card = (name: string) => nodesPage(state, normalizeNodesQuery({ limit: 100 })).nodes.find((n) => n.name === name)!;
  return { state, node, event, card, tracker };
}

const base = { name: 'ip-10-0-3-40.eu-west-1.compute.internal', nodePool: 'general', createdAt: ago(180) };

describe('nodes being drained', () => {
  it('Karpenter v1: the disrupted taint marks the node, its DisruptionTerminating event says why, and removal closes the scale-in chain', () => {
    const { node, event, card, tracker } = setup();
    expect(node('add', base).events.map((e) => e.event_type)).toEqual(['node_added']);
    expect(card(base.name).drain ?? null).toBeNull();

    const tainted = { ...base, taints: [{ key: 'karpenter.sh/disrupted', effect: 'NoSchedule' as const }] };
    const { events } = node('update', tainted);
    expect(events).toHaveLength(1);
    expect(events[0]).toMatchObject({
      event_type: 'node_draining',
      trigger: expect.stringMatching(/^Karpenter: /),
      details: { taint: 'karpenter.sh/disrupted:NoSchedule', source: 'karpenter', node: base.name },
    });
    expect(card(base.name)).toMatchObject({ health: 'warn', status: 'Ready (draining)', drain: { by: 'karpenter', event: null } });

    // Karpenter's event about the node (kubernetes-sigs/karpenter disruption events) gives the reason.
    event({
      namespace: 'default',
      reason: 'DisruptionTerminating',
      message: 'Disrupting Node: Underutilized',
      involvedObject: { kind: 'Node', name: base.name },
      source: 'karpenter',
      lastTimestamp: ago(1),
    });
    expect(card(base.name).drain).toMatchObject({
      by: 'karpenter',
      reason: 'DisruptionTerminating: Disrupting Node: Underutilized',
      event: { reason: 'DisruptionTerminating', message: 'Disrupting Node: Underutilized' },
    });
    // The same taint again is no new event.
    expect(node('update', tainted).events).toEqual([]);

    const removed = node('update', tainted, { deleting: ago(0) });
    expect(removed.events.map((e) => e.event_type)).toEqual(['node_removed']);
    expect(removed.events[0]).toMatchObject({
      trigger: 'Karpenter: DisruptionTerminating: Disrupting Node: Underutilized',
      details: { reason: expect.stringContaining('Underutilized') },
    });
    expect(removed.chains).toHaveLength(1);
    expect(removed.chains[0]).toMatchObject({ type: 'node_drained_to_removed', subject: base.name, status: 'completed' });
    expect(tracker.stats(0, NOW + 1).find((s) => s.type === 'node_drained_to_removed')).toMatchObject({ count: 1 });
  });

  it('Node Termination Handler: a spot-itn taint, or a plain cordon with its SpotInterruption event, is the handler draining for a spot interruption', () => {
    const { node, event, card } = setup();
    const itn = { ...base, name: 'spot-a', taints: [{ key: 'aws-node-termination-handler/spot-itn', value: 'spot-itn-1a2b', effect: 'NoSchedule' as const }] };
    node('add', { ...itn, taints: [] });
    const { events } = node('update', itn);
    expect(events[0]).toMatchObject({
      event_type: 'node_draining',
      trigger: 'AWS Node Termination Handler: spot interruption notice',
      details: { source: 'aws-node-termination-handler', taint: 'aws-node-termination-handler/spot-itn=spot-itn-1a2b:NoSchedule' },
    });

    // By default the handler only cordons; its event says why.
    const cordoned = { ...base, name: 'spot-b', unschedulable: true };
    node('add', { ...cordoned, unschedulable: false });
    event({
      namespace: 'default',
      reason: 'SpotInterruption',
      message: 'Spot ITN received. Instance will be interrupted at 2025-11-13T12:02:00Z',
      involvedObject: { kind: 'Node', name: 'spot-b' },
      source: 'aws-node-termination-handler',
      lastTimestamp: ago(0),
    });
    // Its progress report does not replace the reason.
    event({
      namespace: 'default',
      reason: 'CordonAndDrain',
      message: 'Node successfully cordoned and drained',
      involvedObject: { kind: 'Node', name: 'spot-b' },
      source: 'aws-node-termination-handler',
      lastTimestamp: ago(0),
    });
    const drained = node('update', cordoned).events;
    expect(drained[0]).toMatchObject({
      event_type: 'node_draining',
      trigger: expect.stringContaining('AWS Node Termination Handler: SpotInterruption: Spot ITN received'),
    });
    expect(card('spot-b').drain).toMatchObject({ by: 'node-termination-handler', taint: null });
  });

  it('a plain cordon is marked as such; older Karpenter (disruption=disrupting) and Cluster Autoscaler taints are read; look-alikes are not', () => {
    const { node, card } = setup();
    node('add', { ...base, name: 'manual', unschedulable: true });
    expect(card('manual')).toMatchObject({ status: 'Ready (cordoned)', drain: { by: 'cordon', who: 'cordoned' } });

    node('add', { ...base, name: 'v1beta1', taints: [{ key: 'karpenter.sh/disruption', value: 'disrupting', effect: 'NoSchedule' }] });
    expect(card('v1beta1').drain).toMatchObject({ by: 'karpenter', taint: 'karpenter.sh/disruption=disrupting:NoSchedule' });

    node('add', { ...base, name: 'ca', taints: [{ key: 'ToBeDeletedByClusterAutoscaler', value: '1731499200', effect: 'NoSchedule' }] });
    expect(card('ca').drain).toMatchObject({ by: 'cluster-autoscaler', who: 'Cluster Autoscaler' });

    node('add', {
      ...base,
      name: 'other',
      taints: [
        { key: 'karpenter.sh/disruption', value: 'something-else', effect: 'NoSchedule' },
        { key: 'dedicated', value: 'gpu', effect: 'NoSchedule' },
      ],
    });
    expect(card('other')).toMatchObject({ status: 'Ready', health: 'ok' });
    expect(card('other').drain ?? null).toBeNull();
  });

  it('narrows the node list to the drained nodes, and puts them among those that need attention', () => {
    const { node, state } = setup();
    node('add', { ...base, name: 'a-fine' });
    node('add', { ...base, name: 'b-karpenter', taints: [{ key: 'karpenter.sh/disrupted', effect: 'NoSchedule' }] });
    node('add', { ...base, name: 'c-cordoned', unschedulable: true });
    node('add', { ...base, name: 'd-fine' });
    const names = (q: Parameters<typeof normalizeNodesQuery>[0]) => nodesPage(state, normalizeNodesQuery(q)).nodes.map((n) => n.name);
    expect(names({ state: 'draining' })).toEqual(['b-karpenter', 'c-cordoned']);
    expect(names({ state: 'cordoned' })).toEqual(['c-cordoned']);
    expect(names({ state: 'attention', sort: 'name' })).toEqual(['b-karpenter', 'c-cordoned']);
    expect(names({ sort: 'attention' }).slice(0, 2).sort()).toEqual(['b-karpenter', 'c-cordoned']);
  });

  it('the node cache keeps drain taints only: a node without one costs no taint at all', () => {
    const plain = NODE_CACHE.apply(fx.node({ ...base, taints: [{ key: 'dedicated', value: 'gpu', effect: 'NoSchedule' }] }) as KubeObject) as Node;
    expect(plain.spec?.taints).toBeUndefined();
    const drained = NODE_CACHE.apply(
      fx.node({
        ...base,
        taints: [
          { key: 'dedicated', value: 'gpu', effect: 'NoSchedule' },
          { key: 'karpenter.sh/disrupted', effect: 'NoSchedule' },
        ],
      }) as KubeObject,
    ) as Node;
    expect(drained.spec?.taints).toEqual([{ key: 'karpenter.sh/disrupted', effect: 'NoSchedule' }]);
  });
});

describe('the drained → removed chain', () => {
  const record = (type: 'node_draining' | 'node_removed', at: number, uid = 'node-uid-1') => ({
    event_id: `${type}:${uid}`,
    event_type: type,
    timestamp: new Date(at).toISOString(),
    time_source: 'object' as const,
    trigger: type === 'node_draining' ? 'Karpenter: Disrupting Node: Empty' : 'Karpenter',
    result: '',
    status: 'completed' as const,
    object: { kind: 'Node', namespace: null, name: 'n1', uid },
    details: {},
  });

  it('measures from the first drain to the removal, in whichever order the events are replayed', () => {
    const events = [record('node_draining', NOW), record('node_draining', NOW + 5_000), record('node_removed', NOW + 42_000)];
    for (const order of [events, [...events].reverse(), [events[2], events[0], events[1]]]) {
      const t = new ChainTracker();
      order.forEach((e) => t.add(e));
      const chains = t.list(-Infinity, Infinity).filter((c) => c.type === 'node_drained_to_removed');
      expect(chains).toHaveLength(1);
      expect(chains[0]).toMatchObject({ status: 'completed', duration_seconds: 42, detail: 'Karpenter: Disrupting Node: Empty' });
    }
  });
});
