import path from 'node:path';
import { PRICING_API_REGIONS, awsConfigSpec } from '@eks-info/aws';

/** The AWS call settings the monitor uses (its prices need no instance metadata: the region comes from AWS_REGION or the nodes' zones). */
const { AWS_REGION, AWS_REQUEST_TIMEOUT_MS, AWS_CONNECT_TIMEOUT_MS, AWS_MAX_ATTEMPTS } = awsConfigSpec;
const awsCallConfig = { AWS_REGION, AWS_REQUEST_TIMEOUT_MS, AWS_CONNECT_TIMEOUT_MS, AWS_MAX_ATTEMPTS };
import { kubeConfigSpec } from '@eks-info/kube';
import { v, type CommonConfig, type ConfigOf } from '@eks-info/platform';

/** Variables only the scaling-monitor reads; the descriptions become the README table. */
export const scalingMonitorOwnConfig = {
  HISTORY_PATH: v.string({
    description: "Directory of the scaling history (samples and events as JSON lines, append-only): the monitor's own volume, so history survives restarts",
    default: '/data/history',
  }),
  HISTORY_RETENTION_DAYS: v.int({ description: 'Samples and events older than this are dropped at compaction', default: '7', min: 1, max: 90 }),
  SAMPLE_INTERVAL_SECONDS: v.int({
    description: 'Interval of the history samples (pods per workload, node count, CPU/memory usage); metrics.k8s.io is polled at the same pace',
    default: '15',
    min: 1,
    max: 600,
  }),
  SNAPSHOT_PUSH_DELAY_MS: v.int({
    description: 'Watch changes are coalesced for this long before the new snapshot is announced to the gateways (bounds the push to browsers)',
    default: '250',
    min: 0,
    max: 5000,
  }),
  SNAPSHOT_MAX_NODES: v.int({
    description:
      'Most nodes the snapshot lists by name (`/api/v1/scaling`; the overview, the counts and the node cards of the page cover every node); keeps the reply under the NATS payload limit on very large clusters',
    default: '1000',
    min: 10,
    max: 5000,
  }),
  CLUSTER_AUTOSCALER_NAMESPACE: v.string({
    description: 'Namespace of the Cluster Autoscaler and its `cluster-autoscaler-status` ConfigMap; its events are followed there too',
    default: 'kube-system',
    pattern: /^[a-z0-9]([-a-z0-9]{0,61}[a-z0-9])?$/,
    hint: 'must be a Kubernetes namespace name',
  }),
};

/** Node prices (the cost section, the scale-out costs of the history and of a stress test). */
export const scalingMonitorPricingConfig = {
  PRICING_REGION: v.oneOf(PRICING_API_REGIONS, {
    description: 'Region of the AWS Price List Query API calls (pricing:GetProducts); the API is served from these regions only and answers for every region',
    default: 'us-east-1',
  }),
  PRICE_CACHE_HOURS: v.int({
    description: 'How long a node price (on-demand from pricing:GetProducts, spot from ec2:DescribeSpotPriceHistory) is kept before it is looked up again',
    default: '12',
    min: 1,
    max: 168,
  }),
  SIMULATED_PRICES: v.bool({
    description:
      'Set by `npm run demo`: the prices come from its local Pricing stand-in and moto, and the cost sections are labelled "simulated prices"; unset anywhere else',
    default: 'false',
  }),
};

/** Everything the scaling-monitor validates at start-up (on top of the common variables). */
export const scalingMonitorConfig = { ...kubeConfigSpec, ...awsCallConfig, ...scalingMonitorOwnConfig, ...scalingMonitorPricingConfig };

/** Defaults that differ in `npm start` (one process, data under ./.data, or under DATA_DIR when set) from a deployment. */
export const scalingMonitorLocalDefaults: Record<string, string> = { HISTORY_PATH: path.join(process.env.DATA_DIR || '.data', 'history') };

/** The validated configuration of this component: its own variables and the common ones. */
export type ScalingMonitorConfig = ConfigOf<typeof scalingMonitorConfig> & CommonConfig;
