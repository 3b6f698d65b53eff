// A real Kubernetes control plane on loopback for the cluster test tier, and a raw REST client
// that talks to it and to the fake API server alike.
export * from './control-plane';
export * from './kube-client';
export * from './kwok-nodes';
export * from './cluster-nodes';
export * from './pki';
export * from './metrics-api';
