// Builds what each deployable runs: one bundle per component (esbuild), with only the code that
// component reaches. TypeScript goes through swc on the way in (esbuild does not emit the
// decorator metadata Nest's dependency injection reads), as ES modules so esbuild can drop
// unused exports of large dependencies such as the AWS SDK clients.
//
// Runs after the swc build (scripts/run.sh build), whose stress worker files it copies.
//
//   node scripts/bundle.mjs            every component into dist/app/<component>/
//   node scripts/bundle.mjs --metafile also writes dist/app/<component>/meta.json (what is inside, by size)
import { cpSync, existsSync, mkdirSync, readFileSync, statSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import * as esbuild from 'esbuild';
import swc from '@swc/core';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const OUT = path.join(ROOT, 'dist/app');

export const COMPONENTS = {
  gateway: 'gateway/src/main.ts',
  // compose's one-shot MinIO bucket creation (the image ships no node_modules for a script).
  'tools/create-bucket': 'docker/create-bucket.mjs',
  environment: 'services/environment/src/main.ts',
  storage: 'services/storage/src/main.ts',
  stress: 'services/stress/src/main.ts',
  'scaling-monitor': 'services/scaling-monitor/src/main.ts',
};

const swcrc = JSON.parse(readFileSync(path.join(ROOT, '.swcrc'), 'utf8'));

/** TypeScript → ES module JavaScript with decorator metadata, path aliases left to esbuild. */
const swcPlugin = {
  name: 'swc',
  setup(build) {
    build.onLoad({ filter: /\.ts$/ }, async (args) => {
      const source = readFileSync(args.path, 'utf8');
      const { code } = await swc.transform(source, {
        filename: args.path,
        sourceMaps: 'inline',
        jsc: { ...swcrc.jsc, baseUrl: undefined, paths: undefined },
        module: { type: 'es6' },
      });
      return { contents: code, loader: 'js' };
    });
  },
};

/**
 * Optional peers that Nest, Terminus and ws probe for with a guarded require (database drivers,
 * other transports, native add-ons) are not installed: they stay external, so the probe fails at
 * run time exactly as it does unbundled.
 */
const absentPackages = {
  name: 'absent-packages',
  setup(build) {
    build.onResolve({ filter: /^[^./]/ }, (args) => {
      if (args.path.startsWith('node:')) return undefined;
      const parts = args.path.split('/');
      const pkg = args.path.startsWith('@') ? parts.slice(0, 2).join('/') : parts[0];
      if (pkg.startsWith('@eks-info/')) return undefined;
      return existsSync(path.join(ROOT, 'node_modules', pkg)) ? undefined : { path: args.path, external: true };
    });
  },
};

/** Local mode only (the embedded S3 server): production storage never loads it. */
const EXTERNAL = ['s3rver'];

const aliases = Object.fromEntries(Object.entries(swcrc.jsc.paths).map(([k, [v]]) => [k, path.join(ROOT, v)]));

export async function bundle(name, entry, { metafile = false } = {}) {
  const result = await esbuild.build({
    entryPoints: [path.join(ROOT, entry)],
    outfile: path.join(OUT, name, 'main.js'),
    bundle: true,
    platform: 'node',
    target: 'node24',
    format: 'cjs',
    mainFields: ['module', 'main'],
    keepNames: true,
    sourcemap: 'linked',
    minifySyntax: true,
    minifyWhitespace: true,
    legalComments: 'linked',
    alias: aliases,
    external: EXTERNAL,
    plugins: [absentPackages, swcPlugin],
    metafile,
    logLevel: 'warning',
    logOverride: { 'require-resolve-not-external': 'silent', 'empty-import-meta': 'silent' },
  });
  return result;
}

/** Files a bundle reads at run time, copied beside it under the same relative paths. */
function copyAssets(name) {
  const out = path.join(OUT, name);
  if (name === 'gateway') {
    // Templates, styles, images and browser scripts (everything in gateway/src that is not TypeScript).
    const src = path.join(ROOT, 'gateway/src');
    cpSync(src, out, { recursive: true, filter: (f) => statSync(f).isDirectory() || /\.(hbs|css|svg|png|js)$/.test(f) });
    // Browser libraries, so the image needs no node_modules.
    const vendor = (dir, files) => {
      mkdirSync(path.join(out, 'vendor', dir), { recursive: true });
      for (const [from, to] of files) cpSync(path.join(ROOT, 'node_modules', from), path.join(out, 'vendor', dir, to));
    };
    vendor('chartjs', [['chart.js/dist/chart.umd.min.js', 'chart.umd.min.js']]);
    vendor('htmx', [
      ['htmx.org/dist/htmx.min.js', 'htmx.min.js'],
      ['htmx-ext-sse/dist/sse.min.js', 'sse.min.js'],
    ]);
  }
  if (name === 'stress') {
    // Worker threads import only Node built-ins: the swc build's files run as they are.
    for (const worker of ['engine/cpu-burner.worker.js', 'load/work-unit.worker.js']) {
      mkdirSync(path.dirname(path.join(out, worker)), { recursive: true });
      cpSync(path.join(ROOT, 'dist/services/stress/src', worker), path.join(out, worker));
    }
  }
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  const metafile = process.argv.includes('--metafile');
  const only = process.argv.slice(2).filter((a) => !a.startsWith('--'));
  for (const [name, entry] of Object.entries(COMPONENTS)) {
    if (only.length && !only.includes(name)) continue;
    const started = performance.now();
    const r = await bundle(name, entry, { metafile });
    copyAssets(name);
    if (metafile) {
      const { writeFileSync } = await import('node:fs');
      writeFileSync(path.join(OUT, name, 'meta.json'), JSON.stringify(r.metafile));
    }
    console.error(`[bundle] ${name}: ${Math.round(performance.now() - started)} ms`);
  }
}
