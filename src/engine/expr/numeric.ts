/**
 * Numeric run-time helpers: DECIMAL values are JavaScript numbers rounded to their scale
 * (sql-type.ts), so every DECIMAL result passes through roundDecimal, which rounds HALF_UP as
 * Java's BigDecimal does and undoes binary noise (1.005 is stored as 1.00499999..., yet means
 * 1.005). Text forms follow Java (Double.toString) because Flink prints numbers that way.
 */
const POW10 = Array.from({ length: 39 }, (_, i) => Number(`1e${i}`));

export const pow10 = (n: number): number => (n >= 0 && n < POW10.length ? POW10[n]! : Math.pow(10, n));

/** Rounds HALF_UP (away from zero on a tie) to `scale` decimals; negative scales round to tens, hundreds... */
export function roundHalfUp(x: number, scale: number): number {
  if (!Number.isFinite(x)) return x;
  const factor = pow10(Math.abs(scale));
  const scaled = scale >= 0 ? Math.abs(x) * factor : Math.abs(x) / factor;
  let rounded = Math.round(scaled);
  const fraction = scaled - Math.floor(scaled);
  // Near a tie, binary noise decides wrongly: use the shortest decimal text of the value instead.
  if (fraction > 0.4999999 && fraction < 0.5000001 && scaled < 1e15) {
    rounded = Math.round(Number(scaled.toPrecision(15)));
  }
  const result = scale >= 0 ? rounded / factor : rounded * factor;
  return x < 0 ? -result : result;
}

/** The value of a DECIMAL(p, s) result: rounded to s decimals. */
export function roundDecimal(x: number, scale: number): number {
  const factor = POW10[scale]!;
  const scaled = x * factor;
  const truncated = Math.trunc(scaled);
  // Fast path: an exact integer multiple (the usual case) needs no rounding decision, but the
  // division gives the double nearest to the decimal (0.908 * 2103 = 1909.5240000000001 → 1909.524).
  if (scaled === truncated) return truncated / factor;
  return roundHalfUp(x, scale);
}

/** Truncates toward zero to `scale` decimals (TRUNCATE(x, d)). */
export function truncateTo(x: number, scale: number): number {
  const factor = pow10(Math.abs(scale));
  if (scale >= 0) {
    const scaled = Number((x * factor).toPrecision(15));
    return Math.trunc(scaled) / factor;
  }
  return Math.trunc(x / factor) * factor;
}

/** Whether a value fits DECIMAL(p, s): fewer than p - s integer digits. */
export function fitsDecimal(x: number, precision: number, scale: number): boolean {
  return Math.abs(x) < pow10(precision - scale);
}

/** Java's int conversion of a double: truncation, saturating at the int range, NaN to 0. */
export function doubleToInt(x: number, min: number, max: number): number {
  if (Number.isNaN(x)) return 0;
  const t = Math.trunc(x);
  return t < min ? min : t > max ? max : t;
}

/** Wraps an integer to the range of a signed integer type, like Java narrowing. */
export function wrapInteger(x: number, kind: string): number {
  switch (kind) {
    case 'TINYINT':
      return (x << 24) >> 24;
    case 'SMALLINT':
      return (x << 16) >> 16;
    case 'INT':
      return x | 0;
    default:
      return x;
  }
}

/** Java's Double.toString: `1.0`, `0.001`, `1.0E7`, `1.5E-4`, `NaN`, `Infinity`. */
export function javaDoubleToString(x: number): string {
  if (Number.isNaN(x)) return 'NaN';
  if (!Number.isFinite(x)) return x > 0 ? 'Infinity' : '-Infinity';
  if (x === 0) return Object.is(x, -0) ? '-0.0' : '0.0';
  const abs = Math.abs(x);
  if (abs >= 1e-3 && abs < 1e7) {
    const text = String(x);
    return text.includes('.') ? text : text + '.0';
  }
  return scientific(x.toExponential());
}

/** Java's Float.toString: the shortest decimal that reads back as the same float. */
export function javaFloatToString(x: number): string {
  if (!Number.isFinite(x) || x === 0) return javaDoubleToString(x);
  let shortest = x;
  for (let digits = 1; digits <= 9; digits++) {
    const candidate = Number(x.toPrecision(digits));
    if (Math.fround(candidate) === x) {
      shortest = candidate;
      break;
    }
  }
  return javaDoubleToString(shortest);
}

function scientific(exponential: string): string {
  const [mantissa, exponent] = exponential.split('e') as [string, string];
  const digits = mantissa.includes('.') ? mantissa : mantissa + '.0';
  return `${digits}E${exponent.startsWith('+') ? exponent.slice(1) : exponent}`;
}

/** A DECIMAL value as Flink prints it: exactly `scale` decimals. */
export function decimalToString(x: number, scale: number): string {
  if (Math.abs(x) < 1e21) return x.toFixed(scale);
  return BigInt(Math.round(x)).toString() + (scale > 0 ? '.' + '0'.repeat(scale) : '');
}
