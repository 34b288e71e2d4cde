/**
 * Flink's rules for the types of expressions: numeric promotion, DECIMAL precision and scale of
 * arithmetic results (Flink's LogicalTypeMerging), the common type of several values (CASE,
 * COALESCE, IN lists, UNION, VALUES) and which conversions happen implicitly.
 */
import { T, isCharacter, isBinary, isInteger, isNumeric, withNullability, type SqlType, type SqlTypeKind } from '../../types/sql-type.ts';

export const MAX_DECIMAL_PRECISION = 38;
/** Scale kept at least when a DECIMAL result would exceed 38 digits (as Flink does). */
const MIN_ADJUSTED_SCALE = 6;

const INTEGER_RANK: Partial<Record<SqlTypeKind, number>> = { TINYINT: 1, SMALLINT: 2, INT: 3, BIGINT: 4 };
/** Digits of each integer type when it meets a DECIMAL. */
const INTEGER_DIGITS: Partial<Record<SqlTypeKind, number>> = { TINYINT: 3, SMALLINT: 5, INT: 10, BIGINT: 19 };

export const anyNullable = (types: readonly SqlType[]): boolean => types.some((t) => t.nullable);

/** DECIMAL(p, s) of a numeric exact type (integers become DECIMAL(digits, 0)). */
export function asDecimal(type: SqlType): { precision: number; scale: number } {
  if (type.kind === 'DECIMAL') return { precision: type.precision, scale: type.scale };
  return { precision: INTEGER_DIGITS[type.kind] ?? 19, scale: 0 };
}

/** Keeps a DECIMAL within 38 digits, giving up fractional digits first but keeping at least 6. */
export function adjustedDecimal(precision: number, scale: number, nullable: boolean): SqlType {
  if (precision <= MAX_DECIMAL_PRECISION) return T.decimal(precision, scale, nullable);
  const integerDigits = precision - scale;
  const keptScale = Math.max(MAX_DECIMAL_PRECISION - integerDigits, Math.min(scale, MIN_ADJUSTED_SCALE));
  return T.decimal(MAX_DECIMAL_PRECISION, keptScale, nullable);
}

const largerInteger = (a: SqlType, b: SqlType): SqlType => ((INTEGER_RANK[a.kind] ?? 0) >= (INTEGER_RANK[b.kind] ?? 0) ? a : b);

/**
 * Result type of `a op b` for numeric operands, op one of + - * / %.
 * Integers stay integers (INT / INT is INT, truncating); FLOAT/DOUBLE win over exact types;
 * DECIMAL follows Flink's precision rules.
 */
export function arithmeticType(op: string, a: SqlType, b: SqlType): SqlType {
  const nullable = a.nullable || b.nullable;
  if (isInteger(a) && isInteger(b)) {
    // Flink types MOD/% of integers like its second operand.
    return withNullability(op === '%' ? b : largerInteger(a, b), nullable);
  }
  if (a.kind === 'DOUBLE' || b.kind === 'DOUBLE') return T.double(nullable);
  if (a.kind === 'FLOAT' || b.kind === 'FLOAT') {
    return a.kind === 'DECIMAL' || b.kind === 'DECIMAL' ? T.double(nullable) : T.float(nullable);
  }
  const x = asDecimal(a);
  const y = asDecimal(b);
  switch (op) {
    case '+':
    case '-': {
      const scale = Math.max(x.scale, y.scale);
      return adjustedDecimal(Math.max(x.precision - x.scale, y.precision - y.scale) + scale + 1, scale, nullable);
    }
    case '*':
      return adjustedDecimal(x.precision + y.precision, x.scale + y.scale, nullable);
    case '/': {
      const scale = Math.max(MIN_ADJUSTED_SCALE, x.scale + y.precision + 1);
      return adjustedDecimal(x.precision - x.scale + y.scale + scale, scale, nullable);
    }
    default: {
      const scale = Math.max(x.scale, y.scale);
      return adjustedDecimal(Math.min(x.precision - x.scale, y.precision - y.scale) + scale, scale, nullable);
    }
  }
}

/** The type several values share, or undefined when they have none. Nullable if any is. */
export function commonType(types: readonly SqlType[]): SqlType | undefined {
  const nullable = anyNullable(types);
  const known = types.filter((t) => t.kind !== 'NULL');
  if (known.length === 0) return types.length > 0 ? T.null() : undefined;
  let result: SqlType | undefined = known[0]!;
  for (const t of known.slice(1)) {
    result = commonOfTwo(result, t);
    if (result === undefined) return undefined;
  }
  return withNullability(result, nullable);
}

function commonOfTwo(a: SqlType, b: SqlType): SqlType | undefined {
  const nullable = a.nullable || b.nullable;
  if (isNumeric(a) && isNumeric(b)) return commonNumeric(a, b, nullable);
  if (isCharacter(a) && isCharacter(b)) {
    if (a.kind === 'CHAR' && b.kind === 'CHAR' && a.length === b.length) return withNullability(a, nullable);
    return T.varchar(Math.max(lengthOf(a), lengthOf(b)), nullable);
  }
  if (isBinary(a) && isBinary(b)) {
    if (a.kind === 'BINARY' && b.kind === 'BINARY' && a.length === b.length) return withNullability(a, nullable);
    return { kind: 'VARBINARY', length: Math.max(lengthOf(a), lengthOf(b)), nullable };
  }
  if ((a.kind === 'TIMESTAMP' || a.kind === 'TIMESTAMP_LTZ' || a.kind === 'DATE') && (b.kind === 'TIMESTAMP' || b.kind === 'TIMESTAMP_LTZ' || b.kind === 'DATE')) {
    if (a.kind === 'DATE' && b.kind === 'DATE') return T.date(nullable);
    const precision = Math.max(precisionOf(a), precisionOf(b));
    return a.kind === 'TIMESTAMP_LTZ' || b.kind === 'TIMESTAMP_LTZ' ? T.timestampLtz(precision, nullable) : T.timestamp(precision, nullable);
  }
  if (a.kind === 'TIME' && b.kind === 'TIME') return T.time(Math.max(a.precision, b.precision), nullable);
  if (a.kind !== b.kind) return undefined;
  switch (a.kind) {
    case 'ARRAY':
    case 'MULTISET': {
      const element = commonType([a.element, (b as typeof a).element]);
      return element === undefined ? undefined : { kind: a.kind, element, nullable };
    }
    case 'MAP': {
      const other = b as typeof a;
      const key = commonType([a.key, other.key]);
      const value = commonType([a.value, other.value]);
      return key === undefined || value === undefined ? undefined : T.map(key, value, nullable);
    }
    case 'ROW': {
      const other = b as typeof a;
      if (a.fields.length !== other.fields.length) return undefined;
      const fields = [];
      for (let i = 0; i < a.fields.length; i++) {
        const type = commonType([a.fields[i]!.type, other.fields[i]!.type]);
        if (type === undefined) return undefined;
        fields.push({ name: a.fields[i]!.name, type });
      }
      return T.row(fields, nullable);
    }
    default:
      return withNullability(a, nullable);
  }
}

function commonNumeric(a: SqlType, b: SqlType, nullable: boolean): SqlType {
  if (isInteger(a) && isInteger(b)) return withNullability(largerInteger(a, b), nullable);
  if (a.kind === 'DOUBLE' || b.kind === 'DOUBLE') return T.double(nullable);
  if (a.kind === 'FLOAT' || b.kind === 'FLOAT') return a.kind === 'DECIMAL' || b.kind === 'DECIMAL' ? T.double(nullable) : T.float(nullable);
  const x = asDecimal(a);
  const y = asDecimal(b);
  const scale = Math.max(x.scale, y.scale);
  const integerDigits = Math.max(x.precision - x.scale, y.precision - y.scale);
  return adjustedDecimal(integerDigits + scale, scale, nullable);
}

function lengthOf(t: SqlType): number {
  return 'length' in t ? t.length : 0;
}

function precisionOf(t: SqlType): number {
  return t.kind === 'TIMESTAMP' || t.kind === 'TIMESTAMP_LTZ' ? t.precision : 0;
}

/**
 * Whether Flink converts `from` to `to` on its own where a `to` is expected (function arguments,
 * comparisons, INSERT columns): numeric widening, CHAR/VARCHAR, BINARY/VARBINARY, DATE to
 * TIMESTAMP, TIMESTAMP to/from TIMESTAMP_LTZ, NULL to anything, and structured types element-wise.
 */
export function canImplicitlyCast(from: SqlType, to: SqlType): boolean {
  if (from.kind === 'NULL') return true;
  if (from.kind === to.kind) {
    switch (from.kind) {
      case 'ARRAY':
      case 'MULTISET':
        return canImplicitlyCast(from.element, (to as typeof from).element);
      case 'MAP': {
        const target = to as typeof from;
        return canImplicitlyCast(from.key, target.key) && canImplicitlyCast(from.value, target.value);
      }
      case 'ROW': {
        const target = to as typeof from;
        return from.fields.length === target.fields.length && from.fields.every((f, i) => canImplicitlyCast(f.type, target.fields[i]!.type));
      }
      default:
        return true;
    }
  }
  if (isNumeric(from) && isNumeric(to)) return numericRank(from) <= numericRank(to);
  if (isCharacter(from) && isCharacter(to)) return true;
  if (isBinary(from) && isBinary(to)) return true;
  if (from.kind === 'DATE' && (to.kind === 'TIMESTAMP' || to.kind === 'TIMESTAMP_LTZ')) return true;
  if ((from.kind === 'TIMESTAMP' && to.kind === 'TIMESTAMP_LTZ') || (from.kind === 'TIMESTAMP_LTZ' && to.kind === 'TIMESTAMP')) return true;
  return false;
}

/** Widening order of numeric types: TINYINT < SMALLINT < INT < BIGINT < DECIMAL < FLOAT < DOUBLE. */
export function numericRank(t: SqlType): number {
  return INTEGER_RANK[t.kind] ?? ({ DECIMAL: 5, FLOAT: 6, DOUBLE: 7 } as Partial<Record<SqlTypeKind, number>>)[t.kind] ?? 0;
}
