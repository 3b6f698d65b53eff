import { MemoryBallast, chunkPlan } from './memory-ballast';

const MiB = 1024 * 1024;

describe('chunkPlan', () => {
  it('uses 64 MiB chunks and folds a small remainder into the last one, so no chunk is below 33 MiB', () => {
    expect(chunkPlan(200 * MiB).map((b) => b / MiB)).toEqual([64, 64, 72]);
    expect(chunkPlan(128 * MiB).map((b) => b / MiB)).toEqual([64, 64]);
    expect(chunkPlan(100 * MiB).map((b) => b / MiB)).toEqual([64, 36]);
    expect(chunkPlan(90 * MiB).map((b) => b / MiB)).toEqual([90]);
    expect(chunkPlan(10 * MiB).map((b) => b / MiB)).toEqual([10]);
    for (let mb = 34; mb < 1000; mb += 37) {
      const plan = chunkPlan(mb * MiB);
      expect(plan.reduce((a, b) => a + b, 0)).toBe(mb * MiB);
      expect(Math.min(...plan)).toBeGreaterThanOrEqual(33 * MiB);
    }
  });
});

describe('MemoryBallast', () => {
  it('fills to the target, then frees every chunk on release', async () => {
    const ballast = new MemoryBallast();
    const outcome = await ballast.fill(40 * MiB, () => true, new AbortController().signal);
    expect(outcome).toBe('target');
    expect(ballast.allocatedBytes).toBe(40 * MiB);
    expect(ballast.release()).toBe(40 * MiB);
    expect(ballast.allocatedBytes).toBe(0);
  });

  it('stops before a chunk the live headroom check refuses', async () => {
    const ballast = new MemoryBallast();
    const asked: number[] = [];
    const outcome = await ballast.fill(200 * MiB, (bytes) => asked.push(bytes) < 2, new AbortController().signal);
    expect(outcome).toBe('headroom');
    expect(asked).toEqual([64 * MiB, 64 * MiB]);
    expect(ballast.allocatedBytes).toBe(64 * MiB);
    ballast.release();
  });

  it('stops filling when aborted', async () => {
    const ballast = new MemoryBallast();
    const abort = new AbortController();
    const filling = ballast.fill(200 * MiB, () => true, abort.signal);
    abort.abort();
    expect(await filling).toBe('aborted');
    expect(ballast.allocatedBytes).toBeLessThan(200 * MiB);
    ballast.release();
  });
});
