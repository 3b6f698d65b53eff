import { DomainException } from '@eks-info/platform';
import { StorageErrors, unsafeNameReason } from '@eks-info/contracts';

// The rules of a safe name live once, in the contracts (they are part of the request schemas).
export { MAX_NAME_LENGTH, unsafeNameReason } from '@eks-info/contracts';

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

/**
 * Text a user writes, within `limit` UTF-8 bytes (TEXT_LIMIT_BYTES, a setting of this service).
 * That it is non-blank text was checked by the request schema when the message arrived.
 */
export function assertTextSize(value: string, limit: number, field = 'content'): string {
  const bytes = Buffer.byteLength(value, 'utf8');
  if (bytes > limit) {
    throw new DomainException(StorageErrors.TOO_LARGE, `The ${field} is ${bytes} bytes; at most ${limit} bytes are accepted.`, {
      fix: 'Send less text (the limit is TEXT_LIMIT_BYTES).',
    });
  }
  return value;
}
