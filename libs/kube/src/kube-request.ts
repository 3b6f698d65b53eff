import http from 'node:http';
import https from 'node:https';
import type { KubeConfig } from '@kubernetes/client-node';
import { KubeHttpError } from './kube-errors';

/**
 * GET a path from the API server as plain JSON. Credentials, CA and agent come from client-node
 * (`applyToHTTPSOptions`, which also runs exec/token-file authenticators), so this reaches the
 * server exactly as the generated clients do, without their model deserialisation.
 */
export async function getJson<T>(kc: KubeConfig, path: string, query: Record<string, string | undefined> = {}, timeoutMs = 60_000): Promise<T> {
  const cluster = kc.getCurrentCluster();
  if (!cluster) throw new Error('the kubeconfig has no current cluster');
  const url = new URL(cluster.server.replace(/\/+$/, '') + path);
  for (const [k, val] of Object.entries(query)) if (val !== undefined) url.searchParams.set(k, val);
  const options: https.RequestOptions = { method: 'GET', headers: { Accept: 'application/json' } };
  await kc.applyToHTTPSOptions(options);
  return new Promise<T>((resolve, reject) => {
    const req = (url.protocol === 'http:' ? http : https).request(url, options, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('error', reject);
      res.on('end', () => {
        const text = Buffer.concat(chunks).toString('utf8');
        let body: unknown;
        try {
          body = JSON.parse(text);
        } catch {
          body = undefined;
        }
        if (res.statusCode === 200 && body !== undefined) resolve(body as T);
        else reject(new KubeHttpError(res.statusCode ?? 0, (body as { message?: string } | undefined) ?? { message: text.slice(0, 200) || undefined }));
      });
    });
    req.setTimeout(timeoutMs, () => req.destroy(Object.assign(new Error(`no answer within ${timeoutMs} ms`), { code: 'ETIMEDOUT' })));
    req.on('error', reject);
    req.end();
  });
}
