/**
 * What a built-in scalar function is made of: how its call is typed (argument checks, implicit
 * casts, result type) and how it becomes JavaScript source. Each family module (scalar-math,
 * scalar-string, ...) exports a list of these; function-catalog.ts indexes them by name.
 */
import { ShiftleftError } from '../../common/errors.ts';
import { formatType, isBinary, isCharacter, isInteger, isNumeric, T, withNullability, type SqlType } from '../../types/sql-type.ts';
import { literal, type Call, type ScalarExpr } from '../../sql/plan/scalar-expr.ts';
import type { Code, CodeGen } from '../expr/codegen.ts';
import { anyNullable } from '../expr/type-rules.ts';

export interface Typed {
  /** The arguments after implicit casts. */
  args: ScalarExpr[];
  type: SqlType;
}

interface Common {
  name: string;
  /** Human-readable signature, for SHOW FUNCTIONS and hints: `UPPER(STRING) -> STRING`. */
  signature: string;
  /** Checks arguments and returns them (with implicit casts) and the result type. */
  infer(args: ScalarExpr[], name: string): Typed;
  /** False for RAND, UUID, NOW...: the optimizer must not fold or deduplicate them. */
  deterministic?: boolean;
}

/** NULL in any argument gives NULL; `generate` receives code for non-null argument values. */
export interface StrictFunction extends Common {
  nulls: 'strict';
  generate(g: CodeGen, values: string[], call: Call): string;
}

/** Handles NULLs itself (COALESCE, AND, CASE, IS NULL, CONCAT_WS...). */
export interface CustomFunction extends Common {
  nulls: 'custom';
  generate(g: CodeGen, args: Code[], call: Call): string;
}

export type ScalarFunction = StrictFunction | CustomFunction;

// ---------------------------------------------------------------------------------------------
// errors

export function describeArgs(args: readonly ScalarExpr[]): string {
  return args.map((a) => formatType(withNullability(a.type, true))).join(', ');
}

export function typeMismatch(name: string, args: readonly ScalarExpr[], expected: string): ShiftleftError {
  const operator = /^[A-Z_0-9]+$/.test(name) ? name : `'${name}'`;
  const what = args.length === 2 && !/^[A-Z_0-9]+$/.test(name)
    ? `cannot apply ${operator} to ${describeArgs([args[0]!])} and ${describeArgs([args[1]!])}`
    : `cannot apply ${operator} to (${describeArgs(args)})`;
  return new ShiftleftError('SQL_TYPE_MISMATCH', what, { hint: `${operator} expects ${expected}` });
}

export function checkArity(name: string, args: readonly ScalarExpr[], min: number, max: number, signature: string): void {
  if (args.length >= min && args.length <= max) return;
  const expected = min === max ? `${min}` : max === Infinity ? `at least ${min}` : `${min} to ${max}`;
  throw new ShiftleftError('SQL_TYPE_MISMATCH', `${name} takes ${expected} argument${expected === '1' ? '' : 's'} but got ${args.length}`, {
    hint: `write ${signature}`,
  });
}

// ---------------------------------------------------------------------------------------------
// argument kinds

/** Families of types a parameter accepts. */
export type ArgKind =
  | 'ANY'
  | 'STRING'
  | 'BINARY'
  | 'STRING_OR_BINARY'
  | 'NUMERIC'
  | 'INTEGER'
  | 'BOOLEAN'
  | 'DATE'
  | 'TIME'
  | 'TIMESTAMP'
  | 'DATETIME'
  | 'ARRAY'
  | 'MAP'
  | 'COLLECTION';

export function accepts(kind: ArgKind, t: SqlType): boolean {
  if (t.kind === 'NULL') return true;
  switch (kind) {
    case 'ANY':
      return true;
    case 'STRING':
      return isCharacter(t);
    case 'BINARY':
      return isBinary(t);
    case 'STRING_OR_BINARY':
      return isCharacter(t) || isBinary(t);
    case 'NUMERIC':
      return isNumeric(t);
    case 'INTEGER':
      return isInteger(t);
    case 'BOOLEAN':
      return t.kind === 'BOOLEAN';
    case 'DATE':
      return t.kind === 'DATE';
    case 'TIME':
      return t.kind === 'TIME';
    case 'TIMESTAMP':
      return t.kind === 'TIMESTAMP' || t.kind === 'TIMESTAMP_LTZ';
    case 'DATETIME':
      return t.kind === 'DATE' || t.kind === 'TIMESTAMP' || t.kind === 'TIMESTAMP_LTZ';
    case 'ARRAY':
      return t.kind === 'ARRAY';
    case 'MAP':
      return t.kind === 'MAP';
    case 'COLLECTION':
      return t.kind === 'ARRAY' || t.kind === 'MAP' || t.kind === 'MULTISET';
  }
}

/** The type a bare NULL literal takes when it is passed where `kind` is expected. */
function nullTypeFor(kind: ArgKind): SqlType {
  switch (kind) {
    case 'STRING':
    case 'STRING_OR_BINARY':
      return T.string();
    case 'BINARY':
      return T.bytes();
    case 'NUMERIC':
    case 'INTEGER':
      return T.int();
    case 'BOOLEAN':
      return T.boolean();
    case 'DATE':
      return T.date();
    case 'TIME':
      return T.time();
    case 'TIMESTAMP':
    case 'DATETIME':
      return T.timestamp(3);
    default:
      return T.null();
  }
}

/** Gives an untyped NULL argument the type its parameter expects. */
export function typeNullArg(arg: ScalarExpr, kind: ArgKind): ScalarExpr {
  if (arg.type.kind !== 'NULL') return arg;
  const type = nullTypeFor(kind);
  return type.kind === 'NULL' ? arg : literal(null, type);
}

/**
 * Checks argument count and kinds. `kinds` lists every parameter; the ones past `required` are
 * optional; a trailing `variadic` kind accepts any number of further arguments.
 */
export function checkArgs(name: string, signature: string, args: ScalarExpr[], kinds: ArgKind[], required = kinds.length, variadic?: ArgKind): ScalarExpr[] {
  checkArity(name, args, required, variadic === undefined ? kinds.length : Infinity, signature);
  return args.map((arg, i) => {
    const kind = kinds[i] ?? variadic!;
    if (!accepts(kind, arg.type)) throw typeMismatch(name, args, signature);
    return typeNullArg(arg, kind);
  });
}

// ---------------------------------------------------------------------------------------------
// builders

export interface StrictSpec {
  /** Parameter kinds; optional ones after `required`. */
  params: ArgKind[];
  required?: number;
  variadic?: ArgKind;
  /** Result type given the (checked) arguments; nullability is added from the arguments unless `alwaysNullable`. */
  returns: SqlType | ((args: ScalarExpr[]) => SqlType);
  /** The function may return NULL for non-null input (no match, out of range, parse failure). */
  alwaysNullable?: boolean;
  deterministic?: boolean;
  generate(g: CodeGen, values: string[], call: Call): string;
}

/** A function that is NULL on NULL input, checked against a list of parameter kinds. */
export function strict(name: string, signature: string, spec: StrictSpec): StrictFunction {
  return {
    name,
    signature,
    nulls: 'strict',
    deterministic: spec.deterministic ?? true,
    infer(rawArgs, calledAs) {
      const args = checkArgs(calledAs, signature, rawArgs, spec.params, spec.required, spec.variadic);
      const base = typeof spec.returns === 'function' ? spec.returns(args) : spec.returns;
      return { args, type: withNullability(base, spec.alwaysNullable === true || anyNullable(args.map((a) => a.type))) };
    },
    generate: spec.generate,
  };
}

/** Helper for strict functions implemented by a JavaScript function of the non-null values. */
export function viaHelper(fn: (...values: never[]) => unknown): (g: CodeGen, values: string[]) => string {
  return (g, values) => `${g.hoist(fn)}(${values.join(', ')})`;
}

/** The value of a literal argument, or undefined when the argument is not a literal. */
export function literalValue(arg: ScalarExpr | undefined): unknown {
  return arg?.kind === 'Literal' ? arg.value : undefined;
}
