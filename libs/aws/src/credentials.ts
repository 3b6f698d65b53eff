import { createCredentialChain, fromEnv, fromHttp, fromIni, fromTokenFile } from '@aws-sdk/credential-providers';
import type { EC2ClientConfig } from '@aws-sdk/client-ec2';

/** The ServiceAccount annotation IRSA reads (the EKS pod identity webhook turns it into env vars). */
export const IRSA_ANNOTATION = 'eks.amazonaws.com/role-arn';

/**
 * A pod has neither IRSA nor Pod Identity credentials. Thrown by the credential provider in
 * place of the SDK's default chain, which would go on to the node's instance role through IMDS.
 * `name` is the SDK's own for provider failures, so nothing retries it as a network error.
 */
export class NoPodCredentialsError extends Error {
  override readonly name = 'CredentialsProviderError';
  /** Stops an SDK chain (none is built around this provider, but the flag says what it means). */
  readonly tryNextLink = false;

  constructor(
    /** `<namespace>/<name>` of the pod's ServiceAccount, when the downward API gave it. */
    readonly serviceAccount: string | null,
    /** The component (its key in the chart's values), when known. */
    readonly component?: string,
  ) {
    super(
      `no IRSA or Pod Identity credentials in this pod: ${serviceAccount ? `ServiceAccount ${serviceAccount}` : 'its ServiceAccount'} has no ` +
        `${IRSA_ANNOTATION} annotation (AWS_ROLE_ARN and AWS_WEB_IDENTITY_TOKEN_FILE are unset) and no EKS Pod Identity association ` +
        `(AWS_CONTAINER_CREDENTIALS_FULL_URI is unset); the node's instance role is never used`,
    );
  }
}

/** How a pod in Kubernetes gets credentials: the variables EKS injects decide it. */
export type PodCredentialSource = 'irsa' | 'pod-identity' | 'none';

export function podCredentialSource(env: NodeJS.ProcessEnv): PodCredentialSource {
  if (env.AWS_ROLE_ARN && env.AWS_WEB_IDENTITY_TOKEN_FILE) return 'irsa';
  if (env.AWS_CONTAINER_CREDENTIALS_FULL_URI) return 'pod-identity';
  return 'none';
}

/**
 * Credentials for the AWS clients.
 *
 * Inside Kubernetes: only the two ways a pod of this app may get AWS access. IRSA (the
 * ServiceAccount's role-arn annotation makes EKS inject AWS_ROLE_ARN and a web-identity token
 * file, exchanged with STS) or EKS Pod Identity (AWS_CONTAINER_CREDENTIALS_FULL_URI, the node's
 * Pod Identity agent, with the token file in AWS_CONTAINER_AUTHORIZATION_TOKEN_FILE). With
 * neither, every call fails with {@link NoPodCredentialsError}: the SDK's default chain would end
 * at IMDS and silently act as the node's instance role, with whatever that role may do.
 *
 * Outside Kubernetes: environment variables, the shared config/credentials files and a
 * web-identity token file, and nothing else. The default chain would fall back to the container
 * and instance-metadata providers, which contact 169.254.170.2 / 169.254.169.254 from a laptop
 * or CI runner when no other credentials exist; this chain never does, whether or not
 * AWS_EC2_METADATA_DISABLED is set. (A profile with `credential_source = Ec2InstanceMetadata`
 * in ~/.aws/config would still ask IMDS: that is the user's explicit choice.)
 */
export function defaultCredentials(inKubernetes: boolean, env: NodeJS.ProcessEnv = process.env, component?: string): AwsCredentials {
  if (!inKubernetes) return createCredentialChain(fromEnv(), fromIni(), fromTokenFile());
  switch (podCredentialSource(env)) {
    case 'irsa':
      return fromTokenFile({ roleArn: env.AWS_ROLE_ARN, webIdentityTokenFile: env.AWS_WEB_IDENTITY_TOKEN_FILE });
    case 'pod-identity':
      // fromHttp accepts only loopback and the EKS agent's addresses (169.254.170.23, fd00:ec2::23).
      // The relative URI is ECS's (169.254.170.2): never taken, even when set.
      return fromHttp({
        awsContainerCredentialsRelativeUri: '',
        awsContainerCredentialsFullUri: env.AWS_CONTAINER_CREDENTIALS_FULL_URI,
        awsContainerAuthorizationTokenFile: env.AWS_CONTAINER_AUTHORIZATION_TOKEN_FILE,
      });
    default: {
      const account = env.SERVICE_ACCOUNT_NAME ? `${env.POD_NAMESPACE ? `${env.POD_NAMESPACE}/` : ''}${env.SERVICE_ACCOUNT_NAME}` : null;
      return () => Promise.reject(new NoPodCredentialsError(account, component));
    }
  }
}

/** Static credentials or a provider, as every SDK client accepts them. */
export type AwsCredentials = NonNullable<EC2ClientConfig['credentials']>;
