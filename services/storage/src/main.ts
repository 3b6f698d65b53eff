import 'reflect-metadata';
import { awsDeadlineRule } from '@eks-info/aws';
import { runProcess } from '@eks-info/platform';
import { startStorageService } from './storage.app';
import { storageConfig } from './storage.config';

/** Starts the process. Run directly (`node main.js`), or by the bundle's launcher (dist/app/<component>/main.js). */
export function main(): void {
  runProcess({
    name: 'storage',
    config: storageConfig,
    rules: [awsDeadlineRule],
    start: (context) => startStorageService(context, { port: context.config.MANAGEMENT_PORT, host: context.config.MANAGEMENT_HOST }),
  });
}

if (require.main === module) main();
