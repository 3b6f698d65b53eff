// What the single-process entry (local/) composes; no other project imports a service.
export { startScalingMonitorService, type ScalingMonitorConfig } from './scaling-monitor.app';
export { scalingMonitorConfig, scalingMonitorLocalDefaults } from './scaling-monitor.config';
