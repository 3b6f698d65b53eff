// What the single-process entry (local/) composes; no other project imports a service.
export { startStressService, type StressConfig } from './stress.app';
export { stressConfig, stressLocalDefaults } from './stress.config';
