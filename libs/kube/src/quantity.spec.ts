import { cpuMillicores, memoryBytes, parseQuantity } from './quantity';

describe('quantities', () => {
  it.each([
    ['250m', 250],
    ['2', 2000],
    ['0.5', 500],
    ['1500000n', 1.5],
    ['123456789n', 123.457],
    ['100u', 0.1],
    ['1k', 1_000_000],
  ])('cpu %s is %d millicores', (q, millis) => {
    expect(cpuMillicores(q)).toBe(millis);
  });

  it.each([
    ['512Mi', 512 * 1024 * 1024],
    ['1Gi', 1024 ** 3],
    ['1.5Gi', 1.5 * 1024 ** 3],
    ['7234568Ki', 7234568 * 1024],
    ['1e9', 1e9],
    ['1E3', 1000],
    ['129M', 129_000_000],
    ['1G', 1e9],
    ['128974848', 128974848],
    ['2Ti', 2 * 1024 ** 4],
  ])('memory %s is %d bytes', (q, bytes) => {
    expect(memoryBytes(q)).toBe(bytes);
  });

  it('reads an exa suffix and an exponent differently', () => {
    expect(parseQuantity('1E')).toBe(1e18);
    expect(parseQuantity('1E2')).toBe(100);
  });

  it('returns null for missing or malformed quantities and throws from the strict parser', () => {
    expect(cpuMillicores(undefined)).toBeNull();
    expect(memoryBytes('')).toBeNull();
    expect(memoryBytes('12 apples')).toBeNull();
    expect(cpuMillicores('m')).toBeNull();
    expect(() => parseQuantity('1Qi')).toThrow("invalid quantity '1Qi'");
  });
});
