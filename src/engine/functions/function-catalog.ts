/**
 * The catalog of built-in scalar functions and operators: the binder's entry point for typing
 * calls (resolveCall, castType, commonType) and the compiler's for generating them (lookup).
 *
 * Names are the canonical upper-case `op` names of scalar-expr.ts. Special call shapes the
 * binder produces (all documented again at the functions):
 *   TRIM        (side, characters, source): side a string literal 'BOTH' | 'LEADING' | 'TRAILING',
 *               characters a string (a literal ' ' when the query names none)
 *   POSITION    (needle, haystack)
 *   EXTRACT     (unit literal, value); FLOOR/CEIL(value, unit literal) for `FLOOR(x TO unit)`
 *   TIMESTAMPADD(unit literal, amount, value), TIMESTAMPDIFF(unit literal, start, end)
 *   JSON_VALUE  (json, path[, typed NULL literal whose type is the RETURNING type])
 *   CASE        (when1, then1, ..., else)
 *   IN, NOT IN  (operand, item1, item2, ...)
 */
import { ShiftleftError } from '../../common/errors.ts';
import type { SqlType } from '../../types/sql-type.ts';
import { call, type Call, type ScalarExpr } from '../../sql/plan/scalar-expr.ts';
import { commonType as commonTypeOf } from '../expr/type-rules.ts';
import { ARITHMETIC_FUNCTIONS } from './scalar-arithmetic.ts';
import { CAST_FUNCTIONS, castType as castExpression } from './scalar-cast.ts';
import { COLLECTION_FUNCTIONS } from './scalar-collection.ts';
import { COMPARISON_FUNCTIONS } from './scalar-comparison.ts';
import { CONDITIONAL_FUNCTIONS } from './scalar-conditional.ts';
import type { ScalarFunction } from './scalar-definition.ts';
import { JSON_FUNCTIONS } from './scalar-json.ts';
import { LOGIC_FUNCTIONS } from './scalar-logic.ts';
import { MATH_FUNCTIONS } from './scalar-math.ts';
import { STRING_FUNCTIONS } from './scalar-string.ts';
import { TIME_FUNCTIONS } from './scalar-time.ts';

/** Other names of the same function. */
const ALIASES: Record<string, string> = {
  CEILING: 'CEIL',
  CHARACTER_LENGTH: 'CHAR_LENGTH',
  SUBSTR: 'SUBSTRING',
  POW: 'POWER',
  LCASE: 'LOWER',
  UCASE: 'UPPER',
  '!=': '<>',
  'IS UNKNOWN': 'IS NULL',
  'IS NOT UNKNOWN': 'IS NOT NULL',
};

const FUNCTIONS = new Map<string, ScalarFunction>();
for (const fn of [
  ...ARITHMETIC_FUNCTIONS,
  ...COMPARISON_FUNCTIONS,
  ...LOGIC_FUNCTIONS,
  ...CONDITIONAL_FUNCTIONS,
  ...CAST_FUNCTIONS,
  ...MATH_FUNCTIONS,
  ...STRING_FUNCTIONS,
  ...TIME_FUNCTIONS,
  ...JSON_FUNCTIONS,
  ...COLLECTION_FUNCTIONS,
]) {
  if (FUNCTIONS.has(fn.name)) throw new Error(`function ${fn.name} defined twice`);
  FUNCTIONS.set(fn.name, fn);
}

/** The definition of a function or operator, by canonical name or alias. */
export function lookupFunction(name: string): ScalarFunction | undefined {
  const upper = name.toUpperCase();
  return FUNCTIONS.get(ALIASES[upper] ?? upper);
}

export function isKnownFunction(name: string): boolean {
  return lookupFunction(name) !== undefined;
}

/** Named functions (not operators), sorted, for SHOW FUNCTIONS. */
export function listFunctions(): string[] {
  const names = [...FUNCTIONS.keys(), ...Object.keys(ALIASES)].filter((n) => /^[A-Z][A-Z0-9_]*$/.test(n) && !['CAST', 'TRY_CAST', 'CASE', 'AND', 'OR', 'NOT', 'IN', 'LIKE', 'NEG', 'ITEM'].includes(n));
  return [...new Set(names)].sort();
}

/** Signature text of a function, for help and error hints. */
export function functionSignature(name: string): string | undefined {
  return lookupFunction(name)?.signature;
}

/**
 * Types a call of `op` (upper-case canonical name): checks the arguments, inserts Flink's
 * implicit casts and returns the Call with its result type and nullability.
 * Throws SQL_UNKNOWN_FUNCTION (with the closest known name) or SQL_TYPE_MISMATCH.
 */
export function resolveCall(op: string, args: ScalarExpr[]): Call {
  const fn = lookupFunction(op);
  if (fn === undefined) {
    const suggestion = closestName(op.toUpperCase());
    throw new ShiftleftError('SQL_UNKNOWN_FUNCTION', `unknown function '${op}'`, {
      hint: suggestion === undefined ? 'SHOW FUNCTIONS lists the built-in functions' : `did you mean ${suggestion}?`,
    });
  }
  const typed = fn.infer(args, fn.name);
  return call(fn.name, typed.args, typed.type);
}

/** Explicit CAST (or TRY_CAST when `safe`); SQL_TYPE_MISMATCH when the cast is not allowed. */
export function castType(expr: ScalarExpr, target: SqlType, safe = false): ScalarExpr {
  return castExpression(expr, target, safe);
}

/** The type CASE branches, UNION inputs, IN lists or VALUES rows share, or undefined. */
export function commonType(types: SqlType[]): SqlType | undefined {
  return commonTypeOf(types);
}

/** Whether the optimizer may fold or share calls of this function (false for RAND, NOW, UUID...). */
export function isDeterministic(op: string): boolean {
  return lookupFunction(op)?.deterministic !== false;
}

// ---------------------------------------------------------------------------------------------
// suggestions

function editDistance(a: string, b: string): number {
  const row = Array.from({ length: b.length + 1 }, (_, j) => j);
  for (let i = 1; i <= a.length; i++) {
    let diagonal = row[0]!;
    row[0] = i;
    for (let j = 1; j <= b.length; j++) {
      const above = row[j]!;
      row[j] = Math.min(row[j]! + 1, row[j - 1]! + 1, diagonal + (a[i - 1] === b[j - 1] ? 0 : 1));
      diagonal = above;
    }
  }
  return row[b.length]!;
}

/** The known name nearest to `name` when it is close enough to be a typo. */
function closestName(name: string): string | undefined {
  let best: string | undefined;
  let bestDistance = Infinity;
  for (const candidate of listFunctions()) {
    const d = editDistance(name, candidate);
    if (d < bestDistance) {
      best = candidate;
      bestDistance = d;
    }
  }
  return best !== undefined && bestDistance <= Math.max(2, Math.floor(name.length / 3)) ? best : undefined;
}
