// Scripted scenarios that drive the fake API server (tests, `npm run demo`).
export * from './scaling-scenario';
export * from './large-cluster';
