// What the single-process entry (local/) composes; no other project imports a service.
export { startStressService } from './stress.app';
export { type StressConfig, stressConfig, stressLocalDefaults } from './stress.config';
