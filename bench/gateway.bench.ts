/**
 * The page path in both shapes, against bare node:http servers serving the same bytes, in one
 * invocation (wrk, alternating targets, median of the rounds):
 *   - distributed: nats-server, the environment service and the gateway as separate processes
 *     (the production bundles): `GET /` (the page) and `GET /api/v1/environment` (its JSON twin);
 *   - single process (`npm start`'s entry): the same page and JSON twin over the in-process bus.
 *
 *   npm run bench -- gateway       BENCH_SECONDS=6 BENCH_ROUNDS=3 BENCH_CONNECTIONS=50
 */
import { NatsServer, type ManagedProcess, componentEntry, freePort, startLocalApp, startNodeProcess } from '@eks-info/testing';
import { bareServer, compare, fetchBody, machine, table } from './support';

const SECONDS = Number(process.env.BENCH_SECONDS ?? 6);
const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 3);
const CONNECTIONS = Number(process.env.BENCH_CONNECTIONS ?? 50);

/** Benchmarks measure the app, not its per-client read limit. */
const UNLIMITED = { READ_RATE_LIMIT_PER_MINUTE: '0', LOG_LEVEL: 'warn' };

export async function gatewayBench(): Promise<string> {
  const nats = await NatsServer.start();
  const procs: ManagedProcess[] = [];
  const [port, envPort] = [await freePort(), await freePort()];
  procs.push(
    await startNodeProcess({
      name: 'environment',
      entry: componentEntry('environment'),
      env: { ...UNLIMITED, NATS_URL: nats.url, MANAGEMENT_PORT: String(envPort), MANAGEMENT_HOST: '127.0.0.1' },
      readyUrl: `http://127.0.0.1:${envPort}/ready`,
      sourceMaps: false, // as the image runs
    }),
  );
  procs.push(
    await startNodeProcess({
      name: 'gateway',
      entry: componentEntry('gateway'),
      env: { ...UNLIMITED, NATS_URL: nats.url, PORT: String(port), HOST: '127.0.0.1' },
      readyUrl: `http://127.0.0.1:${port}/ready`,
      sourceMaps: false,
    }),
  );
  const local = await startLocalApp(UNLIMITED);
  const dist = `http://127.0.0.1:${port}`;
  const targets = {
    distPage: { name: 'distributed `GET /`', url: `${dist}/` },
    distApi: { name: 'distributed `GET /api/v1/environment`', url: `${dist}/api/v1/environment` },
    localPage: { name: '`npm start` `GET /`', url: `${local.url}/` },
    localApi: { name: '`npm start` `GET /api/v1/environment`', url: `${local.url}/api/v1/environment` },
  };
  const page = await fetchBody(targets.distPage.url);
  const json = await fetchBody(targets.distApi.url);
  const barePage = await bareServer(page.body, page.type);
  const bareJson = await bareServer(json.body, json.type);
  try {
    const names = {
      barePage: `bare node:http, the page's ${(page.body.length / 1024).toFixed(1)} KB`,
      bareJson: `bare node:http, the JSON's ${(json.body.length / 1024).toFixed(1)} KB`,
    };
    const results = await compare(
      [
        { name: names.barePage, url: barePage.url },
        targets.distPage,
        targets.localPage,
        { name: names.bareJson, url: bareJson.url },
        targets.distApi,
        targets.localApi,
      ],
      { rounds: ROUNDS, seconds: SECONDS, connections: CONNECTIONS },
    );
    const by = (name: string) => results.find((r) => r.name === name)!;
    const [bp, bj] = [by(names.barePage), by(names.bareJson)];
    return [
      `### Page path — ${machine()}, wrk -t1 -c${CONNECTIONS}, ${ROUNDS} rounds × ${SECONDS} s, medians, ${new Date().toISOString().slice(0, 16)}Z`,
      '',
      table([
        { result: bp, base: bp },
        { result: by(targets.distPage.name), base: bp, note: 'budget ≥ 0.20, p99 ≤ 20 ms' },
        { result: by(targets.localPage.name), base: bp, note: 'budget: ≥ distributed, p99 ≤ 25 ms' },
        { result: bj, base: bj },
        { result: by(targets.distApi.name), base: bj, note: 'budget ≥ 0.30' },
        { result: by(targets.localApi.name), base: bj },
      ]),
    ].join('\n');
  } finally {
    await barePage.close();
    await bareJson.close();
    await local.stop();
    for (const p of procs.reverse()) await p.stop();
    await nats.stop();
  }
}

if (require.main === module) {
  gatewayBench().then(
    (md) => process.stdout.write(`${md}\n`),
    (err: Error) => {
      process.stderr.write(`${err.stack ?? err.message}\n`);
      process.exit(1);
    },
  );
}
