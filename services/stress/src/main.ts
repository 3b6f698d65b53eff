import 'reflect-metadata';
import { runProcess } from '@eks-info/platform';
import { startStressService } from './stress.app';
import { stressConfig } from './stress.config';

/** Starts the process. Run directly (`node main.js`), or by the bundle's launcher (dist/app/<component>/main.js). */
export function main(): void {
  runProcess({
    name: 'stress',
    config: stressConfig,
    start: (context) => startStressService(context, { port: context.config.MANAGEMENT_PORT, host: context.config.MANAGEMENT_HOST }),
  });
}

if (require.main === module) main();
