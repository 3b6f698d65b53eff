import { kubeFixtures as fx } from '@eks-info/testing';
import { type Node, nodeLabels, type Pod, podRequests, podWorkload } from './kube-objects';

const asPod = (o: unknown) => o as Pod;

describe('podRequests (the scheduler formula)', () => {
  it('sums the containers', () => {
    const pod = asPod(
      fx.pod({
        name: 'a',
        containers: [
          { name: 'x', requests: { cpu: '250m', memory: '128Mi' } },
          { name: 'y', requests: { cpu: '0.5', memory: '1Gi' } },
        ],
      }),
    );
    expect(podRequests(pod)).toEqual({ cpuMillis: 750, memoryBytes: 128 * 2 ** 20 + 2 ** 30 });
  });

  it('takes the largest init container when it is bigger, adds sidecars and the overhead', () => {
    const pod = asPod(fx.pod({ name: 'b', containers: [{ name: 'app', requests: { cpu: '100m', memory: '64Mi' } }] }));
    pod.spec!.initContainers = [
      { name: 'migrate', resources: { requests: { cpu: '1', memory: '32Mi' } } },
      { name: 'proxy', restartPolicy: 'Always', resources: { requests: { cpu: '50m', memory: '16Mi' } } },
    ] as never;
    pod.spec!.overhead = { cpu: '10m', memory: '1Mi' };
    // cpu: max(100 + 50 sidecar, 1000 init) + 10; memory: max(64 + 16, 32) + 1.
    expect(podRequests(pod)).toEqual({ cpuMillis: 1010, memoryBytes: 81 * 2 ** 20 });
  });
});

describe('podWorkload', () => {
  it('follows a ReplicaSet to its Deployment, from the cache or the pod-template-hash', () => {
    const pod = asPod(
      fx.pod({
        name: 'web-7c9f8d6b5d-x2x9q',
        owner: { kind: 'ReplicaSet', name: 'web-7c9f8d6b5d' },
        labels: { app: 'web', 'pod-template-hash': '7c9f8d6b5d' },
      }),
    );
    expect(podWorkload(pod, () => 'web-deployment')).toBe('Deployment/web-deployment');
    expect(podWorkload(pod, () => undefined)).toBe('Deployment/web');
    expect(podWorkload(asPod(fx.pod({ name: 'db-0', owner: { kind: 'StatefulSet', name: 'db' } })), () => undefined)).toBe('StatefulSet/db');
    expect(podWorkload(asPod(fx.pod({ name: 'bare' })), () => undefined)).toBeNull();
  });
});

describe('nodeLabels', () => {
  it('reads EKS node groups and Karpenter nodes alike', () => {
    expect(nodeLabels(fx.node({ name: 'a', capacityType: 'SPOT', nodegroup: 'burst' }) as unknown as Node)).toMatchObject({
      capacityType: 'spot',
      provisioner: 'node group burst',
      arch: 'arm64',
    });
    expect(nodeLabels(fx.node({ name: 'b', nodePool: 'general', arch: 'amd64' }) as unknown as Node)).toMatchObject({
      capacityType: 'on-demand',
      provisioner: 'Karpenter pool general',
      arch: 'amd64',
      instanceType: 'm6i.large',
    });
  });
});
