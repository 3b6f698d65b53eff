const pad = (n: number, width = 2) => String(n).padStart(width, '0');

/** `20251113_103045` (UTC), the stamp the design seed uses in file and report names. */
export function stamp(date: Date): string {
  return `${date.getUTCFullYear()}${pad(date.getUTCMonth() + 1)}${pad(date.getUTCDate())}_${pad(date.getUTCHours())}${pad(date.getUTCMinutes())}${pad(date.getUTCSeconds())}`;
}

/** `20251113_103045_123`: with milliseconds, for names that sort in write order. */
export function stampMillis(date: Date): string {
  return `${stamp(date)}_${pad(date.getUTCMilliseconds(), 3)}`;
}
