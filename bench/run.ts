/**
 * `npm run bench`: every benchmark, one after the other, each in its own process (a benchmark's
 * servers and load must not share a process with another's), printing its markdown section.
 * Load comes from wrk (installed by scripts/tools/install.sh wrk); every figure is a ratio to a
 * baseline run in the same invocation. Arguments pick benchmarks: `npm run bench -- gateway footprint`.
 */
import { spawnSync } from 'node:child_process';
import path from 'node:path';
import { machine } from './support';

const ALL = ['gateway', 'footprint', 'access', 'storage', 'stress', 'scaling'];

const chosen = process.argv.slice(2).filter((a) => !a.startsWith('-'));
const unknown = chosen.filter((c) => !ALL.includes(c));
if (unknown.length) {
  process.stderr.write(`unknown benchmark ${unknown.join(', ')}; choose from ${ALL.join(', ')}\n`);
  process.exit(2);
}

process.stdout.write(`# Benchmarks — ${machine()}, ${new Date().toISOString().slice(0, 16)}Z\n\n`);
let failed = 0;
for (const name of chosen.length ? chosen : ALL) {
  process.stderr.write(`[bench] ${name}\n`);
  const r = spawnSync(process.execPath, ['--enable-source-maps', path.join(__dirname, `${name}.bench.js`)], {
    stdio: ['ignore', 'pipe', 'inherit'],
    encoding: 'utf8',
  });
  process.stdout.write(`## ${name}\n\n${r.stdout}\n`);
  if (r.status !== 0) {
    failed++;
    process.stdout.write(`(${name} failed with exit code ${r.status})\n\n`);
  }
}
process.exit(failed ? 1 : 0);
