/**
 * The storage area over real HTTP against `npm start` (gateway and storage in one process, local
 * directories and the local S3): the JSON API, the page forms with CSRF, uploads, downloads served
 * as text or attachment with nosniff, escaping of stored text, and a traversal/size fuzz corpus
 * that must get only 4xx answers and change nothing outside the data directory.
 */
import { createHash } from 'node:crypto';
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { type LocalApp, startLocalApp } from '@eks-info/testing';
import { csrf, multipart, raw } from './http-client';

jest.setTimeout(120_000);

const JSON_TYPE = { 'content-type': 'application/json' };

/** Path → sha256 of every file under `dir`, skipping `skip` (relative directories). */
function snapshot(dir: string, skip: string[] = []): Record<string, string> {
  const out: Record<string, string> = {};
  const walk = (d: string) => {
    for (const entry of readdirSync(d, { withFileTypes: true })) {
      const full = path.join(d, entry.name);
      const rel = path.relative(dir, full);
      if (skip.some((s) => rel === s || rel.startsWith(`${s}/`))) continue;
      if (entry.isDirectory()) walk(full);
      else out[rel] = `${statSync(full).size}:${createHash('sha256').update(readFileSync(full)).digest('hex')}`;
    }
  };
  walk(dir);
  return out;
}

describe('storage over HTTP (npm start)', () => {
  let root: string;
  let app: LocalApp;
  let base: string;

  beforeAll(async () => {
    // Canaries outside the data directory: a traversal that reached them would change them.
    root = mkdtempSync(path.join(os.tmpdir(), 'storage-http-'));
    writeFileSync(path.join(root, 'canary.txt'), 'outside the data directory');
    mkdirSync(path.join(root, 'shared'));
    writeFileSync(path.join(root, 'shared', 'shared_data_20250101_000000_000_aaaaaaaaaa.json'), JSON.stringify({ content: 'canary', metadata: {} }));
    mkdirSync(path.join(root, 'data'));
    app = await startLocalApp({
      DATA_DIR: path.join(root, 'data'),
      MUTATION_RATE_LIMIT_PER_MINUTE: '100000',
      UPLOAD_LIMIT_BYTES: String(256 * 1024),
      TEXT_LIMIT_BYTES: '4096',
      LOG_LEVEL: 'warn',
    });
    base = app.url;
  });

  afterAll(async () => {
    await app?.stop();
    rmSync(root, { recursive: true, force: true });
  });

  it('keeps the data of npm start under DATA_DIR: ebs, efs and the local S3', async () => {
    await raw(base, 'POST', '/api/v1/storage/efs/files', { headers: JSON_TYPE, body: JSON.stringify({ content: 'where am I' }) });
    expect(readdirSync(path.join(root, 'data')).sort()).toEqual(['ebs', 'efs', 's3']);
    expect(readdirSync(path.join(root, 'data', 'efs', 'shared'))).toHaveLength(1);
  });

  it('serves the JSON API for EBS, EFS and S3', async () => {
    const entry = await raw(base, 'POST', '/api/v1/storage/ebs/entries', { headers: JSON_TYPE, body: JSON.stringify({ content: 'api entry' }) });
    expect(entry.status).toBe(201);
    expect(entry.json()).toMatchObject({ entry: { content: 'api entry' }, servedBy: { service: 'storage' } });
    const ebs = (await raw(base, 'GET', '/api/v1/storage/ebs?limit=5')).json<{ entries: { data: { items: Array<{ content: string }> } } }>();
    expect(ebs.entries.data.items[0].content).toBe('api entry');

    const file = await raw(base, 'POST', '/api/v1/storage/efs/files', { headers: JSON_TYPE, body: JSON.stringify({ content: 'api file' }) });
    expect(file.status).toBe(201);
    const name = file.json<{ file: { filename: string } }>().file.filename;
    const read = await raw(base, 'GET', `/api/v1/storage/efs/files/${name}`);
    expect(read.json()).toMatchObject({ file: { filename: name, content: 'api file', metadata: { size_bytes: 8 } } });
    expect((await raw(base, 'DELETE', `/api/v1/storage/efs/files/${name}`)).status).toBe(200);
    expect((await raw(base, 'GET', `/api/v1/storage/efs/files/${name}`)).status).toBe(404);

    const overview = (await raw(base, 'GET', '/api/v1/storage')).json<Record<string, { status: string }>>();
    expect(Object.fromEntries(['mounts', 'ebs', 'efs', 's3'].map((k) => [k, overview[k].status]))).toEqual({ mounts: 'ok', ebs: 'ok', efs: 'ok', s3: 'ok' });
  });

  it('uploads text, serves it as text/plain with nosniff, or as an attachment on request', async () => {
    const up = await raw(base, 'POST', '/api/v1/storage/s3/objects', { headers: JSON_TYPE, body: JSON.stringify({ text: '<script>alert(1)</script>' }) });
    expect(up.status).toBe(201);
    const key = up.json<{ object: { key: string } }>().object.key;
    const inline = await raw(base, 'GET', `/api/v1/storage/s3/objects/${key}`);
    expect(inline.status).toBe(200);
    expect(inline.headers['content-type']).toBe('text/plain; charset=utf-8');
    expect(inline.headers['x-content-type-options']).toBe('nosniff');
    expect(inline.headers['content-security-policy']).toContain('sandbox');
    expect(inline.text).toBe('<script>alert(1)</script>');
    const download = await raw(base, 'GET', `/api/v1/storage/s3/objects/${key}?download=1`);
    expect(download.headers['content-type']).toBe('application/octet-stream');
    expect(download.headers['content-disposition']).toMatch(/^attachment; filename="upload_\d{8}_\d{6}_[0-9a-f]{12}\.txt"$/);
    expect(download.text).toBe('<script>alert(1)</script>');
  });

  it('takes a file as multipart with the CSRF token, refuses it without, and 413 above the limit', async () => {
    const { token, cookie } = await csrf(base);
    const data = Buffer.from([0, 159, 146, 150, 1, 2, 3]);
    const form = multipart({ _csrf: token }, { field: 'file', name: 'photo.jpg', type: 'image/jpeg', data });
    const ok = await raw(base, 'POST', '/api/v1/storage/s3/objects', { headers: { 'content-type': form.type, cookie }, body: form.body });
    expect(ok.status).toBe(201);
    const object = ok.json<{ object: { key: string; contentType: string; metadata: Record<string, string> } }>().object;
    expect(object).toMatchObject({ contentType: 'application/octet-stream', metadata: { 'original-name': 'photo.jpg' } });
    const back = await raw(base, 'GET', `/api/v1/storage/s3/objects/${object.key}`);
    expect(back.headers['content-disposition']).toMatch(/^attachment;/);
    expect(back.body.equals(data)).toBe(true);

    const noToken = multipart({}, { field: 'file', name: 'a.bin', type: 'application/octet-stream', data });
    expect((await raw(base, 'POST', '/api/v1/storage/s3/objects', { headers: { 'content-type': noToken.type, cookie }, body: noToken.body })).status).toBe(403);

    const big = multipart({ _csrf: token }, { field: 'file', name: 'big.bin', type: 'application/octet-stream', data: Buffer.alloc(256 * 1024 + 1) });
    const tooBig = await raw(base, 'POST', '/api/v1/storage/s3/objects', { headers: { 'content-type': big.type, cookie }, body: big.body });
    expect(tooBig.status).toBe(413);
    expect(tooBig.json()).toMatchObject({ code: 'COMMON.PAYLOAD_TOO_LARGE' });
  });

  it('runs the page forms with CSRF (PRG) and shows stored text escaped', async () => {
    const { token, cookie } = await csrf(base, '/ebs');
    const post = (p: string, fields: Record<string, string>) =>
      raw(base, 'POST', p, { headers: { 'content-type': 'application/x-www-form-urlencoded', cookie }, body: new URLSearchParams(fields).toString() });
    const written = await post('/ebs/entries', { _csrf: token, content: '<img src=x onerror=alert(1)>' });
    expect(written.status).toBe(303);
    expect(written.headers.location).toBe('/ebs?done=entry-written');
    const page = await raw(base, 'GET', '/ebs?done=entry-written', { headers: { cookie } });
    expect(page.text).toContain('&lt;img src&#x3D;x onerror&#x3D;alert(1)&gt;');
    expect(page.text).not.toContain('<img src=x');
    expect(page.text).toContain('Entry appended to the EBS volume');

    expect((await post('/ebs/entries', { content: 'no token' })).status).toBe(403);
    // Too long: the page comes back with the error, the status and the draft.
    const tooLong = await post('/efs/files', { _csrf: token, content: 'y'.repeat(4097) });
    expect(tooLong.status).toBe(413);
    expect(tooLong.text).toContain('at most 4096 bytes are accepted');
    expect(tooLong.text).toContain('STORAGE.TOO_LARGE');

    const efs = await post('/efs/files', { _csrf: token, content: '<b>bold?</b>' });
    expect(efs.status).toBe(303);
    const name = /#(shared_data_[^&]+\.json)$/.exec(efs.headers.location ?? '')?.[1];
    const view = await raw(base, 'GET', `/efs/files/${name}`);
    expect(view.status).toBe(200);
    expect(view.text).toContain('&lt;b&gt;bold?&lt;/b&gt;');
    const deleted = await post(`/efs/files/${name}/delete`, { _csrf: token });
    expect(deleted.headers.location).toBe('/efs?done=file-deleted');
    expect((await raw(base, 'GET', `/efs/files/${name}`)).status).toBe(404);
  });

  it('honours an Idempotency-Key: a retry gets the first answer, marked replayed, and writes nothing more', async () => {
    const key = `retry-${Date.now()}`;
    const post = (p: string, body: unknown, headers: Record<string, string> = {}) =>
      raw(base, 'POST', p, { headers: { ...JSON_TYPE, ...headers }, body: JSON.stringify(body) });
    const sharedFiles = () => readdirSync(path.join(root, 'data', 'efs', 'shared')).filter((n) => n.startsWith('shared_data_'));
    const contents = (dir: string) => sharedFiles().map((n) => (JSON.parse(readFileSync(path.join(dir, n), 'utf8')) as { content: string }).content);
    const objectCount = async () =>
      (await raw(base, 'GET', '/api/v1/storage/s3?pageSize=200')).json<{ objects: { data: { items: unknown[] } } }>().objects.data.items.length;
    const objectsBefore = await objectCount();

    const writes = [
      ['/api/v1/storage/ebs/entries', 'entry'],
      ['/api/v1/storage/efs/files', 'file'],
      ['/api/v1/storage/s3/objects', 'object'],
    ] as const;
    for (const [p, field] of writes) {
      const content = `once ${field} ${key}`;
      const first = await post(p, { content }, { 'idempotency-key': `${key}-${field}` });
      expect(first.status).toBe(201);
      expect(first.headers['idempotent-replayed']).toBeUndefined();
      const retry = await post(p, { content }, { 'idempotency-key': `${key}-${field}` });
      expect({ status: retry.status, replayed: retry.headers['idempotent-replayed'] }).toEqual({ status: 201, replayed: 'true' });
      expect(retry.json()[field]).toEqual(first.json()[field]);
      expect(retry.json()).toMatchObject({ replayed: true });
      // The same key with another body: refused, and the first answer stays.
      const other = await post(p, { content: `${content} but different` }, { 'idempotency-key': `${key}-${field}` });
      expect({ status: other.status, code: other.json().code }).toEqual({ status: 422, code: 'STORAGE.IDEMPOTENCY_KEY_REUSED' });
      // The field works like the header; both, disagreeing, are a 400.
      expect((await post(p, { content, idempotencyKey: `${key}-${field}` })).headers['idempotent-replayed']).toBe('true');
      const both = await post(p, { content, idempotencyKey: 'another' }, { 'idempotency-key': `${key}-${field}` });
      expect({ status: both.status, code: both.json().code }).toEqual({ status: 400, code: 'COMMON.VALIDATION' });
      const malformed = await post(p, { content }, { 'idempotency-key': 'has spaces in it' });
      expect(malformed.status).toBe(400);
      expect(JSON.stringify(malformed.json().fields)).toContain('idempotencyKey');
    }

    const entries = (await raw(base, 'GET', '/api/v1/storage/ebs?limit=1000')).json<{ entries: { data: { items: Array<{ content: string }> } } }>();
    expect(entries.entries.data.items.filter((e) => e.content.startsWith(`once entry ${key}`))).toHaveLength(1);
    expect(contents(path.join(root, 'data', 'efs', 'shared')).filter((c) => c.startsWith(`once file ${key}`))).toHaveLength(1);
    expect(await objectCount()).toBe(objectsBefore + 1);
  });

  it('stores and serves well-formed UTF-8: lone surrogates sent or planted on the volumes come back as U+FFFD', async () => {
    // A string survives a round trip through UTF-8 exactly when it has no lone surrogate.
    const utf8Safe = (text: string) => Buffer.from(text, 'utf8').toString('utf8') === text;
    const wellFormedEverywhere = (value: unknown): boolean =>
      typeof value === 'string'
        ? utf8Safe(value)
        : Array.isArray(value)
          ? value.every(wellFormedEverywhere)
          : value !== null && typeof value === 'object'
            ? Object.entries(value).every(([k, v]) => utf8Safe(k) && wellFormedEverywhere(v))
            : true;
    // What a strict parser does: the bytes must be UTF-8 and the escapes must pair up.
    const strict = (text: string) => !/\\u[dD][89abAB][0-9a-fA-F]{2}(?!\\u[dD][c-fC-F])/.test(text);
    for (const p of ['/api/v1/storage/ebs/entries', '/api/v1/storage/efs/files', '/api/v1/storage/s3/objects']) {
      const res = await raw(base, 'POST', p, { headers: JSON_TYPE, body: '{"content": "lone \\ud800 high"}' });
      expect(res.status).toBe(201);
      expect(strict(res.text) && wellFormedEverywhere(res.json())).toBe(true);
      const body = res.json<{ entry?: { content: string }; file?: { filename: string }; object?: { key: string } }>();
      const stored = body.entry
        ? body.entry.content
        : body.file
          ? (await raw(base, 'GET', `/api/v1/storage/efs/files/${body.file.filename}`)).json<{ file: { content: string } }>().file.content
          : (await raw(base, 'GET', `/api/v1/storage/s3/objects/${body.object!.key}`)).text;
      expect({ p, stored }).toEqual({ p, stored: 'lone \ufffd high' });
    }
    // Planted, or written by an older version: read side too.
    writeFileSync(
      path.join(root, 'data', 'ebs', 'entries.jsonl'),
      '{"timestamp":"2026-01-01T00:00:00.000Z","pod":"p","node":"n","content":"planted \\udfff low"}\n',
      {
        flag: 'a',
      },
    );
    const planted = 'shared_data_20990101_000000_000_bbbbbbbbbb.json';
    writeFileSync(
      path.join(root, 'data', 'efs', 'shared', planted),
      '{"filename":"x","content":"planted \\ud83d alone","metadata":{"created_by_pod":"\\udc00","created_by_node":"n","created_at":"2099-01-01T00:00:00.000Z","size_bytes":1,"content_type":"text/plain"}}',
    );
    for (const p of ['/api/v1/storage/ebs?limit=1000', '/api/v1/storage/efs', `/api/v1/storage/efs/files/${planted}`]) {
      const res = await raw(base, 'GET', p);
      expect({ p, status: res.status }).toEqual({ p, status: 200 });
      expect({ p, strict: strict(res.text), wellFormed: wellFormedEverywhere(res.json()) }).toEqual({ p, strict: true, wellFormed: true });
    }
    expect((await raw(base, 'GET', `/api/v1/storage/efs/files/${planted}`)).json<{ file: { content: string } }>().file.content).toBe('planted \ufffd alone');
    const entries = (await raw(base, 'GET', '/api/v1/storage/ebs?limit=1000')).json<{ entries: { data: { items: Array<{ content: string }> } } }>();
    expect(entries.entries.data.items.map((e) => e.content)).toContain('planted \ufffd low');
    for (const page of ['/ebs', '/efs']) expect((await raw(base, 'GET', page)).status).toBe(200);
  });

  it('sends a fresh key with each page form, so a form submitted twice writes once', async () => {
    const page = await raw(base, 'GET', '/efs');
    const token = /name="_csrf" value="([^"]+)"/.exec(page.text)?.[1] ?? '';
    const formKey = /name="idempotencyKey" value="([^"]+)"/.exec(page.text)?.[1] ?? '';
    expect(formKey).toMatch(/^[0-9a-f-]{36}-efs$/);
    const again = await raw(base, 'GET', '/efs');
    expect(/name="idempotencyKey" value="([^"]+)"/.exec(again.text)?.[1]).not.toBe(formKey);

    const cookie = page.headers['set-cookie']?.[0]?.split(';')[0] ?? '';
    const content = `double click ${Date.now()}`;
    const submit = () =>
      raw(base, 'POST', '/efs/files', {
        headers: { 'content-type': 'application/x-www-form-urlencoded', cookie },
        body: new URLSearchParams({ _csrf: token, idempotencyKey: formKey, content }).toString(),
      });
    const [one, two] = await Promise.all([submit(), submit()]);
    expect([one.status, two.status]).toEqual([303, 303]);
    expect(two.headers.location).toBe(one.headers.location);
    const shared = path.join(root, 'data', 'efs', 'shared');
    const holding = readdirSync(shared).filter((n) => n.startsWith('shared_data_') && readFileSync(path.join(shared, n), 'utf8').includes(content));
    expect(holding).toHaveLength(1);
  });

  it('answers a fuzz corpus of traversal, encoding and size attacks with 4xx only, changing nothing', async () => {
    // Something to find, for attacks that guess relative to real files.
    await raw(base, 'POST', '/api/v1/storage/efs/files', { headers: JSON_TYPE, body: JSON.stringify({ content: 'target' }) });
    const { token, cookie } = await csrf(base);
    const objectsBefore = (await raw(base, 'GET', '/api/v1/storage/s3?pageSize=200')).json<{ objects: { data: { items: unknown[] } } }>().objects.data.items;
    const before = snapshot(root, ['data/ebs/access-log']);

    const abs = path.join(root, 'canary.txt');
    const names = [
      '..',
      '../canary.txt',
      '../../canary.txt',
      '..%2F..%2Fcanary.txt',
      '%2e%2e%2f%2e%2e%2fcanary.txt',
      '%252e%252e%252fcanary.txt',
      '..%5c..%5ccanary.txt',
      '..%c0%af..%c0%afcanary.txt',
      '%ef%bc%8e%ef%bc%8e%ef%bc%8fcanary.txt',
      encodeURIComponent(abs),
      `%2F${'a'.repeat(5)}`,
      'a%00.json',
      '%00',
      'shared_data_x.json%00.txt',
      '....%2F%2Fcanary.txt',
      'x'.repeat(201),
      `shared_data_20250101_000000_000_${'a'.repeat(190)}.json`,
      'entries.jsonl',
      '.tmp-x',
      '..%2Fshared%2Fshared_data_20250101_000000_000_aaaaaaaaaa.json',
      'shared_data_20250101_000000_000_aaaaaaaaaa.json',
    ];
    const keys = [
      '../../canary.txt',
      'eks-info/../../canary.txt',
      'eks-info/uploads/..%2F..%2F..%2Fcanary.txt',
      'eks-info%2F..%2F..%2Fx',
      '%2Fetc%2Fpasswd',
      'other/prefix.txt',
      'eks-info/',
      'eks-info//x',
      'eks-info/uploads/%252e%252e%252fx',
      `eks-info/${'k'.repeat(200)}`,
      'eks-info/a%00b',
      'eks-info/uploads/a\\b',
      'eks-info/uploads/%5C..%5Cx',
      'eks-info/uploads/missing.txt',
    ];
    const requests: Array<{ method: string; path: string; body?: string | Buffer; headers?: Record<string, string> }> = [];
    for (const n of names) {
      requests.push({ method: 'GET', path: `/api/v1/storage/efs/files/${n}` }, { method: 'DELETE', path: `/api/v1/storage/efs/files/${n}` });
      requests.push({
        method: 'POST',
        path: `/efs/files/${n}/delete`,
        headers: { 'content-type': 'application/x-www-form-urlencoded', cookie },
        body: `_csrf=${encodeURIComponent(token)}`,
      });
      requests.push({ method: 'GET', path: `/efs/files/${n}` });
    }
    for (const k of keys) {
      requests.push(
        { method: 'GET', path: `/api/v1/storage/s3/objects/${k}` },
        { method: 'DELETE', path: `/api/v1/storage/s3/objects/${k}` },
        { method: 'GET', path: `/s3/objects/${k}` },
      );
      requests.push({
        method: 'POST',
        path: '/s3/delete',
        headers: { 'content-type': 'application/x-www-form-urlencoded', cookie },
        body: new URLSearchParams({ _csrf: token, key: decodeURIComponent(k.replace(/%(?![0-9a-f]{2})/gi, '%25')) }).toString(),
      });
      // A missing key under the prefix is a fine page token; the others are not.
      if (!k.endsWith('missing.txt')) requests.push({ method: 'GET', path: `/api/v1/storage/s3?after=${encodeURIComponent(k)}` });
    }
    const json = (p: string, body: unknown) => ({ method: 'POST', path: p, headers: JSON_TYPE, body: typeof body === 'string' ? body : JSON.stringify(body) });
    for (const p of ['/api/v1/storage/ebs/entries', '/api/v1/storage/efs/files']) {
      requests.push(
        json(p, { content: 42 }),
        json(p, { content: null }),
        json(p, { content: ['x'] }),
        json(p, { content: { $gt: '' } }),
        json(p, {}),
        json(p, []),
        json(p, '"just a string"'),
        json(p, '{"content": "unterminated'),
        json(p, { content: '   ' }),
        json(p, { content: 'z'.repeat(4097) }),
        json(p, '{"__proto__": {"content": "polluted"}}'),
        json(p, { content: 'x'.repeat(1024 * 1024 + 10) }),
        { method: 'POST', path: p, headers: { 'content-type': 'text/plain' }, body: 'content=x' },
        { method: 'POST', path: p, headers: { 'content-type': 'application/xml' }, body: '<content>x</content>' },
      );
    }
    requests.push(
      json('/api/v1/storage/s3/objects', { text: 7 }),
      json('/api/v1/storage/s3/objects', { base64: '@@@@' }),
      json('/api/v1/storage/s3/objects', { base64: 'YQ==', filename: '../../canary.txt' }),
      json('/api/v1/storage/s3/objects', { base64: 'YQ==', filename: 'a\u0000.txt' }),
      json('/api/v1/storage/s3/objects', { text: 'a', base64: 'YQ==' }),
      json('/api/v1/storage/s3/objects', {}),
      json('/api/v1/storage/s3/objects', { text: 'q'.repeat(4097) }),
      json('/api/v1/storage/ebs/cleanup', { olderThanDays: -1 }),
      json('/api/v1/storage/ebs/cleanup', { olderThanDays: 'all' }),
      { method: 'GET', path: '/api/v1/storage/ebs?limit=-1' },
      { method: 'GET', path: '/api/v1/storage/efs?limit=100000' },
      { method: 'GET', path: '/api/v1/storage/s3?pageSize=0' },
      { method: 'GET', path: '/api/v1/storage/s3?pageSize=abc' },
      { method: 'PUT', path: '/api/v1/storage/efs/files/x', headers: JSON_TYPE, body: '{}' },
    );
    const empty = multipart({ _csrf: token });
    requests.push({ method: 'POST', path: '/api/v1/storage/s3/objects', headers: { 'content-type': empty.type, cookie }, body: empty.body });

    const answers: Array<[string, number, string]> = [];
    for (const r of requests) {
      const res = await raw(base, r.method, r.path, { headers: r.headers, body: r.body });
      const code = res.headers['content-type']?.startsWith('application/json') ? String(res.json().code ?? '') : '';
      answers.push([`${r.method} ${r.path.slice(0, 90)}${r.body ? ` ${String(r.body).slice(0, 60)}` : ''}`, res.status, code]);
    }
    const notClientErrors = answers.filter(([, status]) => status < 400 || status >= 500 || status === 429);
    expect(notClientErrors).toEqual([]);
    expect(answers.length).toBeGreaterThan(150); // the corpus really ran
    // Every API refusal is an error envelope with a code.
    expect(answers.filter(([what, , code]) => what.includes(' /api/') && !code)).toEqual([]);

    expect(snapshot(root, ['data/ebs/access-log'])).toEqual(before);
    const objectsAfter = (await raw(base, 'GET', '/api/v1/storage/s3?pageSize=200')).json<{ objects: { data: { items: unknown[] } } }>().objects.data.items;
    expect(objectsAfter).toEqual(objectsBefore);
  });
});
