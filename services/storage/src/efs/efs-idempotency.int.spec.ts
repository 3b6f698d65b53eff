/**
 * Idempotency keys on the shared EFS directory: writer processes (as storage pods) retrying the
 * same keys at once leave one file per key and agree on it; a different request under a used
 * key is refused; a failed first write lets go of its key; a first write still running makes a
 * retry wait and then answer 409, one that died long ago is taken over; old markers are swept.
 */
import { existsSync, mkdtempSync, readFileSync, readdirSync, rmSync, utimesSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { DomainException } from '@eks-info/platform';
import { ManagedProcess, distPath, nodeBin } from '@eks-info/testing';
import { ABANDONED_AFTER_MS, IDEMPOTENCY_TTL_MS, IdempotentWrites, fingerprint, keyDigest } from '../common/idempotency';
import { EFS_FILE_NAME, EfsStore } from './efs-store';

const WRITERS = 4;
const KEYS = 40;
type Summary = Awaited<ReturnType<EfsStore['write']>>;

const failure = async (p: Promise<unknown>) => {
  try {
    await p;
    return 'ok';
  } catch (e) {
    return e instanceof DomainException ? `${e.body.code} ${e.definition.status}` : `unexpected ${(e as Error).message}`;
  }
};

describe('idempotent writes on the shared EFS directory', () => {
  let root: string;
  beforeEach(() => {
    root = mkdtempSync(path.join(os.tmpdir(), 'efs-idem-'));
  });
  afterEach(() => rmSync(root, { recursive: true, force: true }));

  const records = (store: EfsStore) => (existsSync(store.dir) ? readdirSync(store.dir) : []).filter((n) => EFS_FILE_NAME.test(n));
  const contentOf = (store: EfsStore, name: string) => (JSON.parse(readFileSync(path.join(store.dir, name), 'utf8')) as { content: string }).content;

  it(`leaves one file per key when ${WRITERS} writer processes send the same ${KEYS} keys at once`, async () => {
    const manifests = Array.from({ length: WRITERS }, (_, i) => path.join(root, `manifest-${i}.jsonl`));
    const writers = manifests.map(
      (manifest, i) =>
        new ManagedProcess({
          name: `keyed-writer-${i}`,
          command: nodeBin,
          args: [distPath('services/storage/test/efs-keyed-writer.process.js'), root, `storage-${i}`, String(KEYS), manifest],
        }),
    );
    const exits = await Promise.all(writers.map((w) => w.exited));
    exits.forEach((e, i) => expect({ writer: i, code: e.code, output: e.code ? writers[i].tail() : '' }).toEqual({ writer: i, code: 0, output: '' }));

    const answers = manifests.flatMap((file) =>
      readFileSync(file, 'utf8')
        .trim()
        .split('\n')
        .map((line) => JSON.parse(line) as { key: string; filename: string; replayed: boolean }),
    );
    expect(answers).toHaveLength(WRITERS * KEYS);
    const store = new EfsStore(root);
    const files = records(store);
    expect(files).toHaveLength(KEYS);
    // Every answer for a key names the one file, which holds that key's content.
    for (let k = 0; k < KEYS; k++) {
      const named = new Set(answers.filter((a) => a.key === `key-${k}`).map((a) => a.filename));
      expect({ key: k, named: [...named] }).toEqual({ key: k, named: [expect.stringMatching(EFS_FILE_NAME)] });
      expect(contentOf(store, [...named][0])).toBe(`content-${k}`);
    }
    expect(answers.filter((a) => !a.replayed)).toHaveLength(KEYS);
    // Markers only, completed, no temp files left behind.
    const markers = readdirSync(store.markers.dir);
    expect(markers.sort()).toEqual(Array.from({ length: KEYS }, (_, k) => `${keyDigest(`key-${k}`)}.json`).sort());
  });

  it('refuses another request under a used key (422), on the same pod and on another, writing nothing', async () => {
    const [a, b] = [new EfsStore(root), new EfsStore(root)];
    const [podA, podB] = [new IdempotentWrites<Summary>(), new IdempotentWrites<Summary>()];
    const write = (pod: IdempotentWrites<Summary>, store: EfsStore, content: string) =>
      pod.run('k-1', fingerprint(content), () => store.write(content, { pod: 'p', node: 'n' }), store.markers);
    const first = await write(podA, a, 'first');
    expect(first.replayed).toBe(false);
    await new Promise((r) => setTimeout(r, 50)); // the marker is completed after the answer
    expect(await failure(write(podA, a, 'second'))).toBe('STORAGE.IDEMPOTENCY_KEY_REUSED 422');
    expect(await failure(write(podB, b, 'second'))).toBe('STORAGE.IDEMPOTENCY_KEY_REUSED 422');
    const again = await write(podB, b, 'first');
    expect(again).toEqual({ value: first.value, replayed: true });
    expect(records(a)).toEqual([first.value.filename]);
  });

  it('lets go of the key when the first write fails, so the retry writes', async () => {
    const store = new EfsStore(root);
    const pod = new IdempotentWrites<Summary>();
    const broken = pod.run('k-2', fingerprint('x'), () => Promise.reject(new Error('disk on fire')), store.markers);
    await expect(broken).rejects.toThrow('disk on fire');
    expect(readdirSync(store.markers.dir)).toEqual([]);
    const retry = await pod.run('k-2', fingerprint('x'), () => store.write('x', { pod: 'p', node: 'n' }), store.markers);
    expect(retry.replayed).toBe(false);
    expect(records(store)).toEqual([retry.value.filename]);
  });

  it('makes a retry on another pod wait for a first write still running, then answer 409; one abandoned long ago is taken over', async () => {
    const store = new EfsStore(root);
    const digest = keyDigest('k-3');
    expect(await store.markers.create(digest, { fingerprint: fingerprint('y'), state: 'pending', result: null })).toBe(true);
    const started = Date.now();
    const pod = new IdempotentWrites<Summary>();
    expect(await failure(pod.run('k-3', fingerprint('y'), () => store.write('y', { pod: 'p', node: 'n' }), store.markers))).toBe(
      'STORAGE.IDEMPOTENCY_IN_PROGRESS 409',
    );
    expect(Date.now() - started).toBeGreaterThanOrEqual(1_900);
    expect(records(store)).toEqual([]);

    // The pod that held it died: once the marker is older than any write may take, it is taken over.
    const old = (Date.now() - ABANDONED_AFTER_MS - 1_000) / 1000;
    utimesSync(path.join(store.markers.dir, `${digest}.json`), old, old);
    const taken = await pod.run('k-3', fingerprint('y'), () => store.write('y', { pod: 'p', node: 'n' }), store.markers);
    expect(taken.replayed).toBe(false);
    expect(records(store)).toEqual([taken.value.filename]);
  });

  it('forgets keys after the TTL: an expired marker does not replay, and the sweep removes old markers only', async () => {
    const store = new EfsStore(root);
    const first = await new IdempotentWrites<Summary>().run('k-4', fingerprint('z'), () => store.write('z', { pod: 'p', node: 'n' }), store.markers);
    await new IdempotentWrites<Summary>().run('k-5', fingerprint('w'), () => store.write('w', { pod: 'p', node: 'n' }), store.markers);
    await new Promise((r) => setTimeout(r, 50));
    const expired = (Date.now() - IDEMPOTENCY_TTL_MS - 60_000) / 1000;
    utimesSync(path.join(store.markers.dir, `${keyDigest('k-4')}.json`), expired, expired);

    const later = await new IdempotentWrites<Summary>().run('k-4', fingerprint('z'), () => store.write('z', { pod: 'p', node: 'n' }), store.markers);
    expect(later.replayed).toBe(false);
    expect(later.value.filename).not.toBe(first.value.filename);
    await new Promise((r) => setTimeout(r, 100)); // the marker's completion and the first sweep run after the answer

    utimesSync(path.join(store.markers.dir, `${keyDigest('k-4')}.json`), expired, expired);
    expect(await store.markers.sweep(IDEMPOTENCY_TTL_MS)).toBe(1);
    expect(readdirSync(store.markers.dir)).toEqual([`${keyDigest('k-5')}.json`]);
  });
});
