import { API_ROUTES } from './api.catalogue';
import { type GatewayHarness, startGateway } from '../../test/gateway-harness';

/**
 * The API catalogue (which the README's JSON API table is generated from) against the routes the
 * gateway really registers: a route added without documenting it, or documented and gone, fails.
 */
describe('the JSON API catalogue', () => {
  let gw: GatewayHarness;
  beforeAll(async () => {
    gw = await startGateway({});
  });
  afterAll(() => gw?.close());

  const key = (r: { method: string; url: string }) => `${r.method} ${r.url}`;

  it('lists exactly the /api/v1 routes the gateway serves', () => {
    const served = gw.routes.filter((r) => r.url.startsWith('/api/v1/') && r.method !== 'HEAD' && r.method !== 'OPTIONS').map(key);
    const documented = API_ROUTES.map((r) => key({ method: r.method, url: r.path }));
    expect([...new Set(served)].sort()).toEqual([...documented].sort());
  });

  it('gives every body and query route the schema its input is parsed with', () => {
    for (const route of API_ROUTES) {
      if (route.method !== 'GET' && route.input) expect(['body', 'path']).toContain(route.input.in);
    }
    expect(API_ROUTES.filter((r) => r.method === 'POST' && /cpu|memory|load|entries|files|objects/.test(r.path)).every((r) => r.input)).toBe(true);
  });
});
