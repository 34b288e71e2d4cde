/**
 * Binds AST expressions to typed ScalarExprs: resolves column references through the scope,
 * types literals, and lets the function catalog check and type every call (inserting implicit
 * casts). Errors from the catalog get the line and column of the offending call.
 */
import { isShiftleftError } from '../../common/errors.ts';
import { resolveCall, castType } from '../../engine/functions/function-catalog.ts';
import { T, typeFromAst, type SqlType } from '../../types/sql-type.ts';
import type { Expression, Span } from '../ast.ts';
import { literal, type ScalarExpr } from '../plan/scalar-expr.ts';
import { bindInterval, bindNumber, bindTypedLiteral } from './literals.ts';
import { Scope, located, sqlError } from './scope.ts';

export interface ExpressionContext {
  scope: Scope;
  /**
   * Lets a caller substitute a node before it is bound normally: aggregation replaces
   * aggregate calls and GROUP BY expressions by references to the aggregate's output.
   */
  intercept?: (node: Expression) => ScalarExpr | undefined;
  /** What the clause is, for error messages about aggregates in the wrong place. */
  clause: string;
}

const AGGREGATES = new Set(['COUNT', 'SUM', 'AVG', 'MIN', 'MAX', 'LISTAGG', 'FIRST_VALUE', 'LAST_VALUE', 'STDDEV_POP', 'STDDEV_SAMP', 'VAR_POP', 'VAR_SAMP', 'COLLECT']);

export function isAggregateName(name: string): boolean {
  return AGGREGATES.has(name.toUpperCase());
}

/** Calls the function catalog, re-throwing its errors with the call's position. */
function typedCall(op: string, args: ScalarExpr[], span: Span): ScalarExpr {
  try {
    return resolveCall(op, args);
  } catch (error) {
    if (isShiftleftError(error)) {
      error.message = located(span, error.message);
      (error.details as Record<string, unknown>).line = span.line;
      (error.details as Record<string, unknown>).column = span.column;
    }
    throw error;
  }
}

function typedCast(expr: ScalarExpr, type: SqlType, safe: boolean, span: Span): ScalarExpr {
  try {
    return castType(expr, type, safe);
  } catch (error) {
    if (isShiftleftError(error)) error.message = located(span, error.message);
    throw error;
  }
}

export function bindExpression(node: Expression, ctx: ExpressionContext): ScalarExpr {
  const replaced = ctx.intercept?.(node);
  if (replaced) return replaced;
  const bind = (n: Expression): ScalarExpr => bindExpression(n, ctx);
  switch (node.kind) {
    case 'NumberLiteral':
      return bindNumber(node);
    case 'StringLiteral':
      return literal(node.value, T.char(Math.max(1, node.value.length), false));
    case 'BinaryStringLiteral':
      return literal(Buffer.from(node.hex, 'hex'), { kind: 'BINARY', length: node.hex.length / 2, nullable: false });
    case 'BooleanLiteral':
      return literal(node.value, T.boolean(false));
    case 'NullLiteral':
      return literal(null, T.null());
    case 'TypedLiteral':
      return bindTypedLiteral(node);
    case 'IntervalLiteral':
      return bindInterval(node);
    case 'ColumnRef': {
      const { index, path } = ctx.scope.resolve(node.parts, node.span);
      let expr: ScalarExpr = { kind: 'InputRef', index, type: ctx.scope.fields[index]!.type };
      for (const name of path) {
        const type: SqlType = expr.type;
        if (type.kind !== 'ROW') throw sqlError('SQL_UNKNOWN_COLUMN', node.span, `'${name}' is not a field: the column is not a ROW`);
        const field: number = type.fields.findIndex((f) => f.name === name);
        if (field < 0) throw sqlError('SQL_UNKNOWN_COLUMN', node.span, `ROW has no field '${name}'`, `fields: ${type.fields.map((f) => f.name).join(', ')}`);
        expr = { kind: 'FieldAccess', target: expr, field, type: { ...type.fields[field]!.type, nullable: type.fields[field]!.type.nullable || type.nullable } };
      }
      return expr;
    }
    case 'Unary':
      if (node.operator === '+') return bind(node.operand);
      return typedCall(node.operator === '-' ? 'NEG' : 'NOT', [bind(node.operand)], node.span);
    case 'Binary':
      return typedCall(node.operator, [bind(node.left), bind(node.right)], node.span);
    case 'Is': {
      const op = `IS ${node.negated ? 'NOT ' : ''}${node.test === 'UNKNOWN' ? 'NULL' : node.test}`;
      return typedCall(op, [bind(node.operand)], node.span);
    }
    case 'IsDistinctFrom':
      return typedCall(node.negated ? 'IS NOT DISTINCT FROM' : 'IS DISTINCT FROM', [bind(node.left), bind(node.right)], node.span);
    case 'Between': {
      const operand = bind(node.operand);
      const low = bind(node.low);
      const high = bind(node.high);
      const inRange = (lo: ScalarExpr, hi: ScalarExpr): ScalarExpr =>
        typedCall('AND', [typedCall('>=', [operand, lo], node.span), typedCall('<=', [operand, hi], node.span)], node.span);
      const test = node.symmetric ? typedCall('OR', [inRange(low, high), inRange(high, low)], node.span) : inRange(low, high);
      return node.negated ? typedCall('NOT', [test], node.span) : test;
    }
    case 'InList':
      return typedCall(node.negated ? 'NOT IN' : 'IN', [bind(node.operand), ...node.list.map(bind)], node.span);
    case 'Like': {
      const op = `${node.negated ? 'NOT ' : ''}${node.operator}`;
      return typedCall(op, [bind(node.operand), bind(node.pattern), ...(node.escape ? [bind(node.escape)] : [])], node.span);
    }
    case 'FunctionCall': {
      const name = node.name.parts.map((p) => p.value).join('.').toUpperCase();
      if (node.over) {
        throw sqlError('SQL_UNSUPPORTED', node.span, `${name}(...) OVER (...) is only supported as a select item`, 'use ROW_NUMBER() OVER (PARTITION BY ... ORDER BY ...) AS rn in a subquery, then filter on rn');
      }
      if (isAggregateName(name)) {
        throw sqlError('SQL_VALIDATION_ERROR', node.span, `aggregate function ${name} is not allowed in ${ctx.clause}`, 'aggregates belong in the SELECT list or HAVING of a grouped query');
      }
      const args = node.args.map(bind);
      const result = typedCall(name, args, node.span);
      return node.returning ? typedCast(result, typeFromAst(node.returning), false, node.span) : result;
    }
    case 'NiladicCall':
      return typedCall(node.name.toUpperCase(), [], node.span);
    case 'Cast':
      return typedCast(bind(node.operand), typeFromAst(node.type), node.safe, node.span);
    case 'Case': {
      const args: ScalarExpr[] = [];
      const operand = node.operand ? bind(node.operand) : undefined;
      for (const when of node.whens) {
        const condition = operand ? typedCall('=', [operand, bind(when.condition)], when.span) : bind(when.condition);
        args.push(condition, bind(when.result));
      }
      args.push(node.otherwise ? bind(node.otherwise) : literal(null, T.null()));
      return typedCall('CASE', args, node.span);
    }
    case 'Extract':
      return typedCall('EXTRACT', [literal(node.unit.toUpperCase(), T.string(false)), bind(node.source)], node.span);
    case 'Position':
      return typedCall('POSITION', [bind(node.needle), bind(node.haystack)], node.span);
    case 'Trim':
      return typedCall(
        'TRIM',
        [literal(node.side ?? 'BOTH', T.string(false)), node.characters ? bind(node.characters) : literal(' ', T.char(1, false)), bind(node.source)],
        node.span,
      );
    case 'Substring':
      return typedCall('SUBSTRING', [bind(node.source), bind(node.from), ...(node.length ? [bind(node.length)] : [])], node.span);
    case 'Overlay':
      return typedCall('OVERLAY', [bind(node.source), bind(node.replacement), bind(node.from), ...(node.length ? [bind(node.length)] : [])], node.span);
    case 'ArrayConstructor':
      return typedCall('ARRAY', node.elements.map(bind), node.span);
    case 'MapConstructor':
      return typedCall('MAP', node.entries.flatMap((e) => [bind(e.key), bind(e.value)]), node.span);
    case 'RowConstructor':
      return typedCall('ROW', node.fields.map(bind), node.span);
    case 'Subscript':
      return typedCall('ITEM', [bind(node.target), bind(node.index)], node.span);
    case 'FieldAccess': {
      const target = bind(node.target);
      if (target.type.kind !== 'ROW') throw sqlError('SQL_TYPE_MISMATCH', node.span, `cannot access field '${node.field.value}': the value is not a ROW`);
      const field = target.type.fields.findIndex((f) => f.name === node.field.value);
      if (field < 0) throw sqlError('SQL_UNKNOWN_COLUMN', node.span, `ROW has no field '${node.field.value}'`);
      return { kind: 'FieldAccess', target, field, type: target.type.fields[field]!.type };
    }
    case 'TimeUnitArgument':
      return literal(node.unit.toUpperCase(), T.string(false));
    case 'Star':
      throw sqlError('SQL_VALIDATION_ERROR', node.span, `'*' is only allowed in a select list or COUNT(*)`);
    case 'InSubquery':
    case 'Exists':
    case 'ScalarSubquery':
      throw sqlError('SQL_UNSUPPORTED', node.span, 'subqueries inside expressions are not supported yet', 'rewrite the condition as a JOIN');
    case 'NamedArgument':
    case 'TableArgument':
    case 'Descriptor':
      throw sqlError('SQL_VALIDATION_ERROR', node.span, `${node.kind} arguments are only allowed in table-valued functions such as TUMBLE`);
    case 'Parameter':
      throw sqlError('SQL_UNSUPPORTED', node.span, 'query parameters (?) are not supported');
  }
}

/** A predicate: a BOOLEAN expression (NULL counts as false when filtering). */
export function bindPredicate(node: Expression, ctx: ExpressionContext): ScalarExpr {
  const expr = bindExpression(node, ctx);
  if (expr.type.kind !== 'BOOLEAN' && expr.type.kind !== 'NULL') {
    throw sqlError('SQL_TYPE_MISMATCH', node.span, `${ctx.clause} needs a BOOLEAN condition, got ${expr.type.kind}`);
  }
  return expr;
}

