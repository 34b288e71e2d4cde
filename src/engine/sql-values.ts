/**
 * SQL values as JSON for people and programs (the REST API and `shiftleft sql`): timestamps as
 * ISO-8601 text rather than epoch milliseconds, dates as YYYY-MM-DD, bytes as base64, MAPs and
 * ROWs as objects. One function so the CLI and the REST API print a row the same way.
 */
import type { SqlType } from '../types/sql-type.ts';

const pad = (n: number, width = 2): string => String(n).padStart(width, '0');

function isoDate(d: Date): string {
  return `${d.getUTCFullYear()}-${pad(d.getUTCMonth() + 1)}-${pad(d.getUTCDate())}`;
}

function isoTime(ms: number, precision: number): string {
  const d = new Date(ms);
  const base = `${pad(d.getUTCHours())}:${pad(d.getUTCMinutes())}:${pad(d.getUTCSeconds())}`;
  return precision > 0 ? `${base}.${pad(d.getUTCMilliseconds(), 3)}` : base;
}

export function jsonValue(value: unknown, type: SqlType): unknown {
  if (value === null || value === undefined) return null;
  switch (type.kind) {
    case 'TIMESTAMP_LTZ':
      return typeof value === 'number' ? new Date(value).toISOString() : value;
    case 'TIMESTAMP':
      // Wall-clock time without a zone: no trailing Z.
      return typeof value === 'number' ? `${isoDate(new Date(value))} ${isoTime(value, 3)}` : value;
    case 'DATE':
      return typeof value === 'number' ? isoDate(new Date(value * 86_400_000)) : value;
    case 'TIME':
      return typeof value === 'number' ? isoTime(value, type.precision) : value;
    case 'BINARY':
    case 'VARBINARY':
      return value instanceof Uint8Array ? Buffer.from(value).toString('base64') : value;
    case 'BIGINT':
      return typeof value === 'bigint' ? Number(value) : value;
    case 'ARRAY':
    case 'MULTISET':
      return Array.isArray(value) ? value.map((v) => jsonValue(v, type.element)) : value;
    case 'MAP':
      if (value instanceof Map) return Object.fromEntries([...value].map(([k, v]) => [String(jsonValue(k, type.key)), jsonValue(v, type.value)]));
      return value;
    case 'ROW':
      if (Array.isArray(value)) return Object.fromEntries(type.fields.map((f, i) => [f.name, jsonValue(value[i], f.type)]));
      return value;
    case 'DOUBLE':
    case 'FLOAT':
      // JSON has no NaN or Infinity.
      return typeof value === 'number' && !Number.isFinite(value) ? String(value) : value;
    default:
      return typeof value === 'bigint' ? Number(value) : value;
  }
}

/** A row (by column name) as JSON values. */
export function jsonRow(row: Record<string, unknown>, columns: { name: string; type: SqlType }[]): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const c of columns) out[c.name] = jsonValue(row[c.name], c.type);
  return out;
}
