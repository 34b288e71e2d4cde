/**
 * CAST, TRY_CAST and the implicit casts the catalog inserts.
 *
 * Every conversion is a converter of a non-null value, built once per (from, to) pair at compile
 * time; `null` means the run-time value does not change (INT to BIGINT, TIMESTAMP(3) to
 * TIMESTAMP_LTZ(3), CHAR to STRING...), so such casts cost nothing.
 *
 * Semantics (Flink 1.15+ cast rules):
 * - invalid input ('abc' to INT, '2024-13-01' to DATE) fails the statement with SQL_RUNTIME_ERROR
 *   under CAST, and gives NULL under TRY_CAST;
 * - a value too large for DECIMAL(p, s) becomes NULL (so CAST to DECIMAL is always nullable);
 * - DOUBLE to integer truncates toward zero and saturates (Java's (int) cast); narrowing between
 *   integer types wraps (Java's (byte)/(short)/(int));
 * - strings to numbers trim blanks and accept a fraction for integers ('1.9' to INT is 1);
 * - BOOLEAN to string is 'TRUE'/'FALSE'; strings to BOOLEAN accept true/t/yes/y/1 and
 *   false/f/no/n/0 in any case;
 * - text forms: DATE 'yyyy-MM-dd', TIME 'HH:mm:ss[.f]', TIMESTAMP 'yyyy-MM-dd HH:mm:ss[.f]' with
 *   exactly the type's precision of fractional digits; TIMESTAMP and TIMESTAMP_LTZ are the same
 *   number because the session time zone is UTC;
 * - CHAR(n)/VARCHAR(n) targets truncate (and CHAR pads) to n characters.
 */
import { ShiftleftError } from '../../common/errors.ts';
import {
  formatType, isBinary, isCharacter, isInteger, isNumeric, MAX_LENGTH, sameType, withNullability, type SqlType,
} from '../../types/sql-type.ts';
import { call, literal, type ScalarExpr } from '../../sql/plan/scalar-expr.ts';
import type { CodeGen } from '../expr/codegen.ts';
import { runtimeError } from '../expr/runtime-error.ts';
import { canImplicitlyCast } from '../expr/type-rules.ts';
import {
  decimalToString, doubleToInt, fitsDecimal, javaDoubleToString, javaFloatToString, roundHalfUp, wrapInteger,
} from '../expr/numeric.ts';
import { formatDate, formatTime, formatTimestamp, MS_PER_DAY, parseDate, parseTime, parseTimestamp } from '../expr/temporal.ts';
import type { StrictFunction } from './scalar-definition.ts';

/** Converts a non-null value; returns null only where the cast defines NULL (DECIMAL overflow, TRY_CAST). */
export type Converter = (value: unknown) => unknown;

const INTEGER_RANGE: Record<string, [number, number]> = {
  TINYINT: [-128, 127],
  SMALLINT: [-32768, 32767],
  INT: [-2147483648, 2147483647],
  // 2^63 - 1 is not a double: the nearest bound JavaScript can hold.
  BIGINT: [-(2 ** 63), 2 ** 63],
};

const isTemporalKind = (t: SqlType): boolean => t.kind === 'DATE' || t.kind === 'TIME' || t.kind === 'TIMESTAMP' || t.kind === 'TIMESTAMP_LTZ';

/** Whether CAST(from AS to) is allowed. */
export function castAllowed(from: SqlType, to: SqlType): boolean {
  if (from.kind === 'NULL') return true;
  if (isCharacter(to)) return true; // everything has a text form
  if (from.kind === to.kind) {
    switch (from.kind) {
      case 'ARRAY':
      case 'MULTISET':
        return castAllowed(from.element, (to as typeof from).element);
      case 'MAP': {
        const target = to as typeof from;
        return castAllowed(from.key, target.key) && castAllowed(from.value, target.value);
      }
      case 'ROW': {
        const target = to as typeof from;
        return from.fields.length === target.fields.length && from.fields.every((f, i) => castAllowed(f.type, target.fields[i]!.type));
      }
      default:
        return true;
    }
  }
  if (isNumeric(from) && isNumeric(to)) return true;
  if ((isInteger(from) && to.kind === 'BOOLEAN') || (from.kind === 'BOOLEAN' && isNumeric(to))) return true;
  if (isCharacter(from)) return isNumeric(to) || to.kind === 'BOOLEAN' || isTemporalKind(to) || isBinary(to);
  if (isBinary(from) && isBinary(to)) return true;
  switch (from.kind) {
    case 'DATE':
      return to.kind === 'TIMESTAMP' || to.kind === 'TIMESTAMP_LTZ';
    case 'TIME':
      return to.kind === 'TIMESTAMP';
    case 'TIMESTAMP':
    case 'TIMESTAMP_LTZ':
      return to.kind === 'DATE' || to.kind === 'TIME' || to.kind === 'TIMESTAMP' || to.kind === 'TIMESTAMP_LTZ';
    default:
      return false;
  }
}

/** Whether the cast can give NULL for a non-null input even when it is not TRY_CAST. */
function castCanYieldNull(from: SqlType, to: SqlType): boolean {
  return to.kind === 'DECIMAL' && from.kind !== 'NULL' && !(isInteger(from) && fitsIntegerDigits(from, to));
}

function fitsIntegerDigits(from: SqlType, to: Extract<SqlType, { kind: 'DECIMAL' }>): boolean {
  const digits = { TINYINT: 3, SMALLINT: 5, INT: 10, BIGINT: 19 }[from.kind as 'INT'] ?? 19;
  return to.precision - to.scale >= digits;
}

/** Drops the fractional digits a precision below 3 (milliseconds) cannot hold. */
function truncateToPrecision(precision: number): Converter | null {
  if (precision >= 3) return null;
  const unit = precision === 0 ? 1000 : precision === 1 ? 100 : 10;
  return (v) => Math.floor((v as number) / unit) * unit;
}

function failure(value: unknown, to: SqlType, safe: boolean): null {
  if (safe) return null;
  const shown = typeof value === 'string' ? `'${value}'` : String(value);
  return runtimeError('CAST', `cannot cast ${shown} to ${formatType(withNullability(to, true))}`, 'use TRY_CAST to get NULL for values that do not convert');
}

const NUMBER_TEXT = /^[+-]?(?:\d+\.?\d*|\.\d+)(?:[eE][+-]?\d+)?$/;
const INTEGER_TEXT = /^[+-]?\d+(?:\.\d*)?$/;
const TRUE_TEXT = new Set(['true', 't', 'yes', 'y', '1']);
const FALSE_TEXT = new Set(['false', 'f', 'no', 'n', '0']);
const utf8Decoder = new TextDecoder();
const utf8Encoder = new TextEncoder();

/**
 * The converter for CAST(from AS to), or null when the value is unchanged. `safe` makes invalid
 * input give NULL instead of failing.
 */
export function castConverter(from: SqlType, to: SqlType, safe = false): Converter | null {
  if (from.kind === 'NULL') return null;
  if (isCharacter(to)) return toText(from, to);
  if (isCharacter(from)) return fromText(to, safe);
  if (isNumeric(to)) return toNumber(from, to);
  switch (to.kind) {
    case 'BOOLEAN':
      return from.kind === 'BOOLEAN' ? null : (v) => v !== 0;
    case 'BINARY':
    case 'VARBINARY':
      return null;
    case 'DATE':
      return from.kind === 'DATE' ? null : (v) => Math.floor((v as number) / MS_PER_DAY);
    case 'TIME': {
      if (from.kind === 'TIME') return truncateToPrecision(to.precision);
      const truncate = truncateToPrecision(to.precision);
      return (v) => {
        const ms = v as number;
        const time = ms - Math.floor(ms / MS_PER_DAY) * MS_PER_DAY;
        return truncate === null ? time : truncate(time);
      };
    }
    case 'TIMESTAMP':
    case 'TIMESTAMP_LTZ': {
      const truncate = truncateToPrecision(to.precision);
      if (from.kind === 'DATE') return (v) => (v as number) * MS_PER_DAY;
      return truncate;
    }
    case 'ARRAY':
    case 'MULTISET': {
      const element = castConverter((from as typeof to).element, to.element, safe);
      return element === null ? null : (v) => (v as unknown[]).map((e) => (e === null ? null : element(e)));
    }
    case 'MAP': {
      const source = from as typeof to;
      const key = castConverter(source.key, to.key, safe) ?? ((k: unknown) => k);
      const value = castConverter(source.value, to.value, safe) ?? ((x: unknown) => x);
      return (v) => new Map([...(v as Map<unknown, unknown>)].map(([k, x]) => [k === null ? null : key(k), x === null ? null : value(x)]));
    }
    case 'ROW': {
      const source = from as typeof to;
      const fields = to.fields.map((f, i) => castConverter(source.fields[i]!.type, f.type, safe));
      if (fields.every((f) => f === null)) return null;
      return (v) => (v as unknown[]).map((x, i) => (x === null || fields[i] === null ? x : fields[i]!(x)));
    }
    default:
      return null;
  }
}

function toNumber(from: SqlType, to: SqlType): Converter | null {
  if (from.kind === 'BOOLEAN') return (v) => (v ? 1 : 0);
  if (isInteger(to)) {
    const [min, max] = INTEGER_RANGE[to.kind]!;
    if (isInteger(from)) return INTEGER_RANGE[from.kind]![1] <= max ? null : (v) => wrapInteger(v as number, to.kind);
    if (from.kind === 'DECIMAL') return (v) => wrapInteger(Math.trunc(v as number), to.kind);
    return (v) => doubleToInt(v as number, min, max);
  }
  switch (to.kind) {
    case 'DOUBLE':
      return null;
    case 'FLOAT':
      return from.kind === 'FLOAT' ? null : (v) => Math.fround(v as number);
    case 'DECIMAL': {
      const { precision, scale } = to;
      if (isInteger(from) && fitsIntegerDigits(from, to)) return null;
      return (v) => {
        const rounded = roundHalfUp(v as number, scale);
        return Number.isFinite(rounded) && fitsDecimal(rounded, precision, scale) ? rounded : null;
      };
    }
    default:
      return null;
  }
}

function fromText(to: SqlType, safe: boolean): Converter | null {
  switch (to.kind) {
    case 'BOOLEAN':
      return (v) => {
        const text = (v as string).trim().toLowerCase();
        return TRUE_TEXT.has(text) ? true : FALSE_TEXT.has(text) ? false : failure(v, to, safe);
      };
    case 'TINYINT':
    case 'SMALLINT':
    case 'INT':
    case 'BIGINT': {
      const [min, max] = INTEGER_RANGE[to.kind]!;
      return (v) => {
        const text = (v as string).trim();
        if (!INTEGER_TEXT.test(text)) return failure(v, to, safe);
        const n = Math.trunc(Number(text));
        return n < min || n > max ? failure(v, to, safe) : n;
      };
    }
    case 'FLOAT':
    case 'DOUBLE':
    case 'DECIMAL': {
      const toDecimal = to.kind === 'DECIMAL' ? toNumber({ kind: 'DOUBLE', nullable: false }, to)! : to.kind === 'FLOAT' ? Math.fround : null;
      return (v) => {
        const text = (v as string).trim();
        let n: number;
        if (NUMBER_TEXT.test(text)) n = Number(text);
        else if (to.kind !== 'DECIMAL' && /^[+-]?(NaN|Infinity)$/.test(text)) n = Number(text);
        else return failure(v, to, safe);
        return toDecimal === null ? n : toDecimal(n);
      };
    }
    case 'DATE':
      return (v) => {
        const days = parseDate(v as string);
        if (days !== null) return days;
        const ms = parseTimestamp(v as string);
        return ms !== null ? Math.floor(ms / MS_PER_DAY) : failure(v, to, safe);
      };
    case 'TIME': {
      const truncate = truncateToPrecision(to.precision);
      return (v) => {
        const time = parseTime(v as string);
        return time === null ? failure(v, to, safe) : truncate === null ? time : truncate(time);
      };
    }
    case 'TIMESTAMP':
    case 'TIMESTAMP_LTZ': {
      const truncate = truncateToPrecision(to.precision);
      return (v) => {
        const ms = parseTimestamp(v as string);
        return ms === null ? failure(v, to, safe) : truncate === null ? ms : truncate(ms);
      };
    }
    case 'BINARY':
    case 'VARBINARY':
      return (v) => utf8Encoder.encode(v as string);
    default:
      return (v) => failure(v, to, safe);
  }
}

/** Text form of a non-null value of `type`, as Flink's CAST to STRING writes it. */
export function valueToText(type: SqlType): (value: unknown) => string {
  switch (type.kind) {
    case 'CHAR':
    case 'VARCHAR':
      return (v) => v as string;
    case 'BOOLEAN':
      return (v) => (v ? 'TRUE' : 'FALSE');
    case 'TINYINT':
    case 'SMALLINT':
    case 'INT':
    case 'BIGINT':
      return (v) => String(v);
    case 'FLOAT':
      return (v) => javaFloatToString(v as number);
    case 'DOUBLE':
      return (v) => javaDoubleToString(v as number);
    case 'DECIMAL': {
      const scale = type.scale;
      return (v) => decimalToString(v as number, scale);
    }
    case 'DATE':
      return (v) => formatDate(v as number);
    case 'TIME': {
      const precision = type.precision;
      return (v) => formatTime(v as number, precision);
    }
    case 'TIMESTAMP':
    case 'TIMESTAMP_LTZ': {
      const precision = type.precision;
      return (v) => formatTimestamp(v as number, precision);
    }
    case 'BINARY':
    case 'VARBINARY':
      return (v) => utf8Decoder.decode(v as Uint8Array);
    case 'INTERVAL_DAY_TIME':
      return (v) => formatDayTimeInterval(v as number);
    case 'INTERVAL_YEAR_MONTH':
      return (v) => {
        const months = v as number;
        const abs = Math.abs(months);
        return `${months < 0 ? '-' : '+'}${Math.floor(abs / 12)}-${String(abs % 12).padStart(2, '0')}`;
      };
    case 'ARRAY':
    case 'MULTISET': {
      const element = valueToText(type.element);
      return (v) => `[${(v as unknown[]).map((e) => (e === null ? 'NULL' : element(e))).join(', ')}]`;
    }
    case 'MAP': {
      const key = valueToText(type.key);
      const value = valueToText(type.value);
      return (v) => `{${[...(v as Map<unknown, unknown>)].map(([k, x]) => `${k === null ? 'NULL' : key(k)}=${x === null ? 'NULL' : value(x)}`).join(', ')}}`;
    }
    case 'ROW': {
      const fields = type.fields.map((f) => valueToText(f.type));
      return (v) => `(${(v as unknown[]).map((x, i) => (x === null ? 'NULL' : fields[i]!(x))).join(', ')})`;
    }
    default:
      return (v) => String(v);
  }
}

/** `+1 02:03:04.005` as Flink prints INTERVAL DAY TO SECOND(3). */
function formatDayTimeInterval(ms: number): string {
  const abs = Math.abs(ms);
  const days = Math.floor(abs / MS_PER_DAY);
  return `${ms < 0 ? '-' : '+'}${days} ${formatTime(abs - days * MS_PER_DAY, 3)}`;
}

function toText(from: SqlType, to: SqlType): Converter | null {
  const length = (to as { length: number }).length;
  const pad = to.kind === 'CHAR';
  const text = isCharacter(from) ? null : valueToText(from);
  const bounded = length < MAX_LENGTH;
  if (text === null && !bounded) return null;
  if (text === null && isCharacter(from) && !pad && (from as { length: number }).length <= length) return null;
  return (v) => {
    let s = text === null ? (v as string) : text(v);
    if (bounded && s.length > length) s = s.slice(0, length);
    if (pad && s.length < length) s = s.padEnd(length, ' ');
    return s;
  };
}

// ---------------------------------------------------------------------------------------------
// typing

/** Explicit CAST/TRY_CAST of `expr` to `target`; SQL_TYPE_MISMATCH when Flink has no such cast. */
export function castType(expr: ScalarExpr, target: SqlType, safe = false): ScalarExpr {
  if (!castAllowed(expr.type, target)) {
    throw new ShiftleftError('SQL_TYPE_MISMATCH', `cannot cast ${formatType(withNullability(expr.type, true))} to ${formatType(withNullability(target, true))}`, {
      hint: castHint(expr.type, target),
    });
  }
  const nullable = expr.type.nullable || safe || castCanYieldNull(expr.type, target);
  const type = withNullability(target, nullable);
  if (expr.type.kind === 'NULL') return literal(null, withNullability(target, true));
  return call(safe ? 'TRY_CAST' : 'CAST', [expr], type);
}

function castHint(from: SqlType, to: SqlType): string {
  if (isNumeric(from) && isTemporalKind(to)) return 'to turn epoch seconds or milliseconds into a timestamp use TO_TIMESTAMP_LTZ(value, 0) or TO_TIMESTAMP_LTZ(value, 3)';
  if (isTemporalKind(from) && isNumeric(to)) return 'use UNIX_TIMESTAMP(...) or EXTRACT(EPOCH FROM ...) for epoch seconds';
  return 'cast through STRING, or use a conversion function';
}

/**
 * The implicit conversion of `expr` to `target` (function arguments, comparisons, CASE
 * branches): the expression itself when the types already agree, a retyped literal when the
 * value converts at compile time, else a CAST node. Keeps the expression's nullability.
 */
export function coerce(expr: ScalarExpr, target: SqlType): ScalarExpr {
  if (sameType(expr.type, target, true) || target.kind === 'NULL') return expr;
  const type = withNullability(target, expr.type.nullable || castCanYieldNull(expr.type, target));
  if (expr.kind === 'Literal') {
    if (expr.value === null) return literal(null, withNullability(target, true));
    const converter = castConverter(expr.type, target);
    try {
      const value = converter === null ? expr.value : converter(expr.value);
      return literal(value, withNullability(type, value === null));
    } catch {
      // leave it to run time: the CAST fails there with the row's context
    }
  }
  return call('CAST', [expr], type);
}

/** Whether `expr` may be passed where `target` is expected without an explicit CAST. */
export function coercible(expr: ScalarExpr, target: SqlType): boolean {
  return canImplicitlyCast(expr.type, target);
}

// ---------------------------------------------------------------------------------------------
// code generation

/** Code converting the non-null value `code` of type `from` to `to`. */
export function castCode(g: CodeGen, from: SqlType, to: SqlType, code: string, safe: boolean): string {
  // Hot paths inline: DECIMAL/DOUBLE to INT (the walkthrough's CAST(price AS INT)).
  if (to.kind === 'INT' && (from.kind === 'DECIMAL')) return `(Math.trunc(${code}) | 0)`;
  const converter = castConverter(from, to, safe);
  return converter === null ? code : `${g.hoist(converter)}(${code})`;
}

const castFunction = (name: 'CAST' | 'TRY_CAST'): StrictFunction => ({
  name,
  signature: `${name}(value AS type)`,
  nulls: 'strict',
  infer(args) {
    if (args.length !== 1) throw new ShiftleftError('SQL_TYPE_MISMATCH', `${name} takes one argument`, { hint: `write ${name}(value AS type)` });
    // Reached only through resolveCall, which has no target type: the binder calls castType.
    throw new ShiftleftError('SQL_VALIDATION_ERROR', `${name} needs a target type`, { hint: 'build casts with castType(expr, type)' });
  },
  generate(g, [value], c) {
    return castCode(g, c.args[0]!.type, c.type, value!, name === 'TRY_CAST');
  },
});

// TRY_CAST is strict too: its converters return NULL instead of throwing.
export const CAST_FUNCTIONS = [castFunction('CAST'), castFunction('TRY_CAST')];
