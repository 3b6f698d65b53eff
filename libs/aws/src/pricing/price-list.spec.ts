import { onDemandFilters, onDemandUsdPerHour, regionOfZone } from './price-list';

// A PriceList entry as GetProducts returns it (shape from the Price List API documentation and
// the public offer files: product attributes, then terms keyed by offer and rate code).
const ENTRY = JSON.stringify({
  product: { productFamily: 'Compute Instance', attributes: { instanceType: 'm5.large', operatingSystem: 'Linux' }, sku: 'AB12' },
  serviceCode: 'AmazonEC2',
  terms: {
    Reserved: { 'AB12.4NA7Y494T4': { priceDimensions: { 'AB12.4NA7Y494T4.6YS6EN2CT7': { unit: 'Hrs', pricePerUnit: { USD: '0.0600000000' } } } } },
    OnDemand: {
      'AB12.JRTCKXETXF': {
        priceDimensions: {
          'AB12.JRTCKXETXF.6YS6EN2CT7': {
            unit: 'Hrs',
            description: '$0.096 per On Demand Linux m5.large Instance Hour',
            pricePerUnit: { USD: '0.0960000000' },
          },
        },
      },
    },
  },
});

describe('Price List parsing', () => {
  it('takes the on-demand hourly USD price, not the reserved one', () => {
    expect(onDemandUsdPerHour(ENTRY)).toBe(0.096);
  });

  it('has no price for an entry without an on-demand term, a zero price, or broken JSON', () => {
    expect(onDemandUsdPerHour(JSON.stringify({ terms: { Reserved: {} } }))).toBeNull();
    const zero = ENTRY.replace('0.0960000000', '0.0000000000');
    expect(onDemandUsdPerHour(zero)).toBeNull();
    expect(onDemandUsdPerHour('{not json')).toBeNull();
  });

  it('asks for Linux, shared tenancy, no pre-installed software and used capacity of one type in one region', () => {
    const f = Object.fromEntries(onDemandFilters('m7g.large', 'eu-west-1').map((x) => [x.Field, `${x.Type}:${x.Value}`]));
    expect(f).toEqual({
      instanceType: 'TERM_MATCH:m7g.large',
      regionCode: 'TERM_MATCH:eu-west-1',
      operatingSystem: 'TERM_MATCH:Linux',
      tenancy: 'TERM_MATCH:Shared',
      preInstalledSw: 'TERM_MATCH:NA',
      capacitystatus: 'TERM_MATCH:Used',
    });
  });

  it('finds the region of a zone, Local Zones included', () => {
    expect(regionOfZone('eu-west-1a')).toBe('eu-west-1');
    expect(regionOfZone('us-west-2-lax-1a')).toBe('us-west-2');
    expect(regionOfZone('us-gov-west-1b')).toBe('us-gov-west-1');
    expect(regionOfZone('zone-a')).toBeNull();
  });
});
