// Node prices over real HTTP: spot prices from moto (which implements DescribeSpotPriceHistory),
// on-demand prices from the Price List stand-in (moto has no Pricing API) through the SDK's
// endpoint setting, IAM denial from moto's IAM enforcement and from the stand-in.
import net from 'node:net';
import { AwsErrors } from '@eks-info/contracts';
import { MotoServer, PricingStandIn } from '@eks-info/testing';
import { AwsClients } from '../clients';
import { NodePrices, type PriceQuery } from './node-prices';
import { PRICING_ACTION, SPOT_PRICE_ACTION } from './price-list';

const base = { requestTimeoutMs: 3000, connectTimeoutMs: 1000, maxAttempts: 1, inKubernetes: false };
const HOUR = 3_600_000;

describe('NodePrices', () => {
  let moto: MotoServer;
  let standIn: PricingStandIn;
  const clients: AwsClients[] = [];

  beforeAll(async () => {
    [moto, standIn] = await Promise.all([
      MotoServer.start({ region: 'eu-west-1' }),
      PricingStandIn.start({
        prices: [
          { instanceType: 'm7g.large', regionCode: 'eu-west-1', usd: '0.0892000000' },
          { instanceType: 'm7g.large', regionCode: 'us-east-1', usd: '0.0816000000' },
          { instanceType: 'c7g.xlarge', regionCode: 'eu-west-1', usd: '0.1598000000' },
        ],
      }),
    ]);
  }, 60_000);

  afterAll(async () => {
    for (const c of clients) c.destroy();
    await Promise.all([moto?.stop(), standIn?.stop()]);
  });

  beforeEach(() => {
    standIn.mode = 'ok';
    standIn.requests.length = 0;
  });

  function makeClients(
    credentials: { accessKeyId: string; secretAccessKey: string } = { accessKeyId: 'test', secretAccessKey: 'test' },
    pricingEndpoint = standIn.endpoint,
  ) {
    const c = new AwsClients({ ...base, region: 'eu-west-1', credentials, endpoints: { ec2: moto.endpoint, pricing: pricingEndpoint } });
    clients.push(c);
    return c;
  }

  function prices(c: AwsClients, now = () => Date.now()) {
    return new NodePrices({ pricing: () => c.pricing, ec2: () => c.ec2, ttlMs: 12 * HOUR, errorTtlMs: 300_000, now });
  }

  const od = (instanceType: string, region = 'eu-west-1'): PriceQuery => ({ instanceType, capacityType: 'on-demand', region, zone: `${region}a` });
  const spot = (instanceType: string, zone: string): PriceQuery => ({ instanceType, capacityType: 'spot', region: 'eu-west-1', zone });

  it('reads the Linux shared-tenancy on-demand price of a type and region from GetProducts, signed for the Pricing region', async () => {
    const p = prices(makeClients());
    expect(await p.ensure([od('m7g.large'), od('m7g.large', 'us-east-1'), od('c7g.xlarge')])).toBe(true);
    // The stand-in lists Windows, dedicated, unused-reservation and SQL variants first: only the documented filters reach the plain Linux price.
    expect(p.get(od('m7g.large'))).toMatchObject({ status: 'ok', usdPerHour: 0.0892, action: PRICING_ACTION });
    expect(p.get(od('m7g.large', 'us-east-1'))).toMatchObject({ status: 'ok', usdPerHour: 0.0816 });
    expect(p.get(od('c7g.xlarge'))).toMatchObject({ status: 'ok', usdPerHour: 0.1598 });
    const first = standIn.requests[0];
    expect(first.target).toBe('AWSPriceListService.GetProducts');
    expect(first.signedRegion).toBe('us-east-1');
    expect(first.body.ServiceCode).toBe('AmazonEC2');
    expect(Object.fromEntries((first.body.Filters ?? []).map((f) => [f.Field, f.Value]))).toEqual(
      expect.objectContaining({ operatingSystem: 'Linux', tenancy: 'Shared', preInstalledSw: 'NA', capacitystatus: 'Used' }),
    );
  });

  it('says so, without a price, when the Price List has none for the type', async () => {
    const p = prices(makeClients());
    await p.ensure([od('x9z.nano')]);
    expect(p.get(od('x9z.nano'))).toMatchObject({ status: 'none', action: PRICING_ACTION });
  });

  it('keeps prices 12 h: a second ensure makes no call, an expired one asks again; concurrent asks share one call', async () => {
    let now = Date.parse('2026-01-01T00:00:00Z');
    const p = prices(makeClients(), () => now);
    await Promise.all([p.ensure([od('m7g.large')]), p.ensure([od('m7g.large')]), p.ensure([od('m7g.large')])]);
    expect(standIn.calls).toBe(1);
    now += 11 * HOUR;
    expect(await p.ensure([od('m7g.large')])).toBe(false);
    expect(standIn.calls).toBe(1);
    now += 2 * HOUR;
    await p.ensure([od('m7g.large')]);
    expect(standIn.calls).toBe(2);
    expect(p.size).toBe(1);
  });

  it('reads the latest spot price per type and zone from moto, and says which zones have none', async () => {
    const p = prices(makeClients());
    expect(await p.ensure([spot('m7g.large', 'eu-west-1a'), spot('m7g.large', 'eu-west-1c'), spot('m7g.large', 'eu-west-1z')])).toBe(true);
    // moto answers with a fixed price of 0.00001 for every offering it knows.
    expect(p.get(spot('m7g.large', 'eu-west-1a'))).toMatchObject({ status: 'ok', usdPerHour: 0.00001, action: SPOT_PRICE_ACTION });
    expect(p.get(spot('m7g.large', 'eu-west-1c'))).toMatchObject({ status: 'ok', usdPerHour: 0.00001 });
    expect(p.get(spot('m7g.large', 'eu-west-1z'))).toMatchObject({ status: 'none', action: SPOT_PRICE_ACTION });
  });

  it('names pricing:GetProducts when the Pricing API denies the call', async () => {
    standIn.mode = 'deny';
    const p = prices(makeClients());
    await p.ensure([od('m7g.large')]);
    const a = p.get(od('m7g.large'));
    expect(a?.status).toBe('error');
    if (a?.status !== 'error') return;
    expect(a.error.code).toBe(AwsErrors.ACCESS_DENIED.code);
    expect(a.error.message).toContain('pricing:GetProducts');
    expect(a.error.fix).toContain('pricing:GetProducts');
  });

  it('names pricing:GetProducts when the Pricing endpoint cannot be reached', async () => {
    const closed = await new Promise<number>((resolve) => {
      const s = net.createServer();
      s.listen(0, '127.0.0.1', () => {
        const port = (s.address() as net.AddressInfo).port;
        s.close(() => resolve(port));
      });
    });
    const p = prices(makeClients(undefined, `http://127.0.0.1:${closed}`));
    await p.ensure([od('m7g.large')]);
    const a = p.get(od('m7g.large'));
    expect(a).toMatchObject({ status: 'error', action: PRICING_ACTION });
    if (a?.status === 'error') expect(a.error.message).toContain('pricing:GetProducts');
  });

  describe('with IAM enforced in moto', () => {
    let denied: { accessKeyId: string; secretAccessKey: string };
    let allowed: { accessKeyId: string; secretAccessKey: string };

    beforeAll(async () => {
      denied = await moto.createIamUser('no-spot', ['ec2:DescribeInstances']);
      allowed = await moto.createIamUser('spot-reader', ['ec2:DescribeSpotPriceHistory']);
      await moto.enforceIam();
    });

    it('names ec2:DescribeSpotPriceHistory when the role lacks it, and reads prices with a role that has it', async () => {
      const no = prices(makeClients(denied));
      await no.ensure([spot('m7g.large', 'eu-west-1a')]);
      const a = no.get(spot('m7g.large', 'eu-west-1a'));
      expect(a?.status).toBe('error');
      if (a?.status === 'error') {
        expect(a.error.code).toBe(AwsErrors.ACCESS_DENIED.code);
        expect(a.error.message).toBe('missing permission ec2:DescribeSpotPriceHistory');
      }
      const yes = prices(makeClients(allowed));
      await yes.ensure([spot('m7g.large', 'eu-west-1a')]);
      expect(yes.get(spot('m7g.large', 'eu-west-1a'))).toMatchObject({ status: 'ok', usdPerHour: 0.00001 });
    });
  });
});
