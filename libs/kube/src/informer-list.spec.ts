import { ListItemSplitter } from './informer-list';

/** Feeds `text` to a splitter in chunks of the given sizes (cycled) and returns what it produced. */
function split(text: string, sizes: number[]): { items: unknown[]; rest: unknown } {
  const bytes = Buffer.from(text, 'utf8');
  const items: unknown[] = [];
  const splitter = new ListItemSplitter((item) => items.push(item));
  let at = 0;
  for (let n = 0; at < bytes.length; n++) {
    const size = sizes[n % sizes.length];
    splitter.write(bytes.subarray(at, at + size));
    at += size;
  }
  return { items, rest: splitter.end() };
}

// Items whose strings hold what a naive scanner trips over: braces and brackets, escaped quotes,
// backslashes (also right before a closing quote), multi-byte characters, and a nested "items" key.
const tricky = [
  { metadata: { name: 'a', resourceVersion: '1', annotations: { note: 'a } and a ] and a { [' } } },
  { metadata: { name: 'b"quoted"', resourceVersion: '2' }, data: { path: 'C:\\temp\\', tail: '\\\\', quote: '\\"' } },
  { metadata: { name: 'é-ü-日本-🙂', resourceVersion: '3' }, spec: { items: [{ x: 1 }, { y: [2, 3] }], empty: {}, list: [] } },
  { metadata: { name: 'd', resourceVersion: '4' }, numbers: [-1.5e3, 0, true, false, null] },
];

describe('ListItemSplitter', () => {
  const list = { kind: 'PodList', apiVersion: 'v1', metadata: { resourceVersion: '1234', continue: '' }, items: tricky };
  const text = JSON.stringify(list, null, 1);

  it('hands out each item exactly as JSON.parse reads it, however the bytes are chunked', () => {
    for (let size = 1; size <= 23; size++) {
      const { items, rest } = split(text, [size]);
      expect([size, items]).toEqual([size, tricky]);
      expect(rest).toEqual({ ...list, items: [] });
    }
    // Uneven chunks that cut escapes, multi-byte characters and the "items" key itself.
    const { items } = split(text, [3, 1, 7, 2, 11, 1, 1, 5]);
    expect(items).toEqual(tricky);
  });

  it('gives the same items for any chunking of a longer list (items cut anywhere, several whole ones in a chunk)', () => {
    const many = Array.from({ length: 60 }, (_, i) => ({ ...tricky[i % tricky.length], index: i, pad: 'x'.repeat(i * 7) }));
    const compact = JSON.stringify({ kind: 'PodList', metadata: { resourceVersion: '5' }, items: many });
    let seed = 7;
    const random = () => (seed = (seed * 48271) % 2147483647) / 2147483647;
    for (let run = 0; run < 200; run++) {
      const sizes = Array.from({ length: 16 }, () => 1 + Math.floor(random() * (run % 2 ? 40 : 900)));
      const { items, rest } = split(compact, sizes);
      expect(items).toEqual(many);
      expect(rest).toEqual({ kind: 'PodList', metadata: { resourceVersion: '5' }, items: [] });
    }
  });

  it('finds the items of a compact list also when an item holds objects that begin like items (a StatefulSet`s claim templates)', () => {
    const sets = Array.from({ length: 40 }, (_, i) => ({
      metadata: { name: `db-${i}`, resourceVersion: String(i) },
      spec: { volumeClaimTemplates: [{ metadata: { name: 'data' } }, { metadata: { name: `logs-${i}` }, spec: { note: '},{"metadata":' } }] },
    }));
    const compact = JSON.stringify({ kind: 'StatefulSetList', metadata: { resourceVersion: '9' }, items: sets });
    for (const size of [7, 64, 333, 4096, compact.length]) {
      const { items, rest } = split(compact, [size]);
      expect([size, items]).toEqual([size, sets]);
      expect(rest).toEqual({ kind: 'StatefulSetList', metadata: { resourceVersion: '9' }, items: [] });
    }
  });

  it('finds the items when they do not all begin the same way', () => {
    const mixed = [{ apiVersion: 'v1', kind: 'Pod', metadata: { name: 'a' } }, { metadata: { name: 'b' } }, { kind: 'Pod', metadata: { name: 'c' } }];
    const compact = JSON.stringify({ items: mixed, metadata: { resourceVersion: '3' } });
    for (const size of [1, 5, 50, compact.length]) expect(split(compact, [size]).items).toEqual(mixed);
  });

  it('reads the metadata wherever it is, also after the items, and compact JSON', () => {
    const after = `{"items":${JSON.stringify(tricky)},"metadata":{"resourceVersion":"99"},"kind":"PodList"}`;
    for (const size of [1, 4, 64, after.length]) {
      const { items, rest } = split(after, [size]);
      expect(items).toEqual(tricky);
      expect(rest).toEqual({ items: [], metadata: { resourceVersion: '99' }, kind: 'PodList' });
    }
  });

  it('takes an empty or null items list', () => {
    expect(split('{"metadata":{"resourceVersion":"7"},"items":[]}', [5])).toEqual({ items: [], rest: { metadata: { resourceVersion: '7' }, items: [] } });
    expect(split('{"metadata":{"resourceVersion":"7"},"items":null}', [5])).toEqual({ items: [], rest: { metadata: { resourceVersion: '7' }, items: null } });
  });

  it('ignores a key named items below the top level', () => {
    const { items, rest } = split('{"metadata":{"items":[{"not":"an item"}]},"items":[{"a":1}]}', [2]);
    expect(items).toEqual([{ a: 1 }]);
    expect(rest).toEqual({ metadata: { items: [{ not: 'an item' }] }, items: [] });
  });

  it('fails on a list cut short or items that are not objects', () => {
    const cut = text.slice(0, Math.floor(text.length / 2));
    expect(() => split(cut, [10])).toThrow(/middle of its items/);
    expect(() => split('{"items":["a"]}', [4])).toThrow(/must be objects/);
    expect(() => split('{"items":[{"a":1}', [4])).toThrow(/middle of its items/);
  });

  it('counts the items it handed out', () => {
    const splitter = new ListItemSplitter(() => undefined);
    splitter.write(Buffer.from(text));
    splitter.end();
    expect(splitter.items).toBe(tricky.length);
  });
});
