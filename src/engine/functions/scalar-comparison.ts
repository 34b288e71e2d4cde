/**
 * Comparisons (= <> < <= > >=), IS [NOT] DISTINCT FROM, [NOT] IN, [NOT] LIKE and
 * [NOT] SIMILAR TO.
 *
 * A comparison with NULL is NULL (IS DISTINCT FROM is the null-safe one). Strings compare by
 * UTF-16 code units like Java's String.compareTo; DATE meets TIMESTAMP as a timestamp at
 * midnight, TIMESTAMP meets TIMESTAMP_LTZ directly (same number in the UTC session); ARRAY, MAP,
 * ROW and binary values compare by content. `x IN (a, NULL)` is NULL when x is not found, as in
 * SQL. LIKE's escape character defaults to backslash; `%` and `_` may cross line breaks.
 */
import { isBinary, isCharacter, isNumeric, T, withNullability, type SqlType } from '../../types/sql-type.ts';
import { literal, type Call, type ScalarExpr } from '../../sql/plan/scalar-expr.ts';
import type { CodeGen } from '../expr/codegen.ts';
import { runtimeError } from '../expr/runtime-error.ts';
import { anyNullable, commonType } from '../expr/type-rules.ts';
import { coerce } from './scalar-cast.ts';
import { checkArgs, checkArity, literalValue, typeMismatch, type CustomFunction, type StrictFunction, type Typed } from './scalar-definition.ts';

// ---------------------------------------------------------------------------------------------
// value equality and order for non-primitive values

/** SQL equality of two non-null values of the same type (deep for ARRAY/MAP/ROW/binary). */
export function valuesEqual(a: unknown, b: unknown): boolean {
  if (a === b) return true;
  if (a === null || b === null || typeof a !== 'object' || typeof b !== 'object') return false;
  if (a instanceof Uint8Array && b instanceof Uint8Array) return compareBytes(a, b) === 0;
  if (Array.isArray(a) && Array.isArray(b)) return a.length === b.length && a.every((x, i) => valuesEqual(x, b[i]));
  if (a instanceof Map && b instanceof Map) {
    if (a.size !== b.size) return false;
    for (const [k, v] of a) if (!b.has(k) || !valuesEqual(v, b.get(k))) return false;
    return true;
  }
  return false;
}

export function compareBytes(a: Uint8Array, b: Uint8Array): number {
  const n = Math.min(a.length, b.length);
  for (let i = 0; i < n; i++) if (a[i] !== b[i]) return a[i]! - b[i]!;
  return a.length - b.length;
}

/** Values JavaScript's own operators compare correctly. */
const isPrimitiveType = (t: SqlType): boolean => !isBinary(t) && !['ARRAY', 'MULTISET', 'MAP', 'ROW'].includes(t.kind);

// ---------------------------------------------------------------------------------------------
// typing

const JS_OPERATOR: Record<string, string> = { '=': '===', '<>': '!==', '<': '<', '<=': '<=', '>': '>', '>=': '>=' };

/** Brings operands to a type they can be compared in, or fails. */
export function comparable(name: string, args: ScalarExpr[], orderingNeeded: boolean): ScalarExpr[] {
  const types = args.map((a) => a.type);
  const known = types.filter((t) => t.kind !== 'NULL');
  const numeric = known.every(isNumeric);
  const textual = known.every(isCharacter);
  const common = commonType(types);
  if (common === undefined || (orderingNeeded && ['MAP', 'MULTISET'].includes(common.kind))) {
    throw typeMismatch(name, args, 'operands of comparable types');
  }
  const target = common.kind === 'NULL' ? T.boolean() : common;
  // Numbers and strings compare as they are; other kinds (DATE vs TIMESTAMP...) are cast.
  return args.map((a) => (a.type.kind === 'NULL' ? literal(null, withNullability(target, true)) : numeric || textual ? a : coerce(a, target)));
}

function comparison(op: '=' | '<>' | '<' | '<=' | '>' | '>='): StrictFunction {
  return {
    name: op,
    signature: `value ${op} value`,
    nulls: 'strict',
    infer(rawArgs) {
      checkArity(op, rawArgs, 2, 2, `a ${op} b`);
      const args = comparable(op, rawArgs, op !== '=' && op !== '<>');
      return { args, type: T.boolean(anyNullable(args.map((a) => a.type))) };
    },
    generate(g, [a, b], call) {
      const type = call.args[0]!.type;
      if (isPrimitiveType(type)) return `(${a} ${JS_OPERATOR[op]} ${b})`;
      if (isBinary(type)) return `(${g.hoist(compareBytes)}(${a}, ${b}) ${op === '=' ? '===' : op === '<>' ? '!==' : op} 0)`;
      return `${op === '<>' ? '!' : ''}${g.hoist(valuesEqual)}(${a}, ${b})`;
    },
  };
}

function distinctFrom(negated: boolean): CustomFunction {
  const name = negated ? 'IS NOT DISTINCT FROM' : 'IS DISTINCT FROM';
  return {
    name,
    signature: `value ${name} value`,
    nulls: 'custom',
    infer(rawArgs) {
      checkArity(name, rawArgs, 2, 2, `a ${name} b`);
      return { args: comparable(name, rawArgs, false), type: T.boolean(false) };
    },
    generate(g, [a, b], call) {
      const type = call.args[0]!.type;
      const ta = g.temp();
      const tb = g.temp();
      const equal = isPrimitiveType(type) ? `${ta} === ${tb}` : `${g.hoist(valuesEqual)}(${ta}, ${tb})`;
      // Both NULL: not distinct; one NULL: distinct; else by value.
      const notDistinct = `((${ta} = ${a!.code}) == null ? (${tb} = ${b!.code}) == null : (${tb} = ${b!.code}) != null && ${equal})`;
      return negated ? notDistinct : `!${notDistinct}`;
    },
  };
}

// ---------------------------------------------------------------------------------------------
// IN

/** Three-valued membership for lists that are not all constants. */
function inList(value: unknown, list: unknown[]): boolean | null {
  let sawNull = false;
  for (const item of list) {
    if (item === null || item === undefined) sawNull = true;
    else if (valuesEqual(value, item)) return true;
  }
  return sawNull ? null : false;
}

function inFunction(negated: boolean): CustomFunction {
  const name = negated ? 'NOT IN' : 'IN';
  return {
    name,
    signature: `value ${name} (value, ...)`,
    nulls: 'custom',
    infer(rawArgs): Typed {
      checkArity(name, rawArgs, 2, Infinity, `value ${name} (value1, value2, ...)`);
      const args = comparable(name, rawArgs, false);
      return { args, type: T.boolean(anyNullable(args.map((a) => a.type))) };
    },
    generate(g, [operand, ...list], call) {
      const items = call.args.slice(1);
      const t = g.temp();
      const [yes, no] = negated ? ['false', 'true'] : ['true', 'false'];
      const constant = items.every((i) => i.kind === 'Literal' && (i.value === null || ['number', 'string', 'boolean'].includes(typeof i.value)));
      let membership: string;
      let listMayHoldNull: boolean;
      if (constant) {
        const values = [...new Set(items.map((i) => literalValue(i)).filter((v) => v !== null))];
        listMayHoldNull = items.some((i) => literalValue(i) === null);
        // A few values: a chain of === beats a Set lookup.
        membership = values.length <= 8 ? `(${values.map((v) => `${t} === ${g.constant(v)}`).join(' || ') || 'false'})` : `${g.hoist(new Set(values))}.has(${t})`;
      } else {
        listMayHoldNull = list.some((c) => c.nullable);
        const result = g.temp();
        membership = `((${result} = ${g.hoist(inList)}(${t}, [${list.map((c) => c.code).join(', ')}])) === true)`;
        if (listMayHoldNull) return `((${t} = ${operand!.code}) == null ? null : ${membership} ? ${yes} : ${result} === null ? null : ${no})`;
      }
      const notFound = listMayHoldNull ? 'null' : no;
      const found = `(${membership} ? ${yes} : ${notFound})`;
      return operand!.nullable ? `((${t} = ${operand!.code}) == null ? null : ${found})` : `(${t} = ${operand!.code}, ${found})`;
    },
  };
}

// ---------------------------------------------------------------------------------------------
// LIKE and SIMILAR TO

const REGEX_SPECIAL = /[.*+?^${}()|[\]\\/]/g;
const escapeRegExp = (s: string): string => s.replace(REGEX_SPECIAL, '\\$&');

function checkEscape(fn: string, escape: string | undefined): string | undefined {
  if (escape !== undefined && escape.length !== 1) runtimeError(fn, `the escape must be one character, got '${escape}'`);
  return escape;
}

/** Regular expression source of a LIKE pattern. */
export function likeToRegExp(pattern: string, escape = '\\'): RegExp {
  checkEscape('LIKE', escape);
  let source = '';
  for (let i = 0; i < pattern.length; i++) {
    const c = pattern[i]!;
    if (c === escape) {
      const next = pattern[++i];
      if (next === undefined) runtimeError('LIKE', `pattern '${pattern}' ends with the escape character`);
      source += escapeRegExp(next);
    } else if (c === '%') source += '[\\s\\S]*';
    else if (c === '_') source += '[\\s\\S]';
    else source += escapeRegExp(c);
  }
  return new RegExp(`^${source}$`);
}

/** Regular expression of a SIMILAR TO pattern: SQL regex where % and _ are wildcards and the whole string must match. */
export function similarToRegExp(pattern: string, escape?: string): RegExp {
  checkEscape('SIMILAR TO', escape);
  let source = '';
  for (let i = 0; i < pattern.length; i++) {
    const c = pattern[i]!;
    if (escape !== undefined && c === escape) {
      const next = pattern[++i];
      if (next === undefined) runtimeError('SIMILAR TO', `pattern '${pattern}' ends with the escape character`);
      source += escapeRegExp(next);
    } else if (c === '%') source += '[\\s\\S]*';
    else if (c === '_') source += '[\\s\\S]';
    else if (c === '.' || c === '^' || c === '$' || c === '\\' || c === '/') source += '\\' + c;
    else source += c; // | * + ? { } ( ) [ ] keep their regex meaning
  }
  try {
    return new RegExp(`^(?:${source})$`);
  } catch {
    return runtimeError('SIMILAR TO', `invalid pattern '${pattern}'`);
  }
}

/** Matcher code for a constant LIKE pattern: plain string operations where the pattern allows. */
function likeCode(g: CodeGen, value: string, pattern: string, escape: string): string {
  const hasEscape = pattern.includes(escape);
  const core = pattern.replace(/^%+/, '').replace(/%+$/, '');
  const simple = !hasEscape && !core.includes('%') && !core.includes('_');
  if (simple) {
    const leading = pattern.startsWith('%');
    const trailing = pattern.endsWith('%');
    const text = g.constant(core);
    if (core === '' && (leading || trailing)) return 'true';
    if (leading && trailing) return `${value}.includes(${text})`;
    if (leading) return `${value}.endsWith(${text})`;
    if (trailing) return `${value}.startsWith(${text})`;
    return `(${value} === ${text})`;
  }
  return `${g.hoist(likeToRegExp(pattern, escape))}.test(${value})`;
}

function cachedMatcher(build: (pattern: string, escape: string | undefined) => RegExp): (value: string, pattern: string, escape?: string) => boolean {
  const cache = new Map<string, RegExp>();
  return (value, pattern, escape) => {
    const key = `${escape ?? ''}\u0000${pattern}`;
    let regex = cache.get(key);
    if (regex === undefined) {
      if (cache.size > 256) cache.clear();
      regex = build(pattern, escape);
      cache.set(key, regex);
    }
    return regex.test(value);
  };
}

const likeAtRunTime = cachedMatcher((p, e) => likeToRegExp(p, e ?? '\\'));
const similarAtRunTime = cachedMatcher(similarToRegExp);

function patternMatch(kind: 'LIKE' | 'SIMILAR TO', negated: boolean): StrictFunction {
  const name = negated ? `NOT ${kind}` : kind;
  const signature = `STRING ${name} pattern [ESCAPE char]`;
  return {
    name,
    signature,
    nulls: 'strict',
    infer(rawArgs) {
      const args = checkArgs(name, signature, rawArgs, ['STRING', 'STRING', 'STRING'], 2);
      return { args, type: T.boolean(anyNullable(args.map((a) => a.type))) };
    },
    generate(g, [value, pattern, escape], call: Call) {
      const constantPattern = literalValue(call.args[1]);
      const constantEscape = call.args.length > 2 ? literalValue(call.args[2]) : kind === 'LIKE' ? '\\' : undefined;
      let test: string;
      if (typeof constantPattern === 'string' && (typeof constantEscape === 'string' || constantEscape === undefined)) {
        test = kind === 'LIKE' ? likeCode(g, value!, constantPattern, checkEscape('LIKE', constantEscape as string)!) : `${g.hoist(similarToRegExp(constantPattern, constantEscape))}.test(${value})`;
      } else {
        test = `${g.hoist(kind === 'LIKE' ? likeAtRunTime : similarAtRunTime)}(${value}, ${pattern}${escape === undefined ? '' : `, ${escape}`})`;
      }
      return negated ? `!${test}` : test;
    },
  };
}

export const COMPARISON_FUNCTIONS: (StrictFunction | CustomFunction)[] = [
  comparison('='),
  comparison('<>'),
  comparison('<'),
  comparison('<='),
  comparison('>'),
  comparison('>='),
  distinctFrom(false),
  distinctFrom(true),
  inFunction(false),
  inFunction(true),
  patternMatch('LIKE', false),
  patternMatch('LIKE', true),
  patternMatch('SIMILAR TO', false),
  patternMatch('SIMILAR TO', true),
];

