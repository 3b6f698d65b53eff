// Test helper process: writes N shared files through EfsStore, as one storage pod would, and
// writes a manifest (one JSON line per file: {filename, sha256}) so a test can check every file.
// Usage: node efs-writer.process.js <efs-root> <writer-name> <count> <manifest-file>
import { createHash, randomBytes } from 'node:crypto';
import { writeFileSync } from 'node:fs';
import { EfsStore } from '../src/efs/efs-store';

async function main(): Promise<void> {
  const [root, writer, countArg, manifest] = process.argv.slice(2);
  const count = Number(countArg);
  if (!root || !writer || !Number.isInteger(count) || !manifest) throw new Error('usage: efs-writer.process.js <efs-root> <writer> <count> <manifest-file>');
  const store = new EfsStore(root);
  const lines: string[] = [];
  for (let i = 0; i < count; i++) {
    // Sizes vary from a few bytes to ~40 KiB, so some writes take more than one write(2).
    const content = `${writer}#${i} ${randomBytes(1 + ((i * 7919) % 30_000)).toString('base64')}`;
    const { filename } = await store.write(content, { pod: writer, node: 'test-node' });
    lines.push(JSON.stringify({ filename, sha256: createHash('sha256').update(content).digest('hex') }));
  }
  writeFileSync(manifest, lines.join('\n') + '\n');
}

main().catch((err: Error) => {
  process.stderr.write(`${err.stack ?? err.message}\n`);
  process.exit(1);
});
