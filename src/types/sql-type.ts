/**
 * SQL data types as the engine sees them (Flink's logical types), and how their values are
 * represented at run time. One representation per type, chosen for speed in JavaScript:
 *
 * | type                         | run-time value                                              |
 * |------------------------------|-------------------------------------------------------------|
 * | BOOLEAN                      | boolean                                                     |
 * | TINYINT SMALLINT INT BIGINT  | number (BIGINT is exact up to 2^53)                         |
 * | FLOAT DOUBLE                 | number                                                      |
 * | DECIMAL(p, s)                | number rounded to s decimals (exact for p <= 15)            |
 * | CHAR VARCHAR STRING          | string                                                      |
 * | BINARY VARBINARY BYTES       | Uint8Array (Buffer)                                         |
 * | DATE                         | number: days since 1970-01-01                               |
 * | TIME(p)                      | number: milliseconds of the day                             |
 * | TIMESTAMP(p)                 | number: epoch milliseconds of the wall-clock time read as UTC |
 * | TIMESTAMP_LTZ(p)             | number: epoch milliseconds (an instant)                     |
 * | INTERVAL DAY TO SECOND       | number: milliseconds                                        |
 * | INTERVAL YEAR TO MONTH       | number: months                                              |
 * | ARRAY<T> / MULTISET<T>       | unknown[]                                                   |
 * | MAP<K, V>                    | Map<unknown, unknown>                                       |
 * | ROW<...>                     | unknown[] in field order                                    |
 * NULL is `null` for every type. Timestamps keep millisecond precision (Flink's default 3).
 */
import type { DataType } from '../sql/ast.ts';

interface Base {
  nullable: boolean;
}

export type SqlType =
  | (Base & { kind: 'BOOLEAN' })
  | (Base & { kind: 'TINYINT' })
  | (Base & { kind: 'SMALLINT' })
  | (Base & { kind: 'INT' })
  | (Base & { kind: 'BIGINT' })
  | (Base & { kind: 'FLOAT' })
  | (Base & { kind: 'DOUBLE' })
  | (Base & { kind: 'DECIMAL'; precision: number; scale: number })
  | (Base & { kind: 'CHAR'; length: number })
  | (Base & { kind: 'VARCHAR'; length: number })
  | (Base & { kind: 'BINARY'; length: number })
  | (Base & { kind: 'VARBINARY'; length: number })
  | (Base & { kind: 'DATE' })
  | (Base & { kind: 'TIME'; precision: number })
  | (Base & { kind: 'TIMESTAMP'; precision: number })
  | (Base & { kind: 'TIMESTAMP_LTZ'; precision: number })
  | (Base & { kind: 'INTERVAL_DAY_TIME' })
  | (Base & { kind: 'INTERVAL_YEAR_MONTH' })
  | (Base & { kind: 'ARRAY'; element: SqlType })
  | (Base & { kind: 'MULTISET'; element: SqlType })
  | (Base & { kind: 'MAP'; key: SqlType; value: SqlType })
  | (Base & { kind: 'ROW'; fields: RowField[] })
  | (Base & { kind: 'NULL' });

export type SqlTypeKind = SqlType['kind'];

export interface RowField {
  name: string;
  type: SqlType;
}

/** VARCHAR(2147483647), which Flink prints as STRING. */
export const MAX_LENGTH = 2147483647;

export const T = {
  boolean: (nullable = true): SqlType => ({ kind: 'BOOLEAN', nullable }),
  tinyint: (nullable = true): SqlType => ({ kind: 'TINYINT', nullable }),
  smallint: (nullable = true): SqlType => ({ kind: 'SMALLINT', nullable }),
  int: (nullable = true): SqlType => ({ kind: 'INT', nullable }),
  bigint: (nullable = true): SqlType => ({ kind: 'BIGINT', nullable }),
  float: (nullable = true): SqlType => ({ kind: 'FLOAT', nullable }),
  double: (nullable = true): SqlType => ({ kind: 'DOUBLE', nullable }),
  decimal: (precision = 10, scale = 0, nullable = true): SqlType => ({ kind: 'DECIMAL', precision, scale, nullable }),
  string: (nullable = true): SqlType => ({ kind: 'VARCHAR', length: MAX_LENGTH, nullable }),
  varchar: (length: number, nullable = true): SqlType => ({ kind: 'VARCHAR', length, nullable }),
  char: (length: number, nullable = true): SqlType => ({ kind: 'CHAR', length, nullable }),
  bytes: (nullable = true): SqlType => ({ kind: 'VARBINARY', length: MAX_LENGTH, nullable }),
  date: (nullable = true): SqlType => ({ kind: 'DATE', nullable }),
  time: (precision = 0, nullable = true): SqlType => ({ kind: 'TIME', precision, nullable }),
  timestamp: (precision = 3, nullable = true): SqlType => ({ kind: 'TIMESTAMP', precision, nullable }),
  timestampLtz: (precision = 3, nullable = true): SqlType => ({ kind: 'TIMESTAMP_LTZ', precision, nullable }),
  intervalDayTime: (nullable = true): SqlType => ({ kind: 'INTERVAL_DAY_TIME', nullable }),
  intervalYearMonth: (nullable = true): SqlType => ({ kind: 'INTERVAL_YEAR_MONTH', nullable }),
  array: (element: SqlType, nullable = true): SqlType => ({ kind: 'ARRAY', element, nullable }),
  map: (key: SqlType, value: SqlType, nullable = true): SqlType => ({ kind: 'MAP', key, value, nullable }),
  row: (fields: RowField[], nullable = true): SqlType => ({ kind: 'ROW', fields, nullable }),
  null: (): SqlType => ({ kind: 'NULL', nullable: true }),
};

export function withNullability(type: SqlType, nullable: boolean): SqlType {
  return type.nullable === nullable ? type : { ...type, nullable };
}

const INTEGER_KINDS: readonly SqlTypeKind[] = ['TINYINT', 'SMALLINT', 'INT', 'BIGINT'];
const NUMERIC_KINDS: readonly SqlTypeKind[] = [...INTEGER_KINDS, 'DECIMAL', 'FLOAT', 'DOUBLE'];

export const isInteger = (t: SqlType): boolean => INTEGER_KINDS.includes(t.kind);
export const isNumeric = (t: SqlType): boolean => NUMERIC_KINDS.includes(t.kind);
export const isCharacter = (t: SqlType): boolean => t.kind === 'CHAR' || t.kind === 'VARCHAR';
export const isBinary = (t: SqlType): boolean => t.kind === 'BINARY' || t.kind === 'VARBINARY';
export const isTimestamp = (t: SqlType): boolean => t.kind === 'TIMESTAMP' || t.kind === 'TIMESTAMP_LTZ';
export const isInterval = (t: SqlType): boolean => t.kind === 'INTERVAL_DAY_TIME' || t.kind === 'INTERVAL_YEAR_MONTH';
export const isTemporal = (t: SqlType): boolean => t.kind === 'DATE' || t.kind === 'TIME' || isTimestamp(t);

/** Flink's way of printing a type: `INT NOT NULL`, `STRING`, `TIMESTAMP_LTZ(3)`, `ROW<`a` INT>`. */
export function formatType(type: SqlType): string {
  const notNull = type.nullable ? '' : ' NOT NULL';
  switch (type.kind) {
    case 'DECIMAL':
      return `DECIMAL(${type.precision}, ${type.scale})${notNull}`;
    case 'VARCHAR':
      return (type.length === MAX_LENGTH ? 'STRING' : `VARCHAR(${type.length})`) + notNull;
    case 'CHAR':
      return `CHAR(${type.length})${notNull}`;
    case 'VARBINARY':
      return (type.length === MAX_LENGTH ? 'BYTES' : `VARBINARY(${type.length})`) + notNull;
    case 'BINARY':
      return `BINARY(${type.length})${notNull}`;
    case 'TIME':
    case 'TIMESTAMP':
    case 'TIMESTAMP_LTZ':
      return `${type.kind}(${type.precision})${notNull}`;
    case 'INTERVAL_DAY_TIME':
      return `INTERVAL DAY TO SECOND(3)${notNull}`;
    case 'INTERVAL_YEAR_MONTH':
      return `INTERVAL YEAR TO MONTH${notNull}`;
    case 'ARRAY':
    case 'MULTISET':
      return `${type.kind}<${formatType(type.element)}>${notNull}`;
    case 'MAP':
      return `MAP<${formatType(type.key)}, ${formatType(type.value)}>${notNull}`;
    case 'ROW':
      return `ROW<${type.fields.map((f) => `\`${f.name}\` ${formatType(f.type)}`).join(', ')}>${notNull}`;
    default:
      return type.kind + notNull;
  }
}

/** Same type, ignoring nullability when `ignoreNullability`. */
export function sameType(a: SqlType, b: SqlType, ignoreNullability = false): boolean {
  if (!ignoreNullability && a.nullable !== b.nullable) return false;
  return formatType(withNullability(a, true)) === formatType(withNullability(b, true));
}

/** Converts a parsed type (the AST) to a SqlType, with Flink's defaults for omitted parameters. */
export function typeFromAst(node: DataType): SqlType {
  const nullable = !node.notNull;
  switch (node.kind) {
    case 'ScalarType':
      switch (node.name) {
        case 'BOOLEAN':
          return T.boolean(nullable);
        case 'TINYINT':
          return T.tinyint(nullable);
        case 'SMALLINT':
          return T.smallint(nullable);
        case 'INT':
          return T.int(nullable);
        case 'BIGINT':
          return T.bigint(nullable);
        case 'FLOAT':
          return T.float(nullable);
        case 'DOUBLE':
          return T.double(nullable);
        case 'DECIMAL':
          return T.decimal(node.precision ?? 10, node.scale ?? 0, nullable);
        case 'CHAR':
          return T.char(node.precision ?? 1, nullable);
        case 'VARCHAR':
          return T.varchar(node.precision ?? 1, nullable);
        case 'STRING':
          return T.string(nullable);
        case 'BINARY':
          return { kind: 'BINARY', length: node.precision ?? 1, nullable };
        case 'VARBINARY':
          return { kind: 'VARBINARY', length: node.precision ?? 1, nullable };
        case 'BYTES':
          return T.bytes(nullable);
        case 'DATE':
          return T.date(nullable);
        case 'TIME':
          return T.time(node.precision ?? 0, nullable);
        case 'TIMESTAMP':
          return T.timestamp(node.precision ?? 6, nullable);
        case 'TIMESTAMP_LTZ':
          return T.timestampLtz(node.precision ?? 6, nullable);
        case 'NULL':
          return T.null();
      }
      break;
    case 'IntervalType': {
      const unit = node.qualifier.start;
      return unit === 'YEAR' || unit === 'MONTH' || unit === 'QUARTER' ? T.intervalYearMonth(nullable) : T.intervalDayTime(nullable);
    }
    case 'ArrayType':
      return T.array(typeFromAst(node.element), nullable);
    case 'MultisetType':
      return { kind: 'MULTISET', element: typeFromAst(node.element), nullable };
    case 'MapType':
      return T.map(typeFromAst(node.key), typeFromAst(node.value), nullable);
    case 'RowType':
      return T.row(
        node.fields.map((f) => ({ name: f.name.value, type: typeFromAst(f.type) })),
        nullable,
      );
  }
  throw new Error(`unhandled type node ${(node as DataType).kind}`);
}
