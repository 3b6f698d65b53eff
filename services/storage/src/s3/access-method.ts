import type { CallerIdentity, S3AccessMethod } from '@eks-info/contracts';

/**
 * How the AWS SDK in this pod gets credentials, from the variables EKS injects: IRSA sets
 * AWS_ROLE_ARN and AWS_WEB_IDENTITY_TOKEN_FILE (from the ServiceAccount's role-arn annotation);
 * EKS Pod Identity sets AWS_CONTAINER_CREDENTIALS_FULL_URI to the node agent (169.254.170.23)
 * and a token file. Static keys are never set by the chart; compose uses MinIO's local ones.
 */
export function detectAccessMethod(env: NodeJS.ProcessEnv, local: boolean): S3AccessMethod {
  if (local) {
    return {
      method: 'local',
      label: 'local S3 (no AWS)',
      roleArn: null,
      details: 'The embedded S3-compatible server of local mode; nothing leaves this machine.',
    };
  }
  if (env.AWS_ROLE_ARN && env.AWS_WEB_IDENTITY_TOKEN_FILE) {
    return {
      method: 'irsa',
      label: 'IRSA (IAM role for the service account)',
      roleArn: env.AWS_ROLE_ARN,
      details: `Web-identity token ${env.AWS_WEB_IDENTITY_TOKEN_FILE} exchanged with STS for the role; no keys in the pod.`,
    };
  }
  if (env.AWS_CONTAINER_CREDENTIALS_FULL_URI) {
    return {
      method: 'pod-identity',
      label: 'EKS Pod Identity',
      roleArn: null,
      details: `Credentials from the Pod Identity agent at ${env.AWS_CONTAINER_CREDENTIALS_FULL_URI}; the role is the one associated with the service account.`,
    };
  }
  if (env.AWS_ACCESS_KEY_ID) {
    return {
      method: 'static-keys',
      label: 'static access keys',
      roleArn: null,
      details: 'AWS_ACCESS_KEY_ID is set in the environment. Fine for local development (e.g. MinIO); in a cluster use IRSA or Pod Identity instead.',
    };
  }
  if (env.AWS_PROFILE) {
    return {
      method: 'profile',
      label: `AWS profile ${env.AWS_PROFILE}`,
      roleArn: null,
      details: 'Credentials from the shared AWS config files (outside a cluster).',
    };
  }
  return {
    method: 'none',
    label: 'none found',
    roleArn: null,
    details:
      'No IRSA, Pod Identity or keys are configured: S3 calls fail with "no credentials". In EKS, annotate the ServiceAccount with eks.amazonaws.com/role-arn (IRSA) or create a Pod Identity association.',
  };
}

/** `arn:aws:sts::123:assumed-role/Role/session` → `Role`; `arn:aws:iam::123:role/path/Role` → `Role`. */
export function roleNameOf(arn: string): string | null {
  const assumed = /:assumed-role\/([^/]+)\//.exec(arn);
  if (assumed) return assumed[1];
  const role = /:role\/(?:.*\/)?([^/]+)$/.exec(arn);
  return role ? role[1] : null;
}

export function callerIdentity(answer: { Account?: string; Arn?: string; UserId?: string }): CallerIdentity {
  const arn = answer.Arn ?? '';
  return { account: answer.Account ?? '', arn, userId: answer.UserId ?? '', roleName: roleNameOf(arn) };
}
