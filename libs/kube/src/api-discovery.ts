import { ApisApi, type KubeConfig, VersionApi } from '@kubernetes/client-node';
import { TtlCache } from '@eks-info/platform';

export interface ServerVersion {
  gitVersion: string;
  /** e.g. linux/arm64. */
  platform: string;
  major: string;
  minor: string;
}

export interface ApiDiscoveryOptions {
  /** How long the list of API groups is trusted before it is fetched again (CRDs come and go). */
  recheckMs?: number;
  /** A failed discovery is retried after this long, not on every call. */
  errorTtlMs?: number;
  now?: () => number;
}

/**
 * What the API server serves: which group/versions exist (metrics.k8s.io needs metrics-server,
 * karpenter.sh needs Karpenter) and its version. Both are cached; concurrent callers share one
 * request.
 */
export class ApiDiscovery {
  private readonly groups: TtlCache<Set<string>>;
  private readonly version: TtlCache<ServerVersion>;

  constructor(
    private readonly kubeConfig: KubeConfig,
    options: ApiDiscoveryOptions = {},
  ) {
    const errorTtlMs = options.errorTtlMs ?? 10_000;
    this.groups = new TtlCache({ ttlMs: options.recheckMs ?? 300_000, errorTtlMs, now: options.now });
    // The version changes only with a control-plane upgrade.
    this.version = new TtlCache({ ttlMs: 3_600_000, errorTtlMs, now: options.now });
  }

  /** True when the API server serves e.g. "metrics.k8s.io/v1beta1" or "karpenter.sh/v1" ("v1" = core). */
  async has(groupVersion: string): Promise<boolean> {
    if (groupVersion === 'v1') return true;
    return (await this.groupVersions()).has(groupVersion);
  }

  /** Every served group/version (core "v1" excluded). */
  groupVersions(): Promise<Set<string>> {
    return this.groups.get('apis', async () => {
      const list = await this.kubeConfig.makeApiClient(ApisApi).getAPIVersions();
      return new Set(list.groups.flatMap((g) => g.versions.map((v) => v.groupVersion)));
    });
  }

  serverVersion(): Promise<ServerVersion> {
    return this.version.get('version', async () => {
      const info = await this.kubeConfig.makeApiClient(VersionApi).getCode();
      return { gitVersion: info.gitVersion, platform: info.platform, major: info.major, minor: info.minor };
    });
  }

  /** Forgets what was learnt, e.g. after a CRD was installed. */
  invalidate(): void {
    this.groups.clear();
    this.version.clear();
  }
}
