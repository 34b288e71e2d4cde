/**
 * OVER aggregation on an append-only input:
 *   SELECT *, AGG(x) OVER (PARTITION BY p ORDER BY rowtime
 *                          ROWS|RANGE BETWEEN n|INTERVAL ...|UNBOUNDED PRECEDING AND CURRENT ROW)
 * Output row: [...input row, ...aggregate values], insert-only.
 *
 * Event time (timeIndex set): rows wait until the watermark reaches their rowtime, then are
 * processed per partition in rowtime order (ties in arrival order) and emitted in rowtime order.
 * A row whose rowtime is not after the last rowtime its partition already processed is late
 * (Flink's rule): dropped and counted in metrics.lateRecordsDropped.
 * Processing time (no timeIndex): rows are processed as they arrive.
 *
 * Frames:
 *   ROWS n PRECEDING       the row and the n rows before it in the partition
 *   RANGE <ms> PRECEDING   every row with rowtime in [t - ms, t], peers (same t) included,
 *                          so all rows sharing a rowtime get the same values
 *   UNBOUNDED PRECEDING    everything so far (ROWS: up to the row; RANGE: up to its peers)
 * Bounded frames retract rows that slide out, so accumulators are the retractable ones.
 * Idle partitions expire with the state TTL (counted in metrics.stateExpired). Partitions
 * beyond the memory budget spill to disk between batches (state/README.md); the keys of those
 * with rows waiting for the watermark are kept apart, so a watermark reads back only those.
 */
import { ShiftleftError } from '../../common/errors.ts';
import { BaseOperator, type OperatorContext } from '../operator.ts';
import { KeyedState, rowKey, type KeyedStateSnapshot, type StateEntryCounts } from '../state/keyed-state.ts';
import { stateBackendOf } from '../state/state-options.ts';
import { accumulatorsFactory, type Accumulator } from '../functions/aggregate-functions.ts';
import type { AggregateCall } from '../../sql/plan/aggregate-call.ts';
import type { OverCall, SortKey } from '../../sql/plan/logical-plan.ts';
import { insertBatch, type ChangeBatch, type Row } from '../../types/row.ts';

export type OverFrame = { kind: 'ROWS'; preceding: number | 'UNBOUNDED' } | { kind: 'RANGE'; precedingMs: number | 'UNBOUNDED' };

export interface OverAggregateOptions {
  partitionKeys: number[];
  /** The rowtime column of ORDER BY; absent = processing time (arrival order). */
  timeIndex?: number;
  aggregates: AggregateCall[];
  frame: OverFrame;
}

/**
 * Options from a planned OVER node (calls with their frames). All calls must share one frame and
 * be aggregates; ORDER BY must be the rowtime (pass its index) or a processing time attribute
 * (pass undefined). With no frame clause Flink's default applies: RANGE UNBOUNDED PRECEDING.
 */
export function overOptionsFromCalls(partitionKeys: number[], orderBy: SortKey[], calls: OverCall[], rowtimeIndex: number | undefined): OverAggregateOptions {
  const frames = calls.map((c) => JSON.stringify(c.frame ?? null));
  if (new Set(frames).size > 1) {
    throw new ShiftleftError('SQL_UNSUPPORTED', 'OVER aggregates in one SELECT must share one window frame', {
      hint: 'Use the same PARTITION BY / ORDER BY / frame for every OVER call, or split the query.',
    });
  }
  if (orderBy.length !== 1 || (rowtimeIndex !== undefined && orderBy[0]!.index !== rowtimeIndex) || orderBy[0]!.descending) {
    throw new ShiftleftError('SQL_UNSUPPORTED', 'an OVER aggregation must be ordered by one time attribute, ascending');
  }
  const aggregates = calls.map((c) => {
    if (c.aggregate === undefined) throw new ShiftleftError('SQL_UNSUPPORTED', `${c.fn} is not an aggregate OVER call`);
    return c.aggregate;
  });
  const f = calls[0]?.frame;
  const preceding = f?.preceding ?? 'UNBOUNDED';
  const frame: OverFrame = f?.units === 'ROWS' ? { kind: 'ROWS', preceding } : { kind: 'RANGE', precedingMs: preceding };
  return { partitionKeys, timeIndex: rowtimeIndex, aggregates, frame };
}

interface OverPartition {
  /** Rows waiting for the watermark (event time), in arrival order. */
  pending: Row[];
  /** Processed rows still inside a bounded frame, oldest first. */
  frame: Row[];
  accumulators: Accumulator[];
  /** Rowtime of the last processed row; null before any. */
  lastTime: number | null;
}

interface PartitionSnapshot {
  pending: Row[];
  frame: Row[];
  accumulators: unknown[];
  lastTime: number | null;
}

interface OverSnapshot {
  watermark: number | null;
  partitions: KeyedStateSnapshot<PartitionSnapshot>;
}

export class OverAggregateOperator extends BaseOperator {
  readonly name = 'OverAggregate';
  private state!: KeyedState<OverPartition, PartitionSnapshot>;
  /** Partitions with rows waiting for the watermark (event time). */
  private readonly waiting = new Set<string>();
  private watermark = -Infinity;
  private pendingRestore: OverSnapshot | null = null;
  private readonly newAccumulators: () => Accumulator[];
  /** Frames that never shrink need no retraction. */
  private readonly unbounded: boolean;

  constructor(private readonly options: OverAggregateOptions) {
    super();
    const f = options.frame;
    const preceding = f.kind === 'ROWS' ? f.preceding : f.precedingMs;
    if (preceding !== 'UNBOUNDED' && (!Number.isFinite(preceding) || preceding < 0)) {
      throw new ShiftleftError('SQL_VALIDATION_ERROR', `OVER window frame bound must be a non-negative number, got ${preceding}`);
    }
    if (f.kind === 'RANGE' && options.timeIndex === undefined && preceding !== 'UNBOUNDED') {
      throw new ShiftleftError('SQL_UNSUPPORTED', 'a bounded RANGE OVER window needs an event-time ORDER BY column');
    }
    this.unbounded = preceding === 'UNBOUNDED';
    this.newAccumulators = accumulatorsFactory(options.aggregates, { retractable: !this.unbounded });
  }

  override open(context: OperatorContext): void {
    super.open(context);
    this.state = new KeyedState<OverPartition, PartitionSnapshot>({
      ttlMs: context.stateTtlMs,
      backend: stateBackendOf(context),
      name: 'OverAggregate',
      codec: {
        // Copies of the arrays the operator keeps changing.
        encode: (p) => ({ pending: p.pending.slice(), frame: p.frame.slice(), accumulators: p.accumulators.map((a) => a.snapshot()), lastTime: p.lastTime }),
        decode: (p) => {
          const accumulators = this.newAccumulators();
          accumulators.forEach((a, i) => a.restore(p.accumulators[i]));
          return { pending: p.pending, frame: p.frame, accumulators, lastTime: p.lastTime };
        },
      },
    });
    if (this.pendingRestore) this.applyRestore(this.pendingRestore);
    this.pendingRestore = null;
  }

  processBatch(_input: number, batch: ChangeBatch): void {
    const { rows, kinds } = batch;
    const metrics = this.context.metrics;
    metrics.recordsIn += rows.length;
    if (kinds !== null && kinds.some((k) => k !== 0)) {
      throw new ShiftleftError('SQL_RUNTIME_ERROR', 'OVER aggregation received an updating input; it accepts append-only input only');
    }
    const now = this.context.now();
    const expired = this.state.expire(now);
    if (expired > 0) metrics.stateExpired += expired;
    const timeIndex = this.options.timeIndex;
    const out: Row[] = [];
    let late = 0;
    for (const row of rows) {
      const key = rowKey(row, this.options.partitionKeys);
      let partition = this.state.get(key, now);
      if (partition === undefined) {
        partition = { pending: [], frame: [], accumulators: this.newAccumulators(), lastTime: null };
        this.state.set(key, partition, now);
      }
      if (timeIndex === undefined) {
        this.processRows(partition, [row], out);
        continue;
      }
      const time = row[timeIndex] as number | null;
      if (time === null || time === undefined || (partition.lastTime !== null && time <= partition.lastTime)) {
        late++;
        continue;
      }
      partition.pending.push(row);
      this.waiting.add(key);
    }
    if (late > 0) metrics.lateRecordsDropped += late;
    this.state.enforceMemoryBudget();
    this.emit(insertBatch(out));
  }

  override onWatermark(_input: number, watermark: number): void {
    if (watermark <= this.watermark || this.options.timeIndex === undefined) return;
    this.watermark = watermark;
    const timeIndex = this.options.timeIndex;
    const out: Row[] = [];
    for (const key of this.waiting) {
      const partition = this.state.get(key);
      if (partition === undefined || partition.pending.length === 0) {
        this.waiting.delete(key); // expired by TTL
        continue;
      }
      const ready: Row[] = [];
      const waiting: Row[] = [];
      for (const row of partition.pending) ((row[timeIndex] as number) <= watermark ? ready : waiting).push(row);
      if (ready.length === 0) continue;
      partition.pending = waiting;
      if (waiting.length === 0) this.waiting.delete(key);
      // Stable sort: rows sharing a rowtime keep their arrival order.
      ready.sort((a, b) => (a[timeIndex] as number) - (b[timeIndex] as number));
      this.processRows(partition, ready, out);
    }
    // Partitions were processed one after another: emit in rowtime order across them.
    out.sort((a, b) => (a[timeIndex] as number) - (b[timeIndex] as number));
    this.state.enforceMemoryBudget();
    this.emit(insertBatch(out));
  }

  /** Aggregates `rows` (in order) into the partition and appends their output rows to `out`. */
  private processRows(partition: OverPartition, rows: Row[], out: Row[]): void {
    const frame = this.options.frame;
    const timeIndex = this.options.timeIndex;
    const accs = partition.accumulators;
    if (frame.kind === 'ROWS') {
      for (const row of rows) {
        for (const acc of accs) acc.add(row);
        if (!this.unbounded) {
          partition.frame.push(row);
          if (partition.frame.length > (frame.preceding as number) + 1) {
            const leaving = partition.frame.shift()!;
            for (const acc of accs) acc.retract(leaving);
          }
        }
        out.push(this.outputRow(row, accs));
      }
    } else {
      // RANGE: rows sharing a rowtime are peers; add them all, then emit each with one value.
      let i = 0;
      while (i < rows.length) {
        const time = timeIndex === undefined ? 0 : (rows[i]![timeIndex] as number);
        let j = i;
        while (j < rows.length && (timeIndex === undefined || rows[j]![timeIndex] === time)) j++;
        for (let k = i; k < j; k++) {
          for (const acc of accs) acc.add(rows[k]!);
          if (!this.unbounded) partition.frame.push(rows[k]!);
        }
        if (!this.unbounded && timeIndex !== undefined) {
          const lowest = time - (frame.precedingMs as number);
          while (partition.frame.length > 0 && (partition.frame[0]![timeIndex] as number) < lowest) {
            const leaving = partition.frame.shift()!;
            for (const acc of accs) acc.retract(leaving);
          }
        }
        const values = accs.map((a) => a.value());
        for (let k = i; k < j; k++) out.push([...rows[k]!, ...values]);
        i = j;
      }
    }
    if (timeIndex !== undefined && rows.length > 0) partition.lastTime = rows[rows.length - 1]![timeIndex] as number;
  }

  private outputRow(row: Row, accs: Accumulator[]): Row {
    const width = row.length;
    const result = new Array<unknown>(width + accs.length);
    for (let c = 0; c < width; c++) result[c] = row[c];
    for (let a = 0; a < accs.length; a++) result[width + a] = accs[a]!.value();
    return result;
  }

  override snapshotState(): OverSnapshot {
    return { watermark: Number.isFinite(this.watermark) ? this.watermark : null, partitions: this.state.snapshot() };
  }

  override restoreState(state: unknown): void {
    if (this.context === undefined) this.pendingRestore = state as OverSnapshot;
    else this.applyRestore(state as OverSnapshot);
  }

  private applyRestore(snapshot: OverSnapshot): void {
    this.watermark = snapshot.watermark ?? -Infinity;
    this.state.restore(snapshot.partitions);
    this.waiting.clear();
    for (const [key, p] of snapshot.partitions.entries) if (p.pending.length > 0) this.waiting.add(key);
  }

  override close(): void {
    this.state?.close();
  }

  /** Partitions in memory and spilled to disk (for metrics). */
  stateEntries(): StateEntryCounts {
    return this.state.counts();
  }

  /** Partitions held, in memory and on disk (what `statement describe` and the metrics sum up). */
  stateSize(): StateEntryCounts {
    return this.state.counts();
  }
}
