import { CONFIG_CATALOG } from './config-catalog';
import { renderTable, stale } from './config-docs';

describe('configuration docs', () => {
  it('README table and .env.example match the config specs (run `npm run config:docs` when this fails)', () => {
    expect(stale()).toEqual([]);
  });

  it('lists every variable of every component with its description', () => {
    const table = renderTable();
    for (const { spec } of CONFIG_CATALOG) {
      for (const [name, def] of Object.entries(spec)) {
        expect(def.description.length).toBeGreaterThan(10);
        expect(table).toContain(`\`${name}\``);
      }
    }
  });
});
