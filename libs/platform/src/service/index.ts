export * from './identity';
export * from './tokens';
export * from './runtime';
export * from './platform.module';
export * from './service-app';
export * from './shutdown';
export * from './process-main';
export * from './http-metrics';
