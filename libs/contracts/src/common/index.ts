export * from './rpc';
export * from './errors';
export * from './section';
export * from './served-by';
export * from './dependency.errors';
export * from './schema';
export * from './schema-docs';
export * from './idempotency';
