/**
 * Data types (`INT NOT NULL`, `DECIMAL(10, 2)`, `ROW<a INT>`, `TIMESTAMP(3) WITH LOCAL TIME ZONE`)
 * and interval qualifiers (`DAY(2) TO SECOND(3)`), shared by DDL, CAST and interval literals.
 */
import type { DataType, IntervalQualifier, RowTypeField, ScalarTypeName, TimeUnit } from '../ast.ts';
import type { Token } from '../lexer.ts';
import type { Cursor } from './cursor.ts';
import { suggestKeyword } from './keywords.ts';

/** Interval units, with the plural spellings Confluent accepts (`INTERVAL '10' SECONDS`). */
const TIME_UNITS: Record<string, TimeUnit> = {
  YEAR: 'YEAR', YEARS: 'YEAR',
  QUARTER: 'QUARTER', QUARTERS: 'QUARTER',
  MONTH: 'MONTH', MONTHS: 'MONTH',
  WEEK: 'WEEK', WEEKS: 'WEEK',
  DAY: 'DAY', DAYS: 'DAY',
  HOUR: 'HOUR', HOURS: 'HOUR',
  MINUTE: 'MINUTE', MINUTES: 'MINUTE',
  SECOND: 'SECOND', SECONDS: 'SECOND',
  MILLISECOND: 'MILLISECOND', MILLISECONDS: 'MILLISECOND',
  MICROSECOND: 'MICROSECOND', MICROSECONDS: 'MICROSECOND',
  NANOSECOND: 'NANOSECOND', NANOSECONDS: 'NANOSECOND',
};

export function timeUnitOf(token: Token): TimeUnit | undefined {
  return token.type === 'word' ? TIME_UNITS[token.upper] : undefined;
}

function acceptTimeUnit(cursor: Cursor): TimeUnit | undefined {
  const unit = timeUnitOf(cursor.peek());
  if (unit !== undefined) cursor.next();
  return unit;
}

/** `unit [(p [, fp])] [TO unit [(fp)]]` */
export function parseIntervalQualifier(cursor: Cursor): IntervalQualifier {
  const startToken = cursor.peek();
  const start = acceptTimeUnit(cursor);
  if (start === undefined) {
    throw cursor.errorExpected('an interval unit (YEAR, MONTH, DAY, HOUR, MINUTE, SECOND, ...)');
  }
  let startPrecision: number | undefined;
  let fractionalPrecision: number | undefined;
  if (cursor.acceptOperator('(')) {
    startPrecision = cursor.expectInteger('a precision');
    if (start === 'SECOND' && cursor.acceptOperator(',')) fractionalPrecision = cursor.expectInteger('a fractional precision');
    cursor.expectClosing();
  }
  let end: TimeUnit | undefined;
  if (cursor.acceptKeyword('TO')) {
    end = acceptTimeUnit(cursor);
    if (end === undefined) throw cursor.errorExpected('an interval unit after TO');
    if (end === 'SECOND' && cursor.acceptOperator('(')) {
      fractionalPrecision = cursor.expectInteger('a fractional precision');
      cursor.expectClosing();
    }
  }
  return { kind: 'IntervalQualifier', start, startPrecision, end, fractionalPrecision, span: cursor.spanFrom(startToken) };
}

/** Type names with no parameters, or with an optional `(n)` / `(p, s)`. Aliases map to Flink's canonical name. */
const SCALAR_TYPE_NAMES: Record<string, ScalarTypeName> = {
  BOOLEAN: 'BOOLEAN', BOOL: 'BOOLEAN',
  TINYINT: 'TINYINT', SMALLINT: 'SMALLINT', INT: 'INT', INTEGER: 'INT', BIGINT: 'BIGINT',
  FLOAT: 'FLOAT', REAL: 'FLOAT', DOUBLE: 'DOUBLE',
  DECIMAL: 'DECIMAL', DEC: 'DECIMAL', NUMERIC: 'DECIMAL',
  CHAR: 'CHAR', CHARACTER: 'CHAR', VARCHAR: 'VARCHAR', STRING: 'STRING',
  BINARY: 'BINARY', VARBINARY: 'VARBINARY', BYTES: 'BYTES',
  DATE: 'DATE', TIME: 'TIME', TIMESTAMP: 'TIMESTAMP', TIMESTAMP_LTZ: 'TIMESTAMP_LTZ',
  NULL: 'NULL',
};

const TAKES_LENGTH = new Set<ScalarTypeName>(['CHAR', 'VARCHAR', 'BINARY', 'VARBINARY', 'TIME', 'TIMESTAMP', 'TIMESTAMP_LTZ']);

export function isDataTypeStart(token: Token): boolean {
  return (
    token.type === 'word' &&
    (token.upper in SCALAR_TYPE_NAMES || ['ARRAY', 'MAP', 'MULTISET', 'ROW', 'INTERVAL'].includes(token.upper))
  );
}

export function parseDataType(cursor: Cursor): DataType {
  const start = cursor.peek();
  let type = parseTypeWithoutNullability(cursor);
  // Postfix collection syntax: `INT ARRAY`, `STRING MULTISET`.
  while (cursor.isKeyword('ARRAY') || cursor.isKeyword('MULTISET')) {
    const keyword = cursor.next().upper;
    type =
      keyword === 'ARRAY'
        ? { kind: 'ArrayType', element: type, notNull: false, span: cursor.spanFrom(start) }
        : { kind: 'MultisetType', element: type, notNull: false, span: cursor.spanFrom(start) };
  }
  if (cursor.acceptKeywords('NOT', 'NULL')) type.notNull = true;
  else cursor.acceptKeyword('NULL');
  type.span = cursor.spanFrom(start);
  return type;
}

function parseTypeWithoutNullability(cursor: Cursor): DataType {
  const start = cursor.peek();
  if (start.type !== 'word') throw cursor.errorExpected('a data type');
  const keyword = start.upper;
  switch (keyword) {
    case 'ARRAY':
    case 'MULTISET': {
      cursor.next();
      cursor.expectOperator('<');
      const element = parseDataType(cursor);
      cursor.expectOperator('>');
      const span = cursor.spanFrom(start);
      return keyword === 'ARRAY'
        ? { kind: 'ArrayType', element, notNull: false, span }
        : { kind: 'MultisetType', element, notNull: false, span };
    }
    case 'MAP': {
      cursor.next();
      cursor.expectOperator('<');
      const key = parseDataType(cursor);
      cursor.expectOperator(',');
      const value = parseDataType(cursor);
      cursor.expectOperator('>');
      return { kind: 'MapType', key, value, notNull: false, span: cursor.spanFrom(start) };
    }
    case 'ROW':
      return parseRowType(cursor);
    case 'INTERVAL': {
      cursor.next();
      const qualifier = parseIntervalQualifier(cursor);
      return { kind: 'IntervalType', qualifier, notNull: false, span: cursor.spanFrom(start) };
    }
  }
  const name = SCALAR_TYPE_NAMES[keyword];
  if (name === undefined) {
    const suggestion = suggestKeyword(keyword, [...Object.keys(SCALAR_TYPE_NAMES), 'ARRAY', 'MAP', 'MULTISET', 'ROW', 'INTERVAL']);
    if (suggestion !== undefined) throw cursor.errorExpected('a data type', `did you mean ${suggestion}?`);
    throw cursor.errorExpected(
      'a data type',
      'Flink types include INT, BIGINT, STRING, VARCHAR(n), DECIMAL(p, s), TIMESTAMP(p), TIMESTAMP_LTZ(p), ARRAY<T>, MAP<K, V>, ROW<...>',
    );
  }
  cursor.next();
  let resolved: ScalarTypeName = name;
  if (keyword === 'DOUBLE') cursor.acceptKeyword('PRECISION');
  if (keyword === 'CHARACTER' && cursor.acceptKeyword('VARYING')) resolved = 'VARCHAR';
  if (keyword === 'CHAR' && cursor.acceptKeyword('VARYING')) resolved = 'VARCHAR';
  let precision: number | undefined;
  let scale: number | undefined;
  if ((TAKES_LENGTH.has(resolved) || resolved === 'DECIMAL' || resolved === 'FLOAT') && cursor.acceptOperator('(')) {
    precision = cursor.expectInteger(resolved === 'DECIMAL' ? 'a precision' : 'a length');
    if (resolved === 'DECIMAL' && cursor.acceptOperator(',')) scale = cursor.expectInteger('a scale');
    cursor.expectClosing();
  }
  if (resolved === 'TIMESTAMP' || resolved === 'TIME') {
    if (cursor.acceptKeywords('WITHOUT', 'TIME', 'ZONE')) {
      // the default meaning; nothing to record
    } else if (resolved === 'TIMESTAMP' && cursor.acceptKeywords('WITH', 'LOCAL', 'TIME', 'ZONE')) {
      resolved = 'TIMESTAMP_LTZ';
    } else if (cursor.isKeywords('WITH', 'TIME', 'ZONE')) {
      throw cursor.error(
        'TIMESTAMP WITH TIME ZONE is not supported by Flink',
        'use TIMESTAMP_LTZ(p) (TIMESTAMP(p) WITH LOCAL TIME ZONE) for instants',
      );
    }
  }
  return { kind: 'ScalarType', name: resolved, precision, scale, notNull: false, span: cursor.spanFrom(start) };
}

/** `ROW<name T [COMMENT '...'], ...>` or `ROW(name T, ...)` */
function parseRowType(cursor: Cursor): DataType {
  const start = cursor.next();
  const angle = cursor.isOperator('<');
  const close = angle ? '>' : ')';
  if (!cursor.acceptOperator('<') && !cursor.acceptOperator('(')) throw cursor.errorExpected("'<' or '('");
  const fields: RowTypeField[] = [];
  if (!cursor.isOperator(close)) {
    do {
      const fieldStart = cursor.peek();
      const name = cursor.parseIdentifier('a field name');
      const type = parseDataType(cursor);
      const comment = cursor.acceptKeyword('COMMENT') ? cursor.expectString() : undefined;
      fields.push({ kind: 'RowTypeField', name, type, comment, span: cursor.spanFrom(fieldStart) });
    } while (cursor.acceptOperator(','));
  }
  cursor.expectOperator(close);
  return { kind: 'RowType', fields, notNull: false, span: cursor.spanFrom(start) };
}
