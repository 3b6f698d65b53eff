import { type ConfigOf, type ConfigRule, inKubernetes, v } from '@eks-info/platform';

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
    description:
      'Timeout of one AWS API request attempt (the SDK has none by default). AWS_MAX_ATTEMPTS × this plus the retry backoff must fit in RPC_TIMEOUT_MS less 750 ms, so a call ends before the caller gives up',
    default: '1250',
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

/** Time left between an AWS call's deadline and the RPC timeout, for the reply to reach the caller. */
export const REPLY_MARGIN_MS = 750;
/** Backoff between attempts the SDK's standard mode may wait after a non-throttling error (50 ms × 2^i, jittered). */
export function retryBackoffAllowanceMs(maxAttempts: number): number {
  let total = 0;
  for (let i = 0; i < maxAttempts - 1; i++) total += 50 * 2 ** i;
  return total;
}

/**
 * The deadline of one AWS call, retries and backoff included: what its attempts may take, and
 * never more than the RPC timeout less {@link REPLY_MARGIN_MS}. A call that outlived the RPC
 * timeout used to finish after the caller had answered 504 (a write landed, and a retry
 * duplicated it); the clients abort a call at this deadline (throttling backoff and slow
 * credential fetches included).
 */
export function awsCallDeadlineMs(config: Pick<AwsConfig, 'AWS_MAX_ATTEMPTS' | 'AWS_REQUEST_TIMEOUT_MS'>, rpcTimeoutMs: number): number {
  const attempts = config.AWS_MAX_ATTEMPTS * config.AWS_REQUEST_TIMEOUT_MS + retryBackoffAllowanceMs(config.AWS_MAX_ATTEMPTS);
  return Math.max(100, Math.min(attempts, rpcTimeoutMs - REPLY_MARGIN_MS));
}

/** Start-up check: the configured attempts fit in the RPC timeout (else the later ones could never run). */
export const awsDeadlineRule: ConfigRule<
  Pick<typeof awsConfigSpec, 'AWS_MAX_ATTEMPTS' | 'AWS_REQUEST_TIMEOUT_MS'> & { RPC_TIMEOUT_MS: ReturnType<typeof v.int> }
> = (c) => {
  const needed = c.AWS_MAX_ATTEMPTS * c.AWS_REQUEST_TIMEOUT_MS + retryBackoffAllowanceMs(c.AWS_MAX_ATTEMPTS);
  if (needed <= c.RPC_TIMEOUT_MS - REPLY_MARGIN_MS) return [];
  return [
    `AWS_MAX_ATTEMPTS × AWS_REQUEST_TIMEOUT_MS + backoff = ${c.AWS_MAX_ATTEMPTS} × ${c.AWS_REQUEST_TIMEOUT_MS} + ${retryBackoffAllowanceMs(c.AWS_MAX_ATTEMPTS)} = ${needed} ms ` +
      `must be at most RPC_TIMEOUT_MS − ${REPLY_MARGIN_MS} = ${c.RPC_TIMEOUT_MS - REPLY_MARGIN_MS} ms (an AWS call must end before the caller gives up): ` +
      'lower AWS_REQUEST_TIMEOUT_MS or AWS_MAX_ATTEMPTS, or raise RPC_TIMEOUT_MS',
  ];
};

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
