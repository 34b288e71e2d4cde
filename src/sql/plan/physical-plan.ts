/**
 * Physical plans: which streaming operator computes each part of a query, and what kind of
 * changelog flows out of it. The runtime instantiates one operator per node.
 *
 * Changelog modes (Flink's):
 *   append   only +I
 *   retract  +I, -U, +U, -D (every update carries the old row)
 *   upsert   +I, +U, -D keyed by `upsertKeys` (updates without the old row)
 */
import type { Row } from '../../types/row.ts';
import type { TableDescriptor } from '../catalog/table-descriptor.ts';
import type { AggregateCall } from './aggregate-call.ts';
import type { Field, JoinType, OverCall, SortKey, WindowSpec } from './logical-plan.ts';
import { formatScalar, type ScalarExpr } from './scalar-expr.ts';

export type ChangelogKind = 'append' | 'retract' | 'upsert';

interface Node {
  fields: Field[];
  changelog: ChangelogKind;
}

export interface TableSourceNode extends Node {
  kind: 'TableSource';
  table: TableDescriptor;
  columns: number[];
  rowtimeField: number | undefined;
  watermark: ScalarExpr | undefined;
}

export interface ValuesNode extends Node {
  kind: 'ValuesSource';
  rows: Row[];
}

export interface CalcNode extends Node {
  kind: 'Calc';
  input: PhysicalPlan;
  filter: ScalarExpr | undefined;
  /** Undefined: rows pass through unchanged. */
  project: ScalarExpr[] | undefined;
}

export interface GroupAggregateNode extends Node {
  kind: 'GroupAggregate';
  input: PhysicalPlan;
  groupKeys: number[];
  aggregates: AggregateCall[];
}

/** Output: [...group keys, window_start, window_end, window_time, ...aggregates]. */
export interface WindowAggregateNode extends Node {
  kind: 'WindowAggregate';
  input: PhysicalPlan;
  window: WindowSpec;
  timeIndex: number;
  groupKeys: number[];
  aggregates: AggregateCall[];
}

export interface WindowTableFunctionNode extends Node {
  kind: 'WindowTableFunction';
  input: PhysicalPlan;
  window: WindowSpec;
  timeIndex: number;
}

export interface DeduplicateNode extends Node {
  kind: 'Deduplicate';
  input: PhysicalPlan;
  keys: number[];
  keepLast: boolean;
  /** Event-time column; undefined means arrival (processing-time) order. */
  timeIndex: number | undefined;
  appendRowNumber: boolean;
}

export interface RankNode extends Node {
  kind: 'Rank';
  input: PhysicalPlan;
  partitionKeys: number[];
  orderBy: SortKey[];
  limit: number;
  rankFunction: 'ROW_NUMBER' | 'RANK' | 'DENSE_RANK';
  outputRankNumber: boolean;
}

export interface OverAggregateNode extends Node {
  kind: 'OverAggregate';
  input: PhysicalPlan;
  partitionKeys: number[];
  orderBy: SortKey[];
  calls: OverCall[];
}

interface JoinBase extends Node {
  left: PhysicalPlan;
  right: PhysicalPlan;
  leftKeys: number[];
  rightKeys: number[];
  /** Non-equi rest of the condition, over left ++ right. */
  condition: ScalarExpr | undefined;
}

export interface RegularJoinNode extends JoinBase {
  kind: 'RegularJoin';
  joinType: JoinType;
}

export interface TemporalJoinNode extends JoinBase {
  kind: 'TemporalJoin';
  joinType: 'INNER' | 'LEFT';
  leftTime: number;
  rightTime: number;
}

export interface IntervalJoinNode extends JoinBase {
  kind: 'IntervalJoin';
  joinType: JoinType;
  leftTime: number;
  rightTime: number;
  /** A right row matches when leftTime + lowerBoundMs <= rightTime <= leftTime + upperBoundMs. */
  lowerBoundMs: number;
  upperBoundMs: number;
}

/** Join of two windowed inputs on window_start/window_end (+ keys), firing per window. */
export interface WindowJoinNode extends JoinBase {
  kind: 'WindowJoin';
  joinType: JoinType;
  leftWindow: { start: number; end: number };
  rightWindow: { start: number; end: number };
}

export interface UnionNode extends Node {
  kind: 'Union';
  inputs: PhysicalPlan[];
}

export interface LimitNode extends Node {
  kind: 'Limit';
  input: PhysicalPlan;
  limit: number;
  offset: number;
}

export interface TableSinkNode extends Node {
  kind: 'TableSink';
  input: PhysicalPlan;
  table: TableDescriptor;
}

export type PhysicalPlan =
  | TableSourceNode
  | ValuesNode
  | CalcNode
  | GroupAggregateNode
  | WindowAggregateNode
  | WindowTableFunctionNode
  | DeduplicateNode
  | RankNode
  | OverAggregateNode
  | RegularJoinNode
  | TemporalJoinNode
  | IntervalJoinNode
  | WindowJoinNode
  | UnionNode
  | LimitNode
  | TableSinkNode;

export function physicalChildren(node: PhysicalPlan): PhysicalPlan[] {
  switch (node.kind) {
    case 'TableSource':
    case 'ValuesSource':
      return [];
    case 'RegularJoin':
    case 'TemporalJoin':
    case 'IntervalJoin':
    case 'WindowJoin':
      return [node.left, node.right];
    case 'Union':
      return node.inputs;
    default:
      return [node.input];
  }
}

function describeNode(node: PhysicalPlan): string {
  const names = (p: PhysicalPlan): string[] => p.fields.map((f) => f.name);
  const keys = (plan: PhysicalPlan, ks: number[]): string => ks.map((k) => plan.fields[k]!.name).join(', ');
  switch (node.kind) {
    case 'TableSource':
      return `TableSource(table=[${node.table.name}], fields=[${names(node).join(', ')}]${node.rowtimeField !== undefined ? `, watermark=[${formatScalar(node.watermark!, names(node))}]` : ''})`;
    case 'ValuesSource':
      return `Values(rows=${node.rows.length})`;
    case 'Calc': {
      const parts: string[] = [];
      if (node.project) parts.push(`select=[${node.project.map((e, i) => `${formatScalar(e, names(node.input))} AS ${node.fields[i]!.name}`).join(', ')}]`);
      if (node.filter) parts.push(`where=[${formatScalar(node.filter, names(node.input))}]`);
      return `Calc(${parts.join(', ')})`;
    }
    case 'GroupAggregate':
      return `GroupAggregate(groupBy=[${keys(node.input, node.groupKeys)}], select=[${node.aggregates.map((a) => `${a.fn}(${a.distinct ? 'DISTINCT ' : ''}${keys(node.input, a.args)})`).join(', ')}])`;
    case 'WindowAggregate':
      return `WindowAggregate(window=[${JSON.stringify(node.window)}], time=[${node.input.fields[node.timeIndex]!.name}], groupBy=[${keys(node.input, node.groupKeys)}], select=[${node.aggregates.map((a) => `${a.fn}(${keys(node.input, a.args)})`).join(', ')}])`;
    case 'WindowTableFunction':
      return `WindowTableFunction(window=[${JSON.stringify(node.window)}], time=[${node.input.fields[node.timeIndex]!.name}])`;
    case 'Deduplicate':
      return `Deduplicate(keys=[${keys(node.input, node.keys)}], keep=[${node.keepLast ? 'LastRow' : 'FirstRow'}], order=[${node.timeIndex === undefined ? 'PROCTIME' : node.input.fields[node.timeIndex]!.name}])`;
    case 'Rank':
      return `Rank(${node.rankFunction}, partitionBy=[${keys(node.input, node.partitionKeys)}], orderBy=[${node.orderBy.map((o) => `${node.input.fields[o.index]!.name}${o.descending ? ' DESC' : ''}`).join(', ')}], limit=${node.limit})`;
    case 'OverAggregate':
      return `OverAggregate(partitionBy=[${keys(node.input, node.partitionKeys)}], calls=[${node.calls.map((c) => c.fn).join(', ')}])`;
    case 'RegularJoin':
    case 'TemporalJoin':
    case 'IntervalJoin':
    case 'WindowJoin': {
      const extra =
        node.kind === 'IntervalJoin'
          ? `, between=[${node.lowerBoundMs}ms, ${node.upperBoundMs}ms]`
          : node.kind === 'TemporalJoin'
            ? `, asOf=[${node.left.fields[node.leftTime]!.name}]`
            : node.kind === 'WindowJoin'
              ? `, leftWindow=[${keys(node.left, [node.leftWindow.start, node.leftWindow.end])}], rightWindow=[${keys(node.right, [node.rightWindow.start, node.rightWindow.end])}]`
              : '';
      const rest = node.condition ? `, where=[${formatScalar(node.condition, [...names(node.left), ...names(node.right)])}]` : '';
      return `${node.kind}(type=[${node.joinType}], leftKeys=[${keys(node.left, node.leftKeys)}], rightKeys=[${keys(node.right, node.rightKeys)}]${extra}${rest})`;
    }
    case 'Union':
      return `Union(inputs=${node.inputs.length})`;
    case 'Limit':
      return `Limit(offset=${node.offset}, fetch=${node.limit})`;
    case 'TableSink':
      return `TableSink(table=[${node.table.name}], fields=[${names(node.input).join(', ')}])`;
  }
}

/** EXPLAIN's physical section: one node a line, with its changelog mode. */
export function explainPhysical(node: PhysicalPlan, indent = 0): string {
  const line = `${'  '.repeat(indent)}${describeNode(node)}, changelogMode=[${CHANGELOG_LABEL[node.changelog]}]`;
  return [line, ...physicalChildren(node).map((c) => explainPhysical(c, indent + 1))].join('\n');
}

const CHANGELOG_LABEL: Record<ChangelogKind, string> = { append: 'I', retract: 'I,UB,UA,D', upsert: 'I,UA,D' };
