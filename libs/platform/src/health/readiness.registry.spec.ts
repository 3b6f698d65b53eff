import { ReadinessRegistry } from './readiness.registry';

describe('ReadinessRegistry', () => {
  it('runs every named check and reports which one fails', async () => {
    const r = new ReadinessRegistry();
    r.register('nats', () => ({ ok: true, detail: 'connected' }));
    r.register('mounts', async () => ({ ok: false, detail: '/data/ebs is not a mount point' }));
    expect(await r.run()).toEqual({ nats: { ok: true, detail: 'connected' }, mounts: { ok: false, detail: '/data/ebs is not a mount point' } });
  });

  it('turns a throwing or hanging check into a failure', async () => {
    const r = new ReadinessRegistry();
    r.register('boom', () => {
      throw new Error('exploded');
    });
    r.register('slow', () => new Promise(() => undefined));
    const results = await r.run(50);
    expect(results.boom).toEqual({ ok: false, detail: 'exploded' });
    expect(results.slow.ok).toBe(false);
    expect(results.slow.detail).toContain('50 ms');
  });

  it('scopes names for several services in one process and drains them all', async () => {
    const root = new ReadinessRegistry();
    root.scoped('storage').register('ebs', () => ({ ok: true }));
    root.scoped('environment').register('kubernetes', () => ({ ok: true }));
    expect(root.names()).toEqual(['storage.ebs', 'environment.kubernetes']);
    root.scoped('storage').drain();
    expect((await root.run()).shutdown).toEqual({ ok: false, detail: 'shutting down' });
  });
});
