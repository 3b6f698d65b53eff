import type { KubeObject } from './store';

/**
 * Label and field selectors as far as informers use them: equality (`a=b`, `a==b`), inequality
 * (`a!=b`) and, for labels, existence (`a`, `!a`). Set-based label selectors are not supported.
 */
export function matchesLabels(selector: string | undefined, labels: Record<string, string> | undefined): boolean {
  return terms(selector).every((t) => {
    const m = /^(!?)([^!=]+?)\s*(?:(!=|==|=)\s*(.*))?$/.exec(t);
    if (!m) throw new Error(`unsupported label selector term '${t}'`);
    const [, not, key, op, value] = m;
    const actual = labels?.[key];
    if (!op) return not ? actual === undefined : actual !== undefined;
    return op === '!=' ? actual !== value : actual === value;
  });
}

export function matchesFields(selector: string | undefined, obj: KubeObject): boolean {
  return terms(selector).every((t) => {
    const m = /^([^!=]+?)\s*(!=|==|=)\s*(.*)$/.exec(t);
    if (!m) throw new Error(`unsupported field selector term '${t}'`);
    const [, path, op, value] = m;
    let actual: unknown = obj;
    for (const key of path.split('.')) actual = actual && typeof actual === 'object' ? (actual as Record<string, unknown>)[key] : undefined;
    const text = actual === undefined || actual === null ? '' : String(actual);
    return op === '!=' ? text !== value : text === value;
  });
}

function terms(selector: string | undefined): string[] {
  return (selector ?? '')
    .split(',')
    .map((t) => t.trim())
    .filter(Boolean);
}
