/**
 * The home page's interruption section against amazon-ec2-metadata-mock over real IMDSv2 HTTP:
 * the mock simulates the spot interruption notice and the rebalance recommendation (at once or
 * after a delay), and answers 404 for both when it simulates neither.
 */
import http from 'node:http';
import net from 'node:net';
import { ImdsClient } from '@eks-info/aws';
import { ImdsErrors, type InterruptionInfo, type Section } from '@eks-info/contracts';
import { MetadataMock, type MetadataMockOptions, freePort, waitFor } from '@eks-info/testing';
import { InterruptionCollector } from './interruption.collector';

jest.setTimeout(40_000);

const SPOT_PATH = '/latest/meta-data/spot/instance-action';
const REBALANCE_PATH = '/latest/meta-data/events/recommendations/rebalance';

function data<T>(section: Section<T>): T {
  if (section.status !== 'ok') throw new Error(`section is ${section.status}: ${section.message}`);
  return section.data;
}

describe('InterruptionCollector against ec2-metadata-mock', () => {
  const mocks: MetadataMock[] = [];
  const start = async (options: MetadataMockOptions) => {
    const mock = await MetadataMock.start(options);
    mocks.push(mock);
    return mock;
  };
  const collector = (mock: MetadataMock, freshTtlMs = 5000) =>
    new InterruptionCollector({ imds: new ImdsClient({ enabled: true, endpoint: mock.endpoint, timeoutMs: 2000, freshTtlMs }) });

  afterAll(async () => {
    await Promise.all(mocks.map((m) => m.stop()));
  });

  it('a spot instance without notices: both paths read, both 404, shown as "none" (a value, not an error)', async () => {
    const mock = await start({ lifecycle: 'spot' });
    const info = data(await collector(mock).interruption());
    expect(info).toMatchObject({ state: 'none', lifecycle: 'spot', spot: null, rebalance: null, maxAgeSeconds: 5 });
    expect(info.summary).toContain('No spot interruption notice');
    await waitFor(() => mock.tokenCheckedGets(SPOT_PATH) > 0 && mock.tokenCheckedGets(REBALANCE_PATH) > 0, { what: 'both notice GETs in the mock log' });
  });

  it('a spot interruption notice (stop) with a rebalance recommendation: the action, the time two minutes ahead, the seconds left', async () => {
    const mock = await start({ lifecycle: 'spot', spotInterruption: { action: 'stop' }, rebalanceRecommendation: {} });
    const before = Date.now();
    const info = data(await collector(mock).interruption());
    expect(info.state).toBe('interruption');
    expect(info.spot?.action).toBe('stop');
    // The mock, like EC2, sets the time two minutes after the request.
    const at = Date.parse(info.spot!.time);
    expect(at - before).toBeGreaterThan(110_000);
    expect(at - before).toBeLessThanOrEqual(121_000);
    expect(info.spot!.secondsLeft).toBeGreaterThan(105);
    expect(info.spot!.secondsLeft).toBeLessThanOrEqual(121);
    expect(Number.isFinite(Date.parse(info.rebalance!.noticeTime))).toBe(true);
    expect(info.summary).toContain('EC2 will stop this instance');
  });

  it('a rebalance recommendation alone', async () => {
    const mock = await start({ lifecycle: 'spot', rebalanceRecommendation: {} });
    const info = data(await collector(mock).interruption());
    expect(info).toMatchObject({ state: 'rebalance', spot: null });
    expect(info.summary).toContain('Rebalance recommendation since');
  });

  it('an on-demand instance: no notice applies, and the notice paths are not read', async () => {
    const mock = await start({ lifecycle: 'on-demand', spotInterruption: {} });
    const info = data(await collector(mock).interruption());
    expect(info).toMatchObject({ state: 'not-spot', lifecycle: 'on-demand', spot: null, rebalance: null });
    expect(info.summary).toContain('do not apply');
    await waitFor(() => mock.requests('instance-life-cycle') > 0, { what: 'the lifecycle GET in the mock log' });
    await new Promise((r) => setTimeout(r, 200));
    expect(mock.tokenCheckedGets(SPOT_PATH)).toBe(0);
  });

  it('stays fresh: a notice that appears later shows within the cache time, and a burst of readers costs one GET', async () => {
    const mock = await start({ lifecycle: 'spot', spotInterruption: { afterSeconds: 3 } });
    const c = collector(mock, 1000);
    expect(data(await c.interruption()).state).toBe('none');

    const burst = await Promise.all(Array.from({ length: 10 }, () => c.interruption()));
    expect(burst.every((s) => data(s).state === 'none')).toBe(true);
    await new Promise((r) => setTimeout(r, 200)); // let the mock's log catch up
    expect(mock.tokenCheckedGets(SPOT_PATH)).toBe(1);

    const seen = await waitFor(
      async () => {
        const info = data(await c.interruption());
        return info.state === 'interruption' ? info : undefined;
      },
      { timeoutMs: 8000, intervalMs: 250, what: 'the delayed spot notice' },
    );
    expect(seen.spot?.action).toBe('terminate');
  });
});

describe('InterruptionCollector when IMDS is not there', () => {
  it('IMDS off (local mode): "not here" with the reason and what to do, without a socket', async () => {
    const imds = new ImdsClient({ enabled: false, offReason: 'outside-kubernetes', endpoint: 'http://127.0.0.1:9', timeoutMs: 500 });
    const section = await new InterruptionCollector({ imds }).interruption();
    expect(section).toMatchObject({
      status: 'unavailable',
      code: ImdsErrors.DISABLED.code,
      message: 'No interruption notices to read: not running on EC2 (IMDS off outside Kubernetes)',
      fix: 'Set IMDS_MODE=on to enable it',
    });
  });

  it('IMDS unreachable (closed port): an error with the hop-limit fix', async () => {
    const port = await freePort();
    const imds = new ImdsClient({ enabled: true, endpoint: `http://127.0.0.1:${port}`, timeoutMs: 500 });
    const section = await new InterruptionCollector({ imds }).interruption();
    expect(section.status).toBe('error');
    if (section.status !== 'error') return;
    expect(section.code).toBe(ImdsErrors.UNREACHABLE.code);
    expect(section.fix).toContain('HttpPutResponseHopLimit');
  });

  it('a notice that is not the documented JSON: an error that says so, not a crash', async () => {
    const server = http.createServer((req, res) => {
      if (req.method === 'PUT') return res.end('token');
      if (req.url === '/latest/meta-data/instance-life-cycle') return res.end('spot');
      if (req.url === SPOT_PATH) return res.end('<html>captive portal</html>');
      res.writeHead(404).end();
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    try {
      const endpoint = `http://127.0.0.1:${(server.address() as net.AddressInfo).port}`;
      const section: Section<InterruptionInfo> = await new InterruptionCollector({
        imds: new ImdsClient({ enabled: true, endpoint, timeoutMs: 1000 }),
      }).interruption();
      expect(section).toMatchObject({ status: 'error', message: expect.stringContaining(`unreadable ${SPOT_PATH}`) });
    } finally {
      await new Promise<void>((resolve) => server.close(() => resolve()));
    }
  });
});
