import { existsSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { KubeConfig } from '@kubernetes/client-node';
import { type ErrorBody, KubeErrors } from '@eks-info/contracts';
import type { KubeSettings } from './kube.config';

/** How this process reaches the API server. */
export interface KubeAccess {
  kubeConfig: KubeConfig;
  source: 'in-cluster' | 'kubeconfig';
  /** API server URL. */
  server: string;
  /** kubeconfig context name (null in a pod). */
  context: string | null;
  /** EKS cluster name when the context or cluster name reveals it (ARN or eksctl naming). */
  clusterName: string | null;
  /** The namespace to watch: WATCH_NAMESPACE, else the pod's (or the context's), else "default". */
  namespace: string;
}

export type KubeAccessResult = { ok: true; access: KubeAccess } | { ok: false; error: ErrorBody };

export interface LoadKubeAccessOptions {
  /** Prefix of the service-account directory (client-node's loadFromCluster pathPrefix); tests point it at a temp dir. */
  serviceAccountRoot?: string;
  /** Home directory for ~/.kube/config. */
  homeDir?: string;
}

const FIX =
  'Run it in a cluster, or point KUBECONFIG at a kubeconfig for one (for EKS: `aws eks update-kubeconfig --name <cluster>`) with KUBE_MODE=auto or kubeconfig.';

function notInCluster(details: string): KubeAccessResult {
  return { ok: false, error: { code: KubeErrors.NOT_IN_CLUSTER.code, message: 'Not running in Kubernetes', details, fix: FIX } };
}

/**
 * Decides how to reach Kubernetes (KUBE_MODE) and loads the client configuration. Reads the
 * process environment, as client-node's loadFromCluster does. Never throws: a missing or broken
 * configuration is an "unavailable" error body that pages show in place of Kubernetes data.
 */
export function loadKubeAccess(
  settings: { KUBE_MODE: KubeSettings['KUBE_MODE']; KUBECONFIG?: string; WATCH_NAMESPACE?: string },
  options: LoadKubeAccessOptions = {},
): KubeAccessResult {
  const mode = settings.KUBE_MODE;
  if (mode === 'off') return notInCluster('Kubernetes access is switched off (KUBE_MODE=off).');
  const inCluster = Boolean(process.env.KUBERNETES_SERVICE_HOST && process.env.KUBERNETES_SERVICE_PORT);
  const home = options.homeDir ?? os.homedir();
  const files = (settings.KUBECONFIG ?? process.env.KUBECONFIG ?? path.join(home, '.kube', 'config')).split(path.delimiter).filter(Boolean);
  const existing = files.filter((f) => existsSync(f));

  if (mode === 'in-cluster' || (mode === 'auto' && inCluster)) {
    if (!inCluster) return notInCluster('KUBE_MODE=in-cluster, but KUBERNETES_SERVICE_HOST/KUBERNETES_SERVICE_PORT are not set.');
    const kc = new KubeConfig();
    kc.loadFromCluster(options.serviceAccountRoot);
    return describe(kc, 'in-cluster', settings.WATCH_NAMESPACE);
  }
  if (!existing.length) {
    return notInCluster(
      mode === 'kubeconfig'
        ? `KUBE_MODE=kubeconfig, but no kubeconfig exists at ${files.join(', ')}.`
        : `KUBERNETES_SERVICE_HOST is not set and there is no kubeconfig at ${files.join(', ')}.`,
    );
  }
  const kc = new KubeConfig();
  try {
    kc.loadFromFile(existing[0]);
    // Later files add clusters/users/contexts; the first file's current context wins, as with kubectl.
    for (const file of existing.slice(1)) {
      const more = new KubeConfig();
      more.loadFromFile(file);
      kc.mergeConfig(more, true);
    }
  } catch (err) {
    return {
      ok: false,
      error: {
        code: KubeErrors.NOT_IN_CLUSTER.code,
        message: 'The kubeconfig cannot be read',
        details: `${existing.join(', ')}: ${(err as Error).message}`,
        fix: FIX,
      },
    };
  }
  if (!kc.getCurrentCluster()) {
    return {
      ok: false,
      error: {
        code: KubeErrors.NOT_IN_CLUSTER.code,
        message: 'The kubeconfig has no current context',
        details: existing.join(', '),
        fix: 'Select a context: `kubectl config use-context <name>`.',
      },
    };
  }
  return describe(kc, 'kubeconfig', settings.WATCH_NAMESPACE);
}

function describe(kc: KubeConfig, source: KubeAccess['source'], watchNamespace: string | undefined): KubeAccessResult {
  const context = kc.getContextObject(kc.getCurrentContext());
  const cluster = kc.getCurrentCluster()!;
  return {
    ok: true,
    access: {
      kubeConfig: kc,
      source,
      server: cluster.server,
      context: source === 'kubeconfig' ? kc.getCurrentContext() : null,
      clusterName: eksClusterName(kc.getCurrentContext()) ?? eksClusterName(cluster.name),
      namespace: watchNamespace ?? context?.namespace?.trim() ?? 'default',
    },
  };
}

/** "arn:aws:eks:eu-west-1:111122223333:cluster/demo" or eksctl's "user@demo.eu-west-1.eksctl.io" → "demo". */
export function eksClusterName(name: string | undefined): string | null {
  if (!name) return null;
  const arn = /^arn:aws[\w-]*:eks:[\w-]+:\d+:cluster\/(.+)$/.exec(name);
  if (arn) return arn[1];
  const eksctl = /^(?:[^@]+@)?([^.@]+)\.[\w-]+\.eksctl\.io$/.exec(name);
  return eksctl ? eksctl[1] : null;
}
