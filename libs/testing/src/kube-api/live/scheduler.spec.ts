import * as fx from '../fixtures';
import type { NodeShape, PodShape } from './objects';
import { schedulePod } from './scheduler';

const node = (name: string, o: { ready?: boolean } = {}) =>
  fx.node({ name, cpuCores: 2, memoryGi: 8, createdAt: '2025-01-01T00:00:00Z', ready: o.ready ?? true }) as NodeShape;
/** A pod bound to `node` holding `cpu` of it. */
const using = (name: string, nodeName: string, cpu: string) =>
  fx.pod({ name, node: nodeName, containers: [{ name: 'app', requests: { cpu, memory: '64Mi' } }] }) as PodShape;
const incoming = (cpu = '200m') =>
  fx.pod({ name: 'stress-new', phase: 'Pending', containers: [{ name: 'stress', requests: { cpu, memory: '128Mi' } }] }) as PodShape;

describe('the simulated scheduler', () => {
  // fx.node: 2 cores, 1930m allocatable.
  it('places the pod on the node with the most CPU left (LeastAllocated)', () => {
    const nodes = [node('n1'), node('n2'), node('n3')];
    const pods = [using('a', 'n1', '1500m'), using('b', 'n2', '900m'), using('c', 'n3', '1700m')];
    expect(schedulePod(incoming(), nodes, pods)).toEqual({ node: 'n2' });
  });

  it("leaves it Pending with the scheduler's own words when no node has the CPU", () => {
    const nodes = [node('n1'), node('n2'), node('n3')];
    const pods = [using('a', 'n1', '1800m'), using('b', 'n2', '1800m'), using('c', 'n3', '1750m')];
    expect(schedulePod(incoming(), nodes, pods)).toEqual({
      node: null,
      message: '0/3 nodes are available: 3 Insufficient cpu. preemption: 0/3 nodes are available: 3 No preemption victims found for incoming pod.',
    });
  });

  it('counts a joining node that is not Ready yet under its taint, sorted with the others', () => {
    const joining = node('n4', { ready: false });
    const nodes = [node('n1'), node('n2'), node('n3'), joining];
    const pods = [using('a', 'n1', '1800m'), using('b', 'n2', '1800m'), using('c', 'n3', '1750m')];
    expect(schedulePod(incoming(), nodes, pods)).toEqual({
      node: null,
      message:
        '0/4 nodes are available: 1 node(s) had untolerated taint {node.kubernetes.io/not-ready: }, 3 Insufficient cpu. ' +
        'preemption: 0/4 nodes are available: 1 Preemption is not helpful for scheduling, 3 No preemption victims found for incoming pod.',
    });
  });

  it('a finished pod holds nothing; a pod exactly filling the room fits', () => {
    const nodes = [node('n1')];
    const done = { ...using('old', 'n1', '1900m'), status: { phase: 'Succeeded' } } as PodShape;
    expect(schedulePod(incoming('1930m'), nodes, [done])).toEqual({ node: 'n1' });
  });
});
