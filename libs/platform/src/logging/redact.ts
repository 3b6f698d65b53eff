/**
 * Secret redaction for anything shown or logged: environment variables on the home page and
 * values in log lines. A value is hidden when its name looks secret, when it is declared
 * sensitive in a config spec, or when the value itself looks like a credential.
 */
export const REDACTED = '[redacted]';

const SECRET_NAME = /(PASS(WORD|WD)?|SECRET|TOKEN|CREDENTIAL|PRIVATE|API_?KEY|ACCESS_?KEY|SESSION|COOKIE|AUTH(?!OR)|SIGNATURE|_KEY$|^KEY$)/i;

const SECRET_VALUE = [
  /\b(AKIA|ASIA)[A-Z0-9]{16}\b/, // AWS access key ids
  /\beyJ[A-Za-z0-9_-]{8,}\.[A-Za-z0-9_-]{8,}\.[A-Za-z0-9_-]*/, // JWTs
  /-----BEGIN [A-Z ]*PRIVATE KEY-----/,
  /\b(ghp|gho|ghs|github_pat|xox[abp]|sk_live|sk-[A-Za-z0-9]{20})/,
];

const URL_SCHEME = /\b[a-z][a-z0-9+.-]*:\/\//gi;
/** What may follow the `@` of a userinfo: a host name or an IPv6 literal, then a port, a path or the end. */
const HOST_AFTER_AT = /^(?:[A-Za-z0-9._~-]+|\[[0-9A-Fa-f:.]+\])(?=$|[:/?#,;\s"'<>)\]])/;
/** Query parameters whose value is a credential (`?token=`, `&X-Amz-Signature=`, `?api_key=`, `?password=`). */
const SECRET_QUERY = /((?:^|[?&;,\s])[A-Za-z0-9_.~-]*?(?:token|secret|passw(?:or)?d|pwd|signature|sig|key|credential|auth)[A-Za-z0-9_.~-]*=)([^&#\s"'<>]+)/gi;

/**
 * Where the userinfo of the URL whose authority starts at `text[from]` ends (the index of its
 * `@`), or -1 when it has none. A password may contain `/` (people write them unescaped), so the
 * userinfo runs to the last `@` that is followed by a host, as long as the part before the first
 * `:` (the user name) has no `/`, `?` or `#` and nothing in between starts another URL.
 */
function userinfoEnd(text: string, from: number): number {
  let end = from;
  while (end < text.length && !/[\s"'<>]/.test(text[end])) end++;
  const run = text.slice(from, end);
  const next = run.search(/[,;][a-z][a-z0-9+.-]*:\/\//i);
  const scope = next >= 0 ? run.slice(0, next) : run;
  for (let at = scope.lastIndexOf('@'); at > 0; at = scope.lastIndexOf('@', at - 1)) {
    const userinfo = scope.slice(0, at);
    const colon = userinfo.indexOf(':');
    const user = colon >= 0 ? userinfo.slice(0, colon) : userinfo;
    if (/[/?#@]/.test(user) || userinfo.includes('://')) continue;
    if (HOST_AFTER_AT.test(scope.slice(at + 1))) return from + at;
  }
  return -1;
}

/**
 * Hides credentials inside URLs and query strings, keeping the rest readable:
 * `nats://app:s3cr3t@nats:4222` → `nats://app:[redacted]@nats:4222`; a token-only userinfo
 * (`nats://s3cr3t@nats:4222`, NATS's token form) → `nats://[redacted]@nats:4222`; passwords
 * containing `/` or `@`; and credential query parameters (`?token=…`, `X-Amz-Signature=…`).
 * When in doubt it hides too much rather than too little.
 */
export function redactUrlCredentials(value: string): string {
  if (!value.includes('://') && !value.includes('=')) return value;
  let out = '';
  let copied = 0;
  for (const m of value.matchAll(URL_SCHEME)) {
    const start = m.index + m[0].length;
    if (start < copied) continue;
    const at = userinfoEnd(value, start);
    if (at < 0) continue;
    const userinfo = value.slice(start, at);
    const colon = userinfo.indexOf(':');
    out += value.slice(copied, start) + (colon >= 0 ? `${userinfo.slice(0, colon + 1)}${REDACTED}` : REDACTED);
    copied = at;
  }
  out += value.slice(copied);
  return out.replace(SECRET_QUERY, `$1${REDACTED}`);
}

export function isSecretName(name: string): boolean {
  return SECRET_NAME.test(name);
}

export function looksSecret(value: string): boolean {
  return SECRET_VALUE.some((re) => re.test(value));
}

export interface RedactedVar {
  name: string;
  value: string;
  redacted: boolean;
}

export function redactVariable(name: string, value: string, sensitive: ReadonlySet<string> = new Set()): RedactedVar {
  if (sensitive.has(name) || isSecretName(name) || looksSecret(value)) return { name, value: REDACTED, redacted: true };
  const cleaned = redactUrlCredentials(value);
  return { name, value: cleaned, redacted: cleaned !== value };
}

export function redactEnvironment(env: NodeJS.ProcessEnv, sensitive: ReadonlySet<string> = new Set()): RedactedVar[] {
  return Object.keys(env)
    .sort()
    .map((name) => redactVariable(name, env[name] ?? '', sensitive));
}

/**
 * The string fields of a log line, and those of the objects directly under it ({ req: { url } }),
 * with credentials in URLs and query strings hidden. Deeper values are left alone: log lines
 * are flat here, and a full walk would cost every line.
 */
export function redactLogFields(fields: Record<string, unknown>): Record<string, unknown> {
  let out: Record<string, unknown> | undefined;
  for (const [key, value] of Object.entries(fields)) {
    let cleaned: unknown = value;
    if (typeof value === 'string') cleaned = redactUrlCredentials(value);
    else if (value && typeof value === 'object' && !Array.isArray(value) && Object.getPrototypeOf(value) === Object.prototype) {
      let inner: Record<string, unknown> | undefined;
      for (const [k, v] of Object.entries(value as Record<string, unknown>)) {
        if (typeof v !== 'string') continue;
        const r = redactUrlCredentials(v);
        if (r !== v) (inner ??= { ...(value as Record<string, unknown>) })[k] = r;
      }
      if (inner) cleaned = inner;
    }
    if (cleaned !== value) (out ??= { ...fields })[key] = cleaned;
  }
  return out ?? fields;
}

/** pino redaction paths: header and field names that carry credentials. */
export const LOG_REDACT_PATHS = [
  'req.headers.authorization',
  'req.headers.cookie',
  'req.headers["x-amzn-oidc-data"]',
  'req.headers["x-amzn-oidc-accesstoken"]',
  'headers.authorization',
  'headers.cookie',
  'password',
  'token',
  'secret',
  '*.password',
  '*.token',
  '*.secret',
  '*.secretAccessKey',
  '*.sessionToken',
  '*.accessKeyId',
  'credentials',
  '*.credentials',
];
