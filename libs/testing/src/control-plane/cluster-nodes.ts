import type { KwokNodeSpec } from './kwok-nodes';

/**
 * The nodes every cluster test run starts with: one managed node group of two Graviton
 * on-demand nodes in two zones, and a spot node. Tests that need room add their own nodes.
 */
export const CLUSTER_NODES: KwokNodeSpec[] = [
  { name: 'ip-10-0-1-10.eu-west-1.compute.internal', zone: 'eu-west-1a', instanceType: 'm7g.large', nodegroup: 'general' },
  { name: 'ip-10-0-2-20.eu-west-1.compute.internal', zone: 'eu-west-1b', instanceType: 'm7g.large', nodegroup: 'general' },
  { name: 'ip-10-0-3-30.eu-west-1.compute.internal', zone: 'eu-west-1c', instanceType: 'c7g.xlarge', capacityType: 'SPOT', nodegroup: 'spot', cpu: '4' },
];
