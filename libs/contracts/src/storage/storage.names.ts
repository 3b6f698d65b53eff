import { z } from 'zod';

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

/** A name or key that passed `unsafeNameReason`. */
export const safeName = z.string({ error: 'must be a string' }).superRefine((value, ctx) => {
  const reason = unsafeNameReason(value);
  if (reason) ctx.addIssue({ code: 'custom', message: reason });
});

/** A single file name (no directory part), e.g. an uploaded file's own name. */
export const safeFileName = safeName.refine((value) => !value.includes('/'), { error: 'must be a file name, not a path' });
