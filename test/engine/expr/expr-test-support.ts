/** Small builders for expression tests: typed columns, literals, calls and one-shot evaluation. */
import { compileScalar } from '../../../src/engine/expr/compile.ts';
import { resolveCall } from '../../../src/engine/functions/function-catalog.ts';
import { inputRef, literal, type ScalarExpr } from '../../../src/sql/plan/scalar-expr.ts';
import { formatType, T, type SqlType } from '../../../src/types/sql-type.ts';
import type { Row } from '../../../src/types/row.ts';

export { T };

export const col = (index: number, type: SqlType): ScalarExpr => inputRef(index, type);
export const lit = (value: unknown, type: SqlType): ScalarExpr => literal(value, type);
export const int = (n: number): ScalarExpr => literal(n, T.int(false));
export const bigint = (n: number): ScalarExpr => literal(n, T.bigint(false));
export const dbl = (n: number): ScalarExpr => literal(n, T.double(false));
export const dec = (n: number, precision: number, scale: number): ScalarExpr => literal(n, T.decimal(precision, scale, false));
export const str = (s: string): ScalarExpr => literal(s, T.char(s.length, false));
export const bool = (b: boolean): ScalarExpr => literal(b, T.boolean(false));
export const nul = (): ScalarExpr => literal(null, T.null());
export const nullOf = (type: SqlType): ScalarExpr => literal(null, { ...type, nullable: true });

export const fn = (op: string, ...args: ScalarExpr[]): ScalarExpr => resolveCall(op, args);

/** Evaluates an expression against one row. */
export function evaluate(expr: ScalarExpr, row: Row = []): unknown {
  return compileScalar(expr)(row);
}

/** Resolves and evaluates a call in one step. */
export function call(op: string, ...args: ScalarExpr[]): unknown {
  return evaluate(resolveCall(op, args));
}

export const typeOf = (expr: ScalarExpr): string => formatType(expr.type);

export const ts = (text: string): number => Date.parse(text.replace(' ', 'T') + 'Z');
