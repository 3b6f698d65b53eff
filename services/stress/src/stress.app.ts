import { type CommonConfig, type ConfigOf, type ProcessContext, type RunningApp, createServiceApp } from '@eks-info/platform';
import type { stressConfig } from './stress.config';
import { StressModule } from './stress.module';

export type StressConfig = ConfigOf<typeof stressConfig> & CommonConfig;

/** Starts the stress service; with `http` it serves /health, /ready and /metrics on that port. */
export function startStressService(context: ProcessContext<StressConfig>, http?: { port: number; host: string }): Promise<RunningApp> {
  return createServiceApp({ ...context, module: StressModule, http });
}
