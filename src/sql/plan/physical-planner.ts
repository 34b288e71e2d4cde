/**
 * Logical → physical: picks the streaming operator for each part of the plan and infers the
 * changelog each one produces, failing with a plan error (naming the node and the fix) when a
 * consumer cannot take its input's changelog — e.g. an append-only sink fed by an aggregation.
 *
 * Pattern rules, as Flink's planner applies them:
 * - Filter(rn = 1 | rn <= N) over ROW_NUMBER() OVER (PARTITION BY .. ORDER BY ..) → Deduplicate
 *   (N = 1, ordered by a time attribute) or Rank (Top-N);
 * - Aggregate grouped by window_start and window_end over a window TVF → WindowAggregate;
 * - Aggregate grouped by window_start and window_end of a window aggregation below it →
 *   window-attached WindowAggregate (attached-window-aggregate.ts);
 * - Join on both sides' window_start and window_end (window TVFs or window aggregations, under
 *   any name: window-lineage.ts) → WindowJoin;
 * - Join whose condition bounds one side's rowtime by the other's → IntervalJoin (a bound on
 *   window_end of the window whose window_time is the rowtime counts: it is rowtime + 1 ms);
 * - JOIN ... FOR SYSTEM_TIME AS OF → TemporalJoin (keys must cover the versioned table's key).
 */
import { ShiftleftError } from '../../common/errors.ts';
import { T, isNumeric } from '../../types/sql-type.ts';
import type { Field, LogicalPlan } from './logical-plan.ts';
import type { ChangelogKind, PhysicalPlan } from './physical-plan.ts';
import { conjuncts, inputRef, inputRefs, type ScalarExpr } from './scalar-expr.ts';
import type { AggregateCall } from './aggregate-call.ts';
import { rowtimeOffsets, windowOrigin } from './window-lineage.ts';
import { planAttachedWindowAggregate } from './attached-window-aggregate.ts';

function planError(message: string, hint: string): ShiftleftError {
  return new ShiftleftError('SQL_PLAN_ERROR', message, { hint });
}

function and(parts: ScalarExpr[]): ScalarExpr | undefined {
  if (parts.length === 0) return undefined;
  return parts.length === 1 ? parts[0] : { kind: 'Call', op: 'AND', args: parts, type: T.boolean() };
}

const mergeModes = (...modes: ChangelogKind[]): ChangelogKind => (modes.every((m) => m === 'append') ? 'append' : 'retract');

/** Strips casts between numeric types (equal SQL values give equal state keys anyway). */
function unwrapCast(e: ScalarExpr): ScalarExpr {
  if (e.kind === 'Call' && (e.op === 'CAST' || e.op === 'TRY_CAST') && isNumeric(e.type) && isNumeric(e.args[0]!.type)) return unwrapCast(e.args[0]!);
  return e;
}

export interface EquiSplit {
  leftKeys: number[];
  rightKeys: number[];
  rest: ScalarExpr[];
}

/** Separates `left.col = right.col` conjuncts (the join keys) from the rest of a condition. */
export function splitEquiJoin(condition: ScalarExpr | undefined, leftArity: number): EquiSplit {
  const split: EquiSplit = { leftKeys: [], rightKeys: [], rest: [] };
  for (const part of condition ? conjuncts(condition) : []) {
    if (part.kind === 'Call' && part.op === '=') {
      const a = unwrapCast(part.args[0]!);
      const b = unwrapCast(part.args[1]!);
      if (a.kind === 'InputRef' && b.kind === 'InputRef') {
        if (a.index < leftArity && b.index >= leftArity) {
          split.leftKeys.push(a.index);
          split.rightKeys.push(b.index - leftArity);
          continue;
        }
        if (b.index < leftArity && a.index >= leftArity) {
          split.leftKeys.push(b.index);
          split.rightKeys.push(a.index - leftArity);
          continue;
        }
      }
    }
    split.rest.push(part);
  }
  return split;
}

/** A column that is a fixed offset from another: window_end is window_time + 1 ms (window-lineage.ts). */
type TimeAliases = ReadonlyMap<number, { index: number; offset: number }>;

/** `time` or `time ± INTERVAL`: the column (seen through its alias) and the offset in ms. */
function timeOperand(e: ScalarExpr, aliases: TimeAliases): { index: number; offset: number } | undefined {
  const column = (index: number, offset: number): { index: number; offset: number } => {
    const alias = aliases.get(index);
    return alias ? { index: alias.index, offset: offset + alias.offset } : { index, offset };
  };
  const x = unwrapCast(e);
  if (x.kind === 'InputRef') return column(x.index, 0);
  if (x.kind === 'Call' && (x.op === '+' || x.op === '-') && x.args.length === 2) {
    const [a, b] = x.args as [ScalarExpr, ScalarExpr];
    const ref = unwrapCast(a);
    if (ref.kind === 'InputRef' && b.kind === 'Literal' && b.type.kind === 'INTERVAL_DAY_TIME' && typeof b.value === 'number') {
      return column(ref.index, x.op === '+' ? b.value : -b.value);
    }
  }
  return undefined;
}

interface IntervalBounds {
  lower: number;
  upper: number;
  rest: ScalarExpr[];
}

/**
 * Finds bounds on `rightTime - leftTime` among the conjuncts: `r >= l - 96h` gives lower -96h,
 * `r <= l` gives upper 0, and the mirrored forms likewise. Strict inequalities move by 1 ms.
 */
function intervalBounds(rest: ScalarExpr[], leftTime: number, rightTime: number, aliases: TimeAliases = new Map()): IntervalBounds | undefined {
  let lower: number | undefined;
  let upper: number | undefined;
  const remaining: ScalarExpr[] = [];
  for (const part of rest) {
    if (part.kind === 'Call' && ['<', '<=', '>', '>='].includes(part.op)) {
      const a = timeOperand(part.args[0]!, aliases);
      const b = timeOperand(part.args[1]!, aliases);
      if (a && b) {
        // Normalize to: (a.col + a.off) op (b.col + b.off)
        let op = part.op;
        let right = a;
        let left = b;
        if (a.index === leftTime && b.index === rightTime) {
          right = b;
          left = a;
          op = ({ '<': '>', '<=': '>=', '>': '<', '>=': '<=' } as Record<string, string>)[op]!;
        } else if (!(a.index === rightTime && b.index === leftTime)) {
          remaining.push(part);
          continue;
        }
        // right.col + right.off op left.col + left.off  ⇒  r - l op left.off - right.off
        const bound = left.offset - right.offset;
        if (op === '>=') lower = Math.max(lower ?? -Infinity, bound);
        else if (op === '>') lower = Math.max(lower ?? -Infinity, bound + 1);
        else if (op === '<=') upper = Math.min(upper ?? Infinity, bound);
        else upper = Math.min(upper ?? Infinity, bound - 1);
        continue;
      }
    }
    remaining.push(part);
  }
  if (lower === undefined || upper === undefined) return undefined;
  return { lower, upper, rest: remaining };
}

export class PhysicalPlanner {
  plan(node: LogicalPlan): PhysicalPlan {
    switch (node.kind) {
      case 'Scan':
        return {
          kind: 'TableSource',
          table: node.table,
          columns: node.columns,
          rowtimeField: node.rowtimeField,
          watermark: node.watermark,
          fields: node.fields,
          changelog: node.table.changelogMode === 'append' ? 'append' : 'retract',
        };
      case 'Values':
        return { kind: 'ValuesSource', rows: node.rows, fields: node.fields, changelog: 'append' };
      case 'Project': {
        const input = this.plan(node.input);
        if (input.kind === 'Calc' && input.project === undefined) {
          return { ...input, project: node.exprs, fields: node.fields };
        }
        return { kind: 'Calc', input, filter: undefined, project: node.exprs, fields: node.fields, changelog: input.changelog };
      }
      case 'Filter':
        return this.planFilter(node);
      case 'Join':
        return this.planJoin(node);
      case 'TemporalJoin':
        return this.planTemporalJoin(node);
      case 'Aggregate':
        return this.planAggregate(node);
      case 'WindowTvf': {
        const input = this.plan(node.input);
        this.requireAppend(input, 'a window table function');
        return { kind: 'WindowTableFunction', input, window: node.window, timeIndex: node.timeIndex, fields: node.fields, changelog: 'append' };
      }
      case 'Over': {
        const input = this.plan(node.input);
        if (node.calls.some((c) => c.aggregate === undefined)) {
          throw planError('ROW_NUMBER(), RANK() and DENSE_RANK() need a filter on their result in a streaming query', 'add WHERE rn = 1 (deduplication) or WHERE rn <= N (Top-N) in an outer query');
        }
        this.requireAppend(input, 'an OVER aggregation');
        return { kind: 'OverAggregate', input, partitionKeys: node.partitionKeys, orderBy: node.orderBy, calls: node.calls, fields: node.fields, changelog: 'append' };
      }
      case 'Sort': {
        if (node.orderBy.length > 0) {
          throw planError('ORDER BY is not supported on an unbounded stream', 'remove ORDER BY, use a Top-N query (ROW_NUMBER() ... WHERE rn <= N), or sort in the client');
        }
        const input = this.plan(node.input);
        return { kind: 'Limit', input, limit: node.limit ?? Number.MAX_SAFE_INTEGER, offset: node.offset ?? 0, fields: node.fields, changelog: input.changelog };
      }
      case 'Union': {
        const inputs = node.inputs.map((i) => this.plan(i));
        return { kind: 'Union', inputs, fields: node.fields, changelog: mergeModes(...inputs.map((i) => i.changelog)) };
      }
      case 'Sink': {
        const input = this.plan(node.input);
        if (input.changelog !== 'append' && !node.table.primaryKey && node.table.changelogMode === 'append') {
          throw planError(
            `table '${node.table.name}' is append-only but its input produces updates (from ${describeUpdater(input)})`,
            `declare a primary key on '${node.table.name}' (PRIMARY KEY (...) NOT ENFORCED) so it can take updates, or change the query so it only appends`,
          );
        }
        return { kind: 'TableSink', input, table: node.table, fields: node.fields, changelog: input.changelog };
      }
    }
  }

  private requireAppend(input: PhysicalPlan, consumer: string): void {
    if (input.changelog !== 'append') {
      throw planError(`${consumer} needs an append-only input, but it receives updates from ${describeUpdater(input)}`, 'apply the window or join on the source table (before the aggregation or regular join that produces updates)');
    }
  }

  private planFilter(node: Extract<LogicalPlan, { kind: 'Filter' }>): PhysicalPlan {
    const ranked = this.tryRank(node);
    if (ranked) return ranked;
    const input = this.plan(node.input);
    return { kind: 'Calc', input, filter: node.condition, project: undefined, fields: node.fields, changelog: input.changelog };
  }

  /** Filter on a ROW_NUMBER column (seen through projections) → Deduplicate or Rank. */
  private tryRank(filter: Extract<LogicalPlan, { kind: 'Filter' }>): PhysicalPlan | undefined {
    const parts = conjuncts(filter.condition);
    // Walk down projections, tracking where the filtered column comes from.
    const projections: Extract<LogicalPlan, { kind: 'Project' }>[] = [];
    let below: LogicalPlan = filter.input;
    while (below.kind === 'Project') {
      projections.push(below);
      below = below.input;
    }
    if (below.kind !== 'Over' || below.calls.length !== 1 || below.calls[0]!.aggregate !== undefined) return undefined;
    const over = below;
    const rnIndex = over.input.fields.length;
    const origin = (index: number): number | undefined => {
      let i = index;
      for (const p of projections) {
        const e = p.exprs[i]!;
        if (e.kind !== 'InputRef') return undefined;
        i = e.index;
      }
      return i;
    };
    let limit: number | undefined;
    const rest: ScalarExpr[] = [];
    for (const part of parts) {
      if (part.kind === 'Call' && ['=', '<=', '<'].includes(part.op)) {
        const [a, b] = part.args.map(unwrapCast) as [ScalarExpr, ScalarExpr];
        if (a.kind === 'InputRef' && origin(a.index) === rnIndex && b.kind === 'Literal' && typeof b.value === 'number') {
          const n = part.op === '<' ? b.value - 1 : b.value;
          if (part.op === '=' && n !== 1) return undefined;
          limit = Math.min(limit ?? Infinity, n);
          continue;
        }
      }
      rest.push(part);
    }
    if (limit === undefined) return undefined;
    const input = this.plan(over.input);
    const fn = over.calls[0]!.fn as 'ROW_NUMBER' | 'RANK' | 'DENSE_RANK';
    const order = over.orderBy;
    const timeOrder = order.length === 1 && over.input.fields[order[0]!.index]!.timeAttribute !== undefined;
    let ranked: PhysicalPlan;
    if (fn === 'ROW_NUMBER' && limit === 1 && timeOrder) {
      const keepLast = order[0]!.descending;
      const rowtime = over.input.fields[order[0]!.index]!.timeAttribute === 'rowtime';
      ranked = {
        kind: 'Deduplicate',
        input,
        keys: over.partitionKeys,
        keepLast,
        timeIndex: rowtime ? order[0]!.index : undefined,
        appendRowNumber: true,
        fields: over.fields,
        changelog: keepLast || input.changelog !== 'append' ? 'retract' : 'append',
      };
    } else {
      if (order.length === 0) throw planError(`${fn}() OVER (...) needs an ORDER BY`, 'order the partition, e.g. ORDER BY $rowtime DESC');
      ranked = { kind: 'Rank', input, partitionKeys: over.partitionKeys, orderBy: order, limit, rankFunction: fn, outputRankNumber: true, fields: over.fields, changelog: 'retract' };
    }
    // Re-apply the projections (and any other conditions) above the ranking.
    let out: PhysicalPlan = ranked;
    for (const p of [...projections].reverse()) out = { kind: 'Calc', input: out, filter: undefined, project: p.exprs, fields: p.fields, changelog: out.changelog };
    const restCondition = and(rest);
    if (restCondition) out = { kind: 'Calc', input: out, filter: restCondition, project: undefined, fields: filter.fields, changelog: out.changelog };
    return out;
  }

  private planJoin(node: Extract<LogicalPlan, { kind: 'Join' }>): PhysicalPlan {
    const left = this.plan(node.left);
    const right = this.plan(node.right);
    const leftArity = node.left.fields.length;
    const split = splitEquiJoin(node.condition, leftArity);
    const windowed = this.tryWindowJoin(node, left, right, split);
    if (windowed) return windowed;
    const leftTime = node.left.fields.findIndex((f) => f.timeAttribute === 'rowtime');
    const rightTime = node.right.fields.findIndex((f) => f.timeAttribute === 'rowtime');
    if (leftTime >= 0 && rightTime >= 0 && left.changelog === 'append' && right.changelog === 'append') {
      const bounds = intervalBounds(split.rest, leftTime, rightTime + leftArity, timeAliases(node, leftTime, rightTime));
      if (bounds) {
        return {
          kind: 'IntervalJoin',
          left,
          right,
          joinType: node.joinType,
          leftKeys: split.leftKeys,
          rightKeys: split.rightKeys,
          condition: and(bounds.rest),
          leftTime,
          rightTime,
          lowerBoundMs: bounds.lower,
          upperBoundMs: bounds.upper,
          fields: node.fields,
          changelog: 'append',
        };
      }
    }
    if (split.leftKeys.length === 0 && node.joinType !== 'INNER') {
      throw planError(`a ${node.joinType} JOIN without an equality condition between both sides cannot run on streams`, 'join on a key (ON a.k = b.k)');
    }
    const changelog: ChangelogKind = node.joinType === 'INNER' && left.changelog === 'append' && right.changelog === 'append' ? 'append' : 'retract';
    return { kind: 'RegularJoin', left, right, joinType: node.joinType, leftKeys: split.leftKeys, rightKeys: split.rightKeys, condition: and(split.rest), fields: node.fields, changelog };
  }

  /**
   * Both sides are windowed (window TVFs, or window aggregations over them, see
   * window-lineage.ts) and the keys include window_start and window_end of both, under any name:
   * a window join, which keeps each window's rows only until the watermark passes its end.
   */
  private tryWindowJoin(node: Extract<LogicalPlan, { kind: 'Join' }>, left: PhysicalPlan, right: PhysicalPlan, split: EquiSplit): PhysicalPlan | undefined {
    if (left.changelog !== 'append' || right.changelog !== 'append') return undefined;
    const pairs = windowKeyPairs(node, split);
    if (!pairs) return undefined;
    const { startPair, endPair } = pairs;
    const keep = (_: number, i: number): boolean => i !== startPair && i !== endPair;
    return {
      kind: 'WindowJoin',
      left,
      right,
      joinType: node.joinType,
      leftKeys: split.leftKeys.filter(keep),
      rightKeys: split.rightKeys.filter(keep),
      condition: and(split.rest),
      leftWindow: { start: split.leftKeys[startPair]!, end: split.leftKeys[endPair]! },
      rightWindow: { start: split.rightKeys[startPair]!, end: split.rightKeys[endPair]! },
      fields: node.fields,
      changelog: 'append',
    };
  }

  private planTemporalJoin(node: Extract<LogicalPlan, { kind: 'TemporalJoin' }>): PhysicalPlan {
    const left = this.plan(node.left);
    const right = this.plan(node.right);
    this.requireAppend(left, 'the left (probe) side of a temporal join');
    const split = splitEquiJoin(node.condition, node.left.fields.length);
    const table = findTable(node.right);
    const pk = table?.primaryKey ?? [];
    const keyNames = split.rightKeys.map((k) => node.right.fields[k]!.name);
    if (pk.length === 0 || !pk.every((k) => keyNames.includes(k))) {
      throw planError(
        `the temporal join condition must include the primary key (${pk.join(', ')}) of the versioned table '${table?.name ?? '?'}'`,
        `add ${pk.map((k) => `${k} = <left column>`).join(' AND ')} to the ON condition`,
      );
    }
    const rightTime = node.right.fields.findIndex((f) => f.timeAttribute === 'rowtime');
    return {
      kind: 'TemporalJoin',
      left,
      right,
      joinType: node.joinType,
      leftKeys: split.leftKeys,
      rightKeys: split.rightKeys,
      condition: and(split.rest),
      leftTime: node.leftTime,
      rightTime,
      fields: node.fields,
      changelog: 'append',
    };
  }

  private planAggregate(node: Extract<LogicalPlan, { kind: 'Aggregate' }>): PhysicalPlan {
    const windowed = this.tryWindowAggregate(node) ?? planAttachedWindowAggregate(node, (n) => this.plan(n));
    if (windowed) return windowed;
    const input = this.plan(node.input);
    return { kind: 'GroupAggregate', input, groupKeys: node.groupKeys, aggregates: node.aggregates, fields: node.fields, changelog: 'retract' };
  }

  /**
   * Aggregate(Project(WindowTvf)) grouped by window_start and window_end: the window aggregate
   * assigns windows itself, so the projection is rebuilt over the TVF's input, and a final Calc
   * puts the columns back in the logical order.
   */
  private tryWindowAggregate(node: Extract<LogicalPlan, { kind: 'Aggregate' }>): PhysicalPlan | undefined {
    const project = node.input.kind === 'Project' ? node.input : undefined;
    let below = project ? project.input : node.input;
    // Fix (slt windows.slt): a WHERE between the TVF and the aggregation made this fall back to
    // a GroupAggregate (an updating result where Flink emits each window once). A filter that
    // does not read the window columns runs before windowing instead.
    let filter: ScalarExpr | undefined;
    if (below.kind === 'Filter' && below.input.kind === 'WindowTvf') {
      filter = below.condition;
      below = below.input;
    }
    const tvf = below;
    if (tvf.kind !== 'WindowTvf') return undefined;
    const arity = tvf.input.fields.length;
    const exprs = project ? project.exprs : tvf.fields.map((f, i) => inputRef(i, f.type));
    const role = (groupIndex: number): 'start' | 'end' | 'time' | 'other' => {
      const e = exprs[node.groupKeys[groupIndex]!]!;
      if (e.kind === 'InputRef' && e.index >= arity) return (['start', 'end', 'time'] as const)[e.index - arity]!;
      return 'other';
    };
    const roles = node.groupKeys.map((_, i) => role(i));
    if (!roles.includes('start') || !roles.includes('end')) return undefined;
    // Everything other than the window columns must be computable before windowing.
    const usesWindowColumns = (e: ScalarExpr): boolean => [...inputRefs(e)].some((i) => i >= arity);
    const otherGroups = node.groupKeys.filter((_, i) => roles[i] === 'other');
    const argIndexes = [...new Set(node.aggregates.flatMap((a) => [...a.args, ...(a.filterArg !== undefined ? [a.filterArg] : [])]))];
    if ([...otherGroups, ...argIndexes].some((i) => usesWindowColumns(exprs[i]!))) return undefined;
    if (filter && usesWindowColumns(filter)) return undefined;
    const tvfInput = this.plan(tvf.input);
    this.requireAppend(tvfInput, 'a window aggregation');
    // Pre-projection over the TVF input: [other group keys..., aggregate args..., time].
    const preExprs: ScalarExpr[] = [];
    const position = new Map<number, number>();
    for (const i of [...otherGroups, ...argIndexes]) {
      if (!position.has(i)) {
        position.set(i, preExprs.length);
        preExprs.push(exprs[i]!);
      }
    }
    const timeIndex = preExprs.length;
    preExprs.push(inputRef(tvf.timeIndex, tvf.input.fields[tvf.timeIndex]!.type));
    const preFields: Field[] = preExprs.map((e, i) => ({ name: i === timeIndex ? tvf.input.fields[tvf.timeIndex]!.name : `$${i}`, type: e.type, timeAttribute: i === timeIndex ? 'rowtime' : undefined }));
    const pre: PhysicalPlan = { kind: 'Calc', input: tvfInput, filter, project: preExprs, fields: preFields, changelog: 'append' };
    const aggregates: AggregateCall[] = node.aggregates.map((a) => ({
      ...a,
      args: a.args.map((i) => position.get(i)!),
      filterArg: a.filterArg === undefined ? undefined : position.get(a.filterArg),
    }));
    const groupKeys = otherGroups.map((i) => position.get(i)!);
    const windowFields = tvf.fields.slice(arity);
    const aggFields: Field[] = [
      ...groupKeys.map((k) => preFields[k]!),
      ...windowFields,
      ...aggregates.map((a) => ({ name: a.name, type: a.type })),
    ];
    const windowAgg: PhysicalPlan = { kind: 'WindowAggregate', input: pre, window: tvf.window, timeIndex, groupKeys, aggregates, fields: aggFields, changelog: 'append' };
    // Back to the logical order: group keys as grouped, then aggregates.
    let other = 0;
    const reorder = node.groupKeys.map((_, i) => {
      const r = roles[i]!;
      const at = r === 'other' ? other++ : groupKeys.length + (r === 'start' ? 0 : r === 'end' ? 1 : 2);
      return inputRef(at, aggFields[at]!.type);
    });
    const aggOut = aggregates.map((a, j) => inputRef(groupKeys.length + 3 + j, a.type));
    const fields = node.fields.map((f, i) => (i < node.groupKeys.length && roles[i] === 'time' ? { ...f, timeAttribute: 'rowtime' as const } : f));
    return { kind: 'Calc', input: windowAgg, filter: undefined, project: [...reorder, ...aggOut], fields, changelog: 'append' };
  }
}

/** The key pairs equating both sides' window_start and window_end (of one window per side). */
function windowKeyPairs(node: Extract<LogicalPlan, { kind: 'Join' }>, split: EquiSplit): { startPair: number; endPair: number } | undefined {
  const origins = split.leftKeys.map((l, i) => [windowOrigin(node.left, l), windowOrigin(node.right, split.rightKeys[i]!)] as const);
  const startPair = origins.findIndex(([l, r]) => l?.role === 'start' && r?.role === 'start');
  if (startPair < 0) return undefined;
  const [ls, rs] = origins[startPair]!;
  const endPair = origins.findIndex(([l, r]) => l?.role === 'end' && r?.role === 'end' && l.tvf === ls!.tvf && r.tvf === rs!.tvf);
  return endPair < 0 ? undefined : { startPair, endPair };
}

/**
 * Window columns that are a fixed offset from a join side's rowtime (window_end of the window
 * whose window_time is the rowtime), as aliases over the join's combined fields.
 */
function timeAliases(node: Extract<LogicalPlan, { kind: 'Join' }>, leftTime: number, rightTime: number): TimeAliases {
  const leftArity = node.left.fields.length;
  const aliases = new Map<number, { index: number; offset: number }>();
  for (const [i, offset] of rowtimeOffsets(node.left, leftTime)) aliases.set(i, { index: leftTime, offset });
  for (const [i, offset] of rowtimeOffsets(node.right, rightTime)) aliases.set(i + leftArity, { index: rightTime + leftArity, offset });
  return aliases;
}

function findTable(plan: LogicalPlan): Extract<LogicalPlan, { kind: 'Scan' }>['table'] | undefined {
  if (plan.kind === 'Scan') return plan.table;
  if (plan.kind === 'Project' || plan.kind === 'Filter') return findTable(plan.input);
  return undefined;
}

function describeUpdater(plan: PhysicalPlan): string {
  let node: PhysicalPlan = plan;
  while (node.kind === 'Calc' || node.kind === 'Limit') node = node.input;
  if (node.kind === 'TableSource') return `table '${node.table.name}' (changelog.mode ${node.table.changelogMode})`;
  return `the ${node.kind} node`;
}

export function toPhysical(plan: LogicalPlan): PhysicalPlan {
  return new PhysicalPlanner().plan(plan);
}


