/**
 * SQL types → PostgreSQL column types, spelled as `format_type()` prints them (so existing
 * columns compare by string), and warehouse values → query parameters.
 *
 * Every type here exists in Redshift too (numeric(p,s), timestamp with time zone, ...), except
 * text and bytea: Redshift's TEXT is VARCHAR(256) and it has VARBYTE instead of bytea, so the
 * `redshift` dialect (detected from `version()`) uses `character varying(65535)` and
 * `varbyte(1024000)`. Nested values are JSON text in both.
 * Parameters are sent as text and cast explicitly (`$1::numeric(10,2)`), so decimals and
 * timestamps never pass through a JavaScript double or the server's time zone.
 */
import type { SqlType } from '../../types/sql-type.ts';
import { formatDecimal, timestampMicros } from '../warehouse/avro-columns.ts';

export type PostgresDialect = 'postgresql' | 'redshift';

export function postgresType(type: SqlType, dialect: PostgresDialect = 'postgresql'): string {
  if (dialect === 'redshift') {
    const base = postgresType(type);
    if (base === 'text') return 'character varying(65535)';
    if (base === 'bytea') return 'varbyte(1024000)';
    return base;
  }
  switch (type.kind) {
    case 'BOOLEAN':
      return 'boolean';
    case 'TINYINT':
    case 'SMALLINT':
      return 'smallint';
    case 'INT':
      return 'integer';
    case 'BIGINT':
    case 'INTERVAL_DAY_TIME':
    case 'INTERVAL_YEAR_MONTH':
      return 'bigint';
    case 'FLOAT':
      return 'real';
    case 'DOUBLE':
      return 'double precision';
    case 'DECIMAL':
      return `numeric(${type.precision},${type.scale})`;
    case 'CHAR':
    case 'VARCHAR':
    case 'ROW':
    case 'ARRAY':
    case 'MAP':
    case 'MULTISET':
    case 'NULL':
      return 'text';
    case 'BINARY':
    case 'VARBINARY':
      return 'bytea';
    case 'DATE':
      return 'date';
    case 'TIME':
      return 'time without time zone';
    case 'TIMESTAMP':
      return 'timestamp without time zone';
    case 'TIMESTAMP_LTZ':
      return 'timestamp with time zone';
  }
}

/** A warehouse value (see avro-columns.ts) as a pg query parameter. */
export function postgresParameter(value: unknown, type: SqlType): unknown {
  if (value === null || value === undefined) return null;
  switch (type.kind) {
    case 'DECIMAL':
      return formatDecimal(value as bigint, type.scale);
    case 'DATE':
      return new Date(Number(value) * 86_400_000).toISOString().slice(0, 10);
    case 'TIME':
      return new Date(Number(value)).toISOString().slice(11, 23);
    case 'TIMESTAMP':
      return formatMicros(timestampMicros(Number(value), type), '');
    case 'TIMESTAMP_LTZ':
      return formatMicros(timestampMicros(Number(value), type), '+00');
    case 'BIGINT':
      return typeof value === 'bigint' ? value.toString() : value;
    case 'NULL':
      return null;
    default:
      return value;
  }
}

/** `2023-11-14 22:13:20.123456` (+ zone suffix) from epoch microseconds. */
function formatMicros(micros: bigint, zone: string): string {
  const millis = micros / 1000n - (micros % 1000n < 0n ? 1n : 0n);
  const rest = micros - millis * 1000n;
  const iso = new Date(Number(millis)).toISOString();
  return `${iso.slice(0, 10)} ${iso.slice(11, 23)}${rest.toString().padStart(3, '0')}${zone}`;
}
