import 'reflect-metadata';
import { runProcess } from '@eks-info/platform';
import { startStorageService } from './storage.app';
import { storageConfig } from './storage.config';

runProcess({
  name: 'storage',
  config: storageConfig,
  start: (context) => startStorageService(context, { port: context.config.MANAGEMENT_PORT, host: context.config.MANAGEMENT_HOST }),
});
