/**
 * The gateway's built-in security, over real HTTP: headers and CSP, authentication, CSRF and
 * same-origin rules for mutations, body and rate limits, and escaping of stored text.
 */
import { setTimeout as sleep } from 'node:timers/promises';
import { AccessEvents, type AccessRecord, EnvironmentRpc } from '@eks-info/contracts';
import type { ErrorEnvelope } from './http/error-envelope';
import { FakeEnvironmentHandlers, type GatewayHarness, startGateway } from '../test/gateway-harness';

/** The JSON body of a response (an error envelope, or a reply with extra fields). */
const json = (res: Response) => res.json() as Promise<ErrorEnvelope & Record<string, unknown>>;

async function csrfFrom(url: string, headers: Record<string, string> = {}): Promise<{ token: string; cookie: string }> {
  const res = await fetch(`${url}/network`, { headers });
  const html = await res.text();
  const token = html.match(/name="_csrf" value="([^"]+)"/)?.[1];
  const cookie = (res.headers.get('set-cookie') ?? '').split(';')[0];
  if (!token || !cookie) throw new Error('no CSRF token on /network');
  return { token, cookie };
}

describe('gateway security (auth off, as in npm start)', () => {
  let gw: GatewayHarness;
  beforeAll(async () => {
    gw = await startGateway({ MUTATION_RATE_LIMIT_PER_MINUTE: '12', BODY_LIMIT_BYTES: '2048' });
  });
  afterAll(() => gw.close());

  it('sends helmet headers and a CSP that allows no inline script', async () => {
    const res = await fetch(`${gw.url}/`);
    expect(res.status).toBe(200);
    const csp = res.headers.get('content-security-policy') ?? '';
    expect(csp).toContain("script-src 'self'");
    expect(csp).not.toContain('unsafe-inline');
    expect(csp).toContain("frame-ancestors 'none'");
    expect(res.headers.get('x-content-type-options')).toBe('nosniff');
    const html = await res.text();
    expect(html).not.toMatch(/<script(?![^>]*\bsrc=)[^>]*>/); // every script is a file
  });

  it('sends JSON with the API header set: nothing may load or frame it, and no document-only headers', async () => {
    const res = await fetch(`${gw.url}/api/v1/environment`);
    expect(res.status).toBe(200);
    expect(res.headers.get('content-security-policy')).toBe("default-src 'none';frame-ancestors 'none'");
    expect(res.headers.get('x-content-type-options')).toBe('nosniff');
    expect(res.headers.get('x-frame-options')).toBe('DENY');
    expect(res.headers.get('cross-origin-resource-policy')).toBe('same-origin');
    expect(res.headers.get('referrer-policy')).toBe('no-referrer');
    for (const documentOnly of ['origin-agent-cluster', 'x-dns-prefetch-control', 'x-download-options', 'x-xss-protection', 'cross-origin-opener-policy'])
      expect([documentOnly, res.headers.get(documentOnly)]).toEqual([documentOnly, null]);
    // A page keeps the document set.
    expect((await fetch(`${gw.url}/`)).headers.get('origin-agent-cluster')).toBe('?1');
  });

  it('renders stored text escaped, never as HTML', async () => {
    FakeEnvironmentHandlers.overviewText = '<script>alert(1)</script>';
    try {
      // The gateway reuses the overview for up to its maxAgeMs: the page shows the new text after that.
      let html = '';
      for (let i = 0; i < 40 && !html.includes('alert(1)'); i++) {
        if (i) await sleep(50);
        html = await (await fetch(`${gw.url}/`)).text();
      }
      expect(html).toContain('&lt;script&gt;alert(1)&lt;/script&gt;');
      expect(html).not.toContain('<script>alert(1)</script>');
    } finally {
      FakeEnvironmentHandlers.overviewText = 'pod-1';
    }
  });

  it('echoes the request id and puts it in error envelopes', async () => {
    const res = await fetch(`${gw.url}/api/v1/resources`, { headers: { 'x-request-id': 'req_test_42' } });
    expect(res.headers.get('x-request-id')).toBe('req_test_42');
    expect(res.status).toBe(503); // no resources handler on this bus
    const body = await json(res);
    expect(body).toMatchObject({ error: true, code: 'TRANSPORT.UNAVAILABLE', error_type: 'transport_error', request_id: 'req_test_42' });
    expect(body.message).toContain('environment');
    expect(body.fix).toBeTruthy();
  });

  it("runs the service's handler under the request's id, for a read and for a write with a body", async () => {
    // Past the overview's maxAgeMs (and any refresh an earlier test's view started), the read asks the service again.
    await sleep(EnvironmentRpc.overview.maxAgeMs + 200);
    FakeEnvironmentHandlers.requestIds = [];
    await (await fetch(`${gw.url}/api/v1/environment`, { headers: { 'x-request-id': 'req_ctx_read' } })).arrayBuffer();
    const write = await fetch(`${gw.url}/api/v1/network/refresh`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'x-request-id': 'req_ctx_write' },
      body: '{}',
    });
    expect(write.status).toBe(200);
    expect(FakeEnvironmentHandlers.requestIds).toEqual(['req_ctx_read', 'req_ctx_write']);
  });

  it('refuses a JSON mutation from another origin', async () => {
    const res = await fetch(`${gw.url}/api/v1/network/refresh`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', origin: 'https://evil.example' },
      body: '{}',
    });
    expect(res.status).toBe(403);
    expect((await json(res)).code).toBe('COMMON.FORBIDDEN');
  });

  it('trusts Sec-Fetch-Site over an opaque Origin, both ways', async () => {
    const post = (headers: Record<string, string>) =>
      fetch(`${gw.url}/api/v1/network/refresh`, { method: 'POST', headers: { 'content-type': 'application/json', ...headers }, body: '{}' });
    expect((await post({ origin: 'null', 'sec-fetch-site': 'same-origin' })).status).toBe(200);
    expect((await post({ origin: gw.url, 'sec-fetch-site': 'cross-site' })).status).toBe(403);
    expect((await post({ origin: 'null' })).status).toBe(403);
  });

  it('refuses a mutation with a body that is neither JSON nor a form', async () => {
    const res = await fetch(`${gw.url}/api/v1/network/refresh`, { method: 'POST', headers: { 'content-type': 'text/plain' }, body: 'x' });
    expect(res.status).toBe(415);
  });

  it('accepts a same-origin JSON mutation', async () => {
    const before = FakeEnvironmentHandlers.refreshes;
    const res = await fetch(`${gw.url}/api/v1/network/refresh`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', origin: gw.url },
      body: '{}',
    });
    expect(res.status).toBe(200);
    expect(await json(res)).toMatchObject({ cleared: 3, servedBy: { service: 'environment' } });
    expect(FakeEnvironmentHandlers.refreshes).toBe(before + 1);
  });

  it('requires the CSRF token on a form post, and accepts it', async () => {
    const before = FakeEnvironmentHandlers.refreshes;
    const missing = await fetch(`${gw.url}/network/refresh`, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: '',
      redirect: 'manual',
    });
    expect(missing.status).toBe(403);
    const { token, cookie } = await csrfFrom(gw.url);
    const forged = await fetch(`${gw.url}/network/refresh`, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded', cookie },
      body: '_csrf=not-the-token',
      redirect: 'manual',
    });
    expect(forged.status).toBe(403);
    expect(FakeEnvironmentHandlers.refreshes).toBe(before);
    const good = await fetch(`${gw.url}/network/refresh`, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded', cookie },
      body: `_csrf=${encodeURIComponent(token)}`,
      redirect: 'manual',
    });
    expect(good.status).toBe(303);
    expect(good.headers.get('location')).toBe('/network');
    expect(FakeEnvironmentHandlers.refreshes).toBe(before + 1);
  });

  it('answers 413 with the envelope when the body is over the limit', async () => {
    const res = await fetch(`${gw.url}/api/v1/network/refresh`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ pad: 'x'.repeat(4096) }),
    });
    expect(res.status).toBe(413);
    expect((await json(res)).code).toBe('COMMON.PAYLOAD_TOO_LARGE');
  });

  it('rate-limits mutations per client (429) but never reads', async () => {
    const post = () =>
      fetch(`${gw.url}/api/v1/network/refresh`, { method: 'POST', headers: { 'content-type': 'application/json', 'x-forwarded-for': '1.2.3.4' }, body: '{}' });
    const statuses: number[] = [];
    for (let i = 0; i < 14; i++) statuses.push((await post()).status);
    expect(statuses).toContain(429);
    const limited = await post();
    expect(limited.status).toBe(429);
    expect((await json(limited)).code).toBe('COMMON.RATE_LIMITED');
    for (let i = 0; i < 10; i++) expect((await fetch(`${gw.url}/health`)).status).toBe(200);
  });

  it('emits an access event for page and API requests, not for probes or assets', async () => {
    await new Promise((r) => setTimeout(r, 250)); // earlier tests' records go out first
    const seen: AccessRecord[] = [];
    const off = gw.runtime.bus.subscribe(AccessEvents.batch, (b) => void seen.push(...b.records));
    await fetch(`${gw.url}/resources?x=1`, { headers: { 'user-agent': 'jest-probe' } });
    await fetch(`${gw.url}/health`);
    await fetch(`${gw.url}/static/css/app.css`);
    await new Promise((r) => setTimeout(r, 250));
    off();
    expect(seen.map((r) => r.request_path)).toEqual(['/resources']);
    expect(seen[0]).toMatchObject({ request_method: 'GET', response_status: 200, user_agent: 'jest-probe', pod_name: 'gateway-test' });
    expect(typeof seen[0].response_time_ms).toBe('number');
  });

  it('batches access records: one bus message per 100 ms or 500 records, every record once', async () => {
    const batches: number[] = [];
    const paths: string[] = [];
    const off = gw.runtime.bus.subscribe(AccessEvents.batch, (b) => {
      batches.push(b.records.length);
      paths.push(...b.records.map((r) => r.request_path));
    });
    await Promise.all(Array.from({ length: 40 }, (_, i) => fetch(`${gw.url}/api/v1/nope-${i}`)));
    await new Promise((r) => setTimeout(r, 250));
    off();
    expect(paths.sort()).toEqual(Array.from({ length: 40 }, (_, i) => `/api/v1/nope-${i}`).sort());
    expect(batches.length).toBeLessThanOrEqual(4); // 40 views in well under 100 ms each burst
    expect(Math.max(...batches)).toBeGreaterThan(1);
  });

  it('sends the queued access records when the gateway shuts down cleanly', async () => {
    const other = await startGateway({});
    const seen: AccessRecord[] = [];
    const off = other.runtime.bus.subscribe(AccessEvents.batch, (b) => void seen.push(...b.records));
    await fetch(`${other.url}/api/v1/queued-at-close`);
    // Closed within the batch window: only the shutdown flush can have sent it.
    await other.close();
    await new Promise((r) => setTimeout(r, 50));
    off();
    expect(seen.map((r) => r.request_path)).toEqual(['/api/v1/queued-at-close']);
  });

  it('shows a section error, not an error page, when a service is down', async () => {
    const res = await fetch(`${gw.url}/resources`);
    expect(res.status).toBe(200);
    const html = await res.text();
    expect(html).toContain('The environment service is unavailable');
    expect(html).toContain('What to do:');
    expect(html).toContain('<nav'); // the rest of the page is there
  });

  it('answers unknown API routes with a 404 envelope and unknown pages with an HTML page', async () => {
    const api = await fetch(`${gw.url}/api/v1/nope`);
    expect(api.status).toBe(404);
    expect((await json(api)).code).toBe('COMMON.NOT_FOUND');
    const page = await fetch(`${gw.url}/nope`, { headers: { accept: 'text/html' } });
    expect(page.status).toBe(404);
    expect(await page.text()).toContain('COMMON.NOT_FOUND');
  });
});

describe('gateway security (basic auth, as the Helm chart deploys it)', () => {
  let gw: GatewayHarness;
  const auth = (user: string, pass: string) => ({ authorization: `Basic ${Buffer.from(`${user}:${pass}`).toString('base64')}` });
  beforeAll(async () => {
    gw = await startGateway({ AUTH_MODE: 'basic', AUTH_USERNAME: 'admin', AUTH_PASSWORD: 's3cret-pass' });
  });
  afterAll(() => gw.close());

  it('asks for credentials on pages and the API', async () => {
    for (const path of ['/', '/api/v1/environment', '/metrics']) {
      const res = await fetch(`${gw.url}${path}`);
      expect(res.status).toBe(401);
      expect(res.headers.get('www-authenticate')).toContain('Basic');
    }
  });

  it('refuses a wrong password and accepts the right one', async () => {
    expect((await fetch(`${gw.url}/`, { headers: auth('admin', 'wrong') })).status).toBe(401);
    const res = await fetch(`${gw.url}/`, { headers: auth('admin', 's3cret-pass') });
    expect(res.status).toBe(200);
    expect(await res.text()).toContain('admin'); // signed-in user shown
  });

  it('keeps probes and static assets open for kubelets and load balancers', async () => {
    expect((await fetch(`${gw.url}/health`)).status).toBe(200);
    expect((await fetch(`${gw.url}/ready`)).status).toBe(200);
    expect((await fetch(`${gw.url}/static/css/app.css`)).status).toBe(200);
  });
});

describe('gateway configuration', () => {
  it('refuses basic auth without a password, naming the variable', async () => {
    await expect(startGateway({ AUTH_MODE: 'basic' })).rejects.toThrow(/AUTH_PASSWORD is required when AUTH_MODE=basic/);
  });
});
