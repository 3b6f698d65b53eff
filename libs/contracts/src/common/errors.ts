import { z } from 'zod';

/**
 * Errors cross the wire as plain data: `instanceof` does not survive NATS, so every error carries
 * a string code (`DOMAIN.REASON`) and the gateway maps codes to HTTP statuses with this table.
 */
export const FieldProblem = z.object({
  /** The field's path, dot-separated (`spec.durationSeconds`); `body` for the body as a whole. */
  field: z.string(),
  problem: z.string(),
});
export type FieldProblem = z.output<typeof FieldProblem>;

export const ErrorBody = z.object({
  code: z.string(),
  message: z.string(),
  /** Extra detail for operators (never a stack trace). */
  details: z.string().optional(),
  /** What to do about it, shown on pages next to the message. */
  fix: z.string().optional(),
  /** For input that failed validation: each bad field and what is wrong with it. */
  fields: z.array(FieldProblem).optional(),
});
export type ErrorBody = z.output<typeof ErrorBody>;

export interface ErrorDefinition {
  readonly code: string;
  readonly status: number;
  /** The design seed's `error_type` (e.g. `storage_error`). */
  readonly type: string;
}

const registry = new Map<string, ErrorDefinition>();

/** Declares a family of error codes for a domain, e.g. defineErrors('STORAGE', 'storage_error', {...}). */
export function defineErrors<K extends string>(domain: string, type: string, statuses: Record<K, number>): { readonly [P in K]: ErrorDefinition } {
  const out = {} as Record<K, ErrorDefinition>;
  for (const key of Object.keys(statuses) as K[]) {
    const def = Object.freeze({ code: `${domain}.${key}`, status: statuses[key], type });
    registry.set(def.code, def);
    out[key] = def;
  }
  return Object.freeze(out);
}

/** Errors any service or the gateway may produce. */
export const CommonErrors = defineErrors('COMMON', 'request_error', {
  VALIDATION: 400,
  UNAUTHORIZED: 401,
  FORBIDDEN: 403,
  NOT_FOUND: 404,
  METHOD_NOT_ALLOWED: 405,
  CONFLICT: 409,
  PAYLOAD_TOO_LARGE: 413,
  UNSUPPORTED_MEDIA_TYPE: 415,
  RATE_LIMITED: 429,
  INTERNAL: 500,
});

/** Transport failures, produced by the message bus rather than a handler. */
export const TransportErrors = defineErrors('TRANSPORT', 'transport_error', {
  /** No replica of the service is subscribed (or the bus is disconnected). */
  UNAVAILABLE: 503,
  /** A replica took the request but did not answer in time. */
  TIMEOUT: 504,
});

export function lookupError(code: string): ErrorDefinition | undefined {
  return registry.get(code);
}

/** HTTP status for a code: the registered one, else by suffix convention, else 500. */
export function statusForCode(code: string): number {
  const known = registry.get(code);
  if (known) return known.status;
  if (/\.(NOT_FOUND)$/.test(code)) return 404;
  if (/\.(INVALID|VALIDATION)$/.test(code)) return 400;
  return 500;
}

export function typeForCode(code: string): string {
  return registry.get(code)?.type ?? `${code.split('.')[0].toLowerCase().replace(/-/g, '_')}_error`;
}

/** Narrowing helper for values that came over the wire. */
export function isErrorBody(value: unknown): value is ErrorBody {
  return typeof value === 'object' && value !== null && typeof (value as ErrorBody).code === 'string' && typeof (value as ErrorBody).message === 'string';
}
