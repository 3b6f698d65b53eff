import { existsSync } from 'node:fs';
import path from 'node:path';

/** The repository root (libs/testing/src/process → four levels up, also from dist/). */
export const repoRoot = (() => {
  let dir = __dirname;
  while (!existsSync(path.join(dir, 'nx.json'))) {
    const parent = path.dirname(dir);
    if (parent === dir) throw new Error('cannot find the repository root (nx.json)');
    dir = parent;
  }
  return dir;
})();

/** A tool installed by scripts/tools/install.sh into .tools/bin. */
export function toolPath(name: string): string {
  const p = path.join(repoRoot, '.tools', 'bin', name);
  if (!existsSync(p)) throw new Error(`${name} is not installed: run scripts/tools/install.sh (npm test does it)`);
  return p;
}

export function hasTool(name: string): boolean {
  return existsSync(path.join(repoRoot, '.tools', 'bin', name));
}

/** Node 24 (the tests' own runtime when started through scripts/jest.js). */
export const nodeBin = existsSync(path.join(repoRoot, '.tools/bin/node')) ? path.join(repoRoot, '.tools/bin/node') : process.execPath;

/** A compiled file under dist/ (npm test builds before running Jest). */
export function distPath(...parts: string[]): string {
  const p = path.join(repoRoot, 'dist', ...parts);
  if (!existsSync(p)) throw new Error(`${p} is missing: run \`npm run build\` first (npm test does it)`);
  return p;
}

/** The deployable components: each ships as one bundle (scripts/bundle.mjs). */
export type Component = 'gateway' | 'environment' | 'storage' | 'stress' | 'scaling-monitor';

/**
 * The production bundle of a component, relative to dist/ (the `entry` of startNodeProcess):
 * tests and the distributed launcher run exactly what the image ships.
 */
export function componentEntry(component: Component): string {
  return `app/${component}/main.js`;
}

/** `node --require` argument that installs the metadata guard in a started process. */
export function guardRequireArgs(): string[] {
  return ['--require', distPath('libs/testing/src/guards/register.js')];
}
