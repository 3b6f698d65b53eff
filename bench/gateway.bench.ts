/**
 * Gateway throughput and latency against a bare node:http baseline, in one invocation:
 *   - baseline: node:http serving a JSON body of the same size as /api/v1/environment;
 *   - /api/v1/environment and the / page through the gateway, over NATS, to the environment
 *     service (the distributed shape: three processes plus nats-server).
 * Each target gets the same bounded autocannon run (connections, duration); the table shows
 * req/s, p50, p99 and the ratio to the baseline. Also records time-to-ready and idle RSS.
 *
 *   npm run bench            (builds first)   BENCH_SECONDS=10 BENCH_CONNECTIONS=50
 */
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { NatsServer, freePort, startNodeProcess, type ManagedProcess, componentEntry } from '@eks-info/testing';
import { type LoadResult, loadTest, rssMiB } from './support';

const SECONDS = Number(process.env.BENCH_SECONDS ?? 10);
const CONNECTIONS = Number(process.env.BENCH_CONNECTIONS ?? 50);

const load = (name: string, url: string) => loadTest(name, url, { connections: CONNECTIONS, seconds: SECONDS });

async function startTimed(name: string, entry: string, env: Record<string, string>, readyUrl: string): Promise<{ proc: ManagedProcess; readyMs: number }> {
  const t = Date.now();
  const proc = await startNodeProcess({ name, entry, env: { ...env, LOG_LEVEL: 'warn', READ_RATE_LIMIT_PER_MINUTE: '0' }, readyUrl });
  return { proc, readyMs: Date.now() - t };
}

async function main(): Promise<void> {
  const nats = await NatsServer.start();
  const [port, envPort] = [await freePort(), await freePort()];
  const environment = await startTimed(
    'environment',
    componentEntry('environment'),
    { NATS_URL: nats.url, MANAGEMENT_PORT: String(envPort), MANAGEMENT_HOST: '127.0.0.1' },
    `http://127.0.0.1:${envPort}/ready`,
  );
  const gateway = await startTimed(
    'gateway',
    componentEntry('gateway'),
    { NATS_URL: nats.url, PORT: String(port), HOST: '127.0.0.1' },
    `http://127.0.0.1:${port}/ready`,
  );
  const api = `http://127.0.0.1:${port}/api/v1/environment`;
  const body = await (await fetch(api)).text();

  // Idle RSS after start-up and one request, before any load.
  await new Promise((r) => setTimeout(r, 2000));
  const idle = { gateway: rssMiB(gateway.proc.pid), environment: rssMiB(environment.proc.pid) };

  const bare = createServer((_req, res) => {
    res.writeHead(200, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(body) });
    res.end(body);
  });
  await new Promise<void>((r) => bare.listen(0, '127.0.0.1', r));
  const barePort = (bare.address() as AddressInfo).port;

  const results: LoadResult[] = [];
  results.push(await load('bare node:http (same JSON body)', `http://127.0.0.1:${barePort}/`));
  results.push(await load('gateway GET /api/v1/environment', api));
  results.push(await load('gateway GET / (page)', `http://127.0.0.1:${port}/`));
  bare.close();

  const base = results[0].rps;
  const lines = [
    `Body ${Buffer.byteLength(body)} bytes, ${CONNECTIONS} connections, ${SECONDS} s per target, node ${process.version}, ${new Date().toISOString()}`,
    '',
    '| Target | req/s | p50 ms | p99 ms | ratio to bare | errors | non-2xx |',
    '| --- | ---: | ---: | ---: | ---: | ---: | ---: |',
    ...results.map((r) => `| ${r.name} | ${Math.round(r.rps)} | ${r.p50} | ${r.p99} | ${(r.rps / base).toFixed(2)}x | ${r.errors} | ${r.non2xx} |`),
    '',
    `Ready after start: gateway ${gateway.readyMs} ms, environment ${environment.readyMs} ms. Idle RSS: gateway ${idle.gateway} MiB, environment ${idle.environment} MiB.`,
  ];
  process.stdout.write(`${lines.join('\n')}\n`);
  await gateway.proc.stop();
  await environment.proc.stop();
  await nats.stop();
}

main().catch((err: Error) => {
  process.stderr.write(`${err.stack ?? err.message}\n`);
  process.exit(1);
});
