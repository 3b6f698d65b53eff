import 'reflect-metadata';
import { awsDeadlineRule } from '@eks-info/aws';
import { runProcess } from '@eks-info/platform';
import { startEnvironmentService } from './environment.app';
import { environmentConfig } from './environment.config';

/** Starts the process. Run directly (`node main.js`), or by the bundle's launcher (dist/app/<component>/main.js). */
export function main(): void {
  runProcess({
    name: 'environment',
    config: environmentConfig,
    rules: [awsDeadlineRule],
    start: (context) => startEnvironmentService(context, { port: context.config.MANAGEMENT_PORT, host: context.config.MANAGEMENT_HOST }),
  });
}

if (require.main === module) main();
