import 'reflect-metadata';
import { awsDeadlineRule } from '@eks-info/aws';
import { runProcess } from '@eks-info/platform';
import { startScalingMonitorService } from './scaling-monitor.app';
import { scalingMonitorConfig } from './scaling-monitor.config';

/** Starts the process. Run directly (`node main.js`), or by the bundle's launcher (dist/app/<component>/main.js). */
export function main(): void {
  runProcess({
    name: 'scaling-monitor',
    config: scalingMonitorConfig,
    rules: [awsDeadlineRule],
    start: (context) => startScalingMonitorService(context, { port: context.config.MANAGEMENT_PORT, host: context.config.MANAGEMENT_HOST }),
  });
}

if (require.main === module) main();
