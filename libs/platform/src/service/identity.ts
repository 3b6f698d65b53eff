import { readFileSync } from 'node:fs';
import { hostname } from 'node:os';
import type { ServedBy } from '@eks-info/contracts';

/** Where the service-account files live in a pod (overridable in tests). */
export const SERVICE_ACCOUNT_DIR = process.env.SERVICE_ACCOUNT_DIR ?? '/var/run/secrets/kubernetes.io/serviceaccount';

export interface Identity extends ServedBy {
  namespace: string;
  inKubernetes: boolean;
}

function readServiceAccountNamespace(): string | undefined {
  try {
    return readFileSync(`${SERVICE_ACCOUNT_DIR}/namespace`, 'utf8').trim() || undefined;
  } catch {
    return undefined;
  }
}

/** True inside a pod: the API server env vars are injected by the kubelet. */
export function inKubernetes(env: NodeJS.ProcessEnv = process.env): boolean {
  return Boolean(env.KUBERNETES_SERVICE_HOST);
}

/** Who this process is, for `servedBy`, logs and access records. */
export function resolveIdentity(service: string, env: NodeJS.ProcessEnv = process.env): Identity {
  return {
    service,
    pod: env.POD_NAME || hostname(),
    node: env.NODE_NAME || (inKubernetes(env) ? 'unknown' : 'local'),
    namespace: env.POD_NAMESPACE || readServiceAccountNamespace() || 'default',
    inKubernetes: inKubernetes(env),
  };
}
