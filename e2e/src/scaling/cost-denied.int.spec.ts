/**
 * The cost sections when AWS says no, in `npm start`'s single process against the fake API server
 * over HTTPS: the Price List stand-in (through AWS_ENDPOINT_URL_PRICING) denies pricing:GetProducts
 * and moto, with IAM enforced, denies ec2:DescribeSpotPriceHistory to the monitor's key. The
 * section, its JSON twin and the stress timeline name the IAM action and the fix, and no price
 * shows anywhere.
 */
import type { ScalingSnapshot, StressView } from '@eks-info/contracts';
import { FakeKubeApiServer, type LocalApp, MotoServer, PricingStandIn, hasTool, scalingScenario, startLocalApp, waitFor } from '@eks-info/testing';
import { getJson, kubeEnv, tempDir } from './support';

jest.setTimeout(120_000);

const describeWithMoto = hasTool('moto_server') ? describe : describe.skip;

describeWithMoto('cost sections with the price lookups denied', () => {
  let server: FakeKubeApiServer;
  let moto: MotoServer;
  let standIn: PricingStandIn;
  let app: LocalApp;

  beforeAll(async () => {
    const scenario = scalingScenario({ start: new Date(Date.now() - 600_000) });
    [server, moto, standIn] = await Promise.all([
      FakeKubeApiServer.start({ objects: scenario.baseline, karpenter: false }),
      MotoServer.start({ region: 'eu-west-1' }),
      PricingStandIn.start({ prices: [{ instanceType: 'm7g.large', regionCode: 'eu-west-1', usd: '0.0892000000' }] }),
    ]);
    standIn.mode = 'deny';
    const key = await moto.createIamUser('monitor', ['ec2:DescribeInstances']);
    await moto.enforceIam();
    app = await startLocalApp({
      ...kubeEnv(server),
      HISTORY_PATH: tempDir('cost-denied-'),
      LOG_LEVEL: 'warn',
      AWS_REGION: 'eu-west-1',
      AWS_ACCESS_KEY_ID: key.accessKeyId,
      AWS_SECRET_ACCESS_KEY: key.secretAccessKey,
      AWS_ENDPOINT_URL_EC2: moto.endpoint,
      AWS_ENDPOINT_URL_PRICING: standIn.endpoint,
    });
    await waitFor(async () => (await fetch(`${app.url}/ready`)).status === 200, { timeoutMs: 20_000, what: 'the local app to be ready' });
  });

  afterAll(async () => {
    await app?.stop();
    await Promise.all([server?.close(), moto?.stop(), standIn?.stop()]);
  });

  it('the JSON twin: an error naming the IAM action and the fix, no price on any node', async () => {
    const snap = await waitFor(
      async () => {
        const s = (await getJson<ScalingSnapshot>(`${app.url}/api/v1/scaling`)).body;
        return s.cost?.status === 'error' ? s : undefined;
      },
      { timeoutMs: 15_000, what: 'the failed cost section' },
    );
    if (snap.cost?.status !== 'error') throw new Error('expected a failed cost section');
    expect(snap.cost.code).toBe('AWS.ACCESS_DENIED');
    expect(snap.cost.message).toMatch(/^missing permission (pricing:GetProducts|ec2:DescribeSpotPriceHistory)$/);
    expect(snap.cost.fix).toMatch(/^Allow (pricing:GetProducts|ec2:DescribeSpotPriceHistory) in the IAM policy of this service's role/);
    expect(standIn.requests.some((r) => r.target === 'AWSPriceListService.GetProducts' && r.signedRegion === 'us-east-1')).toBe(true);
    if (snap.nodeCards.status !== 'ok') throw new Error(snap.nodeCards.message);
    expect(snap.nodeCards.data.nodes.map((n) => n.usdPerHour)).toEqual([null, null, null]);
  });

  it('the page: the Node cost card is red with the action and the fix, and no $ figure', async () => {
    const html = await (await fetch(`${app.url}/scaling`)).text();
    const card = /<section class="card is-error[^"]*" id="scaling-cost">([\s\S]*?)<\/section>/.exec(html)?.[1];
    expect(card).toBeDefined();
    expect(card).toMatch(/missing permission (pricing:GetProducts|ec2:DescribeSpotPriceHistory)/);
    expect(card).toContain('in the IAM policy of this service');
    expect(card).not.toMatch(/\$\d/);
    expect(html).not.toContain('class="node-price"');
  });

  it('the stress timeline: its cost part names the action too', async () => {
    const view = await waitFor(
      async () => {
        const v = (await getJson<StressView>(`${app.url}/api/v1/stress`)).body;
        return v.timeline.status === 'ok' && v.timeline.data.cost ? v : undefined;
      },
      { timeoutMs: 15_000, what: 'the stress timeline with its cost' },
    );
    if (view.timeline.status !== 'ok') throw new Error(view.timeline.message);
    expect(view.timeline.data.cost).toMatchObject({ status: 'error', code: 'AWS.ACCESS_DENIED' });
    const html = await (await fetch(`${app.url}/stress`)).text();
    expect(/<div class="window-cost" id="stress-cost">[\s\S]*?missing permission/.test(html)).toBe(true);
  });
});

describeWithMoto('cost section outside a cluster without AWS_REGION', () => {
  let server: FakeKubeApiServer;
  let standIn: PricingStandIn;
  let app: LocalApp;

  beforeAll(async () => {
    const scenario = scalingScenario({ start: new Date(Date.now() - 600_000) });
    [server, standIn] = await Promise.all([
      FakeKubeApiServer.start({ objects: scenario.baseline, karpenter: false }),
      PricingStandIn.start({ prices: [{ instanceType: 'm7g.large', regionCode: 'eu-west-1', usd: '0.0892000000' }] }),
    ]);
    app = await startLocalApp({
      ...kubeEnv(server),
      HISTORY_PATH: tempDir('cost-no-region-'),
      LOG_LEVEL: 'warn',
      AWS_REGION: undefined,
      AWS_ACCESS_KEY_ID: 'test',
      AWS_SECRET_ACCESS_KEY: 'test',
      AWS_ENDPOINT_URL_PRICING: standIn.endpoint,
    });
    await waitFor(async () => (await fetch(`${app.url}/ready`)).status === 200, { timeoutMs: 20_000, what: 'the local app to be ready' });
  });

  afterAll(async () => {
    await app?.stop();
    await Promise.all([server?.close(), standIn?.stop()]);
  });

  it('is "not here" naming the action and AWS_REGION, and asks AWS nothing (the nodes\' region is taken only in a cluster)', async () => {
    const snap = await waitFor(
      async () => {
        const s = (await getJson<ScalingSnapshot>(`${app.url}/api/v1/scaling`)).body;
        return s.cost?.status === 'unavailable' ? s : undefined;
      },
      { timeoutMs: 15_000, what: 'the cost section' },
    );
    expect(snap.cost).toMatchObject({ status: 'unavailable', code: 'AWS.NOT_CONFIGURED', message: 'no AWS region for pricing:GetProducts' });
    if (snap.cost?.status === 'unavailable') {
      expect(snap.cost.fix).toContain('AWS_REGION');
      expect(snap.cost.fix).toContain('`npm run demo` serves simulated ones');
    }
    expect(standIn.requests).toEqual([]);
  });
});
