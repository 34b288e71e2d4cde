/**
 * Optimizer rule: filter pushdown through joins.
 *
 * `FROM a, b WHERE a.k = b.k AND a.x > 1` binds as a filter over a cross join; pushing the
 * conjuncts down turns it into a keyed join (the only kind a stream can run without keeping
 * both sides forever) and filters each side before it is stored. Conjuncts that read one side
 * only go below the join (for an INNER join, or on the preserved side of an outer join);
 * conjuncts over both sides join the ON condition of an INNER join.
 */
import type { LogicalPlan } from '../logical-plan.ts';
import { conjuncts, inputRefs, remapInputs, type ScalarExpr } from '../scalar-expr.ts';
import { T } from '../../../types/sql-type.ts';

function and(parts: ScalarExpr[]): ScalarExpr | undefined {
  if (parts.length === 0) return undefined;
  if (parts.length === 1) return parts[0];
  return { kind: 'Call', op: 'AND', args: parts, type: T.boolean() };
}

function withFilter(input: LogicalPlan, parts: ScalarExpr[]): LogicalPlan {
  const condition = and(parts);
  return condition ? { kind: 'Filter', input, condition, fields: input.fields } : input;
}

export function pushFilterIntoJoin(plan: LogicalPlan): LogicalPlan {
  if (plan.kind !== 'Filter' || plan.input.kind !== 'Join') return plan;
  const join = plan.input;
  const leftArity = join.left.fields.length;
  const leftOnly: ScalarExpr[] = [];
  const rightOnly: ScalarExpr[] = [];
  const both: ScalarExpr[] = [];
  for (const part of conjuncts(plan.condition)) {
    const refs = [...inputRefs(part)];
    if (refs.length > 0 && refs.every((r) => r < leftArity)) leftOnly.push(part);
    else if (refs.length > 0 && refs.every((r) => r >= leftArity)) rightOnly.push(remapInputs(part, (i) => i - leftArity));
    else both.push(part);
  }
  const inner = join.joinType === 'INNER';
  const pushLeft = inner || join.joinType === 'LEFT';
  const pushRight = inner || join.joinType === 'RIGHT';
  const remaining: ScalarExpr[] = [];
  if (!pushLeft) remaining.push(...leftOnly);
  if (!pushRight) remaining.push(...rightOnly.map((p) => remapInputs(p, (i) => i + leftArity)));
  const onParts = join.condition ? conjuncts(join.condition) : [];
  if (inner) onParts.push(...both);
  else remaining.push(...both);
  const newJoin: LogicalPlan = {
    ...join,
    left: pushLeft ? withFilter(join.left, leftOnly) : join.left,
    right: pushRight ? withFilter(join.right, rightOnly) : join.right,
    condition: and(onParts),
  };
  return withFilter(newJoin, remaining);
}
