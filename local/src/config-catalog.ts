import { commonConfig, type ConfigSpec, v } from '@eks-info/platform';
import { gatewayConfig } from '@eks-info/gateway';
import { environmentConfig } from '@eks-info/service-environment';
import { scalingMonitorConfig, scalingMonitorLocalDefaults } from '@eks-info/service-scaling-monitor';
import { storageConfig, storageLocalDefaults } from '@eks-info/service-storage';
import { stressConfig, stressLocalDefaults } from '@eks-info/service-stress';

/** Variables only the local entry points read. */
export const localOnlyConfig = {
  DATA_DIR: v.string({
    description: '`npm start` and `npm run start:distributed`: the directory for local data (EBS and EFS directories, local S3, scaling history)',
    default: '.data',
  }),
};

/** Every component's configuration, for `npm start` (one process reads them all) and the docs. */
export const CONFIG_CATALOG: Array<{ component: string; spec: ConfigSpec }> = [
  { component: 'all', spec: commonConfig },
  { component: 'npm start', spec: localOnlyConfig },
  { component: 'gateway', spec: gatewayConfig },
  { component: 'environment', spec: environmentConfig },
  { component: 'storage', spec: storageConfig },
  { component: 'stress', spec: stressConfig },
  { component: 'scaling-monitor', spec: scalingMonitorConfig },
];

/** The union `npm start` validates (a variable shared by two components is declared once). */
export const localConfigSpec = {
  ...localOnlyConfig,
  ...gatewayConfig,
  ...environmentConfig,
  ...storageConfig,
  ...stressConfig,
  ...scalingMonitorConfig,
};

/**
 * Defaults that differ in `npm start` from a deployment: bind to loopback only (auth is off),
 * exit at once on Ctrl-C, keep data under ./.data.
 */
export const LOCAL_DEFAULTS: Record<string, string> = {
  HOST: '127.0.0.1',
  MANAGEMENT_HOST: '127.0.0.1',
  SHUTDOWN_GRACE_MS: '0',
  ...storageLocalDefaults,
  ...stressLocalDefaults,
  ...scalingMonitorLocalDefaults,
};
