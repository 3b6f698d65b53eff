import 'reflect-metadata';
import { runProcess } from '@eks-info/platform';
import { startEnvironmentService } from './environment.app';
import { environmentConfig } from './environment.config';

runProcess({
  name: 'environment',
  config: environmentConfig,
  start: (context) => startEnvironmentService(context, { port: context.config.MANAGEMENT_PORT, host: context.config.MANAGEMENT_HOST }),
});
