import http from 'node:http';
import type net from 'node:net';

/** A Linux on-demand price the stand-in serves: one instance type in one region. */
export interface StandInPrice {
  instanceType: string;
  regionCode: string;
  /** As the Price List writes it, e.g. "0.0816000000". */
  usd: string;
}

/** One GetProducts request as the stand-in received it. */
export interface StandInRequest {
  target: string;
  /** The region in the request's signature scope (the Pricing API's own region). */
  signedRegion: string | null;
  body: {
    ServiceCode?: string;
    FormatVersion?: string;
    Filters?: Array<{ Type: string; Field: string; Value: string }>;
    NextToken?: string;
    MaxResults?: number;
  };
}

export interface PricingStandInOptions {
  prices: StandInPrice[];
  /** Products per page (the real API pages at MaxResults, up to 100). */
  pageSize?: number;
}

/** How the stand-in answers: normally, as IAM denying the call, or as a broken endpoint. */
export type StandInMode = 'ok' | 'deny' | 'fail';

/** Region code → the `location` attribute the Price List uses for it (a few, for realism). */
const LOCATIONS: Record<string, string> = {
  'us-east-1': 'US East (N. Virginia)',
  'eu-west-1': 'EU (Ireland)',
  'eu-central-1': 'EU (Frankfurt)',
  'ap-south-1': 'Asia Pacific (Mumbai)',
};

/**
 * A local HTTP stand-in for the AWS Price List Query API (moto has none), reached through the
 * SDK's endpoint setting: it speaks the API's JSON 1.1 protocol (`X-Amz-Target:
 * AWSPriceListService.GetProducts`) and answers with PriceList entries in the documented Price
 * List format — a JSON document per product, as a string, with its attributes and its
 * `terms.OnDemand.<offer>.priceDimensions.<rate>.pricePerUnit.USD`
 * (https://docs.aws.amazon.com/aws-cost-management/latest/APIReference/API_pricing_GetProducts.html).
 * Filters are applied as TERM_MATCH on the attributes. For every price it also holds the
 * variants a real region has (Windows, dedicated tenancy, unused reservations, SQL Server
 * pre-installed) at other prices, listed first, so a caller that forgets a filter gets a wrong
 * answer, as it would from AWS.
 */
export class PricingStandIn {
  readonly requests: StandInRequest[] = [];
  mode: StandInMode = 'ok';

  private constructor(
    private readonly server: http.Server,
    private readonly products: Array<{ attributes: Record<string, string>; json: string }>,
    private readonly pageSize: number,
  ) {}

  static async start(options: PricingStandInOptions): Promise<PricingStandIn> {
    const products: Array<{ attributes: Record<string, string>; json: string }> = [];
    let sku = 0;
    for (const p of options.prices) {
      const base = {
        servicecode: 'AmazonEC2',
        instanceType: p.instanceType,
        regionCode: p.regionCode,
        location: LOCATIONS[p.regionCode] ?? p.regionCode,
        operatingSystem: 'Linux',
        tenancy: 'Shared',
        preInstalledSw: 'NA',
        capacitystatus: 'Used',
        licenseModel: 'No License required',
        marketoption: 'OnDemand',
      };
      const usd = Number(p.usd);
      // Decoys first: what a query without the right filters would pick up.
      const variants: Array<[Record<string, string>, number]> = [
        [{ ...base, operatingSystem: 'Windows' }, usd * 1.9],
        [{ ...base, tenancy: 'Dedicated' }, usd * 1.1],
        [{ ...base, capacitystatus: 'UnusedCapacityReservation' }, usd * 1.3],
        [{ ...base, preInstalledSw: 'SQL Std' }, usd * 3.7],
        [base, usd],
      ];
      for (const [attributes, price] of variants) {
        const id = `STANDIN${String(++sku).padStart(8, '0')}`;
        const text = attributes === base ? p.usd : price.toFixed(10);
        products.push({ attributes, json: JSON.stringify(priceListEntry(id, attributes, text)) });
      }
    }
    const standIn = new PricingStandIn(http.createServer(), products, options.pageSize ?? 100);
    standIn.server.on('request', (req, res) => standIn.handle(req, res));
    await new Promise<void>((resolve) => standIn.server.listen(0, '127.0.0.1', resolve));
    return standIn;
  }

  get endpoint(): string {
    return `http://127.0.0.1:${(this.server.address() as net.AddressInfo).port}`;
  }

  /** GetProducts calls received (pages included). */
  get calls(): number {
    return this.requests.filter((r) => r.target.endsWith('.GetProducts')).length;
  }

  async stop(): Promise<void> {
    await new Promise<void>((resolve) => {
      this.server.closeAllConnections();
      this.server.close(() => resolve());
    });
  }

  private handle(req: http.IncomingMessage, res: http.ServerResponse): void {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const target = String(req.headers['x-amz-target'] ?? '');
      const signedRegion = /Credential=[^/]+\/\d{8}\/([^/]+)\/pricing\/aws4_request/.exec(String(req.headers.authorization ?? ''))?.[1] ?? null;
      let body: StandInRequest['body'] = {};
      try {
        body = JSON.parse(Buffer.concat(chunks).toString('utf8') || '{}') as StandInRequest['body'];
      } catch {
        return send(res, 400, { __type: 'SerializationException', Message: 'request body is not JSON' });
      }
      this.requests.push({ target, signedRegion, body });
      if (this.mode === 'fail') return send(res, 500, { __type: 'InternalErrorException', Message: 'stand-in told to fail' });
      if (this.mode === 'deny')
        return send(res, 400, {
          __type: 'AccessDeniedException',
          Message: 'User: arn:aws:sts::123456789012:assumed-role/scaling-monitor/x is not authorized to perform: pricing:GetProducts',
        });
      if (target !== 'AWSPriceListService.GetProducts') return send(res, 400, { __type: 'UnknownOperationException', Message: `not served here: ${target}` });
      if (body.ServiceCode !== 'AmazonEC2') return send(res, 200, { FormatVersion: 'aws_v1', PriceList: [] });
      const matched = this.products.filter((p) =>
        (body.Filters ?? []).every((f) => f.Type !== 'TERM_MATCH' || (p.attributes[f.Field] ?? '').toLowerCase() === String(f.Value).toLowerCase()),
      );
      const size = Math.min(body.MaxResults ?? this.pageSize, this.pageSize);
      const start = body.NextToken ? Number(body.NextToken) : 0;
      const page = matched.slice(start, start + size);
      const next = start + size < matched.length ? String(start + size) : undefined;
      send(res, 200, { FormatVersion: 'aws_v1', PriceList: page.map((p) => p.json), ...(next ? { NextToken: next } : {}) });
    });
  }
}

function send(res: http.ServerResponse, status: number, body: unknown): void {
  const text = JSON.stringify(body);
  res.writeHead(status, {
    'content-type': 'application/x-amz-json-1.1',
    'content-length': Buffer.byteLength(text),
    'x-amzn-requestid': `standin-${Date.now().toString(36)}`,
  });
  res.end(text);
}

/** One product in the Price List format (attributes, an on-demand and a reserved term). */
function priceListEntry(sku: string, attributes: Record<string, string>, usd: string) {
  const od = `${sku}.JRTCKXETXF`;
  const ri = `${sku}.4NA7Y494T4`;
  return {
    product: { productFamily: 'Compute Instance', attributes, sku },
    serviceCode: 'AmazonEC2',
    terms: {
      Reserved: {
        [ri]: {
          priceDimensions: {
            [`${ri}.6YS6EN2CT7`]: {
              unit: 'Hrs',
              endRange: 'Inf',
              description: 'Reserved 1 yr no upfront',
              appliesTo: [],
              rateCode: `${ri}.6YS6EN2CT7`,
              beginRange: '0',
              pricePerUnit: { USD: (Number(usd) * 0.62).toFixed(10) },
            },
          },
          sku,
          effectiveDate: '2025-11-01T00:00:00Z',
          offerTermCode: '4NA7Y494T4',
          termAttributes: { LeaseContractLength: '1yr', OfferingClass: 'standard', PurchaseOption: 'No Upfront' },
        },
      },
      OnDemand: {
        [od]: {
          priceDimensions: {
            [`${od}.6YS6EN2CT7`]: {
              unit: 'Hrs',
              endRange: 'Inf',
              description: `$${Number(usd)} per On Demand ${attributes.operatingSystem} ${attributes.instanceType} Instance Hour`,
              appliesTo: [],
              rateCode: `${od}.6YS6EN2CT7`,
              beginRange: '0',
              pricePerUnit: { USD: usd },
            },
          },
          sku,
          effectiveDate: '2025-11-01T00:00:00Z',
          offerTermCode: 'JRTCKXETXF',
          termAttributes: {},
        },
      },
    },
    version: '20251101000000',
    publicationDate: '2025-11-01T00:00:00Z',
  };
}
