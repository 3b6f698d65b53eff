/**
 * Runs the fake Kubernetes API server on its own, for demos and manual runs:
 *
 *   node dist/libs/testing/src/kube-api/cli.js --fixture objects.json --kubeconfig /tmp/kubeconfig
 *        [--port N] [--no-metrics] [--no-karpenter] [--scenario script.js]
 *
 * The fixture is a JSON array of objects (or a List with `items`). The first line on stdout is
 * the kubeconfig path. A scenario module exports `default (server) => Promise<void>` (or `run`)
 * and drives timed changes through the server's upsert/patch/remove.
 */
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { FakeKubeApiServer } from './server';
import type { KubeObject } from './store';

async function main(): Promise<void> {
  const { values } = parseArgs({
    options: {
      fixture: { type: 'string' },
      kubeconfig: { type: 'string' },
      port: { type: 'string', default: '0' },
      'no-metrics': { type: 'boolean', default: false },
      'no-karpenter': { type: 'boolean', default: false },
      scenario: { type: 'string' },
      namespace: { type: 'string' },
    },
  });
  const objects: KubeObject[] = [];
  if (values.fixture) {
    const parsed = JSON.parse(readFileSync(values.fixture, 'utf8')) as KubeObject[] | { items: KubeObject[] };
    objects.push(...(Array.isArray(parsed) ? parsed : parsed.items));
  }
  const port = Number(values.port);
  if (!Number.isInteger(port) || port < 0 || port > 65535) throw new Error(`--port must be 0-65535, got ${values.port}`);
  const server = await FakeKubeApiServer.start({
    port,
    objects,
    metrics: !values['no-metrics'],
    karpenter: !values['no-karpenter'],
    namespace: values.namespace,
  });
  const file = server.writeKubeconfig(values.kubeconfig && path.resolve(values.kubeconfig));
  process.stdout.write(`${file}\n`);
  process.stderr.write(`fake Kubernetes API server on ${server.url} with ${objects.length} objects\n`);

  let closing = false;
  const close = async () => {
    if (closing) return;
    closing = true;
    await server.close();
    process.exit(0);
  };
  process.on('SIGINT', close);
  process.on('SIGTERM', close);

  if (values.scenario) {
    const mod = (await import(path.resolve(values.scenario))) as { default?: unknown; run?: unknown };
    const run = (typeof mod.default === 'function' ? mod.default : mod.run) as ((s: FakeKubeApiServer) => Promise<void>) | undefined;
    if (!run) throw new Error(`${values.scenario} exports no default function or run()`);
    await run(server);
    process.stderr.write('scenario finished; the server keeps running (Ctrl-C stops it)\n');
  }
}

main().catch((err: unknown) => {
  process.stderr.write(`${(err as Error).stack ?? String(err)}\n`);
  process.exit(1);
});
