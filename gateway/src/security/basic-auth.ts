import { createHash, timingSafeEqual } from 'node:crypto';

const digest = (s: string) => createHash('sha256').update(s, 'utf8').digest();

/** Constant-time comparison of credentials (hashing first makes the lengths equal). */
export function checkBasicAuth(header: string | undefined, username: string, password: string): string | undefined {
  if (!header?.startsWith('Basic ')) return undefined;
  const decoded = Buffer.from(header.slice(6).trim(), 'base64').toString('utf8');
  const colon = decoded.indexOf(':');
  if (colon < 0) return undefined;
  const user = decoded.slice(0, colon);
  const pass = decoded.slice(colon + 1);
  const userOk = timingSafeEqual(digest(user), digest(username));
  const passOk = timingSafeEqual(digest(pass), digest(password));
  return userOk && passOk ? user : undefined;
}
