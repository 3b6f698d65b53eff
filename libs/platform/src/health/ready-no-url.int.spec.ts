/**
 * /ready is open without authentication (load balancers and kubelets probe it), so it must name a
 * broken dependency without giving away where it is or how to log in: a NATS_URL carries a user
 * and password or a token. A real service process, NATS unreachable on a loopback port.
 */
import { freePort, startNodeProcess } from '@eks-info/testing';

jest.setTimeout(60_000);

it('reports NATS as down on /ready without echoing NATS_URL, its password or its token', async () => {
  const [natsPort, port] = [await freePort(), await freePort()];
  const secrets = ['s3cr3t-pa%2Fss', 't0ken-xyz'];
  const proc = await startNodeProcess({
    name: 'environment',
    entry: 'services/environment/src/main.js',
    env: {
      NATS_URL: `nats://app:${secrets[0]}@127.0.0.1:${natsPort},nats://${secrets[1]}@127.0.0.1:${natsPort}`,
      MANAGEMENT_PORT: String(port),
      MANAGEMENT_HOST: '127.0.0.1',
      KUBE_MODE: 'off',
      LOG_LEVEL: 'debug',
    },
    readyUrl: `http://127.0.0.1:${port}/health`,
  });
  try {
    const res = await fetch(`http://127.0.0.1:${port}/ready`);
    const text = await res.text();
    expect(res.status).toBe(503);
    const body = JSON.parse(text) as { error: Record<string, { status: string; detail: string }> };
    expect(body.error.nats).toMatchObject({ status: 'down', detail: expect.stringContaining('not connected to NATS') });
    for (const leak of [...secrets, 'nats://', `127.0.0.1:${natsPort}`]) expect({ leak, found: text.includes(leak) }).toEqual({ leak, found: false });
    // Nor anything the process logged meanwhile.
    await proc.stop();
    expect(proc.output.join('\n')).not.toMatch(new RegExp(secrets.join('|')));
  } finally {
    await proc.stop();
  }
});
