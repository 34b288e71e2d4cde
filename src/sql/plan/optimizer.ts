/**
 * The logical optimizer: rules applied bottom-up until nothing changes. Each rule is a pure
 * function `LogicalPlan -> LogicalPlan` in its own file under rules/, returning the node
 * unchanged when it does not apply.
 */
import { children, type LogicalPlan } from './logical-plan.ts';
import { pushFilterIntoJoin } from './rules/push-filter-into-join.ts';
import { mergeFilters } from './rules/merge-filters.ts';
import { pruneScanColumns } from './rules/prune-scan-columns.ts';

export type Rule = (plan: LogicalPlan) => LogicalPlan;

export const RULES: readonly Rule[] = [mergeFilters, pushFilterIntoJoin, pruneScanColumns];

function withChildren(plan: LogicalPlan, next: LogicalPlan[]): LogicalPlan {
  switch (plan.kind) {
    case 'Scan':
    case 'Values':
      return plan;
    case 'Join':
    case 'TemporalJoin':
      return { ...plan, left: next[0]!, right: next[1]! };
    case 'Union':
      return { ...plan, inputs: next };
    default:
      return { ...plan, input: next[0]! } as LogicalPlan;
  }
}

function rewrite(plan: LogicalPlan): LogicalPlan {
  const kids = children(plan);
  let node = kids.length ? withChildren(plan, kids.map(rewrite)) : plan;
  for (let pass = 0; pass < 10; pass++) {
    const before = node;
    for (const rule of RULES) node = rule(node);
    if (node === before) break;
    // A rule may have created new nodes below: optimize them too.
    const again = children(node);
    if (again.length) node = withChildren(node, again.map(rewrite));
  }
  return node;
}

export function optimize(plan: LogicalPlan): LogicalPlan {
  return rewrite(plan);
}
