import Handlebars from 'handlebars';

/**
 * Template helpers. Everything a template prints goes through Handlebars' escaping: stored
 * user text is always shown as text, never as HTML. The one helper that returns markup (`kv`)
 * escapes every value it puts in it.
 */
export function registerHelpers(hbs: typeof Handlebars): void {
  // A key/value row (— when empty). A helper, not a partial: pages have dozens of rows, and a
  // partial call copies its context each time (measured: the home page renders ~2x faster).
  hbs.registerHelper('kv', (key: unknown, value: unknown, options: Handlebars.HelperOptions) => {
    const shown = value === null || value === undefined || value === '' ? '—' : String(value);
    const mono = options.hash?.mono ? ' class="mono"' : '';
    return new hbs.SafeString(`<div class="kv"><dt>${hbs.escapeExpression(String(key))}</dt><dd${mono}>${hbs.escapeExpression(shown)}</dd></div>`);
  });
  hbs.registerHelper('eq', (a: unknown, b: unknown) => a === b);
  hbs.registerHelper('ne', (a: unknown, b: unknown) => a !== b);
  hbs.registerHelper('or', (...args: unknown[]) => args.slice(0, -1).some(Boolean));
  hbs.registerHelper('and', (...args: unknown[]) => args.slice(0, -1).every(Boolean));
  hbs.registerHelper('not', (a: unknown) => !a);
  hbs.registerHelper('gt', (a: number, b: number) => a > b);
  hbs.registerHelper('len', (a: unknown) => (Array.isArray(a) ? a.length : 0));
  hbs.registerHelper('join', (a: unknown, sep: unknown) => (Array.isArray(a) ? a.join(typeof sep === 'string' ? sep : ', ') : ''));
  hbs.registerHelper('bytes', (n: unknown) => formatBytes(typeof n === 'number' ? n : null));
  hbs.registerHelper('millicores', (n: unknown) =>
    typeof n === 'number' ? (n >= 1000 ? `${(n / 1000).toFixed(n % 1000 ? 2 : 0)} cores` : `${Math.round(n)}m`) : '—',
  );
  hbs.registerHelper('percent', (n: unknown) => (typeof n === 'number' ? `${n.toFixed(n < 10 ? 1 : 0)} %` : '—'));
  hbs.registerHelper('fixed', (n: unknown, digits: unknown) => (typeof n === 'number' ? n.toFixed(typeof digits === 'number' ? digits : 2) : '—'));
  hbs.registerHelper('usd', (n: unknown) => formatUsd(n));
  hbs.registerHelper('hours', (n: unknown) => formatHours(n));
  // (choose value "a" x "b" y): x when value is "a", y when "b", else nothing (a lookup table inline).
  hbs.registerHelper('choose', (value: unknown, ...args: unknown[]) => {
    const pairs = args.slice(0, -1);
    for (let i = 0; i + 1 < pairs.length; i += 2) if (pairs[i] === value) return pairs[i + 1];
    return undefined;
  });
  hbs.registerHelper('dash', (v: unknown) => (v === null || v === undefined || v === '' ? '—' : v));
  hbs.registerHelper('yesno', (v: unknown) => (v === true ? 'yes' : v === false ? 'no' : '—'));
  hbs.registerHelper('age', (iso: unknown) => (typeof iso === 'string' ? formatAge(Date.now() - Date.parse(iso)) : '—'));
  hbs.registerHelper('time', (iso: unknown) => (typeof iso === 'string' ? iso.replace('T', ' ').replace(/\.\d+Z$/, 'Z') : '—'));
  hbs.registerHelper('healthClass', (h: unknown) => (h === 'ok' ? 'ok' : h === 'warn' ? 'warn' : h === 'error' ? 'bad' : 'muted'));
  // A meter's level from a percentage: under 70 green, under 90 yellow, else red.
  hbs.registerHelper('levelClass', (p: unknown) => (typeof p !== 'number' ? 'muted' : p < 70 ? 'ok' : p < 90 ? 'warn' : 'bad'));
}

export function formatBytes(n: number | null): string {
  if (n === null || !Number.isFinite(n)) return '—';
  const units = ['B', 'KiB', 'MiB', 'GiB', 'TiB'];
  let i = 0;
  let v = n;
  while (v >= 1024 && i < units.length - 1) {
    v /= 1024;
    i++;
  }
  return `${v.toFixed(v < 10 && i > 0 ? 1 : 0)} ${units[i]}`;
}

export function formatAge(ms: number): string {
  if (!Number.isFinite(ms) || ms < 0) return '—';
  const s = Math.floor(ms / 1000);
  if (s < 60) return `${s}s`;
  const m = Math.floor(s / 60);
  if (m < 60) return `${m}m`;
  const h = Math.floor(m / 60);
  if (h < 48) return `${h}h${m % 60 ? `${m % 60}m` : ''}`;
  return `${Math.floor(h / 24)}d`;
}

/** US dollars as prices read: "$1.23", "$0.0892", "$0.00001"; "—" without a number (a price is never made up). */
export function formatUsd(n: unknown): string {
  if (typeof n !== 'number' || !Number.isFinite(n)) return '—';
  if (n === 0) return '$0';
  const a = Math.abs(n);
  // Below a cent: two significant digits, never in exponent notation ($0.00001, not $1e-5).
  const text =
    a >= 100 ? n.toFixed(0) : a >= 1 ? n.toFixed(2) : a >= 0.01 ? n.toFixed(4) : n.toFixed(Math.min(12, 1 - Math.floor(Math.log10(a)))).replace(/0+$/, '');
  return `$${text}`;
}

/** A duration given in hours, as people read it: "40 s", "12 min", "1.5 h", "3 h"; "—" without a number. */
export function formatHours(n: unknown): string {
  if (typeof n !== 'number' || !Number.isFinite(n) || n < 0) return '—';
  const s = n * 3600;
  if (s < 60) return `${Math.round(s)} s`;
  if (s < 3600) return `${Math.round(s / 60)} min`;
  return `${Number(n.toFixed(n < 10 ? 1 : 0))} h`;
}
