// What the single-process entry (local/) composes; no other project imports a service.
export { startEnvironmentService, type EnvironmentConfig } from './environment.app';
export { environmentConfig } from './environment.config';
