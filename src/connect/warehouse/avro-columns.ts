/**
 * Avro schemas → warehouse columns, and Avro-decoded values → warehouse values.
 *
 * Types come from the SQL catalog's mapping (`avroToSqlType`), so a topic has the same column
 * types in Flink SQL and in the warehouse. Values are converted once here into one
 * representation every warehouse understands (`WarehouseValue`):
 *
 * | SQL type                      | warehouse value                                         |
 * |-------------------------------|---------------------------------------------------------|
 * | DECIMAL(p, s)                 | bigint: the unscaled value (exact, unlike a double)     |
 * | DATE / TIME                   | number: days since epoch / milliseconds of the day      |
 * | TIMESTAMP(_LTZ)(3) / (6)      | number: epoch milliseconds / microseconds               |
 * | BINARY / VARBINARY            | Buffer                                                  |
 * | ROW / ARRAY / MAP             | string: JSON (bytes as base64), a JSON column           |
 * | everything else               | as avsc decodes it (boolean, number, string)            |
 */
import { ShiftleftError } from '../../common/errors.ts';
import { avroToSqlType } from '../../sql/catalog/avro-mapping.ts';
import type { SqlType } from '../../types/sql-type.ts';
import type { WarehouseColumn } from './warehouse.ts';

type AvroSchema = Parameters<typeof avroToSqlType>[0];

/**
 * The CDC connector's delete marker (Debezium's `delete.handling.mode=rewrite`): a value with
 * `__deleted = "true"` is a delete of its key, and the field itself is not a column.
 */
export const CDC_DELETED_FIELD = '__deleted';

/** Columns of a record value schema; non-record values become one column named `value`. */
export function valueColumns(schemaText: string): WarehouseColumn[] {
  const type = avroToSqlType(JSON.parse(schemaText) as AvroSchema);
  if (type.kind !== 'ROW') return [{ name: 'value', type }];
  return type.fields.filter((f) => f.name !== CDC_DELETED_FIELD).map((f) => ({ name: f.name, type: f.type }));
}

/** Columns of a key schema: the fields of a record key, or one column `key` for a primitive key. */
export function keyColumns(schemaText: string): WarehouseColumn[] {
  const type = avroToSqlType(JSON.parse(schemaText) as AvroSchema);
  if (type.kind !== 'ROW') return [{ name: 'key', type: { ...type, nullable: false } }];
  return type.fields.map((f) => ({ name: f.name, type: { ...f.type, nullable: false } }));
}

/** Converts an Avro-decoded value to its warehouse value for `type` (see the table above). */
export function toWarehouseValue(value: unknown, type: SqlType): unknown {
  if (value === null || value === undefined) return null;
  switch (type.kind) {
    case 'DECIMAL':
      return decimalUnscaled(value);
    case 'BINARY':
    case 'VARBINARY':
      return Buffer.isBuffer(value) ? value : typeof value === 'string' ? Buffer.from(value, 'latin1') : Buffer.from(value as Uint8Array);
    case 'ROW':
    case 'ARRAY':
    case 'MAP':
    case 'MULTISET':
      return JSON.stringify(value, jsonReplacer);
    default:
      return value;
  }
}

/** Avro decimals are big-endian two's complement bytes of the unscaled value. */
function decimalUnscaled(value: unknown): bigint {
  if (typeof value === 'bigint') return value;
  if (value instanceof Uint8Array) {
    if (value.length === 0) return 0n;
    return BigInt.asIntN(value.length * 8, BigInt('0x' + Buffer.from(value).toString('hex')));
  }
  throw new ShiftleftError('DESERIALIZATION_FAILED', `a decimal value is ${typeof value}, expected bytes`, {
    hint: 'an encrypted decimal field cannot be stored as DECIMAL: decrypt it (decrypt: true) or tag a string field instead',
  });
}

/** Formats an unscaled decimal with its scale: (12345n, 2) → "123.45". */
export function formatDecimal(unscaled: bigint, scale: number): string {
  const negative = unscaled < 0n;
  let digits = (negative ? -unscaled : unscaled).toString();
  if (scale > 0) {
    digits = digits.padStart(scale + 1, '0');
    digits = `${digits.slice(0, -scale)}.${digits.slice(-scale)}`;
  }
  return negative ? `-${digits}` : digits;
}

function jsonReplacer(_key: string, value: unknown): unknown {
  if (typeof value === 'bigint') return value.toString();
  if (value && typeof value === 'object' && (value as { type?: string }).type === 'Buffer' && Array.isArray((value as { data?: unknown }).data)) {
    return Buffer.from((value as { data: number[] }).data).toString('base64');
  }
  return value;
}

/** Microseconds since the epoch of a TIMESTAMP(_LTZ) warehouse value (precision 3 = millis). */
export function timestampMicros(value: number, type: SqlType): bigint {
  const precision = type.kind === 'TIMESTAMP' || type.kind === 'TIMESTAMP_LTZ' ? type.precision : 3;
  return precision > 3 ? BigInt(Math.trunc(value)) : BigInt(Math.trunc(value)) * 1000n;
}
