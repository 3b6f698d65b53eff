import { appendFileSync, closeSync, mkdtempSync, openSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { HistoryPoint, ScalingEventRecord } from '@eks-info/contracts';
import { HISTORY_FILE, HistoryStore } from './history.store';

const NOW = Date.parse('2025-11-13T12:00:00Z');
let dir: string;

const event = (id: string, at: number): ScalingEventRecord => ({
  event_id: id,
  event_type: 'node_added',
  timestamp: new Date(at).toISOString(),
  time_source: 'object',
  trigger: 't',
  result: 'r',
  status: 'completed',
  object: { kind: 'Node', namespace: null, name: id, uid: id },
  details: {},
});

const point = (at: number, pods: number, cpuUsed: number | null = 100): HistoryPoint => ({
  t: new Date(at).toISOString(),
  nodes: 3,
  nodesReady: 3,
  nodesByCapacityType: { 'on-demand': 3 },
  pods,
  pending: 0,
  workloads: { 'Deployment/web': pods },
  hpas: { web: [pods, pods] },
  cpuAllocatableMillis: 6000,
  cpuRequestedMillis: 3000,
  cpuUsedMillis: cpuUsed,
  memoryAllocatableBytes: 1000,
  memoryRequestedBytes: 500,
  memoryUsedBytes: 200,
});

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

  it('keeps records in memory and reports the error when a write fails, and clears it when writing works again', () => {
    const s = store();
    s.open();
    // The descriptor goes away under the store, as on a volume that was pulled.
    const fd = (s as unknown as { fd: number }).fd;
    closeSync(fd);
    expect(s.appendEvents([event('e1', NOW)]).map((e) => e.event_id)).toEqual(['e1']);
    expect(s.error?.message).toMatch(/EBADF/);
    expect(s.has('e1')).toBe(true);
    // Compaction rewrites the file from memory and reopens it: the event reaches the disk after all.
    (s as unknown as { fd: number }).fd = openSync(path.join(dir, HISTORY_FILE), 'a+');
    s.compact();
    s.appendEvents([event('e2', NOW + 1)]);
    expect(s.error).toBeNull();
    s.close();
    const reopened = store();
    reopened.open();
    expect(reopened.events().map((e) => e.event_id)).toEqual(['e1', 'e2']);
    reopened.close();
  });
});
