import 'reflect-metadata';
import { awsDeadlineRule } from '@eks-info/aws';
import { runProcess } from '@eks-info/platform';
import { startEnvironmentService } from './environment.app';
import { environmentConfig } from './environment.config';

runProcess({
  name: 'environment',
  config: environmentConfig,
  rules: [awsDeadlineRule],
  start: (context) => startEnvironmentService(context, { port: context.config.MANAGEMENT_PORT, host: context.config.MANAGEMENT_HOST }),
});
