import { DomainException } from '@eks-info/platform';
import { StorageErrors } from '@eks-info/contracts';

/** Longest name or key a user may send. */
export const MAX_NAME_LENGTH = 200;

/**
 * Why a name or key from a request cannot be used, or null when it can. These are the checks
 * every user-supplied path goes through before it comes near a file system or a bucket:
 * traversal (`..`, `.` segments), absolute paths, backslashes, NUL and control characters,
 * percent-escapes that survived decoding (double encoding such as `%252e%252e%252f`), and
 * non-ASCII characters (full-width dots and slashes that a later normalisation could turn into
 * real ones).
 */
export function unsafeNameReason(value: unknown): string | null {
  if (typeof value !== 'string') return 'must be a string';
  if (value.length === 0) return 'must not be empty';
  if (value.length > MAX_NAME_LENGTH) return `is longer than ${MAX_NAME_LENGTH} characters`;
  if (value.includes('\0')) return 'contains a NUL character';
  // eslint-disable-next-line no-control-regex
  if (/[\u0000-\u001f\u007f]/.test(value)) return 'contains a control character';
  if (value.includes('\\')) return 'contains a backslash';
  if (value.startsWith('/') || /^[A-Za-z]:/.test(value)) return 'is an absolute path';
  if (/%[0-9A-Fa-f]{2}/.test(value)) return 'contains a percent-encoded character (double encoding is not accepted)';
  // Names and keys here are generated ASCII; anything else is at best a look-alike dot or slash.
  if (/[^\x20-\x7e]/.test(value)) return 'contains characters outside printable ASCII (look-alike dots or slashes are not accepted)';
  const segments = value.split('/');
  if (segments.some((s) => s === '..' || s === '.')) return 'contains a . or .. path segment';
  if (segments.slice(0, -1).some((s) => s === '')) return 'contains an empty path segment (//)';
  return null;
}

/** Throws STORAGE.INVALID (400) naming `what` and the reason, unless the value is safe. */
export function assertSafeName(value: unknown, what: string): string {
  const reason = unsafeNameReason(value);
  if (reason) {
    throw new DomainException(StorageErrors.INVALID, `The ${what} ${reason}.`, {
      fix: `Use a ${what} the app listed or generated; names are made by the server and never contain paths.`,
    });
  }
  return value as string;
}

/** A single file name (no directory part), e.g. an uploaded file's own name. */
export function assertFileName(value: unknown, what: string): string {
  const name = assertSafeName(value, what);
  if (name.includes('/')) throw new DomainException(StorageErrors.INVALID, `The ${what} must be a file name, not a path.`);
  return name;
}

/** Text a user writes: a non-empty string of at most `limit` UTF-8 bytes. */
export function assertText(value: unknown, limit: number, field = 'content'): string {
  if (typeof value !== 'string') {
    throw new DomainException(StorageErrors.INVALID, `The ${field} must be a string.`, { fix: `Send {"${field}": "…"} as JSON, or fill in the form.` });
  }
  if (value.trim().length === 0) throw new DomainException(StorageErrors.INVALID, `The ${field} must not be empty.`);
  const bytes = Buffer.byteLength(value, 'utf8');
  if (bytes > limit) {
    throw new DomainException(StorageErrors.TOO_LARGE, `The ${field} is ${bytes} bytes; at most ${limit} bytes are accepted.`, {
      fix: 'Send less text (the limit is TEXT_LIMIT_BYTES).',
    });
  }
  return value;
}

/** A bounded whole number from a request (limits, page sizes), with a default. */
export function boundedInt(value: unknown, fallback: number, min: number, max: number, what: string): number {
  if (value === undefined || value === null || value === '') return fallback;
  const n = typeof value === 'string' && /^\d+$/.test(value) ? Number(value) : value;
  if (typeof n !== 'number' || !Number.isInteger(n) || n < min || n > max) {
    throw new DomainException(StorageErrors.INVALID, `The ${what} must be a whole number from ${min} to ${max}.`);
  }
  return n;
}
