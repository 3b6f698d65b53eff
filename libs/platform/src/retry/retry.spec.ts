import { backoffDelay, retry } from './retry';

describe('backoffDelay', () => {
  it('grows exponentially up to the cap, with full jitter', () => {
    const max = (attempt: number) => backoffDelay(attempt, 100, 5000, () => 0.999999);
    expect([0, 1, 2, 3, 4, 5, 6].map(max)).toEqual([99, 199, 399, 799, 1599, 3199, 4999]);
    expect(backoffDelay(3, 100, 5000, () => 0)).toBe(0);
    expect(backoffDelay(100, 100, 5000, () => 0.5)).toBe(2500);
  });
});

describe('retry', () => {
  it('retries until success and reports each retry', async () => {
    let n = 0;
    const seen: number[] = [];
    const value = await retry(
      async () => {
        if (++n < 3) throw new Error(`fail ${n}`);
        return 'ok';
      },
      { attempts: 5, baseMs: 1, maxMs: 2, onRetry: (_e, attempt) => seen.push(attempt) },
    );
    expect(value).toBe('ok');
    expect(seen).toEqual([1, 2]);
  });

  it('gives up after the attempts, with the last error', async () => {
    let n = 0;
    await expect(
      retry(
        async () => {
          throw new Error(`fail ${++n}`);
        },
        { attempts: 3, baseMs: 1, maxMs: 1 },
      ),
    ).rejects.toThrow('fail 3');
  });

  it('stops at once on an error that will not heal', async () => {
    let n = 0;
    await expect(
      retry(
        async () => {
          n++;
          throw Object.assign(new Error('forbidden'), { status: 403 });
        },
        { attempts: 10, baseMs: 1, maxMs: 1, retryable: (e) => (e as { status: number }).status !== 403 },
      ),
    ).rejects.toThrow('forbidden');
    expect(n).toBe(1);
  });
});
