// The demo's simulated control plane: the HPA, ReplicaSet, scheduler, kubelet and Cluster Autoscaler on the fake API server.
export * from './hpa-algorithm';
export * from './scheduler';
export * from './objects';
export * from './pod-runtime';
export * from './live-cluster';
export * from './demo-cluster';
