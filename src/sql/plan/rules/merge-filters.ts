/**
 * Optimizer rule: two stacked filters become one (`Filter(a, Filter(b, x))` → `Filter(a AND b, x)`),
 * so that pushdown sees every conjunct at once and the runtime evaluates one predicate.
 */
import type { LogicalPlan } from '../logical-plan.ts';
import { conjuncts } from '../scalar-expr.ts';
import { T } from '../../../types/sql-type.ts';

export function mergeFilters(plan: LogicalPlan): LogicalPlan {
  if (plan.kind !== 'Filter' || plan.input.kind !== 'Filter') return plan;
  const inner = plan.input;
  return {
    kind: 'Filter',
    input: inner.input,
    condition: { kind: 'Call', op: 'AND', args: [...conjuncts(inner.condition), ...conjuncts(plan.condition)], type: T.boolean() },
    fields: plan.fields,
  };
}
