/**
 * Bound scalar expressions: what the binder makes of the AST's expressions once names are
 * resolved to input columns and every node has a type. Plans and operators only ever see
 * these; they are compiled to JavaScript functions once (engine/expr), never interpreted.
 *
 * `Call.op` is a canonical upper-case name. Operators and special forms use these names:
 *   arithmetic   '+', '-', '*', '/', '%', 'NEG'
 *   comparison   '=', '<>', '<', '<=', '>', '>=', 'IS DISTINCT FROM', 'IS NOT DISTINCT FROM'
 *   logic        'AND', 'OR', 'NOT', 'IS NULL', 'IS NOT NULL', 'IS TRUE', 'IS NOT TRUE',
 *                'IS FALSE', 'IS NOT FALSE'
 *   text         '||', 'LIKE', 'NOT LIKE', 'SIMILAR TO', 'NOT SIMILAR TO' (args: operand,
 *                pattern[, escape])
 *   sets         'IN', 'NOT IN' (args: operand, then the list)
 *   conditional  'CASE' (args: when1, then1, when2, then2, ..., else; else is a NULL literal
 *                when absent)
 *   conversion   'CAST', 'TRY_CAST' (one arg; the target is the call's type)
 *   structure    'ROW', 'ARRAY', 'MAP' (key1, value1, ...), 'ITEM' (container, index/key)
 *   time         'EXTRACT' (first arg: a string literal naming the unit), 'TIMESTAMPADD',
 *                'TIMESTAMPDIFF' (first arg: unit literal)
 * and every named function by its upper-case name ('UPPER', 'JSON_VALUE', 'CURRENT_TIMESTAMP',
 * ...). BETWEEN is rewritten to comparisons by the binder.
 */
import type { SqlType } from '../../types/sql-type.ts';

export interface InputRef {
  kind: 'InputRef';
  /** Position of the column in the input row. */
  index: number;
  type: SqlType;
}

export interface Literal {
  kind: 'Literal';
  /** The run-time value (see sql-type.ts), or null. */
  value: unknown;
  type: SqlType;
}

export interface Call {
  kind: 'Call';
  op: string;
  args: ScalarExpr[];
  type: SqlType;
}

export interface FieldAccess {
  kind: 'FieldAccess';
  target: ScalarExpr;
  /** Position of the field in the ROW value. */
  field: number;
  type: SqlType;
}

export type ScalarExpr = InputRef | Literal | Call | FieldAccess;

export type ScalarHandlers<R> = { [K in ScalarExpr['kind']]: (node: Extract<ScalarExpr, { kind: K }>) => R };

export function visitScalar<R>(node: ScalarExpr, handlers: ScalarHandlers<R>): R {
  return (handlers[node.kind] as (n: ScalarExpr) => R)(node);
}

export const inputRef = (index: number, type: SqlType): InputRef => ({ kind: 'InputRef', index, type });
export const literal = (value: unknown, type: SqlType): Literal => ({ kind: 'Literal', value, type });
export const call = (op: string, args: ScalarExpr[], type: SqlType): Call => ({ kind: 'Call', op, args, type });

/** Input columns an expression reads (for projection pushdown and join key analysis). */
export function inputRefs(node: ScalarExpr, out: Set<number> = new Set()): Set<number> {
  visitScalar(node, {
    InputRef: (n) => void out.add(n.index),
    Literal: () => undefined,
    Call: (n) => n.args.forEach((a) => inputRefs(a, out)),
    FieldAccess: (n) => void inputRefs(n.target, out),
  });
  return out;
}

/** Rewrites input references (after a projection or a join changed column positions). */
export function remapInputs(node: ScalarExpr, map: (index: number) => number): ScalarExpr {
  return visitScalar<ScalarExpr>(node, {
    InputRef: (n) => ({ ...n, index: map(n.index) }),
    Literal: (n) => n,
    Call: (n) => ({ ...n, args: n.args.map((a) => remapInputs(a, map)) }),
    FieldAccess: (n) => ({ ...n, target: remapInputs(n.target, map) }),
  });
}

/** Splits a predicate into its AND-ed parts. */
export function conjuncts(node: ScalarExpr): ScalarExpr[] {
  if (node.kind === 'Call' && node.op === 'AND') return node.args.flatMap(conjuncts);
  return [node];
}

/** Deterministic text form, used by EXPLAIN and plan tests: `$3`, `+($0, 1)`, `CAST($1 AS INT)`. */
export function formatScalar(node: ScalarExpr, names?: readonly string[]): string {
  return visitScalar(node, {
    InputRef: (n) => (names?.[n.index] !== undefined ? names[n.index]! : `$${n.index}`),
    Literal: (n) => (n.value === null ? 'NULL' : typeof n.value === 'string' ? `'${n.value.replace(/'/g, "''")}'` : String(n.value)),
    Call: (n) =>
      n.op === 'CAST' || n.op === 'TRY_CAST'
        ? `${n.op}(${formatScalar(n.args[0]!, names)} AS ${typeName(n.type)})`
        : `${n.op}(${n.args.map((a) => formatScalar(a, names)).join(', ')})`,
    FieldAccess: (n) => `${formatScalar(n.target, names)}.${n.field}`,
  });
}

function typeName(type: SqlType): string {
  return type.kind + (type.nullable ? '' : ' NOT NULL');
}
