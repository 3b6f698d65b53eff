/**
 * The history store against real failures of a real file system, each from the kernel:
 * - a rename that fails (the history file append-only, `chattr +a`: appends work, replacing it
 *   fails with EPERM);
 * - a full file system (ENOSPC) on a 512 KiB tmpfs, mounted in a private user and mount
 *   namespace (`unshare`), so nothing outside the test process sees it;
 * - processes killed with SIGKILL in the middle of compactions;
 * - a second writer process.
 * Each needs the machine to allow it; where it does not, the test is skipped and counted (and
 * fails under CI), see libs/testing itWhen.
 */
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { ApiDiscovery, InformerHub, loadKubeAccess } from '@eks-info/kube';
import { FakeKubeApiServer, ManagedProcess, type Prerequisite, distPath, itWhen, nodeBin, waitFor } from '@eks-info/testing';
import { ScalingCollector } from '../collector/scaling.collector';
import { HISTORY_FILE, HISTORY_LOCK, HistoryStore } from './history.store';
import { historyEvent } from '../../test/history-fixtures';

jest.setTimeout(120_000);

const event = (id: string) => historyEvent(id);

/** chattr +a works here (root, and a file system with attributes). */
function chattrAvailable(): Prerequisite {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'chattr-probe-'));
  try {
    const file = path.join(dir, 'f');
    writeFileSync(file, '');
    const on = spawnSync('chattr', ['+a', file], { encoding: 'utf8' });
    if (on.error || on.status !== 0) return { ok: false, reason: `chattr +a is not possible here: ${on.error?.message ?? on.stderr.trim()}` };
    spawnSync('chattr', ['-a', file]);
    return { ok: true };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

/** A tmpfs can be mounted in a private user + mount namespace. */
function privateTmpfsAvailable(): Prerequisite {
  const probe = spawnSync(
    'unshare',
    ['--user', '--map-root-user', '--mount', 'sh', '-c', 'd=$(mktemp -d) && mount -t tmpfs -o size=64k tmpfs "$d" && umount "$d" && rmdir "$d"'],
    { encoding: 'utf8', timeout: 10_000 },
  );
  if (probe.error || probe.status !== 0)
    return { ok: false, reason: `cannot mount a tmpfs in a user namespace (unshare -rm): ${probe.error?.message ?? probe.stderr.trim()}` };
  return { ok: true };
}

const helper = () => distPath('services/scaling-monitor/test/history-store.process.js');

let dir: string;
beforeEach(() => {
  dir = mkdtempSync(path.join(os.tmpdir(), 'history-int-'));
});
afterEach(() => {
  spawnSync('chattr', ['-a', path.join(dir, HISTORY_FILE)]);
  rmSync(dir, { recursive: true, force: true });
});

itWhen(chattrAvailable())('a failed rename leaves the old file and its descriptor in use; appends go on and the next compaction succeeds', () => {
  const s = new HistoryStore({ dir, retentionDays: 7 });
  s.open();
  s.appendEvents([event('e1')]);
  s.sync();
  expect(spawnSync('chattr', ['+a', s.path]).status).toBe(0);
  const result = s.compact();
  expect(result.error).toMatch(/EPERM/);
  expect(readdirSync(dir).filter((n) => n.includes('.compacting'))).toEqual([]);
  // The descriptor is the old file's, still open: the append lands in it.
  s.appendEvents([event('e2')]);
  expect(s.error).toBeNull();
  expect(readFileSync(s.path, 'utf8')).toContain('"event_id":"e2"');
  expect(spawnSync('chattr', ['-a', s.path]).status).toBe(0);
  expect(s.compact().error).toBeUndefined();
  s.appendEvents([event('e3')]);
  s.close();
  const reopened = new HistoryStore({ dir, retentionDays: 7 });
  reopened.open();
  expect(reopened.events().map((e) => e.event_id)).toEqual(['e1', 'e2', 'e3']);
  reopened.close();
});

itWhen(chattrAvailable())('a compaction that fails at start does not keep the monitor unready: the collector comes up ready and records', async () => {
  // A history the rename cannot replace: the collector compacts it at start.
  const seed = new HistoryStore({ dir, retentionDays: 7 });
  seed.open();
  seed.appendEvents([event('before-restart')]);
  seed.close();
  expect(spawnSync('chattr', ['+a', path.join(dir, HISTORY_FILE)]).status).toBe(0);
  const server = await FakeKubeApiServer.start({ karpenter: false });
  const access = loadKubeAccess({ KUBE_MODE: 'kubeconfig', KUBECONFIG: server.writeKubeconfig(), WATCH_NAMESPACE: 'demo' });
  if (!access.ok) throw new Error(access.error.message);
  const hub = new InformerHub({ kubeConfig: access.access.kubeConfig, watchdogMs: 5000, backoffBaseMs: 100, backoffMaxMs: 1000 });
  const store = new HistoryStore({ dir, retentionDays: 7 });
  const collector = new ScalingCollector({
    namespace: 'demo',
    autoscalerNamespace: 'kube-system',
    hub,
    discovery: new ApiDiscovery(access.access.kubeConfig),
    store,
    sampleIntervalMs: 200,
    retentionDays: 7,
    maxNodes: 1000,
  });
  try {
    collector.start();
    const ready = await waitFor(() => (collector.readiness().ok ? collector.readiness() : undefined), { timeoutMs: 15_000, what: 'the collector ready' });
    expect(ready.detail).toContain('history writable');
    expect(collector.historyProblem).toBeNull();
    // It records into the file it could not compact (appends work on an append-only file).
    const size = readFileSync(path.join(dir, HISTORY_FILE), 'utf8').length;
    await waitFor(() => readFileSync(path.join(dir, HISTORY_FILE), 'utf8').length > size, { timeoutMs: 5000, what: 'a sample on disk' });
    expect(store.events().map((e) => e.event_id)).toContain('before-restart');
  } finally {
    await hub.stop();
    await collector.stop();
    await server.close();
  }
});

itWhen(privateTmpfsAvailable())(
  'on a full file system (ENOSPC, a real 512 KiB tmpfs): keeps records in memory, a compaction fails without harm, and everything is written once there is room',
  async () => {
    const proc = new ManagedProcess({
      name: 'history-enospc',
      command: 'unshare',
      args: ['--user', '--map-root-user', '--mount', 'sh', '-c', 'mount -t tmpfs -o size=512k tmpfs "$0" && exec "$@"', dir, nodeBin, helper(), 'enospc', dir],
    });
    const { code } = await proc.exited;
    const line = proc.output.find((l) => l.startsWith('{'));
    expect({ code, output: line ? 'json' : proc.tail() }).toEqual({ code: 0, output: 'json' });
    const r = JSON.parse(line!) as Record<string, unknown>;
    console.log(`ENOSPC on tmpfs: ${line}`);
    expect(r.errorCode).toBe('ENOSPC');
    expect(r.failedAt).toEqual(expect.any(Number));
    expect(r.keptInMemory).toBe(true);
    expect(r.compactionError).toMatch(/ENOSPC/);
    expect(r.leftovers).toEqual([]);
    expect(r.sizeAfter).toBe(r.sizeBefore);
    expect(r.stillOpen).toBe(true);
    expect(r.errorAfterFree).toBeNull();
    expect(r.everyAppended).toBe(true);
    expect(r.loaded).toEqual({ events: (r.appended as number) + 1, samples: 0, skippedLines: 0 });
    // The tmpfs was private to the helper: nothing is left in the directory out here.
    expect(readdirSync(dir)).toEqual([]);
  },
);

it('processes killed with SIGKILL in the middle of compactions leave a whole history that the next one opens and compacts', async () => {
  let expectedAtLeast = 0;
  for (let round = 0; round < 4; round++) {
    const proc = new ManagedProcess({ name: `compact-${round}`, command: nodeBin, args: [helper(), 'compact-loop', dir] });
    await waitFor(() => proc.output.includes('compacting') || !proc.running, { timeoutMs: 30_000, what: 'the compaction loop' });
    expect(proc.running).toBe(true);
    // Somewhere inside a rewrite of a few MB.
    await new Promise((r) => setTimeout(r, 150 + Math.floor(Math.random() * 400)));
    proc.killNow();
    await proc.exited;
    const s = new HistoryStore({ dir, retentionDays: 7 });
    const loaded = s.open();
    expect(loaded.skippedLines).toBeLessThanOrEqual(1); // at most the one torn append
    expect(loaded.events + loaded.samples).toBeGreaterThanOrEqual(Math.max(expectedAtLeast, 1));
    expect(s.isOpen).toBe(true);
    expect(existsSync(`${s.path}.compacting`)).toBe(false);
    expect(s.compact().error).toBeUndefined();
    expectedAtLeast = s.info().records;
    s.close();
  }
});

it('a second writer process waits while the first holds the lease, and takes over with its records when the first is killed', async () => {
  const first = new ManagedProcess({ name: 'history-holder', command: nodeBin, args: [helper(), 'hold', dir] });
  try {
    await waitFor(() => first.output.includes('held') || !first.running, { timeoutMs: 30_000, what: 'the first writer' });
    expect(first.running).toBe(true);
    const second = new HistoryStore({ dir, retentionDays: 7, leaseMs: 600 });
    second.open();
    expect(second.isOpen).toBe(false);
    expect(second.error?.message).toContain(`pid ${first.pid}`);
    second.appendEvents([event('from-second')]);
    // The first keeps writing; the second writes nothing meanwhile.
    await new Promise((r) => setTimeout(r, 500));
    expect(readFileSync(path.join(dir, HISTORY_FILE), 'utf8')).not.toContain('from-second');
    expect(JSON.parse(readFileSync(path.join(dir, HISTORY_LOCK), 'utf8')).pid).toBe(first.pid);

    first.killNow();
    await first.exited;
    // A dead process on this host: taken over at the next retry (every third of the lease).
    await waitFor(() => second.isOpen, { timeoutMs: 5_000, intervalMs: 50, what: 'the takeover' });
    expect(second.error).toBeNull();
    second.close();
    const ids = new Set(
      readFileSync(path.join(dir, HISTORY_FILE), 'utf8')
        .trim()
        .split('\n')
        .map((l) => (JSON.parse(l) as { v: { event_id: string } }).v.event_id),
    );
    expect(ids.has('from-second')).toBe(true);
    expect([...ids].filter((id) => id.startsWith('held-')).length).toBeGreaterThan(5);
  } finally {
    first.killNow();
  }
});
