import { mkdtempSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { type FakeKubeApiServer, type ManagedProcess, freePort, startNodeProcess, componentEntry } from '@eks-info/testing';

export { SseClient, type SseMessage } from '@eks-info/testing';

export function tempDir(prefix: string): string {
  return mkdtempSync(path.join(os.tmpdir(), prefix));
}

/** Kubernetes access of every process a scaling test starts: the fake API server's kubeconfig. */
export function kubeEnv(server: FakeKubeApiServer): Record<string, string> {
  return { KUBE_MODE: 'kubeconfig', KUBECONFIG: server.writeKubeconfig(), WATCH_NAMESPACE: 'demo', KUBE_WATCHDOG_SECONDS: '60' };
}

/** The scaling-monitor as its own process over NATS, with its management port. */
export async function startMonitor(natsUrl: string, env: Record<string, string>): Promise<{ proc: ManagedProcess; port: number }> {
  const port = await freePort();
  const proc = await startNodeProcess({
    name: 'scaling-monitor',
    entry: componentEntry('scaling-monitor'),
    env: { NATS_URL: natsUrl, MANAGEMENT_PORT: String(port), MANAGEMENT_HOST: '127.0.0.1', SHUTDOWN_GRACE_MS: '0', ...env },
    readyUrl: `http://127.0.0.1:${port}/ready`,
    timeoutMs: 30_000,
  });
  return { proc, port };
}

export async function startGatewayProcess(natsUrl: string, env: Record<string, string> = {}): Promise<{ proc: ManagedProcess; url: string }> {
  const port = await freePort();
  const url = `http://127.0.0.1:${port}`;
  const proc = await startNodeProcess({
    name: 'gateway',
    entry: componentEntry('gateway'),
    env: { NATS_URL: natsUrl, PORT: String(port), HOST: '127.0.0.1', SHUTDOWN_GRACE_MS: '0', ...env },
    readyUrl: `${url}/ready`,
  });
  return { proc, url };
}

export async function getJson<T>(url: string): Promise<{ status: number; body: T }> {
  const res = await fetch(url);
  return { status: res.status, body: (await res.json()) as T };
}
