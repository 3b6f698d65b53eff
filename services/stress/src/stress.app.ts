import { type ProcessContext, type RunningApp, createServiceApp } from '@eks-info/platform';
import type { StressConfig } from './stress.config';
import { StressModule } from './stress.module';

/** Starts the stress service; with `http` it serves /health, /ready and /metrics on that port. */
export function startStressService(context: ProcessContext<StressConfig>, http?: { port: number; host: string }): Promise<RunningApp> {
  return createServiceApp({ ...context, module: StressModule, http });
}
