/**
 * Window lineage: which columns of a plan are window_start / window_end / window_time of a
 * window table function, followed through plain column references of projections, filters and
 * the group keys of aggregations (a window aggregation keeps its window columns as group keys;
 * `window_start AS starttime` keeps being the window's start).
 *
 * The physical planner uses it to find time-bounded joins that Flink plans as regular joins
 * when a window column has been renamed or passed through a window aggregation:
 *   - window join: both sides carry the start and end of their window (Nexmark q5 joins two
 *     window aggregations on `starttime`/`endtime`);
 *   - interval join bounded by window_end: window_end is window_time + 1 ms, so a bound on it is
 *     a bound on the side's rowtime (Nexmark q7: `B.dateTime BETWEEN B1.window_end - 10 s AND
 *     B1.window_end`);
 *   - window-attached aggregation: grouping a window aggregation's output by its window again.
 */
import type { LogicalPlan, WindowSpec } from './logical-plan.ts';

export type WindowRole = 'start' | 'end' | 'time';

export interface WindowOrigin {
  tvf: Extract<LogicalPlan, { kind: 'WindowTvf' }>;
  role: WindowRole;
}

const ROLES: readonly WindowRole[] = ['start', 'end', 'time'];

/** The window column field `index` of `plan` is, if it is one. */
export function windowOrigin(plan: LogicalPlan, index: number): WindowOrigin | undefined {
  switch (plan.kind) {
    case 'WindowTvf': {
      const arity = plan.input.fields.length;
      if (index >= arity) return { tvf: plan, role: ROLES[index - arity]! };
      return windowOrigin(plan.input, index);
    }
    case 'Filter':
      return windowOrigin(plan.input, index);
    case 'Project': {
      const e = plan.exprs[index];
      return e?.kind === 'InputRef' ? windowOrigin(plan.input, e.index) : undefined;
    }
    case 'Aggregate':
      return index < plan.groupKeys.length ? windowOrigin(plan.input, plan.groupKeys[index]!) : undefined;
    default:
      return undefined;
  }
}

/** The fixed width of a window kind's windows, or undefined (CUMULATE and SESSION vary). */
function windowSize(window: WindowSpec): number | undefined {
  if (window.kind === 'TUMBLE' || window.kind === 'HOP') return window.sizeMs;
  return undefined;
}

/**
 * Fields that are a fixed offset from the plan's rowtime field: when the rowtime is a window's
 * window_time (= window_end - 1 ms), that window's window_end is rowtime + 1 and, for windows
 * of one size, its window_start is rowtime + 1 - size. Maps field index → offset in ms.
 */
export function rowtimeOffsets(plan: LogicalPlan, rowtime: number): Map<number, number> {
  const offsets = new Map<number, number>();
  const time = windowOrigin(plan, rowtime);
  if (time?.role !== 'time') return offsets;
  const size = windowSize(time.tvf.window);
  plan.fields.forEach((_, i) => {
    if (i === rowtime) return;
    const origin = windowOrigin(plan, i);
    if (origin?.tvf !== time.tvf) return;
    if (origin.role === 'end') offsets.set(i, 1);
    else if (origin.role === 'start' && size !== undefined) offsets.set(i, 1 - size);
  });
  return offsets;
}
