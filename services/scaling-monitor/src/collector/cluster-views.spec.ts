import { kubeFixtures as fx } from '@eks-info/testing';
import { ClusterState } from './cluster-state';
import { historySample, nodesView, summary } from './cluster-views';
import type { Node, Pod } from './kube-objects';

describe('a pod being deleted (Terminating)', () => {
  const state = new ClusterState({ namespace: 'demo', maxNodes: 10 });
  state.applyNode('add', fx.node({ name: 'n1' }) as unknown as Node);
  const owner = { kind: 'ReplicaSet', name: 'web-5d9c7b8f6d' };
  const web = (name: string, deleting?: boolean) =>
    fx.pod({
      name,
      node: 'n1',
      owner,
      labels: { 'pod-template-hash': '5d9c7b8f6d' },
      containers: [{ name: 'web', requests: { cpu: '250m', memory: '128Mi' } }],
      deleting,
    }) as unknown as Pod;
  state.applyPod('add', web('web-a'));
  state.applyPod('add', web('web-b'));
  state.applyPod('update', web('web-b', true));

  it('is not counted as running, but as terminating', () => {
    expect(summary(state)).toMatchObject({ pods: 1, terminating: 1 });
    expect(historySample(state, new Date())).toMatchObject({ pods: 1, terminating: 1, workloads: { 'Deployment/web': 1 } });
  });

  it('shows on its node as Terminating and still holds its requests there until it is gone', () => {
    const [node] = nodesView(state).nodes;
    expect(node.appPods).toEqual(['web-a', 'web-b (Terminating)']);
    expect(node.cpu.requested).toBe(500);
    state.applyPod('delete', web('web-b', true));
    expect(nodesView(state).nodes[0]).toMatchObject({ appPods: ['web-a'], cpu: { requested: 250 } });
    expect(summary(state)).toMatchObject({ pods: 1, terminating: 0 });
  });
});
