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

  it('with staleMs, answers with the old value while one reload runs, and waits again once the window has passed', async () => {
    now = 0;
    const cache = new TtlCache<number>({ ttlMs: 1000, staleMs: 5000, now: clock });
    let calls = 0;
    let release!: (v: number) => void;
    const slow = () => {
      calls++;
      return new Promise<number>((r) => (release = r));
    };
    const first = cache.get('k', slow);
    release(1);
    expect(await first).toBe(1);
    // Expired, within the stale window: the old value at once, one background reload for all.
    now = 1500;
    expect(await cache.get('k', slow)).toBe(1);
    expect(await cache.get('k', slow)).toBe(1);
    expect(calls).toBe(2);
    release(2);
    await new Promise((r) => setImmediate(r));
    expect(await cache.get('k', slow)).toBe(2);
    // A failed background reload keeps the old value; past the window, callers wait for a load.
    now = 3000;
    expect(await cache.get('k', () => Promise.reject(new Error('down')))).toBe(2);
    await new Promise((r) => setImmediate(r));
    // The next call tries again (in the background too).
    expect(await cache.get('k', async () => 9)).toBe(2);
    await new Promise((r) => setImmediate(r));
    expect(await cache.get('k', slow)).toBe(9);
    now = 3000 + 1000 + 5000;
    const waited = cache.get('k', slow);
    release(3);
    expect(await waited).toBe(3);
    expect(calls).toBe(3);
  });

  it('with ttlMs 0 keeps nothing, but concurrent callers still share one load', async () => {
    now = 0;
    const cache = new TtlCache<number>({ ttlMs: 0, now: clock });
    let loads = 0;
    const load = async () => {
      loads++;
      await new Promise((r) => setTimeout(r, 10));
      return loads;
    };
    expect(await Promise.all([cache.get('k', load), cache.get('k', load)])).toEqual([1, 1]);
    expect(cache.peek('k')).toBeUndefined();
    expect(await cache.get('k', load)).toBe(2); // same clock reading: asked again all the same
  });

  it('reports each answer from a kept value, fresh or stale, and no other', async () => {
    now = 0;
    let hits = 0;
    const cache = new TtlCache<number>({ ttlMs: 100, staleMs: 100, now: clock, onHit: () => hits++ });
    await cache.get('k', async () => 1); // a load
    now = 50;
    await cache.get('k', async () => 2); // fresh
    now = 150;
    await cache.get('k', async () => 3); // stale, reloading in the background
    await new Promise((r) => setImmediate(r));
    now = 400;
    expect(await cache.get('k', async () => 4)).toBe(4); // past the window: a load
    expect(hits).toBe(2);
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
