/**
 * GROUP BY aggregation over a changelog (Flink's GroupAggregate), producing an update stream:
 *
 *   first result of a key      +I [keys..., aggs...]
 *   result changed             -U old, +U new   (only +U when !generateUpdateBefore: upsert sinks)
 *   group became empty         -D old
 *   result unchanged           nothing
 *
 * Changes are folded per input batch, like Flink's mini-batch aggregation: a key touched many
 * times in one batch emits one change from its result before the batch to its result after, so
 * output volume is bounded by keys per batch, not rows. The folded table is the same either way.
 *
 * Retractions (-U/-D) for a key without state (never seen, or expired by TTL) are ignored, as
 * in Flink. Groups idle longer than `sql.state-ttl` are dropped silently (counted in
 * metrics.stateExpired); a later row of that key starts a fresh group with +I.
 * With no group keys it is a global aggregate: one group with the empty key.
 * Groups beyond the memory budget spill to disk after each batch (state/README.md).
 */
import { BaseOperator, type OperatorContext } from '../operator.ts';
import { KeyedState, rowKey, type KeyedStateSnapshot, type StateEntryCounts } from '../state/keyed-state.ts';
import { stateBackendOf } from '../state/state-options.ts';
import { accumulatorsFactory, type Accumulator } from '../functions/aggregate-functions.ts';
import { valuesEqual } from '../functions/aggregate-values.ts';
import type { AggregateCall } from '../../sql/plan/aggregate-call.ts';
import { BatchBuilder, RowKind, type ChangeBatch, type Row } from '../../types/row.ts';

export interface GroupAggregateOptions {
  /** Input columns of the GROUP BY keys; empty for a global aggregate. */
  groupKeys: number[];
  aggregates: AggregateCall[];
  /** Emit -U before each +U (retract mode); false for upsert consumers. */
  generateUpdateBefore: boolean;
}

interface Group {
  /** Rows currently in the group: accumulated minus retracted. Zero means the group is gone. */
  rowCount: number;
  accumulators: Accumulator[];
  /** The output row last sent downstream for this key, or null before the first. */
  emitted: Row | null;
  /** Key values, taken from the group's first row. */
  keyValues: unknown[];
  /** Already listed among the groups the current batch touched. */
  dirty: boolean;
}

interface GroupSnapshot {
  rowCount: number;
  accumulators: unknown[];
  emitted: Row | null;
  keyValues: unknown[];
}

interface GroupAggregateSnapshot {
  groups: KeyedStateSnapshot<GroupSnapshot>;
}

export class GroupAggregateOperator extends BaseOperator {
  readonly name = 'GroupAggregate';
  private state!: KeyedState<Group, GroupSnapshot>;
  /** Groups touched by the batch in progress (reused across batches). */
  private readonly touched: Group[] = [];
  private readonly touchedKeys: string[] = [];
  private pendingRestore: GroupAggregateSnapshot | null = null;
  private readonly newAccumulators: () => Accumulator[];

  constructor(private readonly options: GroupAggregateOptions) {
    super();
    this.newAccumulators = accumulatorsFactory(options.aggregates);
  }

  override open(context: OperatorContext): void {
    super.open(context);
    this.state = new KeyedState<Group, GroupSnapshot>({
      ttlMs: context.stateTtlMs,
      backend: stateBackendOf(context),
      name: 'GroupAggregate',
      codec: {
        encode: (g) => ({ rowCount: g.rowCount, accumulators: g.accumulators.map((a) => a.snapshot()), emitted: g.emitted, keyValues: g.keyValues }),
        decode: (g) => {
          const accumulators = this.newAccumulators();
          accumulators.forEach((acc, i) => acc.restore(g.accumulators[i]));
          return { rowCount: g.rowCount, accumulators, emitted: g.emitted, keyValues: g.keyValues, dirty: false };
        },
      },
    });
    if (this.pendingRestore) this.state.restore(this.pendingRestore.groups);
    this.pendingRestore = null;
  }

  private newGroup(row: Row): Group {
    const keys = this.options.groupKeys;
    const keyValues = new Array<unknown>(keys.length);
    for (let i = 0; i < keys.length; i++) keyValues[i] = row[keys[i]!];
    return { rowCount: 0, accumulators: this.newAccumulators(), emitted: null, keyValues, dirty: false };
  }

  processBatch(_input: number, batch: ChangeBatch): void {
    const { rows, kinds } = batch;
    const metrics = this.context.metrics;
    metrics.recordsIn += rows.length;
    const now = this.context.now();
    const expired = this.state.expire(now);
    if (expired > 0) metrics.stateExpired += expired;

    const groupKeys = this.options.groupKeys;
    const state = this.state;
    for (let i = 0; i < rows.length; i++) {
      const row = rows[i]!;
      const kind = kinds === null ? RowKind.Insert : kinds[i]!;
      const key = rowKey(row, groupKeys);
      let group = state.get(key, now);
      if (kind === RowKind.Insert || kind === RowKind.UpdateAfter) {
        if (group === undefined) {
          group = this.newGroup(row);
          state.set(key, group, now);
        }
        group.rowCount++;
        const accs = group.accumulators;
        for (let a = 0; a < accs.length; a++) accs[a]!.add(row);
      } else {
        if (group === undefined || group.rowCount <= 0) continue;
        group.rowCount--;
        const accs = group.accumulators;
        for (let a = 0; a < accs.length; a++) accs[a]!.retract(row);
      }
      if (!group.dirty) {
        group.dirty = true;
        this.touched.push(group);
        this.touchedKeys.push(key);
      }
    }
    this.emitChanges();
  }

  /** One change per touched group, from what was emitted before the batch to its result now. */
  private emitChanges(): void {
    const out = new BatchBuilder();
    const updateBefore = this.options.generateUpdateBefore;
    const nKeys = this.options.groupKeys.length;
    for (let t = 0; t < this.touched.length; t++) {
      const group = this.touched[t]!;
      group.dirty = false;
      if (group.rowCount <= 0) {
        this.state.delete(this.touchedKeys[t]!);
        if (group.emitted !== null) out.add(group.emitted, RowKind.Delete);
        continue;
      }
      const accs = group.accumulators;
      const previous = group.emitted;
      if (previous !== null && this.unchanged(previous, accs, nKeys)) continue;
      const result = new Array<unknown>(nKeys + accs.length);
      for (let k = 0; k < nKeys; k++) result[k] = group.keyValues[k];
      for (let a = 0; a < accs.length; a++) result[nKeys + a] = accs[a]!.value();
      if (previous === null) out.add(result, RowKind.Insert);
      else {
        if (updateBefore) out.add(previous, RowKind.UpdateBefore);
        out.add(result, RowKind.UpdateAfter);
      }
      group.emitted = result;
    }
    this.touched.length = 0;
    this.touchedKeys.length = 0;
    // No group is held any more: the coldest may go to disk.
    this.state.enforceMemoryBudget();
    this.emit(out.take());
  }

  private unchanged(previous: Row, accs: Accumulator[], nKeys: number): boolean {
    for (let a = 0; a < accs.length; a++) if (!valuesEqual(previous[nKeys + a], accs[a]!.value())) return false;
    return true;
  }

  override snapshotState(): GroupAggregateSnapshot {
    return { groups: this.state.snapshot() };
  }

  override restoreState(state: unknown): void {
    // Restore may come before open (the runtime restores, then opens): keep it until then.
    if (this.context === undefined) this.pendingRestore = state as GroupAggregateSnapshot;
    else this.state.restore((state as GroupAggregateSnapshot).groups);
  }

  override close(): void {
    this.state?.close();
  }

  /** Groups in memory and spilled to disk (for metrics). */
  stateEntries(): StateEntryCounts {
    return this.state.counts();
  }

  /** Groups held, in memory and on disk (what `statement describe` and the metrics sum up). */
  stateSize(): StateEntryCounts {
    return this.state.counts();
  }
}
