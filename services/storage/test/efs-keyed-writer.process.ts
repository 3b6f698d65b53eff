// Test helper process: one storage pod retrying writes. For each of K keys it writes the content
// `content-<k>` with idempotency key `key-<k>` through EfsStore and its markers, in a shuffled
// order, and writes what each answer named (one JSON line: {key, filename, replayed}).
// Usage: node efs-keyed-writer.process.js <efs-root> <writer-name> <keys> <manifest-file>
import { writeFileSync } from 'node:fs';
import { IdempotentWrites, fingerprint } from '../src/common/idempotency';
import { EfsStore } from '../src/efs/efs-store';

async function main(): Promise<void> {
  const [root, writer, keysArg, manifest] = process.argv.slice(2);
  const keys = Number(keysArg);
  if (!root || !writer || !Number.isInteger(keys) || !manifest)
    throw new Error('usage: efs-keyed-writer.process.js <efs-root> <writer> <keys> <manifest-file>');
  const store = new EfsStore(root);
  const writes = new IdempotentWrites<Awaited<ReturnType<EfsStore['write']>>>();
  const order = Array.from({ length: keys }, (_, k) => k).sort(() => Math.random() - 0.5);
  const lines: string[] = [];
  // Four at a time: a pod serves several requests at once.
  let next = 0;
  await Promise.all(
    Array.from({ length: 4 }, async () => {
      while (next < order.length) {
        const k = order[next++];
        const content = `content-${k}`;
        const { value, replayed } = await writes.run(
          `key-${k}`,
          fingerprint(content),
          () => store.write(content, { pod: writer, node: 'test-node' }),
          store.markers,
        );
        lines.push(JSON.stringify({ key: `key-${k}`, filename: value.filename, replayed }));
      }
    }),
  );
  writeFileSync(manifest, lines.join('\n') + '\n');
}

main().catch((err: Error) => {
  process.stderr.write(`${err.stack ?? err.message}\n`);
  process.exit(1);
});
