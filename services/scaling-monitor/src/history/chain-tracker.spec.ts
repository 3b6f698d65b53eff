import type { ScalingEventRecord, ScalingEventType } from '@eks-info/contracts';
import { ChainTracker } from './chain-tracker';

const T0 = Date.parse('2025-11-13T10:00:00Z');
const at = (s: number) => new Date(T0 + s * 1000).toISOString();

function ev(
  type: ScalingEventType,
  s: number,
  object: { kind: string; name: string; uid?: string; namespace?: string | null },
  details: ScalingEventRecord['details'] = {},
): ScalingEventRecord {
  return {
    event_id: `${type}:${object.uid ?? object.name}:${s}`,
    event_type: type,
    timestamp: at(s),
    time_source: 'object',
    trigger: '',
    result: '',
    status: 'completed',
    object: { kind: object.kind, name: object.name, uid: object.uid ?? object.name, namespace: object.namespace === undefined ? 'demo' : object.namespace },
    details,
  };
}

const hpa = (type: 'hpa_scale_up' | 'hpa_scale_down', s: number, before: number, after: number) =>
  ev(type, s, { kind: 'HorizontalPodAutoscaler', name: 'web' }, { workload: 'Deployment/web', replicas_before: before, replicas_after: after });
const ready = (pod: string, created: number, s: number) =>
  ev('pod_ready', s, { kind: 'Pod', name: pod }, { workload: 'Deployment/web', created_at: at(created) });
const node = (type: 'node_added' | 'node_ready' | 'node_removed', name: string, s: number, created: number) =>
  ev(type, s, { kind: 'Node', name, namespace: null }, { created_at: at(created) });

/** The full scale-up story as events, in the order they happened. */
const story = (): ScalingEventRecord[] => [
  hpa('hpa_scale_up', 30, 2, 4),
  ev('pod_pending', 32, { kind: 'Pod', name: 'web-d' }, { workload: 'Deployment/web' }),
  ready('web-c', 31, 40),
  node('node_added', 'n4', 75, 75),
  node('node_ready', 'n4', 120, 75),
  ev('pod_scheduled', 122, { kind: 'Pod', name: 'web-d' }, { node: 'n4', workload: 'Deployment/web' }),
  ready('web-d', 31, 131),
];

const summary = (t: ChainTracker) => t.stats(-Infinity, Infinity).map((s) => [s.type, s.count, s.average_seconds, s.in_progress]);

describe('ChainTracker', () => {
  it('measures each chain from the event times', () => {
    const t = new ChainTracker();
    const completed = story().flatMap((e) => t.add(e));
    expect(completed.map((c) => [c.type, c.duration_seconds])).toEqual([
      ['node_created_to_ready', 45],
      ['pending_to_scheduled', 90],
      ['pending_to_node_ready', 88],
      ['hpa_to_pods_ready', 101],
    ]);
    expect(summary(t)).toEqual([
      ['hpa_to_pods_ready', 1, 101, 0],
      ['pending_to_scheduled', 1, 90, 0],
      ['node_created_to_ready', 1, 45, 0],
      ['pending_to_node_ready', 1, 88, 0],
      ['node_drained_to_removed', 0, null, 0],
    ]);
  });

  it('gives the same chains whatever order the events arrive in (a replay after a restart)', () => {
    const inOrder = new ChainTracker();
    story().forEach((e) => inOrder.add(e));
    for (const order of [story().reverse(), [...story().slice(3), ...story().slice(0, 3)]]) {
      const t = new ChainTracker();
      order.forEach((e) => t.add(e));
      expect(t.list(-Infinity, Infinity)).toEqual(inOrder.list(-Infinity, Infinity));
    }
  });

  it('shows chains in progress until their end arrives', () => {
    const t = new ChainTracker();
    story()
      .slice(0, 4)
      .forEach((e) => t.add(e));
    expect(summary(t).map(([type, , , inProgress]) => [type, inProgress])).toEqual([
      ['hpa_to_pods_ready', 1],
      ['pending_to_scheduled', 1],
      ['node_created_to_ready', 1],
      ['pending_to_node_ready', 0],
      ['node_drained_to_removed', 0],
    ]);
    expect(t.list(-Infinity, Infinity).find((c) => c.type === 'hpa_to_pods_ready')!.detail).toBe('1 of 2 new pods Ready');
  });

  it('does not count pods created before the decision, nor after the next one', () => {
    const t = new ChainTracker();
    t.add(ready('old', 10, 29));
    t.add(hpa('hpa_scale_up', 30, 2, 3));
    t.add(hpa('hpa_scale_up', 60, 3, 4));
    t.add(ready('second', 61, 70));
    expect(t.list(-Infinity, Infinity).map((c) => [c.subject, c.status, c.duration_seconds])).toEqual([
      ['demo/web 3 → 4', 'completed', 10],
      // The later decision completed first and took over: this one will never see its pod.
      ['demo/web 2 → 3', 'superseded', null],
    ]);
  });

  it('abandons a Pending wait when the pod is deleted, and a node that never got Ready', () => {
    const t = new ChainTracker();
    t.add(ev('pod_pending', 10, { kind: 'Pod', name: 'p' }));
    t.add(ev('pod_deleted', 20, { kind: 'Pod', name: 'p' }));
    t.add(node('node_added', 'n5', 30, 30));
    t.add(node('node_removed', 'n5', 40, 30));
    expect(t.list(-Infinity, Infinity).map((c) => [c.type, c.status])).toEqual([
      ['node_created_to_ready', 'abandoned'],
      ['pending_to_scheduled', 'abandoned'],
    ]);
    expect(summary(t).every(([, count, , inProgress]) => count === 0 && inProgress === 0)).toBe(true);
  });

  it('counts a node as the scale-up a pod waited for only when the node is newer than the wait', () => {
    const t = new ChainTracker();
    t.add(ev('pod_pending', 10, { kind: 'Pod', name: 'on-old' }));
    t.add(ev('pod_scheduled', 20, { kind: 'Pod', name: 'on-old' }, { node: 'old-node', node_created_at: at(-86_400) }));
    t.add(ev('pod_pending', 30, { kind: 'Pod', name: 'on-new' }));
    t.add(ev('pod_scheduled', 90, { kind: 'Pod', name: 'on-new' }, { node: 'new-node', node_created_at: at(40) }));
    t.add(node('node_ready', 'new-node', 85, 40));
    // The old node turning Ready again later (a kubelet restart) starts nothing for the first pod.
    t.add(node('node_ready', 'old-node', 200, -86_400));
    expect(
      t
        .list(-Infinity, Infinity)
        .filter((c) => c.type === 'pending_to_node_ready')
        .map((c) => [c.subject, c.duration_seconds]),
    ).toEqual([['demo/on-new', 55]]);
  });

  it('computes average and nearest-rank p90, and filters by the end time', () => {
    const t = new ChainTracker();
    [10, 20, 30, 40, 50, 60, 70, 80, 90, 100].forEach((d, i) => t.add(node('node_ready', `n${i}`, 1000 * i + d, 1000 * i)));
    const [, , nodes] = t.stats(-Infinity, Infinity);
    expect(nodes).toMatchObject({ count: 10, average_seconds: 55, p90_seconds: 90, min_seconds: 10, max_seconds: 100 });
    expect(t.stats(T0 + 5000 * 1000, Infinity)[2]).toMatchObject({ count: 5, p90_seconds: 100 });
  });
});
