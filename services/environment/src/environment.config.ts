import { awsConfigSpec } from '@eks-info/aws';
import { kubeConfigSpec } from '@eks-info/kube';
import { v, type CommonConfig, type ConfigOf } from '@eks-info/platform';

/** Variables only the environment service reads. */
export const environmentOwnConfig = {
  CLUSTER_NAME: v.string({ description: 'EKS cluster name shown on the home page (else found from node labels or the kubeconfig)', optional: true }),
  VPC_ID: v.string({
    description: 'VPC shown on /network. Unset: the VPC of this EC2 instance, read from IMDS',
    optional: true,
    pattern: /^vpc-[0-9a-f]+$/,
    hint: 'must be a VPC id such as vpc-0123456789abcdef0',
  }),
  SERVICE_ACCOUNT_NAME: v.string({ description: 'Service account of the pod (downward API spec.serviceAccountName)', optional: true }),
  SIMULATED_SOURCES: v.string({
    description:
      'Sources `npm run demo` simulates, comma-separated: kubernetes (the fake API server), imds (the EC2 metadata mock), aws (moto). Sections fed by them are labelled "simulated"; set by the demo, unset anywhere else',
    optional: true,
    pattern: /^(kubernetes|imds|aws)(,(kubernetes|imds|aws))*$/,
    hint: 'must be a comma-separated list of kubernetes, imds and aws',
  }),
  SECTION_DEADLINE_MS: v.int({
    description: 'Longest a page section waits for its source before showing "did not answer" (the answer is cached when it arrives)',
    default: '3000',
    min: 100,
    max: 60000,
  }),
};

/** Everything the environment service validates at start-up (on top of the common variables). */
export const environmentConfig = { ...kubeConfigSpec, ...awsConfigSpec, ...environmentOwnConfig };

/** The validated configuration of this component: its own variables and the common ones. */
export type EnvironmentConfig = ConfigOf<typeof environmentConfig> & CommonConfig;
