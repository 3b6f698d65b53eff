// The chart README's values table, generated from the bitnami-style `## @section` and
// `## @param key description` comments of values.yaml (defaults read from the YAML itself).
// A test keeps the README in step; to regenerate it, from the repository root:
//   node e2e/src/shipping/values-table.ts --write   (Node 24 runs TypeScript; or dist/…/values-table.js after a build)
import { readFileSync, writeFileSync } from 'node:fs';
import { parse } from 'yaml';

export const START = '<!-- values-table:start -->';
export const END = '<!-- values-table:end -->';

function lookup(values: unknown, key: string): unknown {
  return key.split('.').reduce<unknown>((v, k) => (v && typeof v === 'object' ? (v as Record<string, unknown>)[k] : undefined), values);
}

const cell = (s: string) => s.replace(/\|/g, '\\|');

export function valuesTable(valuesYaml: string): string {
  const values = parse(valuesYaml);
  const out: string[] = [];
  let header = false;
  for (const line of valuesYaml.split('\n')) {
    const section = /^\s*## @section (.+)$/.exec(line);
    const param = /^\s*## @param (\S+) (.+)$/.exec(line);
    if (section) {
      out.push('', `### ${section[1].trim()}`, '');
      header = false;
    } else if (param) {
      if (!header) {
        out.push('| Name | Description | Default |', '| ---- | ----------- | ------- |');
        header = true;
      }
      const value = lookup(values, param[1]);
      if (value === undefined) throw new Error(`@param ${param[1]} documents a key that values.yaml does not have`);
      out.push(`| \`${param[1]}\` | ${cell(param[2].trim())} | \`${cell(JSON.stringify(value))}\` |`);
    }
  }
  return out.join('\n').trim();
}

/** Keys of values.yaml that are leaves or documented parents; every top-down path must be covered by a @param. */
export function undocumentedKeys(valuesYaml: string): string[] {
  const values = parse(valuesYaml) as Record<string, unknown>;
  const documented = new Set([...valuesYaml.matchAll(/^\s*## @param (\S+) /gm)].map((m) => m[1]));
  const missing: string[] = [];
  const walk = (node: unknown, prefix: string) => {
    if (documented.has(prefix)) return;
    if (node && typeof node === 'object' && !Array.isArray(node) && Object.keys(node).length > 0) {
      for (const [k, v] of Object.entries(node)) walk(v, prefix ? `${prefix}.${k}` : k);
    } else if (prefix) missing.push(prefix);
  };
  walk(values, '');
  return missing;
}

export function readmeWithTable(readme: string, table: string): string {
  const a = readme.indexOf(START);
  const b = readme.indexOf(END);
  if (a < 0 || b < a) throw new Error(`the README lacks the ${START} … ${END} markers`);
  return `${readme.slice(0, a + START.length)}\n${table}\n${readme.slice(b)}`;
}

if (/values-table\.[jt]s$/.test(process.argv[1] ?? '') && process.argv.includes('--write')) {
  const readmePath = 'helm/eks-info/README.md';
  const table = valuesTable(readFileSync('helm/eks-info/values.yaml', 'utf8'));
  writeFileSync(readmePath, readmeWithTable(readFileSync(readmePath, 'utf8'), table));
  console.log(`updated the values table of ${readmePath}`);
}
