/**
 * PostgreSQL column types → Avro types, and PostgreSQL text values → Avro-ready JavaScript values.
 *
 * Values arrive as PostgreSQL's text output (pgoutput sends text; the snapshot reads text too),
 * with the session pinned to DateStyle=ISO, TimeZone=UTC, bytea_output=hex, so one converter
 * serves both paths. The mapping:
 *
 * | PostgreSQL | Avro | JavaScript value |
 * |---|---|---|
 * | int2, int4 | int | number |
 * | int8, oid | long | number (bigint beyond 2^53) |
 * | numeric(p,s), 0 ≤ s ≤ p | bytes, logicalType decimal(p,s) | Buffer: big-endian two's complement of the unscaled value |
 * | numeric (unconstrained, or negative/oversized scale) | string | exact text, incl. "NaN", "Infinity" |
 * | float4 / float8 | float / double | number (NaN, ±Infinity kept) |
 * | bool | boolean | boolean |
 * | text, varchar, bpchar, name, char, citext-like, enums, arrays, interval, timetz, ... | string | PostgreSQL text |
 * | timestamp | long, timestamp-millis | the wall-clock time read as UTC (TIMESTAMP has no zone: it is local time of whoever wrote it) |
 * | timestamptz | long, timestamp-millis | epoch milliseconds (UTC) |
 * | date | int, date | days since 1970-01-01 |
 * | time | long, time-micros | microseconds since midnight |
 * | uuid | string, logicalType uuid | text |
 * | json, jsonb | string | JSON text as stored |
 * | bytea | bytes | Buffer |
 *
 * Special values, explicit rather than silent: timestamp/date ±infinity become ±8.64e15 ms
 * (±1e8 days), the limits of a JavaScript Date. A NaN in a decimal(p,s) column has no Avro
 * decimal form: it becomes null when the column is nullable and is an error otherwise.
 * Sub-millisecond digits of timestamps are truncated (timestamp-millis, "connect" precision).
 */
import { ShiftleftError } from '../../common/errors.ts';

export type AvroPrimitive = 'null' | 'boolean' | 'int' | 'long' | 'float' | 'double' | 'bytes' | 'string';
export type AvroFieldType =
  | AvroPrimitive
  | { type: AvroPrimitive; logicalType: string; precision?: number; scale?: number }
  | Array<AvroPrimitive | { type: AvroPrimitive; logicalType: string; precision?: number; scale?: number }>;

export type ValueConverter = (text: string) => unknown;

export interface ColumnMapping {
  avroType: Exclude<AvroFieldType, unknown[]>;
  convert: ValueConverter;
}

/** Built-in type OIDs → names, for columns the catalog could not describe. */
export const BUILTIN_TYPE_NAMES: Readonly<Record<number, string>> = {
  16: 'bool', 17: 'bytea', 18: 'char', 19: 'name', 20: 'int8', 21: 'int2', 23: 'int4', 25: 'text', 26: 'oid',
  114: 'json', 700: 'float4', 701: 'float8', 1042: 'bpchar', 1043: 'varchar', 1082: 'date', 1083: 'time',
  1114: 'timestamp', 1184: 'timestamptz', 1186: 'interval', 1266: 'timetz', 1700: 'numeric', 2950: 'uuid', 3802: 'jsonb',
};

/** ±8.64e15 ms: the range of a JavaScript Date, used for PostgreSQL's ±infinity. */
export const INFINITY_MILLIS = 8_640_000_000_000_000;
const INFINITY_DAYS = 100_000_000;

/** The decimal precision and scale of a numeric type modifier, or undefined when unconstrained. */
export function numericPrecisionScale(typeMod: number): { precision: number; scale: number } | undefined {
  if (typeMod < 4) return undefined;
  const packed = typeMod - 4;
  const precision = (packed >> 16) & 0xffff;
  // Since PostgreSQL 15 the scale is an 11-bit signed number (negative scales are allowed).
  let scale = packed & 0x7ff;
  if (scale & 0x400) scale -= 0x800;
  return { precision, scale };
}

export function columnMapping(typeName: string, typeMod: number, column: string, nullable: boolean): ColumnMapping {
  switch (typeName) {
    case 'int2':
    case 'int4':
      return { avroType: 'int', convert: (text) => Number.parseInt(text, 10) };
    case 'int8':
    case 'oid':
      return { avroType: 'long', convert: toLong };
    case 'float4':
      return { avroType: 'float', convert: Number };
    case 'float8':
      return { avroType: 'double', convert: Number };
    case 'bool':
      return { avroType: 'boolean', convert: (text) => text === 't' || text === 'true' };
    case 'numeric': {
      const decimal = numericPrecisionScale(typeMod);
      if (!decimal || decimal.scale < 0 || decimal.scale > decimal.precision) return { avroType: 'string', convert: (text) => text };
      const { precision, scale } = decimal;
      return {
        avroType: { type: 'bytes', logicalType: 'decimal', precision, scale },
        convert: (text) => {
          if (text === 'NaN') {
            if (nullable) return null;
            throw new ShiftleftError('CONNECTOR_FAILED', `column ${column} holds NaN, which an Avro decimal(${precision},${scale}) cannot represent`, {
              hint: 'replace NaN in the source, or make the column nullable (NaN is then sent as null)',
            });
          }
          return decimalBytes(text, scale);
        },
      };
    }
    case 'timestamp':
      return { avroType: { type: 'long', logicalType: 'timestamp-millis' }, convert: (text) => timestampMillis(text, false) };
    case 'timestamptz':
      return { avroType: { type: 'long', logicalType: 'timestamp-millis' }, convert: (text) => timestampMillis(text, true) };
    case 'date':
      return { avroType: { type: 'int', logicalType: 'date' }, convert: epochDays };
    case 'time':
      return { avroType: { type: 'long', logicalType: 'time-micros' }, convert: timeMicros };
    case 'uuid':
      return { avroType: { type: 'string', logicalType: 'uuid' }, convert: (text) => text };
    case 'bytea':
      return { avroType: 'bytes', convert: byteaBuffer };
    default:
      // text, varchar, bpchar, name, char, json, jsonb, enums, arrays, intervals, ...: the text form.
      return { avroType: 'string', convert: (text) => text };
  }
}

function toLong(text: string): number | bigint {
  const value = Number(text);
  return Number.isSafeInteger(value) ? value : BigInt(text);
}

/** "-123.45" at scale 2 → the two's complement bytes of -12345, as Avro's decimal wants. */
export function decimalBytes(text: string, scale: number): Buffer {
  const match = /^([+-]?)(\d*)(?:\.(\d*))?$/.exec(text.trim());
  if (!match) throw new ShiftleftError('CONNECTOR_FAILED', `not a decimal number: "${text}"`);
  const [, sign, whole = '', fraction = ''] = match;
  const digits = `${whole}${fraction.padEnd(scale, '0').slice(0, scale)}`.replace(/^0+(?=\d)/, '') || '0';
  const unscaled = BigInt(digits) * (sign === '-' ? -1n : 1n);
  return twosComplementBytes(unscaled);
}

export function twosComplementBytes(value: bigint): Buffer {
  let length = 1;
  while (value < -(1n << BigInt(8 * length - 1)) || value >= 1n << BigInt(8 * length - 1)) length++;
  const encoded = value < 0n ? value + (1n << BigInt(8 * length)) : value;
  return Buffer.from(encoded.toString(16).padStart(length * 2, '0'), 'hex');
}

/** The inverse, for tests and for readers of our decimals. */
export function decimalText(bytes: Buffer, scale: number): string {
  let value = bytes.length === 0 ? 0n : BigInt(`0x${bytes.toString('hex')}`);
  if (bytes.length > 0 && ((bytes[0] ?? 0) & 0x80) !== 0) value -= 1n << BigInt(8 * bytes.length);
  const negative = value < 0n;
  const digits = (negative ? -value : value).toString().padStart(scale + 1, '0');
  const text = scale === 0 ? digits : `${digits.slice(0, -scale)}.${digits.slice(-scale)}`;
  return negative ? `-${text}` : text;
}

const TIMESTAMP_TEXT = /^(\d{4,})-(\d\d)-(\d\d)[ T](\d\d):(\d\d):(\d\d)(?:\.(\d+))?(?:([+-])(\d\d)(?::?(\d\d))?(?::?(\d\d))?)?( BC)?$/;

/**
 * PostgreSQL ISO timestamp text → epoch milliseconds. Without a zone (TIMESTAMP) the wall-clock
 * time is taken as UTC; with one (TIMESTAMPTZ) the offset is applied.
 */
export function timestampMillis(text: string, withZone: boolean): number {
  if (text === 'infinity') return INFINITY_MILLIS;
  if (text === '-infinity') return -INFINITY_MILLIS;
  const match = TIMESTAMP_TEXT.exec(text);
  if (!match) throw new ShiftleftError('CONNECTOR_FAILED', `unexpected timestamp text "${text}" (is DateStyle ISO?)`);
  const [, y, mo, d, h, mi, s, fraction = '', sign, oh = '0', om = '0', os = '0', bc] = match;
  const year = bc ? 1 - Number(y) : Number(y);
  const date = new Date(0);
  date.setUTCFullYear(year, Number(mo) - 1, Number(d));
  date.setUTCHours(Number(h), Number(mi), Number(s), Number(fraction.padEnd(3, '0').slice(0, 3)));
  let millis = date.getTime();
  if (withZone && sign) {
    const offsetMillis = ((Number(oh) * 60 + Number(om)) * 60 + Number(os)) * 1000;
    millis += sign === '+' ? -offsetMillis : offsetMillis;
  }
  return millis;
}

export function epochDays(text: string): number {
  if (text === 'infinity') return INFINITY_DAYS;
  if (text === '-infinity') return -INFINITY_DAYS;
  const match = /^(\d{4,})-(\d\d)-(\d\d)( BC)?$/.exec(text);
  if (!match) throw new ShiftleftError('CONNECTOR_FAILED', `unexpected date text "${text}" (is DateStyle ISO?)`);
  const [, y, mo, d, bc] = match;
  const date = new Date(0);
  date.setUTCFullYear(bc ? 1 - Number(y) : Number(y), Number(mo) - 1, Number(d));
  return Math.floor(date.getTime() / 86_400_000);
}

export function timeMicros(text: string): number {
  const match = /^(\d\d):(\d\d):(\d\d)(?:\.(\d{1,6}))?$/.exec(text);
  if (!match) throw new ShiftleftError('CONNECTOR_FAILED', `unexpected time text "${text}"`);
  const [, h, m, s, fraction = ''] = match;
  return ((Number(h) * 60 + Number(m)) * 60 + Number(s)) * 1_000_000 + Number(fraction.padEnd(6, '0'));
}

function byteaBuffer(text: string): Buffer {
  if (text.startsWith('\\x')) return Buffer.from(text.slice(2), 'hex');
  throw new ShiftleftError('CONNECTOR_FAILED', 'bytea value not in hex format (bytea_output must be hex)');
}
