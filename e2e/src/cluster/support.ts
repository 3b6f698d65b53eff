// Shared helpers of the cluster tier: the run's control plane, a namespace per test file, and
// waiting on objects of the real API server.
import { CONTROL_PLANE_UNAVAILABLE_ENV, ControlPlane, type ControlPlaneHandle, type KubeClient, waitFor } from '@eks-info/testing';

/** Why the cluster tests skip (outside CI, when the control plane is not installed); undefined when they run. */
export const clusterUnavailable = process.env[CONTROL_PLANE_UNAVAILABLE_ENV];

/** `describe` for a cluster test file: an explicit, counted skip when the control plane could not start outside CI. */
export const describeCluster: jest.Describe = clusterUnavailable ? describe.skip : describe;

export function controlPlane(): ControlPlaneHandle {
  return ControlPlane.fromEnv();
}

type Obj = Record<string, unknown> & { metadata?: { name?: string; resourceVersion?: string; deletionTimestamp?: string } };

/** Polls a GET until `ok` accepts the object (or its absence, as null). */
export async function waitForObject<T extends Obj>(
  client: KubeClient,
  path: string,
  ok: (obj: T | null) => boolean,
  what: string,
  timeoutMs = 60_000,
): Promise<T | null> {
  let last: T | null = null;
  return waitFor(
    async () => {
      const res = await client.get<T>(path);
      last = res.status === 404 ? null : res.body;
      return ok(last) ? (last ?? ({} as T)) : undefined;
    },
    { timeoutMs, intervalMs: 250, what: `${what} (last: ${JSON.stringify(last)?.slice(0, 300)})` },
  );
}

/**
 * Compacts etcd's history up to `revision`: watches from an older resourceVersion get 410. Test
 * files run side by side on one etcd: when another one compacted further already, etcd says so
 * and that is just as good.
 */
export async function compactEtcd(revision: string | number): Promise<void> {
  const res = await fetch(`${controlPlane().state.etcdUrl}/v3/kv/compaction`, { method: 'POST', body: JSON.stringify({ revision: String(revision) }) });
  if (res.status === 200) return;
  const body = await res.text();
  if (/required revision has been compacted/.test(body)) return;
  throw new Error(`etcd compaction to ${revision}: HTTP ${res.status}: ${body}`);
}
