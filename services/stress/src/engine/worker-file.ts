import path from 'node:path';

/**
 * The stress service's source root: `src/` in the tree and in the swc build (this file sits in
 * `src/engine/`), or the bundle's own folder in the production build, where every module shares
 * the bundle's `__dirname` and the worker scripts are copied under the same relative paths.
 */
const SRC_ROOT = path.basename(__dirname) === 'engine' ? path.dirname(__dirname) : __dirname;

/**
 * Path of a worker script, relative to the service's source root (`engine/cpu-burner.worker`):
 * the compiled .js in a build, the .ts source under the test runner (Node 24 runs erasable
 * TypeScript directly). Workers import only Node built-ins, so they run unbundled.
 */
export function workerFile(relative: string): string {
  return path.join(SRC_ROOT, `${relative}${path.extname(__filename)}`);
}
