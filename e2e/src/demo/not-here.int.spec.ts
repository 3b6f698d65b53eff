/**
 * `npm start` outside a cluster: nothing is labelled "simulated" (only `npm run demo` sets
 * SIMULATED_SOURCES), and every section that is "not here" because there is no cluster, no EC2
 * or no AWS keeps its reason and says how `npm run demo` shows it.
 */
import { type LocalApp, startLocalApp } from '@eks-info/testing';

let app: LocalApp;

beforeAll(async () => {
  app = await startLocalApp({ LOG_LEVEL: 'warn' });
});

afterAll(() => app?.stop());

type Json = Record<string, unknown>;
const get = async (path: string): Promise<Json> => {
  const res = await fetch(`${app.url}${path}`, { headers: { accept: 'application/json' } });
  expect(res.status).toBe(200);
  return (await res.json()) as Json;
};
const at = (o: Json, path: string): Json => path.split('.').reduce<Json>((x, k) => x[k] as Json, o);

/** Every key named `simulated` anywhere in an answer. */
function simulatedKeys(o: unknown, path = ''): string[] {
  if (!o || typeof o !== 'object') return [];
  return Object.entries(o).flatMap(([k, v]) => [...(k === 'simulated' ? [`${path}.${k}`] : []), ...simulatedKeys(v, `${path}.${k}`)]);
}

const SECTIONS: Array<[string, string[]]> = [
  ['/api/v1/environment', ['pod', 'cluster', 'node', 'ec2', 'network']],
  ['/api/v1/resources', ['pods', 'services', 'workloads', 'nodes', 'volumes', 'warnings']],
  ['/api/v1/network', ['vpc', 'subnets', 'securityGroups', 'routeTables', 'loadBalancers']],
  ['/api/v1/storage', ['ebs.data.config', 'efs.data.config']],
  ['/api/v1/stress', ['hpa']],
];

describe('npm start', () => {
  it.each(SECTIONS)('%s: no "simulated" label; its not-here sections point to npm run demo', async (path, sections) => {
    const view = await get(path);
    expect(simulatedKeys(view)).toEqual([]);
    for (const name of sections) {
      const section = at(view, name);
      expect([name, section.status]).toEqual([name, 'unavailable']);
      expect(section.message).toBeTruthy();
      expect(section.fix).toMatch(/`npm run demo` (simulates|serves|seeds)/);
    }
  });

  it.each(['/', '/resources', '/network', '/storage', '/stress'])('page %s shows no "simulated" label and the pointer to npm run demo', async (path) => {
    const html = await (await fetch(`${app.url}${path}`)).text();
    expect(html).not.toContain('data-simulated');
    expect(html).toContain('npm run demo');
  });
});
