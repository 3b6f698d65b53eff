import { appendFileSync, closeSync, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { HISTORY_FILE, HISTORY_LOCK, HistoryStore } from './history.store';
import { historyEvent, historyPoint } from '../../test/history-fixtures';

const NOW = Date.parse('2025-11-13T12:00:00Z');
let dir: string;

const event = (id: string, at: number) => historyEvent(id, at);
const point = historyPoint;

const store = (retentionDays = 7) => new HistoryStore({ dir, retentionDays, now: () => NOW });

beforeEach(() => {
  dir = mkdtempSync(path.join(os.tmpdir(), 'history-store-'));
});
afterEach(() => rmSync(dir, { recursive: true, force: true }));

describe('HistoryStore', () => {
  it('keeps what was written across a reopen, without duplicates', () => {
    const a = store();
    a.open();
    expect(a.appendEvents([event('e1', NOW - 2000), event('e2', NOW - 1000)]).map((e) => e.event_id)).toEqual(['e1', 'e2']);
    expect(a.appendEvents([event('e2', NOW - 1000), event('e3', NOW)]).map((e) => e.event_id)).toEqual(['e3']);
    a.appendSample(point(NOW, 5));
    a.close();

    const b = store();
    expect(b.open()).toEqual({ events: 3, samples: 1, skippedLines: 0 });
    expect(b.events().map((e) => e.event_id)).toEqual(['e1', 'e2', 'e3']);
    expect(b.appendEvents([event('e1', NOW - 2000)])).toEqual([]);
    expect(b.samples()[0].pods).toBe(5);
    b.close();
  });

  it('survives a torn last line (a crash mid-write): skips it and appends on a fresh line', () => {
    const a = store();
    a.open();
    a.appendEvents([event('e1', NOW)]);
    a.close();
    appendFileSync(path.join(dir, HISTORY_FILE), '{"k":"e","v":{"event_id":"torn","event_ty');

    const b = store();
    expect(b.open()).toEqual({ events: 1, samples: 0, skippedLines: 1 });
    b.appendEvents([event('e2', NOW + 1000)]);
    b.close();
    const c = store();
    expect(c.open()).toEqual({ events: 2, samples: 0, skippedLines: 0 });
    expect(c.events().map((e) => e.event_id)).toEqual(['e1', 'e2']);
    c.close();
  });

  it('orders events by time even when a late one arrives (catch-up after a restart)', () => {
    const s = store();
    s.open();
    s.appendEvents([event('late', NOW), event('early', NOW - 60_000), event('middle', NOW - 30_000)]);
    expect(s.events().map((e) => e.event_id)).toEqual(['early', 'middle', 'late']);
    expect(s.events(NOW - 40_000, NOW - 1).map((e) => e.event_id)).toEqual(['middle']);
    s.close();
  });

  it('compacts: drops what is older than the retention and merges old samples into 5-minute points', () => {
    const s = store(2);
    s.open();
    s.appendEvents([event('too-old', NOW - 3 * 86_400_000), event('kept', NOW - 86_400_000)]);
    const dayAgo = NOW - 30 * 3_600_000;
    // 20 samples 15 s apart more than a day ago (one 5-minute bucket), 2 recent ones.
    for (let i = 0; i < 20; i++) s.appendSample(point(Math.floor(dayAgo / 300_000) * 300_000 + i * 15_000, i === 7 ? 9 : 4, i % 2 ? 100 : 200));
    s.appendSample(point(NOW - 30_000, 6));
    s.appendSample(point(NOW - 15_000, 7));
    expect(s.compact()).toEqual({ before: 24, after: 4 });
    expect(s.events().map((e) => e.event_id)).toEqual(['kept']);
    const samples = s.samples();
    expect(samples.map((p) => p.pods)).toEqual([9, 6, 7]);
    // Counts keep the bucket's maximum; usage is averaged.
    expect(samples[0].cpuUsedMillis).toBe(150);
    s.close();
    const reopened = store(2);
    expect(reopened.open()).toEqual({ events: 1, samples: 3, skippedLines: 0 });
    reopened.close();
    // The compacted file is whole JSON lines.
    expect(
      readFileSync(path.join(dir, HISTORY_FILE), 'utf8')
        .trim()
        .split('\n')
        .map((l) => JSON.parse(l).k),
    ).toEqual(['e', 's', 's', 's']);
  });

  it('fails to open with the reason when the history path is not a directory', () => {
    const file = path.join(dir, 'not-a-directory');
    writeFileSync(file, 'x');
    const s = new HistoryStore({ dir: file, retentionDays: 7 });
    expect(() => s.open()).toThrow(/ENOTDIR|EEXIST/);
    expect(s.isOpen).toBe(false);
  });

  it('keeps records in memory when a write fails, and writes them itself once writing works again', () => {
    const s = new HistoryStore({ dir, retentionDays: 7, now: () => NOW, recoveryIntervalMs: 0 });
    s.open();
    s.appendEvents([event('e0', NOW - 1)]);
    // The descriptor goes away under the store, as on a volume that was pulled.
    closeSync((s as unknown as { fd: number }).fd);
    expect(s.appendEvents([event('e1', NOW)]).map((e) => e.event_id)).toEqual(['e1']);
    expect(s.error?.message).toMatch(/EBADF/);
    expect(s.has('e1')).toBe(true);
    // Nothing is handed to the store: the next write rewrites the file from memory, e1 included.
    s.appendEvents([event('e2', NOW + 1)]);
    expect(s.error).toBeNull();
    expect(s.isOpen).toBe(true);
    s.appendEvents([event('e3', NOW + 2)]);
    s.close();
    const reopened = store();
    reopened.open();
    expect(reopened.events().map((e) => e.event_id)).toEqual(['e0', 'e1', 'e2', 'e3']);
    reopened.close();
  });

  it('tries the rewrite at most every recoveryIntervalMs while writing fails', () => {
    const s = new HistoryStore({ dir, retentionDays: 7, now: () => NOW, recoveryIntervalMs: 60_000 });
    s.open();
    closeSync((s as unknown as { fd: number }).fd);
    s.appendEvents([event('e1', NOW)]);
    s.appendEvents([event('e2', NOW + 1)]);
    // Within the interval nothing is retried: still failing, both kept in memory.
    expect(s.error?.message).toMatch(/EBADF/);
    expect(s.events().map((e) => e.event_id)).toEqual(['e1', 'e2']);
    // A compaction rewrites from memory whatever the interval.
    expect(s.compact().error).toBeUndefined();
    expect(s.error).toBeNull();
    s.close();
    const reopened = store();
    reopened.open();
    expect(reopened.events().map((e) => e.event_id)).toEqual(['e1', 'e2']);
    reopened.close();
  });

  it.each([
    ['a file', (p: string) => writeFileSync(p, '{"k":"e","v":{"event_id":"half-writ')],
    ['a directory', (p: string) => mkdirSync(path.join(p, 'nested'), { recursive: true })],
  ])('clears a leftover .compacting (%s, from a crash mid-compaction) and compacts as usual', (_, leave) => {
    const a = store();
    a.open();
    a.appendEvents([event('e1', NOW)]);
    a.close();
    leave(path.join(dir, `${HISTORY_FILE}.compacting`));
    const b = store();
    expect(b.open()).toEqual({ events: 1, samples: 0, skippedLines: 0 });
    expect(existsSync(path.join(dir, `${HISTORY_FILE}.compacting`))).toBe(false);
    // A leftover that appears later (another crash, a hand-made copy) does not stop compaction either.
    leave(path.join(dir, `${HISTORY_FILE}.compacting`));
    expect(b.compact()).toEqual({ before: 1, after: 1 });
    b.appendEvents([event('e2', NOW + 1)]);
    b.close();
    const c = store();
    expect(c.open()).toEqual({ events: 2, samples: 0, skippedLines: 0 });
    c.close();
  });

  describe('one writer', () => {
    const lease = (leaseMs: number) => new HistoryStore({ dir, retentionDays: 7, now: () => NOW, leaseMs });

    it('a second store finds the lease held: it serves what is on disk, writes nothing and says why; it takes over when the first closes', async () => {
      const first = lease(300);
      first.open();
      first.appendEvents([event('e1', NOW)]);
      const second = lease(300);
      expect(second.open()).toEqual({ events: 1, samples: 0, skippedLines: 0 });
      expect(second.isOpen).toBe(false);
      expect(second.error?.message).toMatch(/another writer holds the history .* pid \d+/);
      const size = statSync(path.join(dir, HISTORY_FILE)).size;
      second.appendEvents([event('from-second', NOW + 5)]);
      expect(statSync(path.join(dir, HISTORY_FILE)).size).toBe(size);
      first.appendEvents([event('e2', NOW + 1)]);
      first.close();
      // Retried every third of the lease: the second store takes over, merges e2 and writes its own event.
      for (let i = 0; i < 40 && !second.isOpen; i++) await new Promise((r) => setTimeout(r, 50));
      expect(second.isOpen).toBe(true);
      expect(second.error).toBeNull();
      second.close();
      const third = store();
      third.open();
      expect(third.events().map((e) => e.event_id)).toEqual(['e1', 'e2', 'from-second']);
      third.close();
    });

    it('waits out a lease of another host until it lapses, then takes it over', async () => {
      const lockFile = path.join(dir, HISTORY_LOCK);
      writeFileSync(lockFile, JSON.stringify({ token: 't-other', host: 'another-node', pid: 1, acquiredAt: new Date().toISOString() }));
      const s = lease(600);
      s.open();
      expect(s.isOpen).toBe(false);
      expect(s.error?.message).toContain('another-node pid 1');
      await new Promise((r) => setTimeout(r, 300));
      expect(s.isOpen).toBe(false); // still within the lease
      for (let i = 0; i < 40 && !s.isOpen; i++) await new Promise((r) => setTimeout(r, 50));
      expect(s.isOpen).toBe(true);
      expect(JSON.parse(readFileSync(lockFile, 'utf8')).host).not.toBe('another-node');
      s.close();
      expect(existsSync(lockFile)).toBe(false);
    });

    it('a holder whose lease was taken stops writing', async () => {
      const s = lease(300);
      s.open();
      s.appendEvents([event('e1', NOW)]);
      // Another writer (after a lapse, say) replaced the lease.
      writeFileSync(path.join(dir, HISTORY_LOCK), JSON.stringify({ token: 't-new', host: 'another-node', pid: 1, acquiredAt: new Date().toISOString() }));
      for (let i = 0; i < 40 && s.isOpen; i++) await new Promise((r) => setTimeout(r, 50));
      expect(s.isOpen).toBe(false);
      expect(s.error?.message).toContain('another-node');
      const size = statSync(path.join(dir, HISTORY_FILE)).size;
      s.appendEvents([event('e2', NOW + 1)]);
      expect(statSync(path.join(dir, HISTORY_FILE)).size).toBe(size);
      s.close();
      // It left the other writer's lease alone.
      expect(JSON.parse(readFileSync(path.join(dir, HISTORY_LOCK), 'utf8')).token).toBe('t-new');
    });
  });
});
