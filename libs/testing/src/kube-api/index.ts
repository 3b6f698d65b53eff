// The fake Kubernetes API server (HTTPS list/watch with injectable faults) and fixture builders.
export * from './server';
export * from './store';
export * from './resources';
export * as kubeFixtures from './fixtures';
export * from './scenarios';
export * from './live';
