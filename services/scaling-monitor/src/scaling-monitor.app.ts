import { type ProcessContext, type RunningApp, createServiceApp } from '@eks-info/platform';
import type { ScalingMonitorConfig } from './scaling-monitor.config';
import { ScalingMonitorModule } from './scaling-monitor.module';

/** Starts the scaling-monitor service; with `http` it serves /health, /ready and /metrics on that port. */
export function startScalingMonitorService(context: ProcessContext<ScalingMonitorConfig>, http?: { port: number; host: string }): Promise<RunningApp> {
  return createServiceApp({ ...context, module: ScalingMonitorModule.forRoot(), http });
}
