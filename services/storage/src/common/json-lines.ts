import { createReadStream } from 'node:fs';
import { open, stat } from 'node:fs/promises';
import readline from 'node:readline';
import { wellFormed } from '@eks-info/contracts';

/** A JSON escape of a surrogate; lone ones may only arrive this way (UTF-8 bytes cannot hold them). */
const ESCAPED_SURROGATE = /\\u[dD][89a-fA-F]/;

/**
 * JSON as stored on a volume, with lone surrogates (`"\ud800"`, planted or written by an older
 * version) made U+FFFD: a string served from here must be well-formed, or strict parsers reject
 * the whole answer. The check is one scan; the reviver runs only when it finds an escape.
 */
export function parseStoredJson(text: string): unknown {
  return ESCAPED_SURROGATE.test(text) ? JSON.parse(text, (_key, value: unknown) => (typeof value === 'string' ? wellFormed(value) : value)) : JSON.parse(text);
}

export interface ParsedLines<T> {
  items: T[];
  /** Lines that were not valid JSON (a torn last line after a crash, or foreign text). */
  skipped: number;
  /** True when only the end of a larger file was read. */
  partial: boolean;
}

/**
 * Parses JSON lines, skipping the ones that are not valid JSON objects instead of failing: a
 * process killed in the middle of an append leaves a torn last line, and the log must still read.
 */
export function parseJsonLines<T>(text: string, dropFirst = false): ParsedLines<T> {
  const lines = text.split('\n');
  if (dropFirst) lines.shift();
  const items: T[] = [];
  let skipped = 0;
  for (const line of lines) {
    if (!line.trim()) continue;
    try {
      const value = parseStoredJson(line);
      if (value && typeof value === 'object' && !Array.isArray(value)) items.push(value as T);
      else skipped++;
    } catch {
      skipped++;
    }
  }
  return { items, skipped, partial: dropFirst };
}

/** The last `maxBytes` of a JSON-lines file, parsed (the first, cut line dropped). Missing file = empty. */
export async function readJsonLinesTail<T>(file: string, maxBytes: number): Promise<ParsedLines<T>> {
  let handle;
  try {
    handle = await open(file, 'r');
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return { items: [], skipped: 0, partial: false };
    throw err;
  }
  try {
    const { size } = await handle.stat();
    const length = Math.min(size, maxBytes);
    const buffer = Buffer.alloc(length);
    await handle.read(buffer, 0, length, size - length);
    return parseJsonLines<T>(buffer.toString('utf8'), size > length);
  } finally {
    await handle.close();
  }
}

/** Streams every JSON line of a file to `visit`, skipping unparsable lines; returns how many were skipped. */
export async function scanJsonLines<T>(file: string, visit: (item: T) => void): Promise<number> {
  let skipped = 0;
  const input = createReadStream(file, { encoding: 'utf8' });
  const lines = readline.createInterface({ input, crlfDelay: Infinity });
  try {
    for await (const line of lines) {
      if (!line.trim()) continue;
      try {
        visit(parseStoredJson(line) as T);
      } catch {
        skipped++;
      }
    }
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'ENOENT') throw err;
  } finally {
    lines.close();
    input.destroy();
  }
  return skipped;
}

/**
 * Makes sure the next append starts on a new line: after a crash mid-append the file may end
 * with a torn line, which the next record must not be glued to. Returns the file size after.
 */
export async function terminateLastLine(file: string): Promise<number> {
  let size: number;
  try {
    size = (await stat(file)).size;
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return 0;
    throw err;
  }
  if (size === 0) return 0;
  const handle = await open(file, 'r+');
  try {
    const last = Buffer.alloc(1);
    await handle.read(last, 0, 1, size - 1);
    if (last[0] === 0x0a) return size;
    await handle.write('\n', size);
    return size + 1;
  } finally {
    await handle.close();
  }
}
