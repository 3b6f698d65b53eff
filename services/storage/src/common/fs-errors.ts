import { StorageErrors } from '@eks-info/contracts';
import { DomainException } from '@eks-info/platform';

/** A file-system failure on a volume as the error a page shows: what failed, where, and the fix. */
export function volumeError(err: unknown, volume: 'EBS' | 'EFS', path: string, action: string): DomainException {
  const code = (err as NodeJS.ErrnoException)?.code ?? 'EIO';
  const fixes: Record<string, string> = {
    ENOENT: `The directory does not exist: mount the ${volume} volume at ${path} (${volume}_PATH).`,
    EACCES: `The app's user cannot write here: check the volume's ownership (fsGroup, or the EFS access point's POSIX user).`,
    EPERM: `The app's user cannot write here: check the volume's ownership (fsGroup, or the EFS access point's POSIX user).`,
    EROFS: 'The volume is mounted read-only; mount it read-write.',
    ENOSPC: 'The volume is full: delete old data (the cleanup button removes old access logs) or grow the volume.',
    EDQUOT: 'The quota of the volume is used up.',
  };
  return new DomainException(StorageErrors.VOLUME_ERROR, `Cannot ${action} on the ${volume} volume at ${path} (${code}).`, {
    details: (err as Error)?.message,
    fix: fixes[code] ?? `Check that the ${volume} volume is mounted and healthy (the service's /ready names what is wrong).`,
  });
}
