/**
 * `npm run start:distributed`: one process per component over NATS, a local nats-server started
 * when none listens, prefixed output, and Ctrl-C stops everything.
 */
import { ManagedProcess, distPath, freePort, freePortBlock, guardRequireArgs, isListening, isolatedEnv, nodeBin, repoRoot, waitFor } from '@eks-info/testing';

jest.setTimeout(90_000);

it('starts NATS and every component, serves pages across processes, and stops them all on Ctrl-C', async () => {
  // The launcher gives its four services MANAGEMENT_PORT_BASE + 0…3: a block of free ports, not one.
  const [port, natsPort, base] = [await freePort(), await freePort(), await freePortBlock(4)];
  const proc = new ManagedProcess({
    name: 'distributed',
    command: nodeBin,
    args: [...guardRequireArgs(), distPath('local/src/distributed.js')],
    cwd: repoRoot,
    env: isolatedEnv({ PORT: String(port), NATS_URL: `nats://127.0.0.1:${natsPort}`, MANAGEMENT_PORT_BASE: String(base) }),
  });
  try {
    await waitFor(async () => (await fetch(`http://127.0.0.1:${port}/ready`).catch(() => undefined))?.status === 200, {
      timeoutMs: 30_000,
      what: 'the gateway',
    });
    const env = await waitFor(async () => {
      const res = await fetch(`http://127.0.0.1:${port}/api/v1/environment`);
      return res.status === 200 ? ((await res.json()) as { servedBy: { service: string; pod: string } }) : undefined;
    });
    expect(env.servedBy.service).toBe('environment');
    for (let i = 0; i < 4; i++) {
      await waitFor(async () => (await fetch(`http://127.0.0.1:${base + i}/health`).catch(() => undefined))?.status === 200, {
        timeoutMs: 30_000,
        what: `service on ${base + i}`,
      }).catch((err: Error) => {
        throw new Error(`${err.message}\n${proc.tail()}`);
      });
    }
    expect(await isListening(natsPort)).toBe(true);
    const names = new Set(proc.output.map((l) => l.match(/^\[([a-z-]+)\]/)?.[1]).filter(Boolean));
    expect([...names].sort()).toEqual(expect.arrayContaining(['environment', 'gateway', 'nats', 'scaling-monitor', 'storage', 'stress']));

    proc.child.kill('SIGINT');
    const exit = await proc.exited;
    expect(exit.code).toBe(0);
    expect(await isListening(port)).toBe(false);
    expect(await isListening(natsPort)).toBe(false);
    for (let i = 0; i < 4; i++) expect(await isListening(base + i)).toBe(false);
  } finally {
    // Ctrl-C, not SIGKILL: the launcher must get to stop its children (a killed launcher orphans them).
    if (proc.running) await proc.stop('SIGINT', 15_000);
  }
});
