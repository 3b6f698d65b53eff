/**
 * The shared EFS directory under concurrent writer processes (as several storage pods write to
 * one volume): every file present and whole, content checksums valid, no temp files left behind.
 */
import { createHash } from 'node:crypto';
import { mkdtempSync, readFileSync, readdirSync, rmSync, symlinkSync, utimesSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { ManagedProcess, distPath, nodeBin } from '@eks-info/testing';
import { EFS_FILE_NAME, EfsFileNotFound, EfsStore } from './efs-store';

const WRITERS = 4;
const FILES_EACH = 500;

describe('EFS shared files', () => {
  let root: string;
  beforeEach(() => {
    root = mkdtempSync(path.join(os.tmpdir(), 'efs-'));
  });
  afterEach(() => rmSync(root, { recursive: true, force: true }));

  it(`keeps every file whole with ${WRITERS} writer processes × ${FILES_EACH} files at once`, async () => {
    const manifests = Array.from({ length: WRITERS }, (_, i) => path.join(root, `manifest-${i}.jsonl`));
    const writers = manifests.map(
      (manifest, i) =>
        new ManagedProcess({
          name: `writer-${i}`,
          command: nodeBin,
          args: [distPath('services/storage/test/efs-writer.process.js'), root, `storage-${i}`, String(FILES_EACH), manifest],
        }),
    );
    const exits = await Promise.all(writers.map((w) => w.exited));
    exits.forEach((e, i) => expect({ writer: i, code: e.code, output: e.code ? writers[i].tail() : '' }).toEqual({ writer: i, code: 0, output: '' }));

    const manifest = manifests.flatMap((file) =>
      readFileSync(file, 'utf8')
        .trim()
        .split('\n')
        .map((line) => JSON.parse(line) as { filename: string; sha256: string }),
    );
    expect(manifest).toHaveLength(WRITERS * FILES_EACH);
    expect(new Set(manifest.map((m) => m.filename)).size).toBe(WRITERS * FILES_EACH);

    const store = new EfsStore(root);
    const names = readdirSync(store.dir);
    expect(names.filter((n) => !EFS_FILE_NAME.test(n))).toEqual([]); // no temp leftovers, nothing foreign
    expect(names).toHaveLength(WRITERS * FILES_EACH);

    for (const { filename, sha256 } of manifest) {
      const record = await store.read(filename);
      expect(createHash('sha256').update(record.content).digest('hex')).toBe(sha256);
      expect(record.metadata.size_bytes).toBe(Buffer.byteLength(record.content));
      expect(record.content.startsWith(`${record.metadata.created_by_pod}#`)).toBe(true);
    }

    const listed = await store.list(100);
    expect(listed.total).toBe(WRITERS * FILES_EACH);
    expect(listed.unreadable).toBe(0);
    expect(listed.items).toHaveLength(100);
    const times = listed.items.map((i) => i.filename);
    expect([...times].sort().reverse()).toEqual(times); // newest first
  }, 120_000);

  it('never follows a symlink planted on the share, even with a valid-looking name', async () => {
    const store = new EfsStore(root);
    await store.write('real', { pod: 'p', node: 'n' });
    const secret = path.join(root, 'outside-secret.json');
    writeFileSync(secret, JSON.stringify({ content: 'secret', metadata: {} }));
    symlinkSync(secret, path.join(store.dir, 'shared_data_20990101_000000_000_aaaaaaaaaa.json'));
    await expect(store.read('shared_data_20990101_000000_000_aaaaaaaaaa.json')).rejects.toBeInstanceOf(EfsFileNotFound);
    const listed = await store.list(10);
    expect(listed.items.map((i) => i.metadata.created_by_pod)).toEqual(['p']);
  });

  it('refuses names it did not generate without touching the file system', async () => {
    const store = new EfsStore(root);
    writeFileSync(path.join(root, 'victim.txt'), 'keep');
    await expect(store.delete('../victim.txt')).rejects.toBeInstanceOf(EfsFileNotFound);
    await expect(store.read('../outside-secret.json')).rejects.toBeInstanceOf(EfsFileNotFound);
    expect(readdirSync(root).sort()).toEqual(['victim.txt']);
  });

  it('removes temp files of writers that died before the rename, and only old ones', async () => {
    const store = new EfsStore(root);
    await store.write('x', { pod: 'p', node: 'n' });
    const old = path.join(store.dir, '.tmp-shared_data_x.json.123.abc');
    const fresh = path.join(store.dir, '.tmp-shared_data_y.json.124.abd');
    writeFileSync(old, '{"half');
    writeFileSync(fresh, '{"half');
    const hourAgo = Date.now() / 1000 - 7200;
    utimesSync(old, hourAgo, hourAgo);
    expect(await store.removeStaleTemps(3_600_000)).toBe(1);
    expect(readdirSync(store.dir).filter((n) => n.startsWith('.tmp-'))).toEqual([path.basename(fresh)]);
  });
});
