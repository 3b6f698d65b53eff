import { TtlCache } from './ttl-cache';

describe('TtlCache', () => {
  let now = 0;
  const clock = () => now;

  it('shares one load between concurrent callers (single-flight)', async () => {
    const cache = new TtlCache<number>({ ttlMs: 1000, now: clock });
    let loads = 0;
    const load = async () => {
      loads++;
      await new Promise((r) => setTimeout(r, 20));
      return 42;
    };
    const values = await Promise.all(Array.from({ length: 20 }, () => cache.get('k', load)));
    expect(values).toEqual(Array(20).fill(42));
    expect(loads).toBe(1);
  });

  it('serves from cache within the TTL and reloads after it', async () => {
    now = 0;
    const cache = new TtlCache<number>({ ttlMs: 1000, now: clock });
    let n = 0;
    const load = async () => ++n;
    expect(await cache.get('k', load)).toBe(1);
    now = 999;
    expect(await cache.get('k', load)).toBe(1);
    now = 1001;
    expect(await cache.get('k', load)).toBe(2);
    expect(cache.loadedAt('k')).toBe(1001);
  });

  it('does not cache failures unless asked to', async () => {
    now = 0;
    const plain = new TtlCache<number>({ ttlMs: 1000, now: clock });
    let calls = 0;
    const failing = async () => {
      calls++;
      throw new Error('down');
    };
    await expect(plain.get('k', failing)).rejects.toThrow('down');
    await expect(plain.get('k', failing)).rejects.toThrow('down');
    expect(calls).toBe(2);

    const negative = new TtlCache<number>({ ttlMs: 1000, errorTtlMs: 500, now: clock });
    calls = 0;
    await expect(negative.get('k', failing)).rejects.toThrow('down');
    await expect(negative.get('k', failing)).rejects.toThrow('down');
    expect(calls).toBe(1);
    now = 600;
    await expect(negative.get('k', failing)).rejects.toThrow('down');
    expect(calls).toBe(2);
  });

  it('clears and bounds its entries', async () => {
    const cache = new TtlCache<number>({ ttlMs: 1000, maxEntries: 2, now: clock });
    for (const k of ['a', 'b', 'c']) await cache.get(k, async () => 1);
    expect(cache.peek('a')).toBeUndefined();
    expect(cache.peek('c')).toBe(1);
    expect(cache.clear()).toBe(2);
    expect(cache.peek('c')).toBeUndefined();
  });
});
