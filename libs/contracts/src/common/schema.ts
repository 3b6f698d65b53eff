import { z } from 'zod';
import type { ErrorBody, ErrorDefinition, FieldProblem } from './errors';

/**
 * Building blocks of the message schemas. Every request, response and event in this library is a
 * zod schema and its TypeScript type is inferred from it, so the gateway (parsing HTTP input) and
 * the service (validating what arrives on the bus) apply the same rules, and the docs can be
 * generated from the same source.
 */
export { z };

/** The parsed value, or the 400 body that names each bad field. */
export type Parsed<T> = { ok: true; value: T } | { ok: false; error: ErrorBody };

/** A value as an error message quotes it: short, and never the whole of a hostile input. */
export function quoted(value: unknown): string {
  let text: string;
  try {
    text = JSON.stringify(value) ?? String(value);
  } catch {
    text = String(value);
  }
  return text.length > 40 ? `${text.slice(0, 37)}...` : text;
}

/**
 * A whole number from `min` to `max`. Query strings and form fields carry text, so a string of
 * digits counts as its number; anything else (fractions, `1e3`, `true`) is refused, never clamped.
 */
export function wholeNumber(min: number, max: number) {
  const kind = `a whole number from ${min} to ${max}`;
  return z.preprocess(
    (v) => (typeof v === 'string' && /^\s*-?\d{1,16}\s*$/.test(v) ? Number(v) : v),
    z
      .number({ error: (iss) => (iss.input === undefined ? `is required: ${kind}` : `must be ${kind} (got ${quoted(iss.input)})`) })
      .int({ error: (iss) => `must be ${kind} (got ${quoted(iss.input)})` })
      .min(min, { error: (iss) => `must be ${kind} (got ${quoted(iss.input)})` })
      .max(max, { error: (iss) => `must be ${kind} (got ${quoted(iss.input)})` }),
  );
}

/** Missing, null and the empty string (an empty form field) all mean "not given". */
export function optional<T extends z.ZodType>(schema: T) {
  return z.preprocess((v) => (v === null || v === '' ? undefined : v), schema.optional());
}

const LONE_SURROGATE = /[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/g;

/**
 * Text as UTF-8 can hold it: a lone surrogate (`"\ud800"` in JSON) has no UTF-8 encoding and
 * makes strict JSON parsers reject the whole document it is served in, so it becomes U+FFFD —
 * exactly what encoding the string as UTF-8 would store.
 */
export function wellFormed(text: string): string {
  return text.replace(LONE_SURROGATE, '\uFFFD');
}

/** Text a user writes (an entry, a file, an object): a string with something other than spaces in it. */
export const userText = z
  .string({ error: (iss) => (iss.input === undefined ? 'is required' : 'must be a string') })
  .refine((s) => s.trim().length > 0, { error: 'must not be empty' })
  .transform(wellFormed);

/** A field that arrives as a repeated query parameter (`?a=1&a=2`) counts once: the last value. */
export function single<T extends z.ZodType>(schema: T) {
  return z.preprocess((v) => (Array.isArray(v) ? v[v.length - 1] : v), schema);
}

/**
 * Accepts the old name of a field for one release: `{text}` becomes `{content}` when `content`
 * is absent. Both names may not disagree.
 */
export function withAliases<T extends z.ZodType>(aliases: Record<string, string>, schema: T) {
  return z.preprocess((v) => {
    if (!v || typeof v !== 'object' || Array.isArray(v)) return v;
    const out: Record<string, unknown> = { ...(v as Record<string, unknown>) };
    for (const [old, current] of Object.entries(aliases)) {
      if (out[old] !== undefined && out[current] === undefined) out[current] = out[old];
      delete out[old];
    }
    return out;
  }, schema);
}

/** Deepest nesting a request body may have: real requests are one or two levels deep. */
export const MAX_DEPTH = 8;

/** How deep a JSON value nests, counting only until `limit` (so a hostile body costs nothing). */
export function depthExceeds(value: unknown, limit: number = MAX_DEPTH): boolean {
  const stack: Array<[unknown, number]> = [[value, 0]];
  let visited = 0;
  while (stack.length) {
    const [v, d] = stack.pop()!;
    if (v === null || typeof v !== 'object') continue;
    if (d >= limit || ++visited > 100_000) return true;
    for (const child of Array.isArray(v) ? v : Object.values(v)) if (child !== null && typeof child === 'object') stack.push([child, d + 1]);
  }
  return false;
}

function fieldName(path: PropertyKey[]): string {
  return path.length ? path.map((p, i) => (typeof p === 'number' ? `[${p}]` : `${i ? '.' : ''}${String(p)}`)).join('') : 'body';
}

/** The 400 body for a failed parse: one line naming every bad field, and the list for clients. */
export function problemsBody(error: z.ZodError, invalid: ErrorDefinition): ErrorBody {
  const fields: FieldProblem[] = error.issues.map((i) => ({ field: fieldName(i.path), problem: i.message }));
  const list = fields.map((f) => `${f.field} ${f.problem}`).join('; ');
  return {
    code: invalid.code,
    message: fields.length === 1 ? `${list}.` : `${fields.length} fields are invalid: ${list}.`,
    fields,
    fix: 'Correct the named fields; the JSON API section of the README lists every field.',
  };
}

/** Parses `raw` with `schema`; never throws. Bodies nested deeper than MAX_DEPTH are refused before zod walks them. */
export function parseWith<T>(schema: z.ZodType<T>, raw: unknown, invalid: ErrorDefinition): Parsed<T> {
  if (depthExceeds(raw)) {
    return { ok: false, error: { code: invalid.code, message: `The body nests deeper than ${MAX_DEPTH} levels.`, fix: 'Send a flat JSON object.' } };
  }
  const result = schema.safeParse(raw);
  return result.success ? { ok: true, value: result.data } : { ok: false, error: problemsBody(result.error, invalid) };
}
