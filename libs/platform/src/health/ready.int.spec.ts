// /ready of a real gateway process: the 503 body names each failing check, exactly as the 200
// body names the passing ones (the gateway's error envelope must not replace it).
import { componentEntry, freePort, NatsServer, startNodeProcess, waitFor, type ManagedProcess } from '@eks-info/testing';

interface ReadyBody {
  status: string;
  info: Record<string, { status: string; detail?: string }>;
  error: Record<string, { status: string; detail?: string }>;
}

let nats: NatsServer;
let gateway: ManagedProcess | undefined;

afterAll(async () => {
  await gateway?.stop();
  await nats?.stop();
});

it('answers 503 naming the failing check and why, then 200 with the same shape once it passes', async () => {
  nats = await NatsServer.start();
  await nats.kill();
  const port = await freePort();
  gateway = await startNodeProcess({
    name: 'gateway',
    entry: componentEntry('gateway'),
    env: { NATS_URL: nats.url, PORT: String(port), HOST: '127.0.0.1', SHUTDOWN_GRACE_MS: '0' },
    readyUrl: `http://127.0.0.1:${port}/health`,
  });
  const down = await fetch(`http://127.0.0.1:${port}/ready`);
  expect(down.status).toBe(503);
  const failing = (await down.json()) as ReadyBody;
  expect(failing.status).toBe('error');
  expect(failing.error.nats).toEqual({ status: 'down', detail: expect.stringMatching(/\S/) });
  expect(failing.info).toEqual({});

  await nats.start();
  const up = await waitFor(
    async () => {
      const res = await fetch(`http://127.0.0.1:${port}/ready`);
      return res.status === 200 ? ((await res.json()) as ReadyBody) : undefined;
    },
    { timeoutMs: 20_000, intervalMs: 200, what: 'the gateway ready once NATS is up' },
  );
  expect(up.status).toBe('ok');
  expect(up.info.nats).toEqual({ status: 'up', detail: 'connected' });
  expect(Object.keys(up.info).sort()).toEqual(Object.keys(failing.error).sort());
}, 60_000);
