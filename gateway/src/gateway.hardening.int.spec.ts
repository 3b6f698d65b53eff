/**
 * What a security review and the fault probes found, over real HTTP: forwarded-address spoofing
 * with the chart's TRUST_PROXY, malformed bodies that must be a 400 before any service call,
 * failed sign-ins, stream caps, DNS rebinding, bounded access records and read limits, and a
 * started test's URL that resolves at once.
 */
import http from 'node:http';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { Controller, Module } from '@nestjs/common';
import { Payload } from '@nestjs/microservices';
import { parse } from 'yaml';
import { AccessEvents, type AccessRecord, type StartTestReply, type StartTestRequest, StressRpc } from '@eks-info/contracts';
import { OnRequest } from '@eks-info/platform';
import { repoRoot } from '@eks-info/testing';
import type { ErrorEnvelope } from './http/error-envelope';
import { type GatewayHarness, startGateway } from '../test/gateway-harness';

jest.setTimeout(60_000);

const json = (res: Response) => res.json() as Promise<ErrorEnvelope & Record<string, unknown>>;

/** The chart's default TRUST_PROXY, read from the chart itself so the test follows it. */
function chartTrustProxy(): string {
  const values = parse(readFileSync(path.join(repoRoot, 'helm/eks-info/values.yaml'), 'utf8')) as { gateway: { trustProxy: unknown } };
  return String(values.gateway.trustProxy);
}

/** A POST from a chosen loopback source address (an "ALB" in the trusted range, or a direct client). */
function postFrom(url: string, localAddress: string, headers: Record<string, string>, body = '{}'): Promise<number> {
  return new Promise((resolve, reject) => {
    const req = http.request(
      `${url}/api/v1/network/refresh`,
      { method: 'POST', localAddress, headers: { 'content-type': 'application/json', ...headers } },
      (res) => {
        res.resume();
        res.on('end', () => resolve(res.statusCode ?? 0));
      },
    );
    req.on('error', reject);
    req.end(body);
  });
}

function accessRecords(gw: GatewayHarness): { seen: AccessRecord[]; off: () => void } {
  const seen: AccessRecord[] = [];
  const off = gw.runtime.bus.subscribe(AccessEvents.batch, (b) => void seen.push(...b.records));
  return { seen, off };
}

// Access records go out in batches after at most 100 ms.
const settle = () => new Promise((r) => setTimeout(r, 250));

describe('forwarded addresses under the chart default TRUST_PROXY', () => {
  let gw: GatewayHarness;
  let alb: GatewayHarness;
  beforeAll(async () => {
    gw = await startGateway({ TRUST_PROXY: chartTrustProxy(), MUTATION_RATE_LIMIT_PER_MINUTE: '5' });
    // The same default plus 127.0.0.2 standing in for the ALB's address range.
    alb = await startGateway({ TRUST_PROXY: `${chartTrustProxy()},127.0.0.2/32`, MUTATION_RATE_LIMIT_PER_MINUTE: '5' });
  });
  afterAll(async () => {
    await gw?.close();
    await alb?.close();
  });

  it('does not let a client that rotates X-Forwarded-For escape the rate limit or pick its logged address', async () => {
    const { seen, off } = accessRecords(gw);
    const statuses: number[] = [];
    for (let i = 0; i < 12; i++) statuses.push(await postFrom(gw.url, '127.0.0.1', { 'x-forwarded-for': `198.51.100.${i}`, origin: gw.url }));
    await settle();
    off();
    expect(statuses.filter((s) => s === 200)).toHaveLength(5);
    expect(statuses.filter((s) => s === 429)).toHaveLength(7);
    expect(new Set(seen.map((r) => r.client_ip))).toEqual(new Set(['127.0.0.1']));
  });

  it('behind the ALB, uses the address the ALB appended and ignores what the client forged to its left', async () => {
    const { seen, off } = accessRecords(alb);
    const statuses: number[] = [];
    // ALB style: the client's own X-Forwarded-For value, then the client address the ALB saw.
    for (let i = 0; i < 12; i++) statuses.push(await postFrom(alb.url, '127.0.0.2', { 'x-forwarded-for': `198.51.100.${i}, 203.0.113.7`, origin: alb.url }));
    const other = await postFrom(alb.url, '127.0.0.2', { 'x-forwarded-for': '203.0.113.8', origin: alb.url });
    await settle();
    off();
    expect(statuses.filter((s) => s === 200)).toHaveLength(5);
    expect(other).toBe(200); // another real client has its own budget
    expect(new Set(seen.map((r) => r.client_ip))).toEqual(new Set(['203.0.113.7', '203.0.113.8']));
  });

  it('refuses TRUST_PROXY=true at start-up, naming the variable', async () => {
    await expect(startGateway({ TRUST_PROXY: 'true' })).rejects.toThrow(/TRUST_PROXY/);
  });
});

describe('malformed input is a 400 with a code, before any service is called', () => {
  let gw: GatewayHarness;
  beforeAll(async () => {
    // No storage or stress service on this bus: a request that got through would be a 503.
    gw = await startGateway({ MUTATION_RATE_LIMIT_PER_MINUTE: '100000' });
  });
  afterAll(() => gw?.close());

  const post = (route: string, contentType: string, body: string, extra: Record<string, string> = {}) =>
    fetch(`${gw.url}${route}`, { method: 'POST', headers: { 'content-type': contentType, origin: gw.url, ...extra }, body });

  const apiRoutes = [
    '/api/v1/storage/ebs/entries',
    '/api/v1/storage/efs/files',
    '/api/v1/storage/s3/objects',
    '/api/v1/stress/cpu',
    '/api/v1/stress/memory',
    '/api/v1/stress/load',
  ];

  it.each(apiRoutes)('multipart without a boundary on %s', async (route) => {
    const res = await post(route, 'multipart/form-data', 'x');
    expect(res.status).toBe(400);
    expect(await json(res)).toMatchObject({ error: true, code: 'COMMON.VALIDATION', message: expect.stringMatching(/multipart/i) });
  });

  it.each(apiRoutes)('a truncated multipart body on %s', async (route) => {
    const body = '--XX\r\nContent-Disposition: form-data; name="file"; filename="a.txt"\r\nContent-Type: text/plain\r\n\r\nabc';
    const res = await post(route, 'multipart/form-data; boundary=XX', body);
    expect([400, 403]).toContain(res.status); // 403 when the CSRF check runs first on a form route
    expect(res.status).not.toBeGreaterThanOrEqual(500);
  });

  const deep = (n: number) => '['.repeat(n) + ']'.repeat(n);

  it.each([
    ['/api/v1/storage/efs/files', `{"content":${deep(5000)}}`, 'STORAGE.INVALID'],
    ['/api/v1/storage/ebs/entries', `{"content":${deep(5000)}}`, 'STORAGE.INVALID'],
    ['/api/v1/storage/s3/objects', `{"content":${deep(5000)}}`, 'STORAGE.INVALID'],
    ['/api/v1/stress/cpu', `{"durationSeconds":10,"intensity":5,"target":${deep(5000)}}`, 'STRESS.INVALID'],
  ])('JSON nested 5,000 deep on %s', async (route, body, code) => {
    const res = await post(route, 'application/json', body);
    expect(res.status).toBe(400);
    const envelope = await json(res);
    expect(envelope.code).toBe(code);
    expect(JSON.stringify(envelope)).not.toMatch(/storage\.|stress\.|Bad JSON/); // no subject, no codec error
  });

  it('names each bad field of a JSON body', async () => {
    const res = await post('/api/v1/stress/cpu', 'application/json', JSON.stringify({ durationSeconds: 'soon', intensity: 500, target: 'some' }));
    expect(res.status).toBe(400);
    const envelope = await json(res);
    expect(envelope.fields?.map((f) => f.field).sort()).toEqual(['durationSeconds', 'intensity', 'target']);
  });

  it('refuses a non-string content with the field named', async () => {
    const res = await post('/api/v1/storage/efs/files', 'application/json', JSON.stringify({ content: { $gt: '' } }));
    expect(res.status).toBe(400);
    expect(await json(res)).toMatchObject({ code: 'STORAGE.INVALID', fields: [{ field: 'content', problem: 'must be a string' }] });
  });
});

describe('failed sign-ins and live streams are bounded per client', () => {
  let gw: GatewayHarness;
  const auth = (pass: string) => ({ authorization: `Basic ${Buffer.from(`admin:${pass}`).toString('base64')}` });
  beforeAll(async () => {
    gw = await startGateway({ AUTH_MODE: 'basic', AUTH_PASSWORD: 's3cret-pass', AUTH_FAILURES_PER_MINUTE: '10' });
  });
  afterAll(() => gw?.close());

  it('answers 429 after 10 wrong passwords, even for the right one, while other probes stay open', async () => {
    const statuses: number[] = [];
    for (let i = 0; i < 15; i++) statuses.push((await fetch(`${gw.url}/`, { headers: auth(`guess-${i}`) })).status);
    expect(statuses.slice(0, 10)).toEqual(Array(10).fill(401));
    expect(statuses.slice(10)).toEqual(Array(5).fill(429));
    const right = await fetch(`${gw.url}/`, { headers: auth('s3cret-pass') });
    expect(right.status).toBe(429);
    expect(Number(right.headers.get('retry-after'))).toBeGreaterThan(0);
    expect((await fetch(`${gw.url}/health`)).status).toBe(200);
  });

  it('caps the live stress stream per client with a 429', async () => {
    const other = await startGateway({});
    const controllers: AbortController[] = [];
    try {
      const statuses: number[] = [];
      for (let i = 0; i < 10; i++) {
        const c = new AbortController();
        controllers.push(c);
        statuses.push((await fetch(`${other.url}/api/v1/stream/stress`, { signal: c.signal })).status);
      }
      expect(statuses.filter((s) => s === 200)).toHaveLength(8);
      expect(statuses.slice(8)).toEqual([429, 429]);
      // A closed stream frees its slot.
      controllers[0].abort();
      await settle();
      const again = new AbortController();
      controllers.push(again);
      expect((await fetch(`${other.url}/api/v1/stream/stress`, { signal: again.signal })).status).toBe(200);
    } finally {
      for (const c of controllers) c.abort();
      await other.close();
    }
  });
});

describe('host allowlist (DNS rebinding)', () => {
  let gw: GatewayHarness;
  beforeAll(async () => {
    gw = await startGateway({});
  });
  afterAll(() => gw?.close());

  const get = (pathname: string, host: string, extra: Record<string, string> = {}) =>
    new Promise<number>((resolve, reject) => {
      const req = http.request(`${gw.url}${pathname}`, { headers: { host, ...extra } }, (res) => {
        res.resume();
        resolve(res.statusCode ?? 0);
      });
      req.on('error', reject);
      req.end();
    });

  it('refuses a foreign Host even with a matching Origin, and serves the loopback names', async () => {
    const port = new URL(gw.url).port;
    expect(await get('/api/v1/environment', `rebind.example:${port}`, { origin: `http://rebind.example:${port}` })).toBe(403);
    expect(await get('/', `localhost:${port}`)).toBe(200);
    expect(await get('/', `127.0.0.1:${port}`)).toBe(200);
    expect(await get('/', `[::1]:${port}`)).toBe(200);
  });

  it('keeps probes open for kubelets, which send the pod IP as Host', async () => {
    expect(await get('/health', '10.0.3.17:8080')).toBe(200);
    expect(await get('/ready', '10.0.3.17:8080')).toBe(200);
  });
});

describe('access records and reads are bounded', () => {
  let gw: GatewayHarness;
  beforeAll(async () => {
    gw = await startGateway({ READ_RATE_LIMIT_PER_MINUTE: '20' });
  });
  afterAll(() => gw?.close());

  it('bounds the user agent and path a client chooses', async () => {
    const { seen, off } = accessRecords(gw);
    await fetch(`${gw.url}/${'p'.repeat(5000)}`, { headers: { 'user-agent': 'u'.repeat(10_000) } });
    await settle();
    off();
    expect(seen).toHaveLength(1);
    expect(seen[0].user_agent.length).toBeLessThanOrEqual(256);
    expect(seen[0].request_path.length).toBeLessThanOrEqual(512);
    expect(seen[0].request_path.startsWith('/ppp')).toBe(true);
  });

  it('limits page and API reads per client, but never probes or assets', async () => {
    const statuses: number[] = [];
    for (let i = 0; i < 25; i++) statuses.push((await fetch(`${gw.url}/api/v1/environment`)).status);
    expect(statuses).toContain(429);
    expect(statuses.filter((s) => s !== 429).length).toBeLessThanOrEqual(20);
    for (let i = 0; i < 30; i++) expect((await fetch(`${gw.url}/health`)).status).toBe(200);
    expect((await fetch(`${gw.url}/static/css/app.css`)).status).toBe(200);
  });
});

@Controller()
class QuietStressPod {
  static starts = 0;

  /** Accepts a test and never sends a heartbeat: only the gateway's own memory can answer the Location. */
  @OnRequest(StressRpc.start)
  start(@Payload() request: StartTestRequest): Omit<StartTestReply, 'servedBy'> {
    QuietStressPod.starts++;
    return {
      duplicate: false,
      test: {
        id: request.testId,
        kind: request.spec.kind,
        state: 'running',
        pod: 'stress-quiet',
        node: 'node-a',
        startedAt: new Date().toISOString(),
        endsAt: new Date(Date.now() + request.spec.durationSeconds * 1000).toISOString(),
        finishedAt: null,
        durationSeconds: request.spec.durationSeconds,
        elapsedSeconds: 0,
        progress: 0,
        adjustments: [],
        endReason: null,
      },
    };
  }
}

@Module({ controllers: [QuietStressPod] })
class QuietStressModule {}

describe('a started test', () => {
  let gw: GatewayHarness;
  beforeAll(async () => {
    gw = await startGateway({}, { modules: [QuietStressModule] });
  });
  afterAll(() => gw?.close());

  it('resolves at its Location right after the 201, before any heartbeat', async () => {
    const res = await fetch(`${gw.url}/api/v1/stress/cpu`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', origin: gw.url },
      body: JSON.stringify({ durationSeconds: 30, intensity: 10, testId: 'cpu-located-1' }),
    });
    expect(res.status).toBe(201);
    const location = res.headers.get('location');
    expect(location).toBe('/api/v1/stress/tests/cpu-located-1');
    const started = Date.now();
    const test = await fetch(`${gw.url}${location}`);
    expect(test.status).toBe(200);
    expect(Date.now() - started).toBeLessThan(500);
    expect(await test.json()).toMatchObject({ id: 'cpu-located-1', tests: [{ id: 'cpu-located-1', state: 'running', pod: 'stress-quiet' }] });
    expect(QuietStressPod.starts).toBe(1);
  });

  it('still answers 404 for an id nobody started, after waiting a heartbeat', async () => {
    const res = await fetch(`${gw.url}/api/v1/stress/tests/cpu-nobody-1`);
    expect(res.status).toBe(404);
  });
});
