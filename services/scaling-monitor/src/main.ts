import 'reflect-metadata';
import { runProcess } from '@eks-info/platform';
import { startScalingMonitorService } from './scaling-monitor.app';
import { scalingMonitorConfig } from './scaling-monitor.config';

runProcess({
  name: 'scaling-monitor',
  config: scalingMonitorConfig,
  start: (context) => startScalingMonitorService(context, { port: context.config.MANAGEMENT_PORT, host: context.config.MANAGEMENT_HOST }),
});
