/**
 * Kubernetes resource quantities ("250m", "2", "1500000n", "512Mi", "1e9") as numbers. Our own
 * parser because client-node's `quantityToScalar` is not exported from the package and returns
 * BigInt for some suffixes (and rejects fractions like "1.5Gi").
 */
const MULTIPLIERS: Record<string, number> = {
  n: 1e-9,
  u: 1e-6,
  m: 1e-3,
  k: 1e3,
  M: 1e6,
  G: 1e9,
  T: 1e12,
  P: 1e15,
  E: 1e18,
  Ki: 2 ** 10,
  Mi: 2 ** 20,
  Gi: 2 ** 30,
  Ti: 2 ** 40,
  Pi: 2 ** 50,
  Ei: 2 ** 60,
};

const QUANTITY = /^([+-]?(?:\d+\.?\d*|\.\d+))(?:([eE][+-]?\d+)|(Ki|Mi|Gi|Ti|Pi|Ei|[numkMGTPE]))?$/;

/** The quantity in base units (cores, bytes); throws on a malformed quantity. */
export function parseQuantity(quantity: string | number): number {
  if (typeof quantity === 'number') return quantity;
  const m = QUANTITY.exec(quantity.trim());
  if (!m) throw new Error(`invalid quantity '${quantity}'`);
  return Number(m[1] + (m[2] ?? '')) * (m[3] ? MULTIPLIERS[m[3]] : 1);
}

function tryParse(quantity: string | number | null | undefined): number | null {
  if (quantity === null || quantity === undefined || quantity === '') return null;
  try {
    return parseQuantity(quantity);
  } catch {
    return null;
  }
}

/** CPU in millicores ("250m" → 250, "2" → 2000, "1500000n" → 1.5); null when absent or malformed. */
export function cpuMillicores(quantity: string | number | null | undefined): number | null {
  const cores = tryParse(quantity);
  // Rounded to a thousandth of a millicore: binary floating point would otherwise show 0.30000000000000004.
  return cores === null ? null : Math.round(cores * 1e6) / 1e3;
}

/** Memory in bytes ("512Mi" → 536870912, "1e9" → 1000000000); null when absent or malformed. */
export function memoryBytes(quantity: string | number | null | undefined): number | null {
  const bytes = tryParse(quantity);
  return bytes === null ? null : Math.round(bytes);
}
