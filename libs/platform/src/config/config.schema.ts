import { z } from 'zod';
import { redactUrlCredentials } from '../logging/redact';

/**
 * Typed configuration from environment variables. Each variable declares its type (a zod
 * schema), a description, a default and whether it is sensitive; `loadConfig` validates them all
 * once at start-up and reports every bad variable together. The README table and `.env.example`
 * are generated from these declarations (`npm run config:docs`).
 */
export interface VarSpec<T> {
  schema: z.ZodType<T>;
  description: string;
  /** Default as the string a user would write in the environment; absent = required or optional. */
  default?: string;
  /** Optional variables may be unset; their value is then `undefined`. */
  optional?: boolean;
  /** Sensitive values are never logged and are redacted on pages. */
  sensitive?: boolean;
  /** Shown in `.env.example` instead of the default. */
  example?: string;
}

export type ConfigSpec = Record<string, VarSpec<unknown>>;

export type ConfigOf<S extends ConfigSpec> = {
  readonly [K in keyof S]: S[K] extends VarSpec<infer T> ? (S[K] extends { optional: true } ? T | undefined : T) : never;
};

/** Builder options: everything but the schema; `const` keeps `optional: true` literal for ConfigOf. */
type Opts<T> = Omit<VarSpec<T>, 'schema'>;

/** Builders for the common variable kinds; they keep declarations short and consistent. */
export const v = {
  string<const O extends Opts<string> & { pattern?: RegExp; hint?: string }>(o: O): O & VarSpec<string> {
    let schema = z.string().min(1, 'must not be empty');
    if (o.pattern) schema = schema.regex(o.pattern, o.hint ?? `must match ${o.pattern}`);
    return { ...o, schema };
  },
  int<const O extends Opts<number> & { min?: number; max?: number }>(o: O): O & VarSpec<number> {
    let n = z.number({ error: 'must be a number' }).int('must be a whole number');
    if (o.min !== undefined) n = n.min(o.min, `must be ≥ ${o.min}`);
    if (o.max !== undefined) n = n.max(o.max, `must be ≤ ${o.max}`);
    const schema = z
      .string()
      .trim()
      .regex(/^-?\d+$/, 'must be a whole number')
      .transform(Number)
      .pipe(n);
    return { ...o, schema: schema as unknown as z.ZodType<number> };
  },
  port<const O extends Opts<number>>(o: O): O & VarSpec<number> {
    return v.int({ ...o, min: 0, max: 65535 });
  },
  bool<const O extends Opts<boolean>>(o: O): O & VarSpec<boolean> {
    const schema = z
      .string()
      .trim()
      .toLowerCase()
      .refine((s) => ['true', 'false', '1', '0', 'yes', 'no'].includes(s), 'must be true or false')
      .transform((s) => ['true', '1', 'yes'].includes(s));
    return { ...o, schema: schema as unknown as z.ZodType<boolean> };
  },
  oneOf<T extends string, const O extends Opts<T> = Opts<T>>(values: readonly [T, ...T[]], o: O): O & VarSpec<T> {
    return { ...o, schema: z.enum(values, { error: `must be one of: ${values.join(', ')}` }) as unknown as z.ZodType<T> };
  },
  url<const O extends Opts<string> & { protocols?: string[] }>(o: O): O & VarSpec<string> {
    const protocols = o.protocols ?? ['http', 'https'];
    const schema = z.string().refine(
      (s) => {
        try {
          return protocols.includes(new URL(s).protocol.replace(/:$/, ''));
        } catch {
          return false;
        }
      },
      `must be a URL (${protocols.join(', ')})`,
    );
    return { ...o, schema };
  },
  /** Comma-separated list of URLs, e.g. NATS servers. */
  urlList<const O extends Opts<string[]> & { protocols: string[] }>(o: O): O & VarSpec<string[]> {
    const schema = z
      .string()
      .transform((s) =>
        s
          .split(',')
          .map((p) => p.trim())
          .filter(Boolean),
      )
      .refine((list) => list.length > 0, 'must list at least one URL')
      .refine(
        (list) =>
          list.every((s) => {
            try {
              return o.protocols.includes(new URL(s).protocol.replace(/:$/, ''));
            } catch {
              return false;
            }
          }),
        `must be comma-separated URLs (${o.protocols.join(', ')})`,
      );
    return { ...o, schema: schema as unknown as z.ZodType<string[]> };
  },
};

export class ConfigError extends Error {
  constructor(readonly problems: string[]) {
    super(`Invalid configuration:\n${problems.map((p) => `  - ${p}`).join('\n')}`);
    this.name = 'ConfigError';
  }
}

/** A rule across variables (e.g. AUTH_MODE=basic needs AUTH_PASSWORD); returns the problems. */
export type ConfigRule<S extends ConfigSpec> = (config: ConfigOf<S>) => string[];

/** Validates every variable of `spec` against `env`; throws one ConfigError listing all problems. */
export function loadConfig<S extends ConfigSpec>(spec: S, env: NodeJS.ProcessEnv = process.env, rules: ConfigRule<S>[] = []): ConfigOf<S> {
  const out: Record<string, unknown> = {};
  const problems: string[] = [];
  for (const [name, def] of Object.entries(spec)) {
    const raw = env[name] === undefined || env[name] === '' ? def.default : env[name];
    if (raw === undefined) {
      if (def.optional) {
        out[name] = undefined;
        continue;
      }
      problems.push(`${name} is required: ${def.description}`);
      continue;
    }
    const parsed = def.schema.safeParse(raw);
    if (parsed.success) {
      out[name] = parsed.data;
    } else {
      // The message goes to stderr and the pod log: a bad NATS_URL must not print its password.
      const shown = def.sensitive ? '(hidden)' : JSON.stringify(redactUrlCredentials(raw));
      problems.push(`${name}=${shown} ${parsed.error.issues.map((i) => i.message).join('; ')} (${def.description})`);
    }
  }
  if (problems.length) throw new ConfigError(problems);
  const config = Object.freeze(out) as ConfigOf<S>;
  const violations = rules.flatMap((rule) => rule(config));
  if (violations.length) throw new ConfigError(violations);
  return config;
}

/** Names of the sensitive variables of some specs, for redaction. */
export function sensitiveNames(...specs: ConfigSpec[]): Set<string> {
  const names = new Set<string>();
  for (const spec of specs) for (const [name, def] of Object.entries(spec)) if (def.sensitive) names.add(name);
  return names;
}
