import { type CommonConfig, type ConfigOf, type ProcessContext, type RunningApp, createServiceApp } from '@eks-info/platform';
import type { storageConfig } from './storage.config';
import { StorageModule } from './storage.module';

export type StorageConfig = ConfigOf<typeof storageConfig> & CommonConfig;

/** Starts the storage service; with `http` it serves /health, /ready and /metrics on that port. */
export function startStorageService(context: ProcessContext<StorageConfig>, http?: { port: number; host: string }): Promise<RunningApp> {
  return createServiceApp({ ...context, module: StorageModule.forRoot(), http });
}
