// What the single-process entry (local/) composes; no other project imports a service.
export { startEnvironmentService } from './environment.app';
export { type EnvironmentConfig, environmentConfig } from './environment.config';
