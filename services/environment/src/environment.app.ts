import { type ProcessContext, type RunningApp, createServiceApp } from '@eks-info/platform';
import type { EnvironmentConfig } from './environment.config';
import { EnvironmentModule } from './environment.module';

/** Starts the environment service; with `http` it serves /health, /ready and /metrics on that port. */
export function startEnvironmentService(context: ProcessContext<EnvironmentConfig>, http?: { port: number; host: string }): Promise<RunningApp> {
  return createServiceApp({ ...context, module: EnvironmentModule.forRoot(), http });
}
