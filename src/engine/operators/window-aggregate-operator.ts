/**
 * Window TVF aggregation, the operator Flink's planner fuses from
 *   SELECT keys, window_start, window_end, [window_time,] aggs
 *   FROM TABLE(TUMBLE|HOP|CUMULATE|SESSION(TABLE t, DESCRIPTOR(rowtime), ...))
 *   GROUP BY window_start, window_end, keys
 *
 * Output row: [...group key values, window_start, window_end, window_time, ...aggregate values],
 * window_time = window_end - 1 (a rowtime for downstream event-time operators). Each window
 * emits once, insert-only, when the watermark reaches window_end - 1, in window-end order.
 *
 * Input is append-only. A row whose earliest window has already fired is late: it is dropped and
 * counted in metrics.lateRecordsDropped (Flink drops on the row's slice, which ends there too).
 * Rows with a NULL rowtime are dropped as well. State is one bucket per live window, removed
 * when it fires, so state shrinks as the watermark advances; state TTL does not apply (Flink's
 * window operators ignore it too).
 *
 * HOP and CUMULATE are sliced as in Flink: a row updates only its slice (one slide or step
 * long) and each window combines its slices' accumulators when it fires, so a row costs one
 * update however many windows share it. With a DISTINCT aggregate (whose accumulators cannot
 * merge) every window a row belongs to is updated instead.
 */
import { ShiftleftError } from '../../common/errors.ts';
import { BaseOperator } from '../operator.ts';
import { rowKey } from '../state/keyed-state.ts';
import { accumulatorsFactory, accumulatorsMergeable, type Accumulator } from '../functions/aggregate-functions.ts';
import type { AggregateCall } from '../../sql/plan/aggregate-call.ts';
import { insertBatch, type ChangeBatch, type Row } from '../../types/row.ts';
import { assignWindowsInto, isWindowFired, sliceEnd, sliceLayout, validateWindowSpec, type SliceLayout, type WindowSpec } from './windows/window-assigner.ts';
import { SessionWindows, type SessionContents, type SessionSnapshot } from './windows/session-windows.ts';

export interface WindowAggregateOptions {
  window: WindowSpec;
  /** The rowtime column (epoch millis). */
  timeIndex: number;
  groupKeys: number[];
  aggregates: AggregateCall[];
  /** Shifts window boundaries from the epoch (TUMBLE/HOP/CUMULATE's optional offset). */
  offsetMs?: number;
}

interface WindowGroup {
  keyValues: unknown[];
  accumulators: Accumulator[];
}

/** The groups of one window [start, end). */
interface WindowBucket {
  start: number;
  end: number;
  groups: Map<string, WindowGroup>;
}

interface WindowAggregateSnapshot {
  /** null before the first watermark. */
  watermark: number | null;
  buckets: [number, number, [string, unknown[], unknown[]][]][];
  sessions: SessionSnapshot | null;
}

export class WindowAggregateOperator extends BaseOperator {
  readonly name = 'WindowAggregate';
  private readonly spec: WindowSpec;
  private readonly offsetMs: number;
  private watermark = -Infinity;
  /**
   * Live windows by end (for TUMBLE, HOP and CUMULATE no two windows share an end, so the end
   * alone identifies a window), or live slices by end when sliced.
   */
  private readonly buckets = new Map<number, WindowBucket>();
  /** Session contents: mergeable accumulators, or the rows themselves (see sessionContents). */
  private readonly sessions: SessionWindows<Accumulator[] | Row[]> | null;
  private readonly starts: number[] = [];
  private readonly ends: number[] = [];
  private readonly newAccumulators: () => Accumulator[];
  /** Set when HOP/CUMULATE run sliced: `buckets` then hold slices. */
  private readonly slices: SliceLayout | null;

  constructor(private readonly options: WindowAggregateOptions) {
    super();
    validateWindowSpec(options.window);
    this.newAccumulators = accumulatorsFactory(options.aggregates, { retractable: false });
    this.spec = options.window;
    this.offsetMs = options.offsetMs ?? 0;
    this.sessions = this.spec.kind === 'SESSION' ? new SessionWindows(this.spec.gapMs, this.sessionContents()) : null;
    this.slices = accumulatorsMergeable(options.aggregates) ? sliceLayout(this.spec, this.offsetMs) : null;
  }

  processBatch(_input: number, batch: ChangeBatch): void {
    const { rows, kinds } = batch;
    const metrics = this.context.metrics;
    metrics.recordsIn += rows.length;
    if (kinds !== null && kinds.some((k) => k !== 0)) {
      throw new ShiftleftError('SQL_RUNTIME_ERROR', 'window aggregation received an updating input; it accepts append-only input only', {
        hint: 'Aggregate the changelog with a regular GROUP BY, or window an append-only table.',
      });
    }
    const timeIndex = this.options.timeIndex;
    const groupKeys = this.options.groupKeys;
    const watermark = this.watermark;
    let late = 0;
    let cached: WindowBucket | null = null;
    for (let i = 0; i < rows.length; i++) {
      const row = rows[i]!;
      const time = row[timeIndex] as number | null;
      if (time === null || time === undefined) continue;
      if (this.sessions !== null) {
        if (!this.sessions.add(rowKey(row, groupKeys), () => this.keyValuesOf(row), row, time, watermark)) late++;
        continue;
      }
      if (isWindowFired(sliceEnd(time, this.spec, this.offsetMs), watermark)) {
        late++;
        continue;
      }
      const key = rowKey(row, groupKeys);
      // Most rows fall in the same tumbling window (or slice) as the previous one: skip the lookups.
      if (cached !== null && time >= cached.start && time < cached.end && (this.slices !== null || this.spec.kind === 'TUMBLE')) {
        this.addTo(cached, key, row);
        continue;
      }
      if (this.slices !== null) {
        const end = sliceEnd(time, this.spec, this.offsetMs);
        cached = this.bucketAt(end - this.slices.unit, end);
        this.addTo(cached, key, row);
        continue;
      }
      const n = assignWindowsInto(time, this.spec, this.offsetMs, this.starts, this.ends);
      for (let w = 0; w < n; w++) {
        cached = this.bucketAt(this.starts[w]!, this.ends[w]!);
        this.addTo(cached, key, row);
      }
    }
    if (late > 0) metrics.lateRecordsDropped += late;
  }

  private bucketAt(start: number, end: number): WindowBucket {
    let bucket = this.buckets.get(end);
    if (bucket === undefined) {
      bucket = { start, end, groups: new Map() };
      this.buckets.set(end, bucket);
    }
    return bucket;
  }

  private keyValuesOf(row: Row): unknown[] {
    const keys = this.options.groupKeys;
    const values = new Array<unknown>(keys.length);
    for (let k = 0; k < keys.length; k++) values[k] = row[keys[k]!];
    return values;
  }

  private addTo(bucket: WindowBucket, key: string, row: Row): void {
    let group = bucket.groups.get(key);
    if (group === undefined) {
      group = { keyValues: this.keyValuesOf(row), accumulators: this.newAccumulators() };
      bucket.groups.set(key, group);
    }
    const accs = group.accumulators;
    for (let a = 0; a < accs.length; a++) accs[a]!.add(row);
  }

  override onWatermark(_input: number, watermark: number): void {
    if (watermark <= this.watermark) return;
    const previous = this.watermark;
    this.watermark = watermark;
    const out: Row[] = [];
    if (this.slices !== null) {
      this.fireSlicedWindows(this.slices, previous, watermark, out);
    } else if (this.sessions !== null) {
      for (const session of this.sessions.fire(watermark)) {
        out.push(this.resultRow(session.keyValues, session.start, session.end, this.sessionAccumulators(session.contents)));
      }
    } else {
      const fired: WindowBucket[] = [];
      for (const bucket of this.buckets.values()) if (isWindowFired(bucket.end, watermark)) fired.push(bucket);
      fired.sort((a, b) => a.end - b.end || a.start - b.start);
      for (const bucket of fired) {
        this.buckets.delete(bucket.end);
        for (const group of bucket.groups.values()) out.push(this.resultRow(group.keyValues, bucket.start, bucket.end, group.accumulators));
      }
    }
    this.emit(insertBatch(out));
  }

  /**
   * Sessions merge when a row bridges them, so their aggregates must merge: with accumulators
   * that can, a session holds accumulators; with DISTINCT it holds its rows, aggregated on firing.
   */
  private sessionContents(): SessionContents<Accumulator[] | Row[]> {
    if (accumulatorsMergeable(this.options.aggregates)) {
      return {
        create: () => this.newAccumulators(),
        add: (accs, row) => {
          for (const acc of accs as Accumulator[]) acc.add(row);
        },
        merge: (into, later) => (into as Accumulator[]).forEach((acc, i) => acc.merge!((later as Accumulator[])[i]!)),
        snapshot: (accs) => ({ accumulators: (accs as Accumulator[]).map((a) => a.snapshot()) }),
        restore: (state) => {
          const accs = this.newAccumulators();
          accs.forEach((a, i) => a.restore((state as { accumulators: unknown[] }).accumulators[i]));
          return accs;
        },
      };
    }
    return {
      create: () => [] as Row[],
      add: (rows, row) => void (rows as Row[]).push(row),
      merge: (into, later) => void (into as Row[]).push(...(later as Row[])),
      snapshot: (rows) => ({ rows }),
      restore: (state) => (state as { rows: Row[] }).rows,
    };
  }

  private sessionAccumulators(contents: Accumulator[] | Row[]): Accumulator[] {
    if (accumulatorsMergeable(this.options.aggregates)) return contents as Accumulator[];
    const accs = this.newAccumulators();
    for (const row of contents as Row[]) for (const acc of accs) acc.add(row);
    return accs;
  }

  /** Fires the windows that end in (previous, watermark] from their slices; drops used-up slices. */
  private fireSlicedWindows(layout: SliceLayout, previous: number, watermark: number, out: Row[]): void {
    const slices = [...this.buckets.values()].sort((a, b) => a.end - b.end);
    const ends = new Set<number>();
    for (const slice of slices) {
      for (const end of layout.windowEnds(slice.end)) if (isWindowFired(end, watermark) && !isWindowFired(end, previous)) ends.add(end);
    }
    for (const end of [...ends].sort((a, b) => a - b)) {
      const start = layout.windowStart(end);
      const merged = new Map<string, WindowGroup>();
      for (const slice of slices) {
        if (slice.end <= start || slice.end > end) continue;
        for (const [key, group] of slice.groups) {
          let target = merged.get(key);
          if (target === undefined) {
            target = { keyValues: group.keyValues, accumulators: this.newAccumulators() };
            merged.set(key, target);
          }
          for (let a = 0; a < target.accumulators.length; a++) target.accumulators[a]!.merge!(group.accumulators[a]!);
        }
      }
      for (const group of merged.values()) out.push(this.resultRow(group.keyValues, start, end, group.accumulators));
    }
    for (const slice of slices) if (isWindowFired(layout.lastWindowEnd(slice.end), watermark)) this.buckets.delete(slice.end);
  }

  private resultRow(keyValues: unknown[], start: number, end: number, accs: Accumulator[]): Row {
    const nKeys = keyValues.length;
    const row = new Array<unknown>(nKeys + 3 + accs.length);
    for (let k = 0; k < nKeys; k++) row[k] = keyValues[k];
    row[nKeys] = start;
    row[nKeys + 1] = end;
    row[nKeys + 2] = end - 1;
    for (let a = 0; a < accs.length; a++) row[nKeys + 3 + a] = accs[a]!.value();
    return row;
  }

  /** Live windows (or sessions' keys), for tests and metrics. */
  get liveWindows(): number {
    return this.sessions !== null ? this.sessions.size : this.buckets.size;
  }

  override snapshotState(): WindowAggregateSnapshot {
    return {
      watermark: Number.isFinite(this.watermark) ? this.watermark : null,
      buckets: [...this.buckets.values()].map((b) => [b.start, b.end, [...b.groups].map(([k, g]) => [k, g.keyValues, g.accumulators.map((a) => a.snapshot())])]),
      sessions: this.sessions?.snapshot() ?? null,
    };
  }

  override restoreState(state: unknown): void {
    const s = state as WindowAggregateSnapshot;
    this.watermark = s.watermark ?? -Infinity;
    this.buckets.clear();
    for (const [start, end, groups] of s.buckets) {
      const bucket: WindowBucket = { start, end, groups: new Map() };
      for (const [key, keyValues, accStates] of groups) {
        const accumulators = this.newAccumulators();
        accumulators.forEach((a, i) => a.restore(accStates[i]));
        bucket.groups.set(key, { keyValues, accumulators });
      }
      this.buckets.set(end, bucket);
    }
    if (this.sessions !== null && s.sessions !== null) this.sessions.restore(s.sessions);
  }
}
