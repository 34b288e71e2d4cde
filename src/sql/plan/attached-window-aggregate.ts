/**
 * Window-attached aggregation (Flink's WindowAggregate with a window-attached strategy): an
 * aggregation grouped by the window_start and window_end of a window aggregation below it —
 * Nexmark q5's `SELECT max(num), starttime, endtime FROM (<window aggregation>) GROUP BY
 * starttime, endtime` — computes one result per upstream window, so it can fire once when the
 * watermark passes the window and forget it, instead of a GroupAggregate that keeps every
 * window forever and retracts.
 *
 * The rows of the input are already windowed: each carries its window's window_time (the
 * window's last millisecond), which is also their rowtime. A TUMBLE of 1 ms over window_time
 * puts each upstream window in a window of its own that closes exactly when the upstream one
 * did (the watermark passes window_end - 1), and window_start and window_end stay ordinary
 * group keys, so the output keeps their values. The existing WindowAggregate operator runs it:
 * no new operator state, and the result is append-only.
 */
import { T } from '../../types/sql-type.ts';
import type { AggregateCall } from './aggregate-call.ts';
import type { Field, LogicalPlan } from './logical-plan.ts';
import type { PhysicalPlan } from './physical-plan.ts';
import { inputRef, visitScalar, type ScalarExpr } from './scalar-expr.ts';
import { windowOrigin } from './window-lineage.ts';

type Aggregate = Extract<LogicalPlan, { kind: 'Aggregate' }>;

/** Replaces each input reference by the expression it names (composes two projections). */
function substitute(e: ScalarExpr, exprs: readonly ScalarExpr[]): ScalarExpr {
  return visitScalar<ScalarExpr>(e, {
    InputRef: (n) => exprs[n.index]!,
    Literal: (n) => n,
    Call: (n) => ({ ...n, args: n.args.map((a) => substitute(a, exprs)) }),
    FieldAccess: (n) => ({ ...n, target: substitute(n.target, exprs) }),
  });
}

interface Flattened {
  /** The first node below the projections and filters. */
  base: LogicalPlan;
  /** Each field of the top node as an expression over `base`'s fields. */
  exprs: ScalarExpr[];
  /** The filters on the way, over `base`'s fields. */
  filters: ScalarExpr[];
}

/** Sees through a chain of projections and filters. */
function flatten(top: LogicalPlan): Flattened {
  let node = top;
  let exprs: ScalarExpr[] = top.fields.map((f, i) => inputRef(i, f.type));
  let filters: ScalarExpr[] = [];
  for (;;) {
    if (node.kind === 'Filter') {
      filters.push(node.condition);
      node = node.input;
    } else if (node.kind === 'Project') {
      const below = node.exprs;
      exprs = exprs.map((e) => substitute(e, below));
      filters = filters.map((f) => substitute(f, below));
      node = node.input;
    } else {
      return { base: node, exprs, filters };
    }
  }
}

const and = (parts: ScalarExpr[]): ScalarExpr | undefined =>
  parts.length === 0 ? undefined : parts.length === 1 ? parts[0] : { kind: 'Call', op: 'AND', args: parts, type: T.boolean() };

/**
 * Plans `node` as a window-attached aggregation when its group keys include the window_start
 * and window_end of a window aggregation below it (seen through projections and filters), and
 * that aggregation still has the window's window_time; undefined otherwise. `plan` plans a
 * logical subtree (the caller's planner).
 */
export function planAttachedWindowAggregate(node: Aggregate, plan: (n: LogicalPlan) => PhysicalPlan): PhysicalPlan | undefined {
  const { base, exprs, filters } = flatten(node.input);
  if (base.kind !== 'Aggregate') return undefined;
  const keyExprs = node.groupKeys.map((k) => exprs[k]!);
  const keyOrigins = keyExprs.map((e) => (e.kind === 'InputRef' ? windowOrigin(base, e.index) : undefined));
  const start = keyOrigins.find((o) => o?.role === 'start');
  if (!start || !keyOrigins.some((o) => o?.role === 'end' && o.tvf === start.tvf)) return undefined;
  const time = base.fields.findIndex((_, i) => {
    const o = windowOrigin(base, i);
    return o?.role === 'time' && o.tvf === start.tvf;
  });
  if (time < 0) return undefined;
  const input = plan(base);
  // Only a window aggregation below is windowed (append-only, one row per window and key).
  if (input.changelog !== 'append') return undefined;

  // Pre-projection over the windowed input: [group keys..., aggregate arguments..., window_time].
  const argIndexes = [...new Set(node.aggregates.flatMap((a) => [...a.args, ...(a.filterArg !== undefined ? [a.filterArg] : [])]))];
  const position = new Map(argIndexes.map((i, j) => [i, keyExprs.length + j]));
  const preExprs = [...keyExprs, ...argIndexes.map((i) => exprs[i]!), inputRef(time, base.fields[time]!.type)];
  const timeIndex = preExprs.length - 1;
  const preFields: Field[] = preExprs.map((e, i) => (i === timeIndex ? { ...base.fields[time]!, timeAttribute: 'rowtime' as const } : { name: `$${i}`, type: e.type }));
  const pre: PhysicalPlan = { kind: 'Calc', input, filter: and(filters), project: preExprs, fields: preFields, changelog: 'append' };
  const aggregates: AggregateCall[] = node.aggregates.map((a) => ({
    ...a,
    args: a.args.map((i) => position.get(i)!),
    filterArg: a.filterArg === undefined ? undefined : position.get(a.filterArg),
  }));
  const groupKeys = keyExprs.map((_, i) => i);
  const windowFields = start.tvf.fields.slice(start.tvf.input.fields.length);
  const aggFields: Field[] = [...groupKeys.map((k) => preFields[k]!), ...windowFields, ...aggregates.map((a) => ({ name: a.name, type: a.type }))];
  const windowAgg: PhysicalPlan = {
    kind: 'WindowAggregate',
    input: pre,
    window: { kind: 'TUMBLE', sizeMs: 1, offsetMs: 0 },
    timeIndex,
    groupKeys,
    aggregates,
    fields: aggFields,
    changelog: 'append',
  };
  // Back to the logical order: group keys, then aggregates; a window_time key stays a time attribute.
  const project = [...groupKeys.map((k) => inputRef(k, aggFields[k]!.type)), ...aggregates.map((a, j) => inputRef(groupKeys.length + 3 + j, a.type))];
  const fields = node.fields.map((f, i) => (i < keyOrigins.length && keyOrigins[i]?.role === 'time' && keyOrigins[i]!.tvf === start.tvf ? { ...f, timeAttribute: 'rowtime' as const } : f));
  return { kind: 'Calc', input: windowAgg, filter: undefined, project, fields, changelog: 'append' };
}
