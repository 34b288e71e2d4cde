/**
 * SQL types → DuckDB column types, spelled as DuckDB's information_schema reports them (so a
 * table's existing columns compare by string), and the conversion of warehouse values to DuckDB values.
 *
 * DECIMAL keeps its precision and scale and is written from the exact unscaled value;
 * TIMESTAMP_LTZ (Avro timestamp-millis, an instant) is TIMESTAMP WITH TIME ZONE; TIMESTAMP
 * (local-timestamp-millis, a wall-clock time) is TIMESTAMP. Nested values are JSON.
 */
import { DuckDBBlobValue, DuckDBDateValue, DuckDBDecimalValue, DuckDBTimestampTZValue, DuckDBTimestampValue, DuckDBTimeValue, type DuckDBValue } from '@duckdb/node-api';
import type { SqlType } from '../../types/sql-type.ts';
import { formatDecimal, timestampMicros } from '../warehouse/avro-columns.ts';

/** DuckDB's widest DECIMAL; wider Avro decimals are stored as exact text. */
const MAX_DECIMAL_PRECISION = 38;

export function duckdbType(type: SqlType): string {
  switch (type.kind) {
    case 'BOOLEAN':
      return 'BOOLEAN';
    case 'TINYINT':
      return 'TINYINT';
    case 'SMALLINT':
      return 'SMALLINT';
    case 'INT':
      return 'INTEGER';
    case 'BIGINT':
      return 'BIGINT';
    case 'FLOAT':
      return 'FLOAT';
    case 'DOUBLE':
      return 'DOUBLE';
    case 'DECIMAL':
      return type.precision <= MAX_DECIMAL_PRECISION ? `DECIMAL(${type.precision},${type.scale})` : 'VARCHAR';
    case 'CHAR':
    case 'VARCHAR':
      return 'VARCHAR';
    case 'BINARY':
    case 'VARBINARY':
      return 'BLOB';
    case 'DATE':
      return 'DATE';
    case 'TIME':
      return 'TIME';
    case 'TIMESTAMP':
      return 'TIMESTAMP';
    case 'TIMESTAMP_LTZ':
      return 'TIMESTAMP WITH TIME ZONE';
    case 'ROW':
    case 'ARRAY':
    case 'MAP':
    case 'MULTISET':
      return 'JSON';
    case 'INTERVAL_DAY_TIME':
    case 'INTERVAL_YEAR_MONTH':
      return 'BIGINT';
    case 'NULL':
      return 'VARCHAR';
  }
}

/** Converts a warehouse value (see avro-columns.ts) to the DuckDBValue of a column. */
export type ToDuckDBValue = (value: unknown) => DuckDBValue;

/** The converter for a column of `type`; null stays null. */
export function duckdbValue(type: SqlType): ToDuckDBValue {
  const convert = nonNullValue(type);
  return (value) => (value === null || value === undefined ? null : convert(value));
}

function nonNullValue(type: SqlType): ToDuckDBValue {
  switch (type.kind) {
    case 'BOOLEAN':
      return (v) => Boolean(v);
    case 'TINYINT':
    case 'SMALLINT':
    case 'INT':
    case 'FLOAT':
    case 'DOUBLE':
      return (v) => Number(v);
    case 'BIGINT':
    case 'INTERVAL_DAY_TIME':
    case 'INTERVAL_YEAR_MONTH':
      return (v) => BigInt(v as number | bigint);
    case 'DECIMAL': {
      const { precision, scale } = type;
      if (precision > MAX_DECIMAL_PRECISION) return (v) => formatDecimal(v as bigint, scale);
      return (v) => new DuckDBDecimalValue(v as bigint, precision, scale);
    }
    case 'BINARY':
    case 'VARBINARY':
      return (v) => new DuckDBBlobValue(v as Uint8Array);
    case 'DATE':
      return (v) => new DuckDBDateValue(Number(v));
    case 'TIME':
      return (v) => new DuckDBTimeValue(BigInt(Math.trunc(Number(v))) * 1000n);
    case 'TIMESTAMP':
      return (v) => new DuckDBTimestampValue(timestampMicros(Number(v), type));
    case 'TIMESTAMP_LTZ':
      return (v) => new DuckDBTimestampTZValue(timestampMicros(Number(v), type));
    case 'NULL':
      return () => null;
    default:
      return (v) => (typeof v === 'string' ? v : String(v));
  }
}
