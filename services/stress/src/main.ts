import 'reflect-metadata';
import { runProcess } from '@eks-info/platform';
import { startStressService } from './stress.app';
import { stressConfig } from './stress.config';

runProcess({
  name: 'stress',
  config: stressConfig,
  start: (context) => startStressService(context, { port: context.config.MANAGEMENT_PORT, host: context.config.MANAGEMENT_HOST }),
});
