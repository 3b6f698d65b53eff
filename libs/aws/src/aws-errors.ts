import { AwsErrors, type ErrorBody } from '@eks-info/contracts';
import { IRSA_ANNOTATION, NoPodCredentialsError } from './credentials';
import { ImdsError } from './imds/imds.errors';

/** IAM says no (EC2 answers UnauthorizedOperation, most JSON/query services AccessDenied[Exception]). */
const ACCESS_DENIED = new Set(['AccessDenied', 'AccessDeniedException', 'UnauthorizedOperation', 'UnauthorizedAccess']);
/** AWS does not accept the credentials the SDK found. */
const BAD_CREDENTIALS = new Set([
  'AuthFailure',
  'InvalidClientTokenId',
  'UnrecognizedClientException',
  'SignatureDoesNotMatch',
  'IncompleteSignature',
  'InvalidAccessKeyId',
  'ExpiredToken',
  'ExpiredTokenException',
  'RequestExpired',
]);
const TIMEOUT_NAMES = new Set(['TimeoutError', 'AbortError', 'RequestTimeout', 'RequestTimeoutException']);
const TIMEOUT_CODES = new Set(['ETIMEDOUT', 'ESOCKETTIMEDOUT', 'ECONNABORTED']);
const NETWORK_CODES = new Set(['ECONNREFUSED', 'ECONNRESET', 'ENOTFOUND', 'EAI_AGAIN', 'EHOSTUNREACH', 'ENETUNREACH', 'EPIPE']);

interface SdkErrorShape {
  name?: string;
  message?: string;
  code?: string;
  Code?: string;
  $fault?: string;
  $metadata?: { httpStatusCode?: number; requestId?: string; extendedRequestId?: string; attempts?: number };
}

const NET_CODE_IN_MESSAGE = /\b(ECONNREFUSED|ECONNRESET|ENOTFOUND|EAI_AGAIN|EHOSTUNREACH|ENETUNREACH|EPIPE|ETIMEDOUT)\b/;

function shape(err: unknown): SdkErrorShape {
  if (typeof err !== 'object' || err === null) return { message: String(err) };
  const e = err as SdkErrorShape;
  // The SDK wraps errors it does not recognise as Error (e.g. from another realm) into a new Error
  // that keeps only the message ("AWS SDK error wrapper for Error: connect ECONNREFUSED …").
  if (!e.code && e.message) {
    const code = NET_CODE_IN_MESSAGE.exec(e.message)?.[1];
    if (code) return { ...e, name: e.name, message: e.message, code };
  }
  return e;
}

/** AWS's own error code: `Code`/`name` on service errors, `code` on network errors. */
function awsCode(e: SdkErrorShape): string {
  return e.Code ?? (e.name && e.name !== 'Error' ? e.name : undefined) ?? e.code ?? 'Error';
}

/**
 * Everything an operator needs to chase a failed call, as structured log fields: AWS's error
 * code and message, HTTP status, request id (quote it to AWS support), attempts made.
 */
export function awsErrorLogFields(err: unknown): Record<string, string | number | undefined> {
  const e = shape(err);
  return {
    aws_code: awsCode(e),
    aws_message: e.message,
    http_status: e.$metadata?.httpStatusCode,
    request_id: e.$metadata?.requestId,
    attempts: e.$metadata?.attempts,
    fault: e.$fault,
    net_code: e.code,
  };
}

function detailsOf(e: SdkErrorShape): string {
  const meta = [
    e.$metadata?.httpStatusCode ? `HTTP ${e.$metadata.httpStatusCode}` : undefined,
    e.$metadata?.requestId ? `request id ${e.$metadata.requestId}` : undefined,
    e.$metadata?.attempts && e.$metadata.attempts > 1 ? `${e.$metadata.attempts} attempts` : undefined,
  ].filter(Boolean);
  return `${awsCode(e)}${meta.length ? ` (${meta.join(', ')})` : ''}: ${e.message ?? ''}`.trim();
}

/**
 * Maps an AWS SDK failure of `action` (an IAM action such as `ec2:DescribeRouteTables`) to the
 * error body a page section shows. `details` carries AWS's code and request id; log the full
 * detail with {@link awsErrorLogFields}, once per kind per interval.
 */
export function describeAwsError(err: unknown, action: string, resource?: string): ErrorBody {
  const e = shape(err);
  const code = awsCode(e);
  const on = resource ? ` on ${resource}` : '';

  if (err instanceof NoPodCredentialsError) {
    const account = err.serviceAccount ?? "this pod's ServiceAccount";
    return {
      code: AwsErrors.NO_CREDENTIALS.code,
      message: `no AWS credentials for ${action}: ${account} has no IAM role (no ${IRSA_ANNOTATION} annotation, no Pod Identity association)`,
      details: err.message,
      fix:
        `Annotate ${account} with ${IRSA_ANNOTATION}=<role ARN> (the chart's ${err.component ?? '<component>'}.serviceAccount.roleArn; ` +
        `Terraform's role_arns output has one per service) and restart the pod, or, with aws.identity=pod-identity, ` +
        `create an EKS Pod Identity association for it. The node's instance role is never borrowed.`,
    };
  }
  if (ACCESS_DENIED.has(code)) {
    return {
      code: AwsErrors.ACCESS_DENIED.code,
      message: `missing permission ${action}${on}`,
      details: detailsOf(e),
      fix:
        `Allow ${action} in the IAM policy of this service's role: the IRSA role named in its ServiceAccount ` +
        `annotation eks.amazonaws.com/role-arn, or the role of its EKS Pod Identity association ` +
        `(outside a cluster: the identity of your AWS credentials).`,
    };
  }
  if (e.name === 'CredentialsProviderError' || /could not load credentials/i.test(e.message ?? '')) {
    return {
      code: AwsErrors.NO_CREDENTIALS.code,
      message: `no AWS credentials for ${action}`,
      details: e.message,
      fix:
        'In EKS: give the service account an IAM role (IRSA annotation eks.amazonaws.com/role-arn or an EKS Pod ' +
        'Identity association). Outside a cluster: set AWS_PROFILE, or AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY.',
    };
  }
  if (BAD_CREDENTIALS.has(code)) {
    return {
      code: AwsErrors.ERROR.code,
      message: `AWS rejected the credentials for ${action} (${code})`,
      details: detailsOf(e),
      fix: 'Check the credentials in use: an expired session, a deleted access key, or a clock far off.',
    };
  }
  if (TIMEOUT_NAMES.has(e.name ?? '') || TIMEOUT_CODES.has(e.code ?? '')) {
    return {
      code: AwsErrors.TIMEOUT.code,
      message: `${action} timed out`,
      details: detailsOf(e),
      fix: 'Check the route from the pod to the AWS API endpoint (NAT gateway or VPC endpoint) and AWS_REQUEST_TIMEOUT_MS.',
    };
  }
  if (err instanceof ImdsError) {
    return {
      code: AwsErrors.NOT_CONFIGURED.code,
      message: `no AWS region for ${action}: ${err.body.message}`,
      details: err.body.details,
      fix: `Set AWS_REGION. ${err.body.fix ?? ''}`.trim(),
    };
  }
  if (/region is missing/i.test(e.message ?? '')) {
    return {
      code: AwsErrors.NOT_CONFIGURED.code,
      message: `no AWS region for ${action}`,
      details: e.message,
      fix: 'Set AWS_REGION (on EC2 it is read from IMDS).',
    };
  }
  if (NETWORK_CODES.has(e.code ?? '')) {
    return {
      code: AwsErrors.ERROR.code,
      message: `cannot reach the AWS endpoint for ${action} (${e.code})`,
      details: detailsOf(e),
      fix: 'Check DNS and the route to the AWS API endpoint (NAT gateway or VPC endpoint), or AWS_ENDPOINT_URL if set.',
    };
  }
  return {
    code: AwsErrors.ERROR.code,
    message: `${action} failed: ${code}${on}`,
    details: detailsOf(e),
  };
}

/** A failed AWS call, already described for a page (the result of describeAwsError), to throw through a cache. */
export class AwsCallError extends Error {
  constructor(readonly body: ErrorBody) {
    super(body.message);
    this.name = 'AwsCallError';
  }
}
