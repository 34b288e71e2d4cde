/**
 * Logical plans: what a query computes, independent of how (DataFusion's split). The binder
 * builds them from the AST; optimizer rules rewrite them (one rule per file in rules/); the
 * physical planner turns them into operators and checks changelog modes.
 *
 * Every node lists its output `fields`. A field may be a time attribute: `rowtime` when it is
 * an event-time column with a watermark (the table's watermark column, or a window's
 * window_time), `proctime` for processing time. Time attributes survive being selected as plain
 * columns and are lost in any other expression, as in Flink.
 */
import type { Row } from '../../types/row.ts';
import { formatType, type SqlType } from '../../types/sql-type.ts';
import type { TableDescriptor } from '../catalog/table-descriptor.ts';
import type { AggregateCall } from './aggregate-call.ts';
import { formatScalar, type ScalarExpr } from './scalar-expr.ts';

export interface Field {
  name: string;
  type: SqlType;
  /** Table alias or name the field can be qualified with (`o.orderid`). */
  qualifier?: string;
  timeAttribute?: 'rowtime' | 'proctime';
  /** Hidden from `*` expansion (system columns like `$rowtime`). */
  hidden?: boolean;
}

export type JoinType = 'INNER' | 'LEFT' | 'RIGHT' | 'FULL';

export interface SortKey {
  index: number;
  descending: boolean;
  nullsFirst: boolean;
}

export type WindowSpec =
  | { kind: 'TUMBLE'; sizeMs: number; offsetMs: number }
  | { kind: 'HOP'; sizeMs: number; slideMs: number; offsetMs: number }
  | { kind: 'CUMULATE'; maxSizeMs: number; stepMs: number; offsetMs: number }
  | { kind: 'SESSION'; gapMs: number; partitionKeys: number[] };

/** An OVER call: ROW_NUMBER/RANK/DENSE_RANK, or an aggregate over a frame. */
export interface OverCall {
  fn: string;
  aggregate: AggregateCall | undefined;
  /** ROWS/RANGE frame start: undefined = UNBOUNDED PRECEDING; a number = that many rows or ms back. */
  frame: { units: 'ROWS' | 'RANGE'; preceding: number | undefined } | undefined;
  type: SqlType;
  name: string;
}

interface PlanNode {
  fields: Field[];
}

export interface Scan extends PlanNode {
  kind: 'Scan';
  table: TableDescriptor;
  /** Positions in the table's columns of the fields read (after projection pushdown). */
  columns: number[];
  /** Index (in `fields`) of the rowtime column whose watermark the source generates, if any. */
  rowtimeField: number | undefined;
  /** Watermark delay expression, bound to the table's columns (`rowtime - delay`). */
  watermark: ScalarExpr | undefined;
}

export interface Values extends PlanNode {
  kind: 'Values';
  rows: Row[];
}

export interface Project extends PlanNode {
  kind: 'Project';
  input: LogicalPlan;
  exprs: ScalarExpr[];
}

export interface Filter extends PlanNode {
  kind: 'Filter';
  input: LogicalPlan;
  condition: ScalarExpr;
}

/** Regular join; `condition` reads the concatenation left ++ right. */
export interface Join extends PlanNode {
  kind: 'Join';
  left: LogicalPlan;
  right: LogicalPlan;
  joinType: JoinType;
  condition: ScalarExpr | undefined;
}

/** `JOIN right FOR SYSTEM_TIME AS OF left.time ON ...`: event-time temporal join. */
export interface TemporalJoin extends PlanNode {
  kind: 'TemporalJoin';
  left: LogicalPlan;
  right: LogicalPlan;
  joinType: 'INNER' | 'LEFT';
  /** Position in the left input of the time attribute after AS OF. */
  leftTime: number;
  condition: ScalarExpr;
}

export interface Aggregate extends PlanNode {
  kind: 'Aggregate';
  input: LogicalPlan;
  groupKeys: number[];
  aggregates: AggregateCall[];
}

/** `TABLE(TUMBLE(TABLE t, DESCRIPTOR(ts), ...))`: adds window_start, window_end, window_time. */
export interface WindowTvf extends PlanNode {
  kind: 'WindowTvf';
  input: LogicalPlan;
  window: WindowSpec;
  timeIndex: number;
}

export interface Over extends PlanNode {
  kind: 'Over';
  input: LogicalPlan;
  partitionKeys: number[];
  orderBy: SortKey[];
  calls: OverCall[];
}

export interface Sort extends PlanNode {
  kind: 'Sort';
  input: LogicalPlan;
  orderBy: SortKey[];
  limit: number | undefined;
  offset: number | undefined;
}

export interface Union extends PlanNode {
  kind: 'Union';
  inputs: LogicalPlan[];
}

export interface Sink extends PlanNode {
  kind: 'Sink';
  input: LogicalPlan;
  table: TableDescriptor;
  /** For each physical column of the table, the input field feeding it (or -1 for NULL). */
  columnSources: number[];
}

export type LogicalPlan = Scan | Values | Project | Filter | Join | TemporalJoin | Aggregate | WindowTvf | Over | Sort | Union | Sink;

export type PlanHandlers<R> = { [K in LogicalPlan['kind']]: (node: Extract<LogicalPlan, { kind: K }>) => R };

export function visitPlan<R>(node: LogicalPlan, handlers: PlanHandlers<R>): R {
  return (handlers[node.kind] as (n: LogicalPlan) => R)(node);
}

export function children(node: LogicalPlan): LogicalPlan[] {
  return visitPlan<LogicalPlan[]>(node, {
    Scan: () => [],
    Values: () => [],
    Project: (n) => [n.input],
    Filter: (n) => [n.input],
    Join: (n) => [n.left, n.right],
    TemporalJoin: (n) => [n.left, n.right],
    Aggregate: (n) => [n.input],
    WindowTvf: (n) => [n.input],
    Over: (n) => [n.input],
    Sort: (n) => [n.input],
    Union: (n) => n.inputs,
    Sink: (n) => [n.input],
  });
}

function fieldNames(plan: LogicalPlan): string[] {
  return plan.fields.map((f) => f.name);
}

/** The indented text form that EXPLAIN prints and plan tests compare. */
export function explainLogical(plan: LogicalPlan, indent = 0): string {
  const pad = '  '.repeat(indent);
  const names = (p: LogicalPlan): string[] => fieldNames(p);
  const line = visitPlan<string>(plan, {
    Scan: (n) => `Scan: ${n.table.name} [${n.fields.map((f) => f.name).join(', ')}]${n.rowtimeField !== undefined ? ` rowtime=${n.fields[n.rowtimeField]!.name}` : ''}`,
    Values: (n) => `Values: ${n.rows.length} row(s)`,
    Project: (n) => `Project: ${n.exprs.map((e, i) => `${formatScalar(e, names(n.input))} AS ${n.fields[i]!.name}`).join(', ')}`,
    Filter: (n) => `Filter: ${formatScalar(n.condition, names(n.input))}`,
    Join: (n) => `Join: ${n.joinType}${n.condition ? ` ON ${formatScalar(n.condition, [...names(n.left), ...names(n.right)])}` : ''}`,
    TemporalJoin: (n) => `TemporalJoin: ${n.joinType} AS OF ${n.left.fields[n.leftTime]!.name} ON ${formatScalar(n.condition, [...names(n.left), ...names(n.right)])}`,
    Aggregate: (n) =>
      `Aggregate: group=[${n.groupKeys.map((k) => n.input.fields[k]!.name).join(', ')}] aggs=[${n.aggregates
        .map((a) => `${a.fn}(${a.distinct ? 'DISTINCT ' : ''}${a.args.map((i) => n.input.fields[i]!.name).join(', ')})`)
        .join(', ')}]`,
    WindowTvf: (n) => `WindowTvf: ${JSON.stringify(n.window)} time=${n.input.fields[n.timeIndex]!.name}`,
    Over: (n) =>
      `Over: partition=[${n.partitionKeys.map((k) => n.input.fields[k]!.name).join(', ')}] order=[${n.orderBy
        .map((o) => `${n.input.fields[o.index]!.name}${o.descending ? ' DESC' : ''}`)
        .join(', ')}] calls=[${n.calls.map((c) => c.fn).join(', ')}]`,
    Sort: (n) => `Sort: [${n.orderBy.map((o) => `${n.input.fields[o.index]!.name}${o.descending ? ' DESC' : ''}`).join(', ')}]${n.limit !== undefined ? ` limit=${n.limit}` : ''}`,
    Union: (n) => `Union: ${n.inputs.length} inputs`,
    Sink: (n) => `Sink: ${n.table.name}`,
  });
  return [pad + line, ...children(plan).map((c) => explainLogical(c, indent + 1))].join('\n');
}

export function formatFields(fields: Field[]): string {
  return fields.map((f) => `${f.name} ${formatType(f.type)}${f.timeAttribute ? ` *${f.timeAttribute.toUpperCase()}*` : ''}`).join(', ');
}
