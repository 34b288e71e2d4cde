/**
 * PostgreSQL log sequence numbers ("16/B374D848"): 64-bit WAL positions. Kept as bigint inside the
 * reader (compare, subtract), as text at every boundary (offsets, events, SQL).
 */
export type Lsn = bigint;

const LSN_TEXT = /^([0-9A-Fa-f]{1,8})\/([0-9A-Fa-f]{1,8})$/;

export function parseLsn(text: string): Lsn {
  const match = LSN_TEXT.exec(text.trim());
  if (!match) throw new RangeError(`not a PostgreSQL LSN: "${text}" (expected e.g. 0/16B3748)`);
  return (BigInt(`0x${match[1]}`) << 32n) | BigInt(`0x${match[2]}`);
}

export function isLsn(text: string): boolean {
  return LSN_TEXT.test(text.trim());
}

export function formatLsn(lsn: Lsn): string {
  return `${(lsn >> 32n).toString(16).toUpperCase()}/${(lsn & 0xffffffffn).toString(16).toUpperCase()}`;
}

export function maxLsn(a: Lsn, b: Lsn): Lsn {
  return a > b ? a : b;
}

/** Orders two LSN texts: negative, zero or positive like a sort comparator. */
export function compareLsn(a: string, b: string): number {
  const difference = parseLsn(a) - parseLsn(b);
  return difference > 0n ? 1 : difference < 0n ? -1 : 0;
}
