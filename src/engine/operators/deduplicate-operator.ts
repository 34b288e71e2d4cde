/**
 * Deduplication: the plan Flink makes of
 *   SELECT * FROM (SELECT *, ROW_NUMBER() OVER (PARTITION BY keys ORDER BY time ASC|DESC) AS rn
 *                  FROM t) WHERE rn = 1
 * (and what the portal's "Deduplicate topic" action generates, e.g. payments_deduplicate).
 *
 * keep first (ORDER BY ... ASC)
 *   processing time (no timeIndex): the first row per key is emitted (+I); later rows with that
 *     key are dropped. Insert-only output; the state is a marker per key, not the row.
 *   event time: the row with the earliest rowtime wins. Usually that is the first to arrive and
 *     the output is insert-only; but a row arriving later with a strictly earlier rowtime
 *     replaces the kept one and is emitted as -U old / +U new (just +U in upsert mode). Ties
 *     keep the row that arrived first.
 * keep last (ORDER BY ... DESC)
 *   every newer row (by arrival, or by rowtime >= the kept one's) replaces the kept row:
 *   first +I, then -U old / +U new (just +U when !generateUpdateBefore).
 *
 * Output rows are input rows, plus a constant row number 1 when the query selects it.
 * Input is expected append-only; a -U/-D that retracts exactly the kept row deletes it (-D),
 * other retractions are ignored. State TTL (`sql.state-ttl`) drops idle keys, counted in
 * metrics.stateExpired: a key seen again after expiry is emitted again, as in Flink.
 * Keys beyond the memory budget spill to disk after each batch (state/README.md).
 */
import { BaseOperator, type OperatorContext } from '../operator.ts';
import { KeyedState, rowKey, type KeyedStateSnapshot, type StateEntryCounts } from '../state/keyed-state.ts';
import { stateBackendOf } from '../state/state-options.ts';
import { rowsEqual } from '../functions/aggregate-values.ts';
import { BatchBuilder, RowKind, type ChangeBatch, type Row } from '../../types/row.ts';
import { markTombstone, tombstoneTime } from './tombstone-time.ts';

export interface DeduplicateOptions {
  keys: number[];
  /** ORDER BY ... DESC keeps the last row; ASC the first. */
  keepLast: boolean;
  /** The rowtime column when ordered by event time; absent = processing time (arrival order). */
  timeIndex?: number;
  generateUpdateBefore: boolean;
  /** The query selects the row number column: append a constant 1. */
  appendRowNumber: boolean;
}

/** The kept row, or `true` where only "seen" matters (keep first on processing time). */
type Kept = Row | true;

export class DeduplicateOperator extends BaseOperator {
  readonly name = 'Deduplicate';
  private state!: KeyedState<Kept>;
  private pendingRestore: KeyedStateSnapshot<Kept> | null = null;
  private readonly markerOnly: boolean;

  constructor(private readonly options: DeduplicateOptions) {
    super();
    this.markerOnly = !options.keepLast && options.timeIndex === undefined;
  }

  override open(context: OperatorContext): void {
    super.open(context);
    this.state = new KeyedState<Kept>({ ttlMs: context.stateTtlMs, backend: stateBackendOf(context), name: 'Deduplicate' });
    if (this.pendingRestore) this.state.restore(this.pendingRestore);
    this.pendingRestore = null;
  }

  processBatch(_input: number, batch: ChangeBatch): void {
    const { rows, kinds } = batch;
    const metrics = this.context.metrics;
    metrics.recordsIn += rows.length;
    const now = this.context.now();
    const expired = this.state.expire(now);
    if (expired > 0) metrics.stateExpired += expired;
    const out = new BatchBuilder();
    const keys = this.options.keys;
    for (let i = 0; i < rows.length; i++) {
      const row = rows[i]!;
      const key = rowKey(row, keys);
      const kept = this.state.get(key, now);
      const kind = kinds === null ? RowKind.Insert : kinds[i]!;
      if (kind === RowKind.UpdateBefore || kind === RowKind.Delete) {
        if (kept !== undefined && kept !== true && rowsEqual(kept, row)) {
          this.state.delete(key);
          const deleted = this.output(kept);
          // A tombstone's time travels on (a temporal join over this output needs it).
          const time = tombstoneTime(row);
          out.add(time === undefined ? deleted : markTombstone(deleted === kept ? kept.slice() : deleted, time), RowKind.Delete);
        }
        continue;
      }
      if (kept === undefined) {
        this.state.set(key, this.markerOnly ? true : row, now);
        out.add(this.output(row), RowKind.Insert);
        continue;
      }
      if (kept === true || !this.replaces(kept, row)) continue;
      this.state.set(key, row, now);
      if (this.options.generateUpdateBefore) out.add(this.output(kept), RowKind.UpdateBefore);
      out.add(this.output(row), RowKind.UpdateAfter);
    }
    this.state.enforceMemoryBudget();
    this.emit(out.take());
  }

  /** Whether `row` takes the place of the kept row under the ordering. */
  private replaces(kept: Row, row: Row): boolean {
    const timeIndex = this.options.timeIndex;
    if (timeIndex === undefined) return this.options.keepLast; // arrival order: newer is last
    const keptTime = kept[timeIndex] as number | null;
    const time = row[timeIndex] as number | null;
    if (keptTime === null || time === null) return this.options.keepLast;
    return this.options.keepLast ? time >= keptTime : time < keptTime;
  }

  private output(row: Row): Row {
    return this.options.appendRowNumber ? [...row, 1] : row;
  }

  override snapshotState(): unknown {
    return this.state.snapshot();
  }

  override restoreState(state: unknown): void {
    if (this.context === undefined) this.pendingRestore = state as KeyedStateSnapshot<Kept>;
    else this.state.restore(state as KeyedStateSnapshot<Kept>);
  }

  override close(): void {
    this.state?.close();
  }

  /** Keys in memory and spilled to disk (for metrics). */
  stateEntries(): StateEntryCounts {
    return this.state.counts();
  }

  /** Keys held, in memory and on disk (what `statement describe` and the metrics sum up). */
  stateSize(): StateEntryCounts {
    return this.state.counts();
  }
}
