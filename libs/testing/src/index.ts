export * from './guards/no-cloud-metadata';
export * from './process/paths';
export * from './process/wait';
export * from './process/managed-process';
export * from './nats/nats-server';
export * from './kube-api';
export * from './aws';
