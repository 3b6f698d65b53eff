import { awsConfigSpec } from '@eks-info/aws';
import { kubeConfigSpec } from '@eks-info/kube';
import { v } from '@eks-info/platform';

/** Variables only the environment service reads. */
export const environmentOwnConfig = {
  CLUSTER_NAME: v.string({ description: 'EKS cluster name shown on the home page (else found from node labels or the kubeconfig)', optional: true }),
  SERVICE_ACCOUNT_NAME: v.string({ description: 'Service account of the pod (downward API spec.serviceAccountName)', optional: true }),
  SECTION_DEADLINE_MS: v.int({
    description: 'Longest a page section waits for its source before showing "did not answer" (the answer is cached when it arrives)',
    default: '3000',
    min: 100,
    max: 60000,
  }),
};

/** Everything the environment service validates at start-up (on top of the common variables). */
export const environmentConfig = { ...kubeConfigSpec, ...awsConfigSpec, ...environmentOwnConfig };
