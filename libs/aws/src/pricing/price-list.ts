import type { Filter } from '@aws-sdk/client-pricing';

/** The IAM actions behind node prices: a section that cannot get one names the action. */
export const PRICING_ACTION = 'pricing:GetProducts';
export const SPOT_PRICE_ACTION = 'ec2:DescribeSpotPriceHistory';

/** Regions that serve the Price List Query API (it answers for every region from each of them). */
export const PRICING_API_REGIONS = ['us-east-1', 'eu-central-1', 'ap-south-1'] as const;

/**
 * The GetProducts filters that select one instance type's Linux on-demand price in a region:
 * shared tenancy, no pre-installed software, capacity actually used (not a reservation's unused
 * capacity). The same attribute set eks-node-viewer queries (github.com/awslabs/eks-node-viewer,
 * pkg/pricing).
 */
export function onDemandFilters(instanceType: string, regionCode: string): Filter[] {
  const match = (Field: string, Value: string): Filter => ({ Type: 'TERM_MATCH', Field, Value });
  return [
    match('instanceType', instanceType),
    match('regionCode', regionCode),
    match('operatingSystem', 'Linux'),
    match('tenancy', 'Shared'),
    match('preInstalledSw', 'NA'),
    match('capacitystatus', 'Used'),
  ];
}

interface PriceDimension {
  unit?: string;
  pricePerUnit?: Record<string, string>;
}
interface PriceListEntry {
  product?: { attributes?: Record<string, string> };
  terms?: { OnDemand?: Record<string, { priceDimensions?: Record<string, PriceDimension> }> };
}

/**
 * The on-demand USD per hour of one PriceList entry (a JSON document as a string, in the Price
 * List format: `terms.OnDemand.<offer>.priceDimensions.<rate>.pricePerUnit.USD`), or null when it
 * has none (no on-demand term, a zero or unparsable price).
 */
export function onDemandUsdPerHour(entry: unknown): number | null {
  let doc: PriceListEntry;
  try {
    // The SDK hands the entries over as strings (or string-like lazy JSON values).
    doc = (typeof entry === 'object' && entry !== null && 'terms' in entry ? entry : JSON.parse(String(entry))) as PriceListEntry;
  } catch {
    return null;
  }
  for (const offer of Object.values(doc?.terms?.OnDemand ?? {})) {
    for (const dim of Object.values(offer?.priceDimensions ?? {})) {
      if (dim?.unit && !/^hrs?$/i.test(dim.unit)) continue;
      const usd = Number(dim?.pricePerUnit?.USD);
      if (Number.isFinite(usd) && usd > 0) return usd;
    }
  }
  return null;
}

/** The region of an availability zone (eu-west-1a → eu-west-1; us-west-2-lax-1a → us-west-2), null when it does not look like one. */
export function regionOfZone(zone: string): string | null {
  return /^([a-z]{2}(?:-gov|-iso[a-z]?)?-[a-z]+-\d+)/.exec(zone)?.[1] ?? null;
}
