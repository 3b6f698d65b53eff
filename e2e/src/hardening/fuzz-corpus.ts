import type { WireRequest } from './wire';

/**
 * The hostile inputs the fuzz suite sends: multipart bodies broken every way a parser meets,
 * nesting far past any schema's depth, lone surrogates and invalid UTF-8 in bodies, queries,
 * paths and headers, oversized and numerous headers, forged forwarding headers, and names from
 * empty to far beyond every limit. Deterministic: the same corpus every run, so a failure names
 * the input that caused it.
 */
export interface FuzzInput {
  label: string;
  request: WireRequest;
  /** A request that could change data if it were accepted (checked one by one). */
  mutates: boolean;
}

export interface CorpusContext {
  /** A page's CSRF token and its cookie, so that forms reach validation. */
  csrf: { token: string; cookie: string };
}

const JSON_TYPE: [string, string] = ['Content-Type', 'application/json'];
const FORM_TYPE: [string, string] = ['Content-Type', 'application/x-www-form-urlencoded'];

const nestedArrays = (depth: number) => '['.repeat(depth) + ']'.repeat(depth);
const nestedObjects = (depth: number) => '{"a":'.repeat(depth) + '1' + '}'.repeat(depth);
const jsonString = (length: number) => JSON.stringify('n'.repeat(length));

/** JSON values for a field, as raw JSON text: shapes and sizes no field accepts, and strings that test the encoding. */
const HOSTILE_VALUES: Array<[string, string]> = [
  ['arrays nested 9 deep', nestedArrays(9)],
  ['arrays nested 100 deep', nestedArrays(100)],
  ['arrays nested 10,000 deep', nestedArrays(10_000)],
  ['arrays nested 200,000 deep', nestedArrays(200_000)],
  ['objects nested 9 deep', nestedObjects(9)],
  ['objects nested 5,000 deep', nestedObjects(5_000)],
  ['objects nested 100,000 deep', nestedObjects(100_000)],
  ['a lone high surrogate', '"\\ud800"'],
  ['a lone low surrogate', '"a\\udfffb"'],
  ['a high surrogate at the end', '"emoji \\ud83d"'],
  ['reversed surrogates', '"\\udc00\\ud800"'],
  ['a NUL', '"a\\u0000b"'],
  ['an empty string', '""'],
  ['spaces only', '"   "'],
  ['null', 'null'],
  ['true', 'true'],
  ['a number beyond double', '1e999'],
  ['minus zero', '-0'],
  ['a huge integer', '123456789012345678901234567890'],
  ['a fraction', '7.5'],
  ['an empty array', '[]'],
  ['an operator object', '{"$gt":""}'],
  ['a string of 256', jsonString(256)],
  ['a string of 70,000', jsonString(70_000)],
  ['a string of 1.2 MB', jsonString(1_200_000)],
  ['50,000 escaped backslashes', `"${'\\\\'.repeat(50_000)}"`],
  ['10,000 unicode escapes', `"${'\\u00e9'.repeat(10_000)}"`],
];

/** Whole JSON bodies of every wrong kind. */
const HOSTILE_BODIES: Array<[string, string | Buffer]> = [
  ['an empty body', ''],
  ['whitespace', '  \n '],
  ['an unterminated object', '{"content": "x'],
  ['a bare string', '"just a string"'],
  ['a top-level array nested 200,000 deep', nestedArrays(200_000)],
  ['a top-level object nested 100,000 deep', nestedObjects(100_000)],
  ['__proto__ pollution', '{"__proto__": {"content": "polluted", "isAdmin": true}}'],
  ['constructor pollution', '{"constructor": {"prototype": {"content": "polluted"}}}'],
  ['10,000 keys', `{${Array.from({ length: 10_000 }, (_, i) => `"k${i}":${i}`).join(',')}}`],
  ['a key of 70,000 characters', `{"${'k'.repeat(70_000)}": 1}`],
  ['a key with a lone surrogate', '{"\\ud800": 1}'],
  ['invalid UTF-8: a CESU-8 surrogate', Buffer.concat([Buffer.from('{"content": "a'), Buffer.from([0xed, 0xa0, 0x80]), Buffer.from('b"}')])],
  ['invalid UTF-8: an overlong slash', Buffer.concat([Buffer.from('{"content": "'), Buffer.from([0xc0, 0xaf]), Buffer.from('"}')])],
  ['invalid UTF-8: 0xFF bytes', Buffer.concat([Buffer.from('{"content": "'), Buffer.from([0xff, 0xfe, 0xfd]), Buffer.from('"}')])],
  ['a byte-order mark first', Buffer.concat([Buffer.from([0xef, 0xbb, 0xbf]), Buffer.from('{"content": "bom"}')])],
  ['a body of binary noise', Buffer.from(Array.from({ length: 4096 }, (_, i) => (i * 7919) % 256))],
  ['a body of 1.5 MB', `{"content": ${jsonString(1_500_000)}}`],
];

/** Content types a JSON route may be sent. */
const CONTENT_TYPES: Array<[string, string, string | Buffer]> = [
  ['text/plain', 'text/plain', '{"content": "x"}'],
  ['application/xml', 'application/xml', '<content>x</content>'],
  ['UTF-16 JSON', 'application/json; charset=utf-16', Buffer.from('{"content": "x"}', 'utf16le')],
  ['JSON with a bogus charset', 'application/json; charset=x-klingon', '{"content": "x"}'],
  ['JSON with 200 parameters', `application/json${'; a=b'.repeat(200)}`, '{"content": "x"}'],
  ['upper-case JSON', 'APPLICATION/JSON', '{"content": "x"}'],
  ['two types', 'application/json, text/html', '{"content": "x"}'],
  ['nothing but separators', ';;;', '{"content": "x"}'],
  ['multipart without a boundary', 'multipart/form-data', '--x\r\n\r\n'],
  ['a form without a CSRF token', 'application/x-www-form-urlencoded', 'content=x'],
  ['a form nested 300 deep', 'application/x-www-form-urlencoded', `content${'[a]'.repeat(300)}=x`],
  ['a form of 20,000 fields', 'application/x-www-form-urlencoded', Array.from({ length: 20_000 }, (_, i) => `f${i}=${i}`).join('&')],
];

/** A multipart body from raw parts (each part: its header lines and its bytes). */
function multipartBody(boundary: string, parts: Array<{ headers: Array<string | Buffer>; data: string | Buffer }>, close = true): Buffer {
  const out: Buffer[] = [];
  for (const part of parts) {
    out.push(Buffer.from(`--${boundary}\r\n`));
    for (const h of part.headers) out.push(Buffer.isBuffer(h) ? h : Buffer.from(h, 'latin1'), Buffer.from('\r\n'));
    out.push(Buffer.from('\r\n'), Buffer.isBuffer(part.data) ? part.data : Buffer.from(part.data), Buffer.from('\r\n'));
  }
  if (close) out.push(Buffer.from(`--${boundary}--\r\n`));
  return Buffer.concat(out);
}

const field = (name: string, value: string | Buffer) => ({ headers: [`Content-Disposition: form-data; name="${name}"`], data: value });
const file = (name: string, filename: string | Buffer, data: string | Buffer, type = 'application/octet-stream') => ({
  headers: [
    Buffer.isBuffer(filename)
      ? Buffer.concat([Buffer.from(`Content-Disposition: form-data; name="${name}"; filename="`), filename, Buffer.from('"')])
      : `Content-Disposition: form-data; name="${name}"; filename="${filename}"`,
    `Content-Type: ${type}`,
  ],
  data,
});

/** Multipart bodies broken in the ways a parser meets: [label, content type, body]. */
function multipartCases(token: string): Array<[string, string, Buffer]> {
  const b = 'fuzzboundary0123';
  const type = `multipart/form-data; boundary=${b}`;
  const csrf = field('_csrf', token);
  return [
    ['a text field', type, multipartBody(b, [csrf, field('content', 'multipart text')])],
    ['a file named ../../etc/passwd', type, multipartBody(b, [csrf, file('file', '../../etc/passwd', 'root:x:0:0')])],
    ['a file name with CR and LF', type, multipartBody(b, [csrf, file('file', 'a\rb\nc.txt', 'x')])],
    ['a file name of invalid UTF-8', type, multipartBody(b, [csrf, file('file', Buffer.from([0x61, 0xed, 0xa0, 0x80, 0x2e, 0x74]), 'x')])],
    ['a file name of 5,000 characters', type, multipartBody(b, [csrf, file('file', `${'n'.repeat(5_000)}.txt`, 'x')])],
    ['an empty file', type, multipartBody(b, [csrf, file('file', 'empty.bin', '')])],
    ['HTML declared as text/html', type, multipartBody(b, [csrf, file('file', 'page.html', '<script>alert(1)</script>', 'text/html')])],
    ['two files', type, multipartBody(b, [csrf, file('file', 'a.bin', 'a'), file('file', 'b.bin', 'b')])],
    ['100 files', type, multipartBody(b, [csrf, ...Array.from({ length: 100 }, (_, i) => file(`f${i}`, `${i}.bin`, 'x'))])],
    ['2,000 fields', type, multipartBody(b, [csrf, ...Array.from({ length: 2_000 }, (_, i) => field(`f${i}`, 'x'))])],
    ['content sent as a file', type, multipartBody(b, [csrf, file('content', 'c.txt', 'text as a file', 'text/plain')])],
    ['the CSRF token sent as a file', type, multipartBody(b, [file('_csrf', 't.txt', token, 'text/plain'), field('content', 'x')])],
    ['the idempotency key sent as a file', type, multipartBody(b, [csrf, file('idempotencyKey', 'k.txt', 'key'), field('content', 'x')])],
    ['a field named __proto__', type, multipartBody(b, [csrf, field('__proto__', '{"content":"polluted"}'), field('content', 'x')])],
    ['nested field names', type, multipartBody(b, [csrf, field('content[a][b]', 'x')])],
    ['a part without a name', type, multipartBody(b, [csrf, { headers: ['Content-Disposition: form-data'], data: 'x' }])],
    ['a part without headers', type, multipartBody(b, [csrf, { headers: [], data: 'x' }])],
    [
      'a part header of 20,000 bytes',
      type,
      multipartBody(b, [csrf, { headers: [`Content-Disposition: form-data; name="content"; x="${'h'.repeat(20_000)}"`], data: 'x' }]),
    ],
    ['no closing boundary', type, multipartBody(b, [csrf, field('content', 'x')], false)],
    ['the wrong boundary', 'multipart/form-data; boundary=another', multipartBody(b, [csrf, field('content', 'x')])],
    ['a boundary of 300 characters', `multipart/form-data; boundary=${'q'.repeat(300)}`, multipartBody('q'.repeat(300), [csrf, field('content', 'x')])],
    ['a field value of invalid UTF-8', type, multipartBody(b, [csrf, field('content', Buffer.from([0x61, 0xed, 0xa0, 0x80, 0x62]))])],
    [
      'garbage before the first boundary',
      type,
      Buffer.concat([Buffer.from('preamble garbage\r\n'.repeat(100)), multipartBody(b, [csrf, field('content', 'x')])]),
    ],
    ['only the closing boundary', type, Buffer.from(`--${b}--\r\n`)],
    ['an empty body', type, Buffer.alloc(0)],
  ];
}

/** Names and ids for path parameters: traversal, encodings, and lengths up to beyond the header limit. */
const PATH_VALUES: Array<[string, string]> = [
  ['..', '..'],
  ['encoded ../', '%2e%2e%2f%2e%2e%2fetc%2fpasswd'],
  ['double-encoded ../', '%252e%252e%252f'],
  ['a CESU-8 surrogate', '%ED%A0%80'],
  ['a cut UTF-8 sequence', '%F0%9F'],
  ['an overlong slash', '%C0%AF'],
  ['a bare percent', '%'],
  ['a bad escape', '%zz'],
  ['an encoded NUL', 'shared_data_20250101_000000_000_aaaaaaaaaa.json%00.txt'],
  ['an emoji', '%F0%9F%98%80'],
  ['backslashes', '..%5c..%5cwin.ini'],
  ['a device name', 'CON'],
  ['a space', '%20'],
  ['a dot', '.'],
  ['a name of 300', 'n'.repeat(300)],
  ['a name of 5,000', 'n'.repeat(5_000)],
  ['a name of 20,000 (beyond the header limit)', 'n'.repeat(20_000)],
];

/** Query values for each parameter: [label, raw query text for parameter p]. */
const queryValues = (p: string): Array<[string, string]> => [
  ['-1', `${p}=-1`],
  ['0', `${p}=0`],
  ['1e3', `${p}=1e3`],
  ['1.5', `${p}=1.5`],
  ['empty', `${p}=`],
  ['NaN', `${p}=NaN`],
  ['Infinity', `${p}=Infinity`],
  ['20 digits', `${p}=99999999999999999999`],
  ['an encoded NUL', `${p}=%00`],
  ['a CESU-8 surrogate', `${p}=%ED%A0%80`],
  ['a bad escape', `${p}=%zz%`],
  ['10,000 characters', `${p}=${'q'.repeat(10_000)}`],
  ['repeated', `${p}=1&${p}=2&${p}=3`],
  ['an array', `${p}[]=1&${p}[]=2`],
  ['an object', `${p}[a]=1`],
  ['nested 200 deep', `${p}${'[a]'.repeat(200)}=1`],
  ['2,000 other parameters', Array.from({ length: 2_000 }, (_, i) => `x${i}=${i}`).join('&')],
];

/** Header sets for reads: forged forwarding, hosts, sizes, counts and encodings. */
function headerCases(): Array<[string, Partial<WireRequest>]> {
  const h = (label: string, name: string, value: string | Buffer): [string, Partial<WireRequest>] => [label, { headers: [[name, value]] }];
  return [
    h('X-Forwarded-For garbage', 'X-Forwarded-For', 'garbage'),
    h('X-Forwarded-For empty entries', 'X-Forwarded-For', '1.2.3.4, , ,'),
    h('X-Forwarded-For of 1,000 addresses', 'X-Forwarded-For', Array.from({ length: 1_000 }, (_, i) => `10.0.${i >> 8}.${i & 255}`).join(', ')),
    h('X-Forwarded-For of 8,000 bytes', 'X-Forwarded-For', 'a'.repeat(8_000)),
    h('X-Forwarded-For a bad IPv4-mapped address', 'X-Forwarded-For', '::ffff:999.1.1.1'),
    h('X-Forwarded-For bracketed with a port', 'X-Forwarded-For', '[::1]:80'),
    h('X-Forwarded-For the metadata address', 'X-Forwarded-For', '127.0.0.1, 10.0.0.1, 169.254.169.254'),
    h('X-Forwarded-For latin-1 bytes', 'X-Forwarded-For', Buffer.from([0xff, 0xfe, 0x31])),
    h('Forwarded an unclosed bracket', 'Forwarded', 'for="[::1"'),
    h('Forwarded separators only', 'Forwarded', 'for=;;;,,,'),
    h('Forwarded a hostile proto and host', 'Forwarded', 'for=1.2.3.4;proto=javascript;host=evil.example'),
    h('Forwarded of 10,000 bytes', 'Forwarded', 'by=x;'.repeat(2_000)),
    h('X-Forwarded-Host another site', 'X-Forwarded-Host', 'evil.example'),
    h('X-Forwarded-Host of 5,000 bytes', 'X-Forwarded-Host', 'a'.repeat(5_000)),
    h('X-Forwarded-Host a bad port', 'X-Forwarded-Host', 'localhost:99999'),
    h('X-Forwarded-Proto javascript', 'X-Forwarded-Proto', 'javascript'),
    h('X-Forwarded-Proto a list', 'X-Forwarded-Proto', 'https, http'),
    h('X-Forwarded-Port negative', 'X-Forwarded-Port', '-1'),
    h('X-Real-IP not an address', 'X-Real-IP', 'not-an-ip'),
    ['no Host', { host: null }],
    ['an empty Host', { host: '' }],
    ['another Host', { host: 'evil.example' }],
    ['a Host with a bad port', { host: 'localhost:abc' }],
    ['a Host with an unclosed bracket', { host: '[::1' }],
    ['a Host of 10,000 bytes', { host: 'h'.repeat(10_000) }],
    ['a Host with user info', { host: '127.0.0.1:1@evil.example' }],
    ['two Hosts', { headers: [['Host', 'evil.example']] }],
    ['HTTP/1.0 without a Host', { host: null, version: 'HTTP/1.0' }],
    h('a header of 8,000 bytes', 'X-Padding', 'p'.repeat(8_000)),
    h('a header of 15,000 bytes', 'X-Padding', 'p'.repeat(15_000)),
    h('a header of 17,000 bytes (beyond the limit)', 'X-Padding', 'p'.repeat(17_000)),
    h('a header of 70,000 bytes', 'X-Padding', 'p'.repeat(70_000)),
    ['200 headers', { headers: Array.from({ length: 200 }, (_, i): [string, string] => [`X-H${i}`, 'v']) }],
    ['1,500 headers', { headers: Array.from({ length: 1_500 }, (_, i): [string, string] => [`X-H${i}`, 'v']) }],
    ['3,000 headers', { headers: Array.from({ length: 3_000 }, (_, i): [string, string] => [`X-H${i}`, 'v']) }],
    h('X-Request-Id of 10,000 bytes', 'X-Request-Id', 'r'.repeat(10_000)),
    h('X-Request-Id with traversal', 'X-Request-Id', '../../etc/passwd'),
    h('X-Request-Id with latin-1 bytes', 'X-Request-Id', Buffer.from([0x72, 0xe9, 0xff])),
    h('a Cookie of 12,000 bytes', 'Cookie', `c=${'c'.repeat(12_000)}`),
    h('a malformed Cookie', 'Cookie', '_csrf=%%%; session=\u00ff; =; ;=;'),
    h('Accept with a NaN weight', 'Accept', '*/*;q=NaN'),
    h('Accept of 8,000 bytes', 'Accept', 'text/html,'.repeat(800)),
    h('Accept-Encoding with bad weights', 'Accept-Encoding', 'gzip;q=-1, br;q=abc, *;q=1e999'),
    h('Accept-Language of surrogate bytes', 'Accept-Language', Buffer.from([0xed, 0xa0, 0x80])),
    h('Authorization garbage', 'Authorization', 'Basic !!!'),
    h('a Bearer token of 8,000 bytes', 'Authorization', `Bearer ${'x'.repeat(8_000)}`),
    h('Range backwards', 'Range', 'bytes=-1--2'),
    h('If-None-Match unterminated', 'If-None-Match', `"${'x'.repeat(5_000)}`),
    h('Idempotency-Key of 1,000 bytes', 'Idempotency-Key', 'k'.repeat(1_000)),
    h('Content-Length not a number', 'Content-Length', 'abc'),
    h('a header name with a space', 'Bad Name', 'x'),
    h('a NUL in a header value', 'X-Nul', 'a\u0000b'),
    h('a folded header line', 'X-Folded', 'a\r\n b'),
    h('a bare CR in a header value', 'X-Cr', 'a\rb'),
    ['Content-Length and Transfer-Encoding both', { headers: [['Transfer-Encoding', 'chunked']], contentLength: '5', body: '0\r\n\r\n' }],
    ['two different Content-Lengths', { headers: [['Content-Length', '1']], contentLength: '2', body: 'ab' }],
    ['Transfer-Encoding gzip', { headers: [['Transfer-Encoding', 'gzip']], contentLength: null }],
    ['Transfer-Encoding chunked twice', { headers: [['Transfer-Encoding', 'chunked, chunked']], contentLength: null, body: '0\r\n\r\n' }],
    ['a bad chunk size', { headers: [['Transfer-Encoding', 'chunked']], contentLength: null, body: 'zz\r\nx\r\n0\r\n\r\n' }],
  ];
}

const API_READS = [
  '/api/v1/environment',
  '/api/v1/resources',
  '/api/v1/network',
  '/api/v1/storage',
  '/api/v1/stress',
  '/api/v1/scaling',
  '/api/v1/scaling/history',
];
const PAGES = ['/', '/resources', '/network', '/storage', '/ebs', '/efs', '/s3', '/stress', '/scaling', '/scaling/history'];
/** Reads with query parameters: [path, parameters]. */
const QUERIES: Array<[string, string[]]> = [
  ['/api/v1/storage/ebs', ['limit']],
  ['/api/v1/storage/efs', ['limit']],
  ['/api/v1/storage/s3', ['after', 'pageSize']],
  ['/api/v1/scaling/history', ['hours']],
  ['/api/v1/scaling/events', ['since', 'until', 'types']],
  ['/s3', ['after', 'done', 'key']],
  ['/ebs', ['done']],
  ['/scaling/history', ['hours']],
];

/**
 * JSON mutations: [path, fields each hostile value is tried in, whether whole bodies are tried
 * too]. Stress bodies never hold a valid duration. Cleanup and refresh take an empty body, so
 * most whole-body inputs are valid there (and a cleanup waits 2 s for every pod): fields only.
 */
const JSON_MUTATIONS: Array<[string, string[], boolean]> = [
  ['/api/v1/storage/ebs/entries', ['content', 'idempotencyKey'], true],
  ['/api/v1/storage/efs/files', ['content'], true],
  ['/api/v1/storage/s3/objects', ['content', 'base64', 'filename', 'contentType'], true],
  ['/api/v1/storage/ebs/cleanup', ['olderThanDays'], false],
  ['/api/v1/stress/cpu', ['durationSeconds', 'intensity', 'workers', 'target', 'testId'], true],
  ['/api/v1/stress/memory', ['durationSeconds', 'targetMb'], true],
  ['/api/v1/stress/load', ['millicores', 'durationSeconds', 'loadId'], true],
  ['/api/v1/network/refresh', ['force'], false],
];
/** Page forms (CSRF token included): [path, fields]. Stress forms never hold a valid duration. (The cleanup form has no fields.) */
const FORMS: Array<[string, string[]]> = [
  ['/ebs/entries', ['content', 'idempotencyKey']],
  ['/efs/files', ['content']],
  ['/s3/objects', ['content']],
  ['/s3/delete', ['key']],
  ['/stress/cpu', ['durationSeconds', 'intensity', 'workers']],
  ['/stress/memory', ['durationSeconds', 'targetMb']],
  ['/stress/load', ['millicores', 'durationSeconds']],
];
/** Routes with a name or id in the path: [method, prefix, suffix, needs CSRF]. */
const PATH_ROUTES: Array<[string, string, string, boolean]> = [
  ['GET', '/api/v1/storage/efs/files/', '', false],
  ['DELETE', '/api/v1/storage/efs/files/', '', false],
  ['GET', '/api/v1/storage/s3/objects/', '', false],
  ['DELETE', '/api/v1/storage/s3/objects/', '', false],
  ['GET', '/api/v1/storage/s3/objects/eks-info/uploads/', '', false],
  ['DELETE', '/api/v1/storage/s3/objects/eks-info/uploads/', '', false],
  ['GET', '/api/v1/stress/tests/', '', false],
  ['DELETE', '/api/v1/stress/tests/', '', false],
  ['GET', '/efs/files/', '', false],
  ['POST', '/efs/files/', '/delete', true],
  ['GET', '/s3/objects/', '', false],
  ['POST', '/stress/tests/', '/stop', true],
];

export function fuzzCorpus(ctx: CorpusContext): FuzzInput[] {
  const inputs: FuzzInput[] = [];
  const add = (label: string, request: WireRequest) =>
    inputs.push({ label, request, mutates: !['GET', 'HEAD', 'OPTIONS', 'TRACE'].includes(request.method.toUpperCase()) });
  const cookie: [string, string] = ['Cookie', ctx.csrf.cookie];
  const formBody = (fields: Record<string, string>) => new URLSearchParams({ _csrf: ctx.csrf.token, ...fields }).toString();

  // Reads: every page and API read under every hostile header set.
  for (const [label, extra] of headerCases()) {
    for (const target of [...API_READS, '/', '/ebs', '/s3', '/scaling']) add(`${label}: GET ${target}`, { method: 'GET', target, ...extra });
  }
  // Hostile headers on a write, too: the body is valid, so an answer other than a refusal writes.
  for (const [label, extra] of headerCases()) {
    add(`${label}: POST /api/v1/storage/ebs/entries`, {
      method: 'POST',
      target: '/api/v1/storage/ebs/entries',
      body: '{"content": "written under hostile headers"}',
      ...extra,
      headers: [JSON_TYPE, ...(extra.headers ?? [])],
    });
  }
  // Queries.
  for (const [target, params] of QUERIES) {
    for (const p of params) for (const [label, query] of queryValues(p)) add(`${target}?${p}: ${label}`, { method: 'GET', target: `${target}?${query}` });
  }
  for (const target of [...API_READS, ...PAGES]) add(`GET ${target}?<5,000 parameters>`, { method: 'GET', target: `${target}?${'a=1&'.repeat(5_000)}` });
  // Methods nobody serves.
  for (const method of ['PUT', 'PATCH', 'TRACE', 'PROPFIND', 'FOO', 'get', 'OPTIONS', 'HEAD']) {
    for (const target of ['/', '/api/v1/environment', '/api/v1/storage/ebs/entries', '/efs/files']) add(`${method} ${target}`, { method, target });
  }
  // Names and ids in paths.
  for (const [method, prefix, suffix, forms] of PATH_ROUTES) {
    for (const [label, value] of PATH_VALUES) {
      add(`${method} ${prefix}<${label}>${suffix}`, {
        method,
        target: `${prefix}${value}${suffix}`,
        ...(forms ? { headers: [FORM_TYPE, cookie], body: formBody({}) } : {}),
      });
    }
  }
  // Request targets themselves.
  for (const [label, target] of [
    ['an absolute URI', 'http://evil.example/api/v1/environment'],
    ['an asterisk', '*'],
    ['no leading slash', 'api/v1/environment'],
    ['a fragment', '/api/v1/environment#x'],
    ['a URL of 70,000 bytes', `/api/v1/storage/ebs?limit=${'9'.repeat(70_000)}`],
    ['encoded slashes', '/api%2Fv1%2Fenvironment'],
    ['dot segments', '/api/v1/../../../etc/passwd'],
    ['double slashes', '//api//v1//environment'],
    ['a CESU-8 surrogate', '/%ED%A0%80'],
  ] as const)
    add(`target: ${label}`, { method: 'GET', target });

  // JSON mutations: each hostile value in each field, whole bodies of every wrong kind, content types.
  for (const [target, fields, wholeBodies] of JSON_MUTATIONS) {
    for (const f of fields) {
      for (const [label, value] of HOSTILE_VALUES) {
        // Stress: a duration is never valid here, so no fuzz input can start a test.
        const body = target.startsWith('/api/v1/stress/') && f !== 'durationSeconds' ? `{"${f}": ${value}, "durationSeconds": "never"}` : `{"${f}": ${value}}`;
        add(`POST ${target} ${f}: ${label}`, { method: 'POST', target, headers: [JSON_TYPE], body });
      }
    }
    if (!wholeBodies) continue;
    for (const [label, body] of HOSTILE_BODIES) add(`POST ${target}: ${label}`, { method: 'POST', target, headers: [JSON_TYPE], body });
    for (const [label, type, body] of CONTENT_TYPES) add(`POST ${target} as ${label}`, { method: 'POST', target, headers: [['Content-Type', type]], body });
    for (const [label, type, body] of multipartCases(ctx.csrf.token)) {
      add(`POST ${target} multipart: ${label}`, { method: 'POST', target, headers: [['Content-Type', type], cookie], body });
    }
  }
  // Page forms, with the CSRF token so the input reaches validation.
  for (const [target, fields] of FORMS) {
    const valid: Record<string, string> = target.startsWith('/stress/') ? { durationSeconds: 'never' } : {};
    for (const f of fields) {
      for (const [label, value] of [
        ['a CESU-8 surrogate', '%ED%A0%80'],
        ['an encoded NUL', '%00'],
        ['70,000 characters', 'v'.repeat(70_000)],
        ['an array', '[]'],
        ['nested brackets', `${'['.repeat(1_000)}`],
        ['a negative number', '-1'],
        ['a fraction', '0.5'],
      ] as const) {
        // Raw: the value goes in as written (URLSearchParams would encode the percent signs).
        const body = `${formBody(valid)}&${f}=${value}`;
        add(`POST ${target} form ${f}: ${label}`, { method: 'POST', target, headers: [FORM_TYPE, cookie], body });
      }
      add(`POST ${target} form ${f} nested 300 deep`, {
        method: 'POST',
        target,
        headers: [FORM_TYPE, cookie],
        body: `${formBody(valid)}&${f}${'[a]'.repeat(300)}=x`,
      });
      add(`POST ${target} form ${f} repeated`, { method: 'POST', target, headers: [FORM_TYPE, cookie], body: `${formBody(valid)}&${f}=a&${f}=b` });
    }
    add(`POST ${target} form without the token`, { method: 'POST', target, headers: [FORM_TYPE, cookie], body: 'content=x' });
    add(`POST ${target} form with a forged token`, { method: 'POST', target, headers: [FORM_TYPE, cookie], body: '_csrf=forged&content=x' });
    for (const [label, type, body] of multipartCases(ctx.csrf.token))
      add(`POST ${target} multipart: ${label}`, { method: 'POST', target, headers: [['Content-Type', type], cookie], body });
  }
  return inputs;
}
