import http from 'node:http';
import https from 'node:https';
import type { KubeConfig } from '@kubernetes/client-node';
import { KubeHttpError } from './kube-errors';
import type { KubeObject } from './resources';

/**
 * Splits a Kubernetes list response (`{"kind":…,"metadata":{…},"items":[{…},{…}]}`) into its
 * items while the bytes arrive, so no list is ever held whole: the items are parsed as soon as
 * their closing brace arrives (those that lie whole in one chunk with one JSON.parse) and handed
 * to `onItem` one by one, and what the caller keeps of each is all that stays. Everything outside `items` (kind, metadata with the resourceVersion) is collected
 * and parsed at the end, with `items` left empty.
 *
 * A list of 150,000 pods is ~270 MB of JSON: read into one string and parsed at once it needs
 * the bytes, the string and every full object at the same moment (well over a gigabyte); item by
 * item it needs one chunk and one item at a time.
 */
export class ListItemSplitter {
  /** Nesting depth outside the current item: 1 inside the list object, 2 inside `items`. */
  private depth = 0;
  private inString = false;
  /** The chunk ended right after a backslash inside a string: the next byte is escaped. */
  private escaped = false;
  /** Inside `items` (its array), between items. */
  private inItems = false;
  private itemsDone = false;
  /** Depth inside the current item (0: not in an item). */
  private itemDepth = 0;
  /** Bytes of the current item from earlier chunks. */
  private itemParts: Buffer[] = [];
  /** Bytes of the list outside `items`. */
  private outside: Buffer[] = [];
  /** The last top-level key read (at depth 1), to recognise `items`; collected across chunks. */
  private keyParts: Buffer[] = [];
  private readingKey = false;
  private lastKey = '';
  private count = 0;
  /**
   * What lies between two items of this list, learnt from the first item: `},` and the first
   * item's opening up to its first key's colon (`},{"metadata":`). null until known, or when the
   * first item gives none.
   */
  private boundary: Buffer | null = null;
  /** Items found by searching for `boundary` rather than byte by byte (see `fastItems`). */
  private fast = false;
  /** The fast path gave up on this list (a batch did not parse, or no boundary came): byte by byte to the end. */
  private fastOff = false;
  /** In the fast path: the bytes after the last item parsed. */
  private pending: Buffer[] = [];
  private pendingLength = 0;

  constructor(private readonly onItem: (item: unknown) => void) {}

  /** Items handed out so far. */
  get items(): number {
    return this.count;
  }

  write(chunk: Buffer): void {
    let i = 0;
    const n = chunk.length;
    // Where the bytes outside the items started in this chunk.
    let runStart = 0;
    while (i < n) {
      if (this.inItems) {
        i = this.fast ? this.fastItems(chunk, i) : this.scanItems(chunk, i);
        runStart = i;
        continue;
      }
      if (this.inString) {
        // Outside the items: to the quote that ends the string, stepping over escapes.
        const from = i;
        let escaped = this.escaped;
        while (i < n) {
          const c = chunk[i];
          if (escaped) escaped = false;
          else if (c === 0x5c) escaped = true;
          else if (c === 0x22) break;
          i++;
        }
        if (this.readingKey) this.keyParts.push(chunk.subarray(from, i));
        if (i === n) {
          this.escaped = escaped;
          break;
        }
        this.escaped = false;
        this.inString = false;
        i++;
        if (this.readingKey) {
          this.readingKey = false;
          this.lastKey = Buffer.concat(this.keyParts).toString('latin1');
          this.keyParts = [];
        }
        continue;
      }
      const b = chunk[i];
      if (b === 0x22) {
        this.inString = true;
        if (this.depth === 1) {
          this.readingKey = true;
          this.keyParts = [];
        }
      } else if (b === 0x7b) this.depth++;
      else if (b === 0x5b) {
        this.depth++;
        if (this.depth === 2 && this.lastKey === 'items' && !this.itemsDone) {
          this.outside.push(chunk.subarray(runStart, i + 1));
          this.inItems = true;
          i++;
          runStart = i;
          continue;
        }
      } else if (b === 0x7d || b === 0x5d) this.depth--;
      else if (b === 0x2c && this.depth === 1) this.lastKey = '';
      i++;
    }
    if (!this.inItems && runStart < n) this.outside.push(chunk.subarray(runStart, n));
  }

  /**
   * Inside `items` from `from`: finds the items' ends (a loop over local state: this is where a
   * big list spends its time) and parses the items that lie whole in this chunk with one
   * JSON.parse of them as an array. An item cut by the chunk's end is kept for the next chunk.
   * Returns where the items ended (after their `]`), or the chunk's length.
   */
  private scanItems(chunk: Buffer, from: number): number {
    const n = chunk.length;
    let depth = this.itemDepth;
    let inString = this.inString;
    let escaped = this.escaped;
    // An item begun in an earlier chunk is emitted on its own; the whole ones after it in a batch.
    let carried = depth > 0;
    let itemStart = carried ? 0 : -1;
    let batchStart = -1;
    let batchEnd = -1;
    let toFast = false;
    let i = from;
    for (; i < n; i++) {
      const c = chunk[i];
      if (inString) {
        if (escaped) escaped = false;
        else if (c === 0x5c) escaped = true;
        else if (c === 0x22) inString = false;
        continue;
      }
      if (depth === 0) {
        // Between items: a comma, whitespace, the next item or the end of the list.
        if (c === 0x7b) {
          depth = 1;
          itemStart = i;
          if (batchStart < 0) batchStart = i;
        } else if (c === 0x5d) {
          break;
        } else if (c === 0x22 || c === 0x5b) {
          throw new Error('list items must be objects');
        }
        continue;
      }
      if (c === 0x22) inString = true;
      else if (c === 0x7b || c === 0x5b) depth++;
      else if ((c === 0x7d || c === 0x5d) && --depth === 0) {
        const first = this.count === 0 && batchEnd < 0 && !this.fastOff;
        let bytes: Buffer | undefined;
        if (carried) {
          carried = false;
          bytes = Buffer.concat([...this.itemParts, chunk.subarray(0, i + 1)]);
          this.emit(JSON.parse(bytes.toString('utf8')));
          this.itemParts = [];
        } else {
          batchEnd = i + 1;
        }
        // The first item shows how items begin: the rest of the list is searched for that.
        if (first) {
          this.boundary = learnBoundary(bytes ?? chunk.subarray(itemStart, i + 1));
          toFast = this.boundary !== null;
        }
        itemStart = -1;
        if (toFast) break;
      }
    }
    if (batchEnd > batchStart && batchStart >= 0) {
      const items = JSON.parse(`[${chunk.toString('utf8', batchStart, batchEnd)}]`) as unknown[];
      for (const item of items) this.emit(item);
    }
    this.itemDepth = depth;
    this.inString = inString;
    this.escaped = escaped;
    if (toFast) {
      this.fast = true;
      return this.fastItems(chunk, i + 1);
    }
    if (i === n) {
      // The chunk ends inside the items: keep the start of an unfinished item.
      if (depth > 0) this.itemParts.push(itemStart >= 0 ? chunk.subarray(itemStart, n) : chunk);
      return n;
    }
    // The end of `items`: the outside resumes with an empty array in its place.
    this.inItems = false;
    this.itemsDone = true;
    this.depth--;
    this.outside.push(Buffer.from(']'));
    return i + 1;
  }

  /**
   * The fast path inside `items`, from `from` (just after an item): the bytes up to the last
   * `boundary` are whole items, parsed with one JSON.parse, with no byte-by-byte scan at all.
   * `boundary` cannot occur inside a JSON string (its quotes would be escaped there), but it can
   * occur deeper inside an item (a list of objects with metadata in a spec): then the bytes do
   * not parse as whole items, and the list is scanned byte by byte from there on, as it is when
   * no boundary comes for a while (another layout). The end of the items is left to the scan.
   */
  private fastItems(chunk: Buffer, from: number): number {
    const rest = from ? chunk.subarray(from) : chunk;
    const data = this.pending.length ? Buffer.concat([...this.pending, rest], this.pendingLength + rest.length) : rest;
    this.pending = [];
    this.pendingLength = 0;
    const last = data.lastIndexOf(this.boundary!);
    if (last < 0) {
      if (data.length > MAX_PENDING) return this.scanInstead(data, chunk);
      this.pending = [data];
      this.pendingLength = data.length;
      return chunk.length;
    }
    let items: unknown[];
    try {
      items = JSON.parse(`[${data.toString('utf8', data.indexOf(0x7b), last + 1)}]`) as unknown[];
    } catch {
      return this.scanInstead(data, chunk);
    }
    for (const item of items) this.emit(item);
    const tail = data.subarray(last + 1);
    this.pending = [tail];
    this.pendingLength = tail.length;
    return chunk.length;
  }

  /** Leaves the fast path: `data` (which starts between two items) and the rest of the list are scanned byte by byte. */
  private scanInstead(data: Buffer, chunk: Buffer): number {
    this.fast = false;
    this.fastOff = true;
    this.pending = [];
    this.pendingLength = 0;
    this.write(data);
    return chunk.length;
  }

  /** The list without its items (parsed), once every byte was written. */
  end(): { metadata?: { resourceVersion?: string; continue?: string }; [key: string]: unknown } {
    // The fast path leaves the last item and the end of the list to the scan.
    if (this.fast) this.scanInstead(Buffer.concat(this.pending, this.pendingLength), Buffer.alloc(0));
    if (this.itemDepth > 0 || this.inItems || this.inString) throw new Error('the list ended in the middle of its items');
    const text = Buffer.concat(this.outside).toString('utf8');
    const parsed = JSON.parse(text) as Record<string, unknown>;
    if (parsed === null || typeof parsed !== 'object' || Array.isArray(parsed)) throw new Error('a list must be a JSON object');
    return parsed;
  }

  private emit(item: unknown): void {
    this.count++;
    this.onItem(item);
  }
}

/** Bytes kept in the fast path without finding a boundary before it gives up (bigger than any item). */
const MAX_PENDING = 4 * 1024 * 1024;

/** `},` and an item's opening up to its first key's colon (`{"metadata":`), or null when the item does not start that way. */
function learnBoundary(item: Buffer): Buffer | null {
  const colon = item.indexOf(0x3a);
  if (item[0] !== 0x7b || colon < 0 || colon > 200) return null;
  return Buffer.concat([Buffer.from('},'), item.subarray(0, colon + 1)]);
}

export interface StreamedList<T> {
  resourceVersion: string;
  items: T[];
}

/**
 * GET a list from the API server and keep `keep(item)` of each item, parsing item by item while
 * the response arrives (see ListItemSplitter). Credentials, CA and agent come from client-node,
 * as for every other raw request. A non-200 answer is a KubeHttpError with the server's Status.
 */
export async function streamList<T>(
  kc: KubeConfig,
  path: string,
  query: Record<string, string | undefined>,
  timeoutMs: number,
  keep: (item: KubeObject) => T,
): Promise<StreamedList<T>> {
  const cluster = kc.getCurrentCluster();
  if (!cluster) throw new Error('the kubeconfig has no current cluster');
  const url = new URL(cluster.server.replace(/\/+$/, '') + path);
  for (const [k, val] of Object.entries(query)) if (val !== undefined) url.searchParams.set(k, val);
  const options: https.RequestOptions = { method: 'GET', headers: { Accept: 'application/json' } };
  await kc.applyToHTTPSOptions(options);
  return new Promise<StreamedList<T>>((resolve, reject) => {
    const req = (url.protocol === 'http:' ? http : https).request(url, options, (res) => {
      if (res.statusCode !== 200) {
        const chunks: Buffer[] = [];
        res.on('data', (c: Buffer) => chunks.push(c));
        res.on('error', reject);
        res.on('end', () => {
          const text = Buffer.concat(chunks).toString('utf8');
          let body: { message?: string } | undefined;
          try {
            body = JSON.parse(text) as { message?: string };
          } catch {
            body = { message: text.slice(0, 200) || undefined };
          }
          reject(new KubeHttpError(res.statusCode ?? 0, body));
        });
        return;
      }
      const items: T[] = [];
      const splitter = new ListItemSplitter((item) => items.push(keep(item as KubeObject)));
      let failed = false;
      const fail = (err: unknown) => {
        if (failed) return;
        failed = true;
        req.destroy();
        reject(err instanceof Error ? err : new Error(String(err)));
      };
      res.on('data', (c: Buffer) => {
        if (failed) return;
        try {
          splitter.write(c);
        } catch (err) {
          fail(new KubeHttpError(200, { message: `malformed list from the API server: ${(err as Error).message}` }));
        }
      });
      res.on('error', fail);
      res.on('end', () => {
        if (failed) return;
        try {
          const list = splitter.end();
          resolve({ resourceVersion: list.metadata?.resourceVersion ?? '', items });
        } catch (err) {
          fail(new KubeHttpError(200, { message: `malformed list from the API server: ${(err as Error).message}` }));
        }
      });
    });
    req.setTimeout(timeoutMs, () => req.destroy(Object.assign(new Error(`no answer within ${timeoutMs} ms`), { code: 'ETIMEDOUT' })));
    req.on('error', reject);
    req.end();
  });
}
