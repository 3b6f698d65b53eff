import { createCredentialChain, fromEnv, fromIni, fromTokenFile } from '@aws-sdk/credential-providers';
import type { EC2ClientConfig } from '@aws-sdk/client-ec2';

/**
 * Credentials for the AWS clients.
 *
 * Inside Kubernetes: `undefined`, i.e. the SDK's default chain, which finds IRSA (web-identity
 * token file) and EKS Pod Identity (container credentials endpoint), the only ways a pod of this
 * app gets AWS access.
 *
 * Outside Kubernetes: environment variables, the shared config/credentials files and a
 * web-identity token file, and nothing else. The default chain would fall back to the container
 * and instance-metadata providers, which contact 169.254.170.2 / 169.254.169.254 from a laptop
 * or CI runner when no other credentials exist; this chain never does, whether or not
 * AWS_EC2_METADATA_DISABLED is set. (A profile with `credential_source = Ec2InstanceMetadata`
 * in ~/.aws/config would still ask IMDS: that is the user's explicit choice.)
 */
export function defaultCredentials(inKubernetes: boolean): AwsCredentials | undefined {
  if (inKubernetes) return undefined;
  return createCredentialChain(fromEnv(), fromIni(), fromTokenFile());
}

/** Static credentials or a provider, as every SDK client accepts them. */
export type AwsCredentials = NonNullable<EC2ClientConfig['credentials']>;
