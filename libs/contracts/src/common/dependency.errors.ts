import { defineErrors } from './errors';

/**
 * Failures of the sources a section reads from. Sections carry these codes with a message and
 * a fix; they are HTTP statuses only when a whole request fails on them.
 */
export const KubeErrors = defineErrors('KUBE', 'kubernetes_error', {
  /** Not running in a cluster and no kubeconfig: shown as "not running in Kubernetes". */
  NOT_IN_CLUSTER: 503,
  /** RBAC denies a list/watch; the message names the verb and resource. */
  FORBIDDEN: 502,
  /** The API server rejects the credentials (no or expired token). */
  UNAUTHORIZED: 502,
  /** The API server did not answer. */
  UNREACHABLE: 502,
  /** The informer has not finished its first list yet. */
  NOT_SYNCED: 503,
  /** The API group (e.g. metrics.k8s.io) is not installed. */
  API_NOT_FOUND: 502,
});

export const AwsErrors = defineErrors('AWS', 'aws_error', {
  /** No region / VPC / bucket configured, or not running on EC2. */
  NOT_CONFIGURED: 503,
  /** IAM denies the call; the message names the action (e.g. ec2:DescribeRouteTables). */
  ACCESS_DENIED: 502,
  /** The call did not finish within the section's deadline (the result is cached when it arrives). */
  TIMEOUT: 504,
  /** No credentials available to the SDK. */
  NO_CREDENTIALS: 502,
  /** Any other AWS error; the message carries AWS's code. */
  ERROR: 502,
});

export const ImdsErrors = defineErrors('IMDS', 'imds_error', {
  /** IMDS is switched off here (outside a cluster, unless enabled). */
  DISABLED: 503,
  /** The token PUT or a GET failed or timed out (often the hop limit, see the fix). */
  UNREACHABLE: 502,
});
