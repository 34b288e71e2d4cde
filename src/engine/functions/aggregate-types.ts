/**
 * Which aggregate functions exist and what they return, following Flink's type inference:
 *
 * | function                         | argument            | result                          |
 * |----------------------------------|---------------------|---------------------------------|
 * | COUNT(*), COUNT([DISTINCT] x,..) | any                 | BIGINT NOT NULL                 |
 * | SUM                              | TINYINT..BIGINT     | the same integer type           |
 * |                                  | DECIMAL(p, s)       | DECIMAL(38, s)                  |
 * |                                  | FLOAT / DOUBLE      | the same type                   |
 * | AVG                              | integers            | the same integer type (!)       |
 * |                                  | DECIMAL(p, s)       | DECIMAL(38, max(6, s))          |
 * |                                  | FLOAT / DOUBLE      | the same type                   |
 * | MIN, MAX, FIRST_VALUE, LAST_VALUE| comparable scalar   | the argument's type             |
 * | LISTAGG(x [, sep])               | character           | STRING                          |
 * | COLLECT                          | any                 | MULTISET<argument> NOT NULL     |
 * | VAR_POP, VAR_SAMP, VARIANCE,     | numeric             | the argument's type             |
 * | STDDEV_POP, STDDEV_SAMP, STDDEV  |                     |                                 |
 * Every result but COUNT's and COLLECT's is nullable: a group whose arguments are all NULL yields NULL.
 */
import { ShiftleftError } from '../../common/errors.ts';
import type { SqlType } from '../../types/sql-type.ts';
import { T, formatType, isCharacter, isNumeric, withNullability } from '../../types/sql-type.ts';

const AGGREGATE_FUNCTIONS = new Set([
  'COUNT',
  'SUM',
  'AVG',
  'MIN',
  'MAX',
  'LISTAGG',
  'FIRST_VALUE',
  'LAST_VALUE',
  'VAR_POP',
  'VAR_SAMP',
  'VARIANCE',
  'STDDEV_POP',
  'STDDEV_SAMP',
  'STDDEV',
  'COLLECT',
]);

/** Flink's spellings that mean the same as another function. */
const ALIASES: Record<string, string> = { VARIANCE: 'VAR_SAMP', STDDEV: 'STDDEV_SAMP' };

export function isAggregateFunction(name: string): boolean {
  return AGGREGATE_FUNCTIONS.has(name.toUpperCase());
}

/** The canonical name of an aggregate function (`variance` -> `VAR_SAMP`). */
export function canonicalAggregateName(name: string): string {
  const upper = name.toUpperCase();
  return ALIASES[upper] ?? upper;
}

const COMPLEX_KINDS = new Set(['ARRAY', 'MULTISET', 'MAP', 'ROW']);

function mismatch(fn: string, argTypes: SqlType[], expected: string): never {
  const got = argTypes.map(formatType).join(', ');
  throw new ShiftleftError('SQL_TYPE_MISMATCH', `${fn}(${got}): ${fn} expects ${expected}`, {
    hint: `Cast the argument, e.g. ${fn}(CAST(x AS ${expected.includes('numeric') ? 'DOUBLE' : 'STRING'})).`,
    details: { function: fn, argumentTypes: argTypes.map(formatType) },
  });
}

function expectArgCount(fn: string, argTypes: SqlType[], min: number, max: number): void {
  if (argTypes.length < min || argTypes.length > max) {
    const wanted = min === max ? `${min}` : `${min} to ${max}`;
    throw new ShiftleftError('SQL_TYPE_MISMATCH', `${fn} takes ${wanted} argument(s), got ${argTypes.length}`, {
      details: { function: fn },
    });
  }
}

/** The result type of `fn(argTypes)`; throws SQL_UNKNOWN_FUNCTION or SQL_TYPE_MISMATCH. */
export function resolveAggregate(fn: string, argTypes: SqlType[], distinct: boolean): SqlType {
  const name = fn.toUpperCase();
  if (!AGGREGATE_FUNCTIONS.has(name)) {
    throw new ShiftleftError('SQL_UNKNOWN_FUNCTION', `unknown aggregate function ${fn}`, {
      hint: `Supported aggregate functions: ${[...AGGREGATE_FUNCTIONS].join(', ')}.`,
      details: { function: fn },
    });
  }
  const arg = argTypes[0];
  switch (canonicalAggregateName(name)) {
    case 'COUNT':
      if (distinct && argTypes.length === 0) throw new ShiftleftError('SQL_TYPE_MISMATCH', 'COUNT(DISTINCT) needs at least one argument');
      return T.bigint(false);
    case 'SUM':
      expectArgCount(name, argTypes, 1, 1);
      if (!isNumeric(arg!)) mismatch(name, argTypes, 'a numeric argument');
      return arg!.kind === 'DECIMAL' ? T.decimal(38, arg!.scale) : withNullability(arg!, true);
    case 'AVG':
      expectArgCount(name, argTypes, 1, 1);
      if (!isNumeric(arg!)) mismatch(name, argTypes, 'a numeric argument');
      return arg!.kind === 'DECIMAL' ? T.decimal(38, Math.max(6, arg!.scale)) : withNullability(arg!, true);
    case 'MIN':
    case 'MAX':
    case 'FIRST_VALUE':
    case 'LAST_VALUE':
      expectArgCount(name, argTypes, 1, 1);
      if (COMPLEX_KINDS.has(arg!.kind)) mismatch(name, argTypes, 'a comparable scalar argument');
      return withNullability(arg!, true);
    case 'LISTAGG':
      expectArgCount(name, argTypes, 1, 2);
      if (!argTypes.every((t) => isCharacter(t) || t.kind === 'NULL')) mismatch(name, argTypes, 'character arguments');
      return T.string();
    case 'COLLECT':
      expectArgCount(name, argTypes, 1, 1);
      return { kind: 'MULTISET', element: arg!, nullable: false };
    case 'VAR_POP':
    case 'VAR_SAMP':
    case 'STDDEV_POP':
    case 'STDDEV_SAMP':
      expectArgCount(name, argTypes, 1, 1);
      if (!isNumeric(arg!)) mismatch(name, argTypes, 'a numeric argument');
      return withNullability(arg!, true);
  }
  throw new ShiftleftError('INTERNAL', `aggregate ${name} has no type rule`);
}

