// Kubernetes access for the services: kubeconfig loading, shared self-healing informers,
// API discovery, the metrics.k8s.io poller and quantity parsing.
export * from './kube.config';
export * from './kube-access';
export * from './kube-context';
export * from './kube-errors';
export * from './resources';
export * from './informer';
export * from './informer-hub';
export * from './api-discovery';
export * from './metrics-poller';
export * from './pod-usage';
export * from './quantity';
export * from './kube.metrics';
export * from './informer-section';
