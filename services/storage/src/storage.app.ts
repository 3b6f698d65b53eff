import { type ProcessContext, type RunningApp, createServiceApp } from '@eks-info/platform';
import type { StorageConfig } from './storage.config';
import { StorageModule } from './storage.module';

/** Starts the storage service; with `http` it serves /health, /ready and /metrics on that port. */
export function startStorageService(context: ProcessContext<StorageConfig>, http?: { port: number; host: string }): Promise<RunningApp> {
  return createServiceApp({ ...context, module: StorageModule.forRoot(), http });
}
