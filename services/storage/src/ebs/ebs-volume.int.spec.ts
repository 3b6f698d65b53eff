/**
 * The EBS volume's files on a real file system: a writer process killed with SIGKILL in the middle
 * of appending leaves a log that still reads; rotation by size loses nothing; cleanup deletes by
 * age only rotated files; start-up records count restarts.
 */
import { appendFileSync, mkdtempSync, readFileSync, rmSync, truncateSync, statSync, utimesSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { AccessRecord } from '@eks-info/contracts';
import { ManagedProcess, distPath, nodeBin, waitFor } from '@eks-info/testing';
import { AccessLog } from './access-log';
import { EbsStore } from './ebs-store';

const record = (n: number, at = new Date()): AccessRecord => ({
  timestamp: at.toISOString(),
  pod_name: 'gateway-0',
  node_name: 'node-a',
  client_ip: '10.0.0.1',
  request_path: `/ebs?n=${n}`,
  request_method: 'GET',
  user_agent: 'test',
  response_status: 200,
  response_time_ms: 2,
});

async function allRecords(log: AccessLog): Promise<{ records: AccessRecord[]; skipped: number }> {
  const records: AccessRecord[] = [];
  const skipped = await log.scan(0, Date.now() + 60_000, (r) => records.push(r));
  return { records, skipped };
}

describe('EBS volume files', () => {
  let dir: string;
  beforeEach(() => {
    dir = mkdtempSync(path.join(os.tmpdir(), 'ebs-'));
  });
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  it('still reads after writers are killed with SIGKILL in the middle of appends', async () => {
    const logDir = path.join(dir, 'access-log');
    const kills = 5;
    for (let i = 0; i < kills; i++) {
      const writer = new ManagedProcess({
        name: 'appender',
        command: nodeBin,
        args: [distPath('services/storage/test/access-appender.process.js'), logDir, String(1 << 30), '40'],
      });
      await waitFor(() => writer.output.includes('appending') || (!writer.running && Promise.reject(new Error(writer.tail()))), {
        timeoutMs: 10_000,
        what: 'the appender',
      });
      await new Promise((r) => setTimeout(r, 40 + i * 37));
      writer.killNow();
      const { signal } = await writer.exited;
      expect(signal).toBe('SIGKILL');
    }
    const log = new AccessLog(logDir, 1 << 30);
    await log.open();
    const { records, skipped } = await allRecords(log);
    expect(records.length).toBeGreaterThan(kills * 40);
    // A kill can tear at most the line being written; the next writer starts on a fresh line.
    expect(skipped).toBeLessThanOrEqual(kills);
    for (const r of records) expect(r).toMatchObject({ pod_name: 'gateway-0', request_method: 'GET', response_status: 200 });
    // Appends after the crashes land intact.
    await log.append([record(-1)]);
    const tail = await log.tail(1);
    expect(tail.items[0].request_path).toBe('/ebs?n=-1');
  }, 60_000);

  it('skips a torn last line and starts the next record on a new line', async () => {
    const logDir = path.join(dir, 'access-log');
    const first = new AccessLog(logDir, 1 << 20);
    await first.append([record(1), record(2)]);
    const file = first.currentFile;
    // Cut the second record in half, as a crash mid-write would.
    truncateSync(file, statSync(file).size - 40);
    const reopened = new AccessLog(logDir, 1 << 20);
    await reopened.append([record(3)]);
    const { records, skipped } = await allRecords(reopened);
    expect(records.map((r) => r.request_path)).toEqual(['/ebs?n=1', '/ebs?n=3']);
    expect(skipped).toBe(1);
    expect((await reopened.tail(10)).skipped).toBe(1);
  });

  it('rotates by size without losing a record', async () => {
    const log = new AccessLog(path.join(dir, 'access-log'), 4096);
    for (let i = 0; i < 60; i++) await log.append([record(i), record(1000 + i)]);
    const rotated = await log.rotated();
    expect(rotated.length).toBeGreaterThanOrEqual(3);
    for (const r of rotated) expect(r.name).toMatch(/^access-\d{8}_\d{6}_\d{3}(-\d+)?\.log$/);
    expect(log.currentBytes).toBeLessThan(4096);
    const { records, skipped } = await allRecords(log);
    expect(skipped).toBe(0);
    expect(records).toHaveLength(120);
    expect(new Set(records.map((r) => r.request_path)).size).toBe(120);
  });

  it('keeps the newest maxFiles rotated logs: the oldest go at each rotation, whatever their age', async () => {
    const log = new AccessLog(path.join(dir, 'access-log'), 4096, 3);
    const seen = new Set<string>();
    for (let i = 0; i < 60; i++) {
      await log.append([record(i), record(1000 + i)]);
      for (const r of await log.rotated()) seen.add(r.name);
      // Distinct stamps, so the names sort by time.
      await new Promise((r) => setTimeout(r, 2));
    }
    const kept = (await log.rotated()).map((r) => r.name);
    expect(seen.size).toBeGreaterThan(5);
    expect(kept).toEqual([...seen].sort().reverse().slice(0, 3));
    expect(log.removedSinceStart).toBe(seen.size - 3);
    // What is left still reads whole: the newest records are all there.
    const { records, skipped } = await allRecords(log);
    expect(skipped).toBe(0);
    expect(records.map((r) => r.request_path)).toContain('/ebs?n=1059');
  });

  it('never overwrites a rotated log when rotations share a millisecond', async () => {
    // Freeze only the clock: every rotation gets the same time stamp.
    jest.useFakeTimers({
      now: new Date('2025-11-13T10:00:00.000Z'),
      doNotFake: ['nextTick', 'setImmediate', 'setTimeout', 'clearTimeout', 'setInterval', 'clearInterval', 'queueMicrotask', 'hrtime', 'performance'],
    });
    try {
      const log = new AccessLog(path.join(dir, 'access-log'), 4096);
      for (let i = 0; i < 30; i++) await log.append(Array.from({ length: 10 }, (_, j) => record(i * 10 + j)));
      const names = (await log.rotated()).map((r) => r.name);
      expect(names.length).toBeGreaterThanOrEqual(12);
      // Newest first in rotation order: -11 after -10 after -9 …, the unnumbered first file last.
      const n = names.length - 1;
      expect(names).toEqual([...Array.from({ length: n }, (_, i) => `access-20251113_100000_000-${n - i}.log`), 'access-20251113_100000_000.log']);
      const { records } = await allRecords(log);
      expect(records).toHaveLength(300);

      // The count bound keeps the newest of them, not the ones that sort last as strings.
      const bounded = new AccessLog(path.join(dir, 'access-log'), 4096, 3);
      for (let i = 0; i < 4; i++) await bounded.append(Array.from({ length: 10 }, (_, j) => record(300 + i * 10 + j)));
      const kept = (await bounded.rotated()).map((r) => Number(/-(\d+)\.log$/.exec(r.name)?.[1]));
      expect(kept[0]).toBeGreaterThan(n);
      expect(kept).toEqual([kept[0], kept[0] - 1, kept[0] - 2]);
    } finally {
      jest.useRealTimers();
    }
  });

  it('deletes rotated logs older than the retention, and only those', async () => {
    const logDir = path.join(dir, 'access-log');
    const log = new AccessLog(logDir, 1 << 20);
    await log.append([record(0)]);
    const day = 86_400;
    const now = Date.now() / 1000;
    const files = { 'access-20250101_000000_000.log': 10 * day, 'access-20250102_000000_000.log': 8 * day, 'access-20250110_000000_000.log': 1 * day };
    for (const [name, age] of Object.entries(files)) {
      writeFileSync(path.join(logDir, name), JSON.stringify(record(9)) + '\n');
      utimesSync(path.join(logDir, name), now - age, now - age);
    }
    // Not ours: never touched, whatever its age.
    writeFileSync(path.join(logDir, 'notes.txt'), 'keep');
    utimesSync(path.join(logDir, 'notes.txt'), now - 30 * day, now - 30 * day);

    const deleted = await log.cleanup(7);
    expect(deleted.map((d) => d.name).sort()).toEqual(['access-20250101_000000_000.log', 'access-20250102_000000_000.log']);
    expect((await log.rotated()).map((r) => r.name)).toEqual(['access-20250110_000000_000.log']);
    expect(readFileSync(path.join(logDir, 'notes.txt'), 'utf8')).toBe('keep');
    expect((await log.tail(5)).items).toHaveLength(1);
  });

  it('scans only the records of a window', async () => {
    const log = new AccessLog(path.join(dir, 'access-log'), 1 << 20);
    const t0 = Date.parse('2025-11-13T10:00:00Z');
    await log.append([record(1, new Date(t0 - 1)), record(2, new Date(t0)), record(3, new Date(t0 + 1799_999)), record(4, new Date(t0 + 1800_000))]);
    const seen: string[] = [];
    await log.scan(t0, t0 + 1800_000, (r) => seen.push(r.request_path));
    expect(seen).toEqual(['/ebs?n=2', '/ebs?n=3']);
  });

  it('numbers the starts recorded on the volume across restarts', async () => {
    const first = await new EbsStore(dir, 1 << 20).recordStart('storage-0', 'node-a');
    const second = await new EbsStore(dir, 1 << 20).recordStart('storage-0', 'node-b');
    expect([first.number, second.number]).toEqual([1, 2]);
    // A torn record from a crash does not break the count or the next start.
    appendFileSync(path.join(dir, 'incarnations.jsonl'), '{"number":3,"timest');
    const third = new EbsStore(dir, 1 << 20);
    expect((await third.recordStart('storage-0', 'node-c')).number).toBe(3);
    const history = await third.incarnations(10);
    expect(history.total).toBe(3);
    expect(history.items.map((i) => i.node)).toEqual(['node-c', 'node-b', 'node-a']);
  });

  it('keeps entries in order and returns the newest first', async () => {
    const store = new EbsStore(dir, 1 << 20);
    await store.recordStart('storage-0', 'node-a');
    for (let i = 0; i < 5; i++) await store.write({ timestamp: new Date().toISOString(), pod: 'storage-0', node: 'node-a', content: `entry ${i}\n<script>` });
    const entries = await store.entries(3);
    expect(entries.total).toBe(5);
    expect(entries.items.map((e) => e.content)).toEqual(['entry 4\n<script>', 'entry 3\n<script>', 'entry 2\n<script>']);
  });
});
