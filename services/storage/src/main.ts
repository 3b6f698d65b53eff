import 'reflect-metadata';
import { awsDeadlineRule } from '@eks-info/aws';
import { runProcess } from '@eks-info/platform';
import { startStorageService } from './storage.app';
import { storageConfig } from './storage.config';

runProcess({
  name: 'storage',
  config: storageConfig,
  rules: [awsDeadlineRule],
  start: (context) => startStorageService(context, { port: context.config.MANAGEMENT_PORT, host: context.config.MANAGEMENT_HOST }),
});
