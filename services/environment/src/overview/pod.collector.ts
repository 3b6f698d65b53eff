import { readFileSync } from 'node:fs';
import { KubeErrors, type PodInfo, type Section, ok, unavailable } from '@eks-info/contracts';
import { SERVICE_ACCOUNT_DIR, type Identity } from '@eks-info/platform';

/**
 * The pod's own identity from the downward API env vars (POD_NAME, POD_NAMESPACE, POD_IP,
 * NODE_NAME, SERVICE_ACCOUNT_NAME) and the mounted service-account files — no API call needed.
 * `simulatedCluster`: `npm run demo`, where this process plays a pod of the simulated cluster and
 * is given its downward-API variables as the chart would.
 */
export function collectPod(identity: Identity, env: NodeJS.ProcessEnv = process.env, simulatedCluster = false): Section<PodInfo> {
  const playsPod = simulatedCluster && Boolean(env.POD_NAME);
  if (!identity.inKubernetes && !playsPod) {
    return unavailable({
      code: KubeErrors.NOT_IN_CLUSTER.code,
      message: `Not running in Kubernetes: this is process ${process.pid} on host ${identity.pod}.`,
      fix: 'Deploy with the Helm chart to see the pod, its namespace, node and service account.',
    });
  }
  const sources: string[] = [];
  if (env.POD_NAME || env.POD_NAMESPACE || env.POD_IP || env.NODE_NAME)
    sources.push(playsPod && !identity.inKubernetes ? 'downward API env vars (set by npm run demo, as the chart sets them)' : 'downward API env vars');
  let namespace = env.POD_NAMESPACE;
  if (!namespace) {
    try {
      namespace = readFileSync(`${SERVICE_ACCOUNT_DIR}/namespace`, 'utf8').trim();
      sources.push('service-account files');
    } catch {
      namespace = identity.namespace;
    }
  }
  return ok({
    name: identity.pod,
    namespace: namespace ?? identity.namespace,
    ip: env.POD_IP ?? null,
    node: env.NODE_NAME ?? null,
    serviceAccount: env.SERVICE_ACCOUNT_NAME ?? null,
    sources: sources.length ? sources : ['host name'],
  });
}
