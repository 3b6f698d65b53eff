import { kubeFixtures as fx } from '@eks-info/testing';
import { ClusterState } from '../collector/cluster-state';
import type { KubeEvent, Node, Pod } from '../collector/kube-objects';
import { EventDetector } from './event-detector';

const NOW = Date.parse('2025-11-13T12:00:00Z');
const ago = (minutes: number) => new Date(NOW - minutes * 60_000);
const HORIZON = NOW - 3_600_000;

function setup() {
  const state = new ClusterState({ namespace: 'demo', maxNodes: 100, now: () => NOW });
  const detector = new EventDetector({ now: () => NOW, horizon: () => HORIZON, knownPendingSince: () => null, node: (n) => state.node(n) });
  const node = (type: 'add' | 'update', o: Parameters<typeof fx.node>[0]) => {
    const { prev, next } = state.applyNode(type, fx.node(o) as unknown as Node);
    return detector.node(prev, next).map((e) => e.event_type);
  };
  const pod = (type: 'add' | 'update' | 'delete', o: Parameters<typeof fx.pod>[0]) => {
    const { prev, next } = state.applyPod(type, fx.pod(o) as unknown as Pod);
    return detector.pod(prev, next).map((e) => e.event_type);
  };
  return { node, pod, detector, state };
}

describe('EventDetector', () => {
  it('records a new node joining and its first readiness, but not a recovery', () => {
    const { node } = setup();
    expect(node('add', { name: 'n1', createdAt: ago(5), ready: false })).toEqual(['node_added']);
    expect(node('update', { name: 'n1', createdAt: ago(5), ready: true })).toEqual(['node_ready']);
    expect(node('update', { name: 'n1', createdAt: ago(5), ready: false })).toEqual([]);
    expect(node('update', { name: 'n1', createdAt: ago(5), ready: true })).toEqual([]);
  });

  it('does not take an old node seen for the first time as a new one turning Ready', () => {
    const { node } = setup();
    // node_added carries the old creation time (the history drops it as before its horizon).
    expect(node('add', { name: 'old', createdAt: ago(3 * 24 * 60), ready: true })).toEqual(['node_added']);
    expect(node('update', { name: 'old', createdAt: ago(3 * 24 * 60), ready: false })).toEqual([]);
    expect(node('update', { name: 'old', createdAt: ago(3 * 24 * 60), ready: true })).toEqual([]);
  });

  it('follows a pod of the watched namespace from creation to deletion, once each', () => {
    const { pod } = setup();
    const base = { name: 'web-1', namespace: 'demo', createdAt: ago(2) };
    expect(pod('add', { ...base, phase: 'Pending' })).toEqual(['pod_created']);
    expect(pod('update', { ...base, unschedulable: 'Insufficient cpu' })).toEqual(['pod_pending']);
    expect(pod('update', { ...base, node: 'n1', phase: 'Running', ready: false })).toEqual(['pod_scheduled']);
    expect(pod('update', { ...base, node: 'n1', phase: 'Running' })).toEqual(['pod_ready']);
    // A readiness probe failing and recovering is not a new pod turning Ready.
    expect(pod('update', { ...base, node: 'n1', phase: 'Running', ready: false })).toEqual([]);
    expect(pod('update', { ...base, node: 'n1', phase: 'Running' })).toEqual([]);
    expect(pod('update', { ...base, node: 'n1', phase: 'Running', deleting: true })).toEqual(['pod_deleted']);
    expect(pod('delete', { ...base, node: 'n1', phase: 'Running', deleting: true })).toEqual([]);
  });

  it('builds no creation or scheduling of a pod from before the horizon (the history drops those)', () => {
    const { pod } = setup();
    const old = { name: 'web-old', namespace: 'demo', createdAt: ago(3 * 60) };
    // Listed long after it started: created and scheduled 3 h ago, before the 1 h horizon.
    expect(pod('add', { ...old, node: 'n1', phase: 'Running' })).toEqual([]);
    const recent = { name: 'web-new', namespace: 'demo', createdAt: ago(5) };
    expect(pod('add', { ...recent, node: 'n1', phase: 'Running', ready: false })).toEqual(['pod_created', 'pod_scheduled']);
  });

  it('records only the Pending wait of pods in other namespaces', () => {
    const { pod } = setup();
    const base = { name: 'batch-1', namespace: 'jobs', createdAt: ago(2) };
    expect(pod('add', { ...base, phase: 'Pending' })).toEqual([]);
    expect(pod('update', { ...base, unschedulable: '' })).toEqual(['pod_pending']);
    expect(pod('update', { ...base, node: 'n1', phase: 'Running' })).toEqual(['pod_scheduled']);
    expect(pod('delete', { ...base, node: 'n1', phase: 'Running' })).toEqual([]);
  });

  it('stamps pod_deleted with the time the deletion was asked for, not the end of the grace period', () => {
    const { state, detector } = setup();
    const base = { name: 'web-1', namespace: 'demo', createdAt: ago(10), node: 'n1', phase: 'Running' as const };
    state.applyPod('add', fx.pod(base) as unknown as Pod);
    const { prev, next } = state.applyPod('update', fx.pod({ ...base, deleting: ago(1) }) as unknown as Pod);
    const [deleted] = detector.pod(prev, next);
    expect(deleted).toMatchObject({ event_type: 'pod_deleted', timestamp: ago(1).toISOString(), time_source: 'object' });
  });

  it('reads repeats of events.k8s.io-style events from series: each repeat is its own action at its own time', () => {
    const { detector } = setup();
    const scaleDown = (series?: { count: number; lastObservedTime: string }) =>
      ({
        ...fx.schedulerEvent({ pod: 'x', reason: 'FailedScheduling', message: 'node removed', at: ago(20) }),
        reason: 'ScaleDown',
        involvedObject: { kind: 'Node', name: 'n1' },
        reportingComponent: 'cluster-autoscaler',
        ...(series ? { series } : {}),
      }) as unknown as KubeEvent;
    const first = detector.kubeEvent(scaleDown());
    const again = detector.kubeEvent(scaleDown({ count: 2, lastObservedTime: ago(5).toISOString() }));
    expect(first[0]).toMatchObject({ event_type: 'autoscaler_scale_down', timestamp: ago(20).toISOString() });
    expect(again[0]).toMatchObject({ event_type: 'autoscaler_scale_down', timestamp: ago(5).toISOString() });
    expect(again[0].event_id).not.toBe(first[0].event_id);
  });
});
