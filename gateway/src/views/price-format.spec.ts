import { readFileSync } from 'node:fs';
import path from 'node:path';
import Handlebars from 'handlebars';
import { formatHours, formatUsd, registerHelpers } from './helpers';

describe('price and duration formats', () => {
  it('writes dollars as prices read, never in exponent notation, and nothing for no price', () => {
    expect([0.00001, 0.00027, 0.0892, 0.17841, 1.5, 250, 0].map(formatUsd)).toEqual(['$0.00001', '$0.00027', '$0.0892', '$0.1784', '$1.50', '$250', '$0']);
    expect(formatUsd(0.000000123)).toBe('$0.00000012');
    expect(formatUsd(null)).toBe('—');
    expect(formatUsd(undefined)).toBe('—');
  });

  it('writes a lifetime in hours in the unit that reads best', () => {
    expect([10 / 3600, 0.2, 1.25, 30].map(formatHours)).toEqual(['10 s', '12 min', '1.3 h', '30 h']);
    expect(formatHours(null)).toBe('—');
  });

  it('the chain-cost cell: a node scale-up with a price, one without, and a chain that added no node', () => {
    const hbs = Handlebars.create();
    registerHelpers(hbs);
    // The partial the history's chain table renders, as text.
    const partial = hbs.compile(readFileSync(path.join(__dirname, '../scaling/views/live/chain-cost.hbs'), 'utf8'));
    const cell = (context: object) =>
      partial(context)
        .replace(/<[^>]+>/g, '')
        .replace(/\{\{!--[\s\S]*?--\}\}/g, '')
        .trim();
    expect(cell({ cost: { nodes: [{ usdPerHour: 0.0892, hours: 0.5, usd: 0.0446, removedAt: null }] } })).toBe('+$0.0892/h × 30 min = $0.0446 so far');
    expect(cell({ cost: { nodes: [{ usdPerHour: 0.0892, hours: 0.5, usd: 0.0446, removedAt: '2026-01-01T00:00:00Z' }] } })).toBe(
      '+$0.0892/h × 30 min = $0.0446',
    );
    expect(cell({ cost: { nodes: [{ usdPerHour: null, hours: 0.5, usd: null, problem: 'missing permission pricing:GetProducts' }] } })).toBe(
      'no price: missing permission pricing:GetProducts',
    );
    expect(cell({})).toBe('—');
  });
});
