import { AsyncLocalStorage } from 'node:async_hooks';
import { randomBytes } from 'node:crypto';

/** Per-request context: the correlation id follows a request from the gateway through NATS headers. */
export interface RequestContext {
  requestId: string;
}

export const REQUEST_ID_HEADER = 'x-request-id';

const storage = new AsyncLocalStorage<RequestContext>();

export function currentRequestId(): string | undefined {
  return storage.getStore()?.requestId;
}

export function runWithRequestId<T>(requestId: string, fn: () => T): T {
  return storage.run({ requestId }, fn);
}

/**
 * New ids: a random prefix per process (48 bits: unique across pods and restarts) and a counter
 * (unique within the process). Cheaper per request than random bytes; an id is a correlation
 * key, not a secret.
 */
const ID_PREFIX = `req_${randomBytes(6).toString('hex')}`;
let idSequence = 0;

/** Accepts a caller's id when it is short and plain; otherwise makes a new one. */
export function sanitizeRequestId(candidate: unknown): string {
  if (typeof candidate === 'string' && /^[A-Za-z0-9._:-]{1,128}$/.test(candidate)) return candidate;
  return `${ID_PREFIX}${(++idSequence).toString(36).padStart(8, '0')}`;
}
