// Shared helpers of the shipping checks: the real tools (installed and cached by
// scripts/tools/install.sh), a chart renderer and a YAML splitter.
import { spawnSync, type SpawnSyncOptions } from 'node:child_process';
import { cpSync, existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { parseAllDocuments } from 'yaml';

export const ROOT = path.resolve(__dirname, '../../..');
export const CHART = path.join(ROOT, 'helm/eks-info');
export const ALL_ON_VALUES = path.join(CHART, 'ci/all-on-values.yaml');
export const TOOLS_BIN = path.join(ROOT, '.tools/bin');
export const K8S_SCHEMAS = path.join(ROOT, '.tools/k8s-schemas');
/** The Kubernetes version every check targets (EKS 1.33). */
export const KUBE_VERSION = '1.33.0';

/** Installs timeout: a cold cache compiles helm & co. with `go install` (minutes, once). */
export const INSTALL_TIMEOUT_MS = 20 * 60_000;

export interface RunResult {
  code: number;
  stdout: string;
  stderr: string;
}

export function run(cmd: string, args: string[], opts: SpawnSyncOptions = {}): RunResult {
  const r = spawnSync(cmd, args, { encoding: 'utf8', maxBuffer: 64 * 1024 * 1024, timeout: 120_000, ...opts });
  if (r.error) throw r.error;
  return { code: r.status ?? -1, stdout: String(r.stdout ?? ''), stderr: String(r.stderr ?? '') };
}

const installed = new Set<string>();
/**
 * Makes sure the named tools are in .tools/bin. install.sh is idempotent and prints one line per
 * tool when its cache already has it, so this costs little on a warm machine.
 */
export function ensureTools(...tools: string[]): void {
  const missing = tools.filter((t) => !installed.has(t));
  if (missing.length === 0) return;
  const r = run('bash', [path.join(ROOT, 'scripts/tools/install.sh'), ...missing], { timeout: INSTALL_TIMEOUT_MS });
  if (r.code !== 0) throw new Error(`scripts/tools/install.sh ${missing.join(' ')} failed:\n${r.stderr}`);
  missing.forEach((t) => installed.add(t));
}

export function tool(name: string): string {
  const p = path.join(TOOLS_BIN, name);
  if (!existsSync(p)) throw new Error(`${name} is missing: scripts/tools/install.sh ${name}`);
  return p;
}

export const hasTool = (name: string) => existsSync(path.join(TOOLS_BIN, name));

/**
 * `helm template` with the Kubernetes version pinned on the command line as well as in the
 * binary's ldflags (a plain `go install` of Helm would report v1.20).
 */
export function helmTemplate(args: string[] = [], chart = CHART): RunResult {
  return run(tool('helm'), ['template', 'demo', chart, '--namespace', 'eks-info', '--kube-version', KUBE_VERSION, ...args]);
}

export function renderChart(args: string[] = [], chart = CHART): string {
  const r = helmTemplate(args, chart);
  if (r.code !== 0) throw new Error(`helm template ${args.join(' ')} failed:\n${r.stderr}`);
  return r.stdout;
}

// Rendered Kubernetes objects are loosely typed: the checks read fields by path.
// eslint-disable-next-line @typescript-eslint/no-explicit-any
export type K8sObject = Record<string, any>;

export function parseDocs(text: string): K8sObject[] {
  return parseAllDocuments(text)
    .map((d) => {
      if (d.errors.length) throw new Error(`invalid YAML in the render: ${d.errors[0].message}`);
      return d.toJS() as K8sObject | null;
    })
    .filter((d): d is K8sObject => d !== null && typeof d === 'object');
}

export function tempDir(prefix: string): { dir: string; cleanup: () => void } {
  const dir = mkdtempSync(path.join(os.tmpdir(), `eks-info-${prefix}-`));
  return { dir, cleanup: () => rmSync(dir, { recursive: true, force: true }) };
}

/**
 * NOTES.txt as install/upgrade would print it. Those need a cluster, so it is rendered as a
 * ConfigMap in a copy of the chart instead.
 */
export function renderNotes(args: string[]): string {
  const { dir, cleanup } = tempDir('notes');
  try {
    const chart = path.join(dir, 'eks-info');
    cpSync(CHART, chart, { recursive: true });
    const body = readFileSync(path.join(chart, 'templates/NOTES.txt'), 'utf8');
    writeFileSync(path.join(chart, 'templates/_notes_probe.tpl'), `{{- define "notes.probe" -}}\n${body}\n{{- end -}}\n`);
    writeFileSync(
      path.join(chart, 'templates/zz-notes-probe.yaml'),
      'apiVersion: v1\nkind: ConfigMap\nmetadata: {name: notes-probe}\ndata:\n  notes: {{ include "notes.probe" . | toJson }}\n',
    );
    const out = renderChart(['--show-only', 'templates/zz-notes-probe.yaml', ...args], chart);
    return JSON.parse(/notes: (".*")/.exec(out)![1]) as string;
  } finally {
    cleanup();
  }
}
