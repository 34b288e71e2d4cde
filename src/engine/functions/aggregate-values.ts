/**
 * Value helpers shared by accumulators and the ranking operators: ordering, equality and
 * decimal rounding of run-time SQL values (see types/sql-type.ts for the representations).
 */

/**
 * Orders two non-null values of one SQL type. Numbers (all numeric and temporal types), strings
 * (code-unit order), booleans (FALSE < TRUE) and byte arrays (unsigned lexicographic) compare
 * natively; anything else falls back to its JSON text so the order is at least total.
 */
export function compareValues(a: unknown, b: unknown): number {
  if (typeof a === 'number' && typeof b === 'number') return a < b ? -1 : a > b ? 1 : 0;
  if (typeof a === 'string' && typeof b === 'string') return a < b ? -1 : a > b ? 1 : 0;
  if (typeof a === 'boolean' && typeof b === 'boolean') return a === b ? 0 : a ? 1 : -1;
  if (a instanceof Uint8Array && b instanceof Uint8Array) return compareBytes(a, b);
  const ja = JSON.stringify(a);
  const jb = JSON.stringify(b);
  return ja < jb ? -1 : ja > jb ? 1 : 0;
}

function compareBytes(a: Uint8Array, b: Uint8Array): number {
  const n = Math.min(a.length, b.length);
  for (let i = 0; i < n; i++) if (a[i] !== b[i]) return a[i]! - b[i]!;
  return a.length - b.length;
}

/** SQL equality of two values, NULL equal to NULL (as GROUP BY and DISTINCT treat it). */
export function valuesEqual(a: unknown, b: unknown): boolean {
  if (a === b) return true;
  if (a === null || b === null || a === undefined || b === undefined) return false;
  if (typeof a === 'number' && typeof b === 'number') return Number.isNaN(a) && Number.isNaN(b);
  if (typeof a !== 'object' || typeof b !== 'object') return false;
  if (a instanceof Uint8Array && b instanceof Uint8Array) return compareBytes(a, b) === 0;
  if (Array.isArray(a) && Array.isArray(b)) return rowsEqual(a, b);
  if (a instanceof Map && b instanceof Map) {
    if (a.size !== b.size) return false;
    for (const [k, v] of a) if (!b.has(k) || !valuesEqual(v, b.get(k))) return false;
    return true;
  }
  return false;
}

export function rowsEqual(a: readonly unknown[], b: readonly unknown[]): boolean {
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) if (!valuesEqual(a[i], b[i])) return false;
  return true;
}

/** 10^scale for the scales DECIMAL allows, precomputed. */
const POWERS_OF_TEN = Array.from({ length: 39 }, (_, i) => 10 ** i);

export function powerOfTen(scale: number): number {
  return POWERS_OF_TEN[scale] ?? 10 ** scale;
}

/** A decimal value as an integer count of 10^-scale units, so that sums stay exact. */
export function toUnscaled(value: number, scale: number): number {
  return Math.round(value * powerOfTen(scale));
}

/**
 * A Map key standing for a value: primitives are their own key (JavaScript Maps compare them by
 * value, which is cheaper than building a string); other values (bytes, arrays, maps) become a
 * canonical string. One column holds one SQL type, so the two kinds never meet in one map.
 */
export function valueMapKey(value: unknown): unknown {
  const t = typeof value;
  if (t === 'number' || t === 'string' || t === 'boolean') return value;
  if (value instanceof Uint8Array) return '\u0000b' + Buffer.from(value).toString('base64');
  return '\u0000j' + JSON.stringify(value, (_k, v: unknown) => (v instanceof Map ? [...v] : v instanceof Uint8Array ? [...v] : v));
}
