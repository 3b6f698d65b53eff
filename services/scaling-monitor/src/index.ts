// What the single-process entry (local/) composes; no other project imports a service.
export { startScalingMonitorService } from './scaling-monitor.app';
export { type ScalingMonitorConfig, scalingMonitorConfig, scalingMonitorLocalDefaults } from './scaling-monitor.config';
