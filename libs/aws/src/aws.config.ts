import { type ConfigOf, inKubernetes, v } from '@eks-info/platform';

/**
 * AWS and IMDS settings of the services that call AWS. Endpoints are not listed here: the SDK
 * itself honours `AWS_ENDPOINT_URL` and `AWS_ENDPOINT_URL_<SERVICE>` (e.g. `AWS_ENDPOINT_URL_EC2`).
 */
export const awsConfigSpec = {
  AWS_REGION: v.string({
    description: 'AWS region of the API calls. Unset: the region of this EC2 instance, read from IMDS',
    optional: true,
    pattern: /^[a-z]{2}(-[a-z]+)+-\d+$/,
    hint: 'must be a region name such as eu-west-1',
    example: 'eu-west-1',
  }),
  AWS_REQUEST_TIMEOUT_MS: v.int({
    description: 'Socket timeout of one AWS API request attempt (the SDK has none by default)',
    default: '3000',
    min: 100,
    max: 120000,
  }),
  AWS_CONNECT_TIMEOUT_MS: v.int({ description: 'Time to open a connection to an AWS endpoint', default: '1000', min: 50, max: 60000 }),
  AWS_MAX_ATTEMPTS: v.int({ description: "Attempts per AWS call, including the first (SDK 'standard' retry mode)", default: '3', min: 1, max: 10 }),
  AWS_CACHE_TTL_SECONDS: v.int({
    description: 'How long describe results (VPC, subnets, routes, security groups, load balancers) are cached',
    default: '300',
    min: 0,
    max: 86400,
  }),
  IMDS_MODE: v.oneOf(['auto', 'on', 'off'], {
    description: 'EC2 instance metadata (IMDSv2): auto = on only inside Kubernetes (KUBERNETES_SERVICE_HOST set), on, or off',
    default: 'auto',
  }),
  IMDS_ENDPOINT: v.url({
    description: 'IMDS base URL; only contacted while IMDS is on',
    default: 'http://169.254.169.254',
  }),
  IMDS_TIMEOUT_MS: v.int({
    description: 'Timeout of each IMDS request; a pod without hop limit 2 times out here, and the failure is cached',
    default: '1000',
    min: 50,
    max: 30000,
  }),
};

export type AwsConfig = ConfigOf<typeof awsConfigSpec>;

/** Why IMDS is off, when it is. */
export type ImdsOffReason = 'outside-kubernetes' | 'imds-mode-off';

export function resolveImdsMode(
  mode: AwsConfig['IMDS_MODE'],
  env: NodeJS.ProcessEnv = process.env,
): { enabled: true } | { enabled: false; reason: ImdsOffReason } {
  if (mode === 'on') return { enabled: true };
  if (mode === 'off') return { enabled: false, reason: 'imds-mode-off' };
  return inKubernetes(env) ? { enabled: true } : { enabled: false, reason: 'outside-kubernetes' };
}
