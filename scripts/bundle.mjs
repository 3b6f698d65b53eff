// Builds what each deployable runs: one bundle per component (esbuild), with only the code that
// component reaches. TypeScript goes through swc on the way in (esbuild does not emit the
// decorator metadata Nest's dependency injection reads), as ES modules so esbuild can drop
// unused exports of large dependencies such as the AWS SDK clients.
//
//   node scripts/bundle.mjs            every component into dist/app/<component>/
//   node scripts/bundle.mjs --metafile also writes dist/app/<component>/meta.json (what is inside, by size)
import { spawnSync } from 'node:child_process';
import { cpSync, existsSync, mkdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
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

/**
 * Memory that dependencies spend at load on things the app never uses, deferred by rewriting one
 * statement each. The build fails if a dependency's code changes shape, rather than silently
 * keeping the cost. Measured with bench/footprint.bench.ts.
 */
const DEFERRED = [
  {
    // Nest's two loggers build an Intl.DateTimeFormat at load, for a console format the app never
    // uses (it logs with pino); that one constructor pulls ICU's locale data in: ~8 MiB resident.
    file: /@nestjs[\\/]common[\\/]services[\\/](console-)?logger\.service\.js$/,
    rewrite(source) {
      const start = 'const dateTimeFormatter = new Intl.DateTimeFormat(undefined, {';
      const at = source.indexOf(start);
      const end = at < 0 ? -1 : source.indexOf('\n});', at);
      if (end < 0) return undefined;
      const options = source.slice(at + start.length - 1, end + 2);
      const lazy = `let dateTimeFormat_;\nconst dateTimeFormatter = { format: (at) => (dateTimeFormat_ ??= new Intl.DateTimeFormat(undefined, ${options})).format(at) };`;
      return source.slice(0, at) + lazy + source.slice(end + 4);
    },
  },
  {
    // @fastify/multipart reads globalThis.FormData to decide whether to add request.formData(),
    // which the app never calls; that read loads Node's whole fetch implementation (undici):
    // ~17 MiB resident. The gateway declares formData() itself, so asking that first skips it.
    file: /@fastify[\\/]multipart[\\/]index\.js$/,
    rewrite(source) {
      const check = "if (globalThis.FormData && !fastify.hasRequestDecorator('formData')) {";
      return source.includes(check) ? source.replace(check, "if (!fastify.hasRequestDecorator('formData') && globalThis.FormData) {") : undefined;
    },
  },
];

const deferUnused = {
  name: 'defer-unused',
  setup(build) {
    for (const { file, rewrite } of DEFERRED) {
      build.onLoad({ filter: file }, (args) => {
        const contents = rewrite(readFileSync(args.path, 'utf8'));
        if (contents === undefined) throw new Error(`${args.path}: the statement this build defers is not where it was; update DEFERRED in scripts/bundle.mjs`);
        return { contents, loader: 'js' };
      });
    }
  },
};

/** Local mode only (the embedded S3 server): production storage never loads it. */
const EXTERNAL = ['s3rver'];

const aliases = Object.fromEntries(Object.entries(swcrc.jsc.paths).map(([k, [v]]) => [k, path.join(ROOT, v)]));

export async function bundle(name, entry, { metafile = false } = {}) {
  const result = await esbuild.build({
    entryPoints: [path.join(ROOT, entry)],
    outfile: path.join(OUT, name, COMPONENT_LAUNCHED.has(name) ? 'app.js' : 'main.js'),
    bundle: true,
    platform: 'node',
    target: 'node24',
    format: 'cjs',
    mainFields: ['module', 'main'],
    // No keepNames: its __name() wrapper runs for every closure a hot path creates (4.6 % of the
    // gateway's CPU under load). Classes keep their names (swc keepClassNames); Nest resolves
    // providers by reference, and only logs names.
    keepNames: false,
    sourcemap: 'linked',
    minifySyntax: true,
    minifyWhitespace: true,
    legalComments: 'linked',
    alias: aliases,
    external: EXTERNAL,
    plugins: [absentPackages, deferUnused, swcPlugin],
    metafile,
    logLevel: 'warning',
    logOverride: { 'require-resolve-not-external': 'silent', 'empty-import-meta': 'silent' },
  });
  return result;
}

/** Components started by a launcher that turns V8's code cache on before loading the bundle. */
const COMPONENT_LAUNCHED = new Set(['gateway', 'environment', 'storage', 'stress', 'scaling-monitor']);

/**
 * The launcher (dist/app/<component>/main.js). Parsing and compiling a multi-megabyte bundle at
 * start-up costs tens of MiB that glibc keeps afterwards (measured: 57 of a 162 MiB RSS); with
 * the code cache written at build time (app.js.cache), V8 deserializes the compiled code instead.
 * The cache is only an optimisation: when it is missing, or V8 rejects it (another Node version
 * or flags), the bundle compiles as usual. Node's own compile cache is not used because its
 * entries are keyed by the building user's uid and absolute paths, which an image does not keep.
 */
export const LAUNCHER = `'use strict';
// Generated by scripts/bundle.mjs: runs this component's bundle (app.js) as a CommonJS module,
// compiled from the V8 code cache written at build time when V8 accepts it.
const fs = require('node:fs');
const path = require('node:path');
const vm = require('node:vm');
const Module = require('node:module');

const file = path.join(__dirname, 'app.js');

// Node maps stack traces of the modules its loader compiles; this one is compiled here, so with
// --enable-source-maps its frames are mapped here, through the bundle's own source map.
if (process.sourceMapsEnabled) {
  let map;
  const original = (site) => {
    if (site.getFileName() !== file) return undefined;
    map ??= new Module.SourceMap(JSON.parse(fs.readFileSync(file + '.map', 'utf8')));
    const entry = map.findEntry(site.getLineNumber() - 1, site.getColumnNumber() - 1);
    if (!entry || !entry.originalSource) return undefined;
    const source = entry.originalSource.startsWith('file://') ? entry.originalSource.slice(7) : path.resolve(__dirname, entry.originalSource);
    return source + ':' + (entry.originalLine + 1) + ':' + (entry.originalColumn + 1);
  };
  Error.prepareStackTrace = (error, sites) => {
    const frames = sites.map((site) => {
      const at = original(site);
      if (!at) return '    at ' + site.toString();
      const name = site.getFunctionName() || site.getMethodName();
      return '    at ' + (name ? name + ' (' + at + ')' : at);
    });
    return String(error) + (frames.length ? '\\n' + frames.join('\\n') : '');
  };
}

function load(cachedData) {
  const script = new vm.Script(Module.wrap(fs.readFileSync(file, 'utf8')), {
    filename: file,
    cachedData,
    importModuleDynamically: vm.constants.USE_MAIN_CONTEXT_DEFAULT_LOADER,
  });
  const mod = new Module(file, module);
  mod.filename = file;
  mod.paths = Module._nodeModulePaths(__dirname);
  script.runInThisContext()(mod.exports, Module.createRequire(file), mod, file, __dirname);
  mod.loaded = true;
  return { script, exports: mod.exports };
}

if (process.env.EKS_INFO_WRITE_CODE_CACHE) {
  // Build time: load (every module's top level runs) without starting, then keep the code.
  fs.writeFileSync(file + '.cache', load().script.createCachedData());
} else {
  let cachedData;
  try {
    cachedData = fs.readFileSync(file + '.cache');
  } catch {
    // no cache: compile
  }
  const { script, exports } = load(cachedData);
  if (process.env.EKS_INFO_CODE_CACHE_REPORT) process.stderr.write('code cache ' + (!cachedData ? 'missing' : script.cachedDataRejected ? 'rejected' : 'used') + '\\n');
  exports.main();
}
`;

/** Writes a bundle's code cache with the launcher itself, in a child Node of the same version. */
function writeCodeCache(name) {
  const dir = path.join(OUT, name);
  const r = spawnSync(process.execPath, [path.join(dir, 'main.js')], {
    encoding: 'utf8',
    env: { ...process.env, EKS_INFO_WRITE_CODE_CACHE: '1', AWS_EC2_METADATA_DISABLED: 'true' },
    timeout: 60_000,
  });
  if (r.status !== 0)
    throw new Error(
      `writing the code cache of ${name} failed:\n${String(r.stderr)
        .split('\n')
        .filter((l) => l.length < 400)
        .slice(-15)
        .join('\n')}`,
    );
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
    vendor('htmx', [['htmx.org/dist/htmx.min.js', 'htmx.min.js']]);
    vendor('htmx-ext-sse', [['htmx-ext-sse/dist/sse.min.js', 'sse.min.js']]);
  }
}

/** Worker threads run as files of their own beside the bundle, under their source-relative paths. */
const WORKERS = { stress: ['engine/cpu-burner.worker', 'load/work-unit.worker'] };

async function bundleWorkers(name) {
  for (const worker of WORKERS[name] ?? []) {
    await esbuild.build({
      entryPoints: [path.join(ROOT, 'services', name, 'src', `${worker}.ts`)],
      outfile: path.join(OUT, name, `${worker}.js`),
      bundle: true,
      platform: 'node',
      target: 'node24',
      format: 'cjs',
      logLevel: 'warning',
    });
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
    await bundleWorkers(name);
    if (COMPONENT_LAUNCHED.has(name)) {
      writeFileSync(path.join(OUT, name, 'main.js'), LAUNCHER);
      writeCodeCache(name);
    }
    if (metafile) {
      writeFileSync(path.join(OUT, name, 'meta.json'), JSON.stringify(r.metafile));
    }
    console.error(`[bundle] ${name}: ${Math.round(performance.now() - started)} ms`);
  }
}
