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

/** `scheme://user:password@host` → `scheme://user:[redacted]@host`. */
export function redactUrlPassword(value: string): string {
  return value.replace(/\b([a-z][a-z0-9+.-]*:\/\/[^:/@\s]+:)[^@/\s]+@/gi, `$1${REDACTED}@`);
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
  const cleaned = redactUrlPassword(value);
  return { name, value: cleaned, redacted: cleaned !== value };
}

export function redactEnvironment(env: NodeJS.ProcessEnv, sensitive: ReadonlySet<string> = new Set()): RedactedVar[] {
  return Object.keys(env)
    .sort()
    .map((name) => redactVariable(name, env[name] ?? '', sensitive));
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
