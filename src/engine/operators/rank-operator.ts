/**
 * Top-N: the plan Flink makes of
 *   SELECT * FROM (SELECT *, ROW_NUMBER()|RANK()|DENSE_RANK() OVER (PARTITION BY p ORDER BY o) AS rk
 *                  FROM t) WHERE rk <= limit   [AND rk > offset]
 *
 * Each partition keeps its rows sorted by the ORDER BY (ties in arrival order, so ROW_NUMBER
 * favours the earlier row). For every input change the operator compares the partition's
 * ranked rows (offset < rank <= limit) before and after and emits the difference:
 *
 *   without the rank column   rows leaving the top: -D; rows entering: +I
 *   with the rank column      per rank number: a new row at a rank that had one: -U old / +U new
 *                             (only +U when !generateUpdateBefore), a vacated rank: -D, a new
 *                             rank: +I. A row moving from rank 2 to 1 thus updates both ranks.
 *
 * Input may be a changelog: -U/-D remove an equal row (ignored if absent, e.g. after TTL
 * expiry). With `appendOnlyInput` the partition keeps only the rows that can still rank (Flink's
 * AppendOnlyTopNFunction); otherwise every row is kept, because a retraction can bring any
 * row back into the top. Partitions idle longer than the state TTL are dropped (counted).
 * Partitions beyond the memory budget spill to disk after each batch (state/README.md).
 */
import { ShiftleftError } from '../../common/errors.ts';
import { BaseOperator, type OperatorContext } from '../operator.ts';
import { KeyedState, rowKey, type KeyedStateSnapshot, type StateEntryCounts } from '../state/keyed-state.ts';
import { stateBackendOf } from '../state/state-options.ts';
import { compareValues, rowsEqual } from '../functions/aggregate-values.ts';
import { BatchBuilder, RowKind, type ChangeBatch, type Row } from '../../types/row.ts';

export interface SortKey {
  index: number;
  descending: boolean;
  nullsFirst: boolean;
}

export interface RankOptions {
  partitionKeys: number[];
  orderBy: SortKey[];
  /** Highest rank kept (the N of `rk <= N`). */
  limit: number;
  /** Ranks up to this one are skipped (`rk > offset`); default 0. */
  offset?: number;
  rankFunction: 'ROW_NUMBER' | 'RANK' | 'DENSE_RANK';
  /** The query selects the rank column: append it to each output row. */
  outputRankNumber: boolean;
  generateUpdateBefore: boolean;
  /** The input never retracts: keep only rows that can still rank. */
  appendOnlyInput?: boolean;
}

/** Row comparator for an ORDER BY list: NULLS FIRST/LAST hold whatever the direction. */
export function rowComparator(keys: readonly SortKey[]): (a: Row, b: Row) => number {
  return (a, b) => {
    for (const { index, descending, nullsFirst } of keys) {
      const x = a[index];
      const y = b[index];
      const xNull = x === null || x === undefined;
      const yNull = y === null || y === undefined;
      if (xNull || yNull) {
        if (xNull && yNull) continue;
        return xNull === nullsFirst ? -1 : 1;
      }
      const c = compareValues(x, y);
      if (c !== 0) return descending ? -c : c;
    }
    return 0;
  };
}

interface Partition {
  rows: Row[];
}

interface Ranked {
  row: Row;
  rank: number;
}

export class RankOperator extends BaseOperator {
  readonly name = 'Rank';
  private state!: KeyedState<Partition>;
  private pendingRestore: KeyedStateSnapshot<Partition> | null = null;
  private readonly compare: (a: Row, b: Row) => number;
  private readonly offset: number;

  constructor(private readonly options: RankOptions) {
    super();
    if (!Number.isInteger(options.limit) || options.limit < 1) {
      throw new ShiftleftError('SQL_VALIDATION_ERROR', `Top-N needs a positive rank limit, got ${options.limit}`);
    }
    this.compare = rowComparator(options.orderBy);
    this.offset = options.offset ?? 0;
  }

  override open(context: OperatorContext): void {
    super.open(context);
    this.state = new KeyedState<Partition>({ ttlMs: context.stateTtlMs, backend: stateBackendOf(context), name: 'Rank' });
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
    for (let i = 0; i < rows.length; i++) {
      const row = rows[i]!;
      const kind = kinds === null ? RowKind.Insert : kinds[i]!;
      const key = rowKey(row, this.options.partitionKeys);
      let partition = this.state.get(key, now);
      const accumulate = kind === RowKind.Insert || kind === RowKind.UpdateAfter;
      if (partition === undefined) {
        if (!accumulate) continue;
        partition = { rows: [] };
        this.state.set(key, partition, now);
      }
      const before = this.ranked(partition.rows);
      const changed = accumulate ? this.insert(partition.rows, row) : this.remove(partition.rows, row);
      if (!changed) continue;
      this.emitDifference(before, this.ranked(partition.rows), out);
      if (partition.rows.length === 0) this.state.delete(key);
      else if (this.options.appendOnlyInput) this.trim(partition.rows);
    }
    this.state.enforceMemoryBudget();
    this.emit(out.take());
  }

  /** Inserts after the rows that sort equal (arrival order among ties); false if it cannot rank. */
  private insert(sorted: Row[], row: Row): boolean {
    let lo = 0;
    let hi = sorted.length;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      if (this.compare(sorted[mid]!, row) <= 0) lo = mid + 1;
      else hi = mid;
    }
    sorted.splice(lo, 0, row);
    return true;
  }

  private remove(sorted: Row[], row: Row): boolean {
    let lo = 0;
    let hi = sorted.length;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      if (this.compare(sorted[mid]!, row) < 0) lo = mid + 1;
      else hi = mid;
    }
    for (let i = lo; i < sorted.length && this.compare(sorted[i]!, row) === 0; i++) {
      if (rowsEqual(sorted[i]!, row)) {
        sorted.splice(i, 1);
        return true;
      }
    }
    return false;
  }

  /** Rows with offset < rank <= limit, with their rank. */
  private ranked(sorted: Row[]): Ranked[] {
    const result: Ranked[] = [];
    const fn = this.options.rankFunction;
    let rank = 0;
    for (let i = 0; i < sorted.length; i++) {
      const tie = i > 0 && this.compare(sorted[i - 1]!, sorted[i]!) === 0;
      if (fn === 'ROW_NUMBER') rank = i + 1;
      else if (fn === 'RANK') rank = tie ? rank : i + 1;
      else rank = tie ? rank : rank + 1;
      if (rank > this.options.limit) break;
      if (rank > this.offset) result.push({ row: sorted[i]!, rank });
    }
    return result;
  }

  /** Drops rows that can never rank again (append-only input only). */
  private trim(sorted: Row[]): void {
    if (this.options.rankFunction === 'ROW_NUMBER') {
      if (sorted.length > this.options.limit) sorted.length = this.options.limit;
      return;
    }
    // RANK / DENSE_RANK: keep through the last row ranked within the limit.
    const ranked = this.ranked(sorted);
    const last = ranked.length > 0 ? ranked[ranked.length - 1]!.row : null;
    if (last === null) return;
    const keep = sorted.lastIndexOf(last) + 1;
    if (keep > 0 && keep < sorted.length) sorted.length = keep;
  }

  private emitDifference(before: Ranked[], after: Ranked[], out: BatchBuilder): void {
    const withRank = this.options.outputRankNumber;
    // Unchanged (row, rank) pairs cancel out; what remains left or entered.
    const removed = before.filter((b) => !after.some((a) => a.row === b.row && (!withRank || a.rank === b.rank)));
    const added = after.filter((a) => !before.some((b) => b.row === a.row && (!withRank || a.rank === b.rank)));
    if (!withRank) {
      for (const r of removed) out.add(r.row, RowKind.Delete);
      for (const a of added) out.add(a.row, RowKind.Insert);
      return;
    }
    const pending = added.slice();
    for (const r of removed) {
      const j = pending.findIndex((a) => a.rank === r.rank);
      if (j < 0) {
        out.add([...r.row, r.rank], RowKind.Delete);
        continue;
      }
      const [a] = pending.splice(j, 1);
      if (this.options.generateUpdateBefore) out.add([...r.row, r.rank], RowKind.UpdateBefore);
      out.add([...a!.row, a!.rank], RowKind.UpdateAfter);
    }
    for (const a of pending) out.add([...a.row, a.rank], RowKind.Insert);
  }

  override snapshotState(): unknown {
    return this.state.snapshot();
  }

  override restoreState(state: unknown): void {
    if (this.context === undefined) this.pendingRestore = state as KeyedStateSnapshot<Partition>;
    else this.state.restore(state as KeyedStateSnapshot<Partition>);
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
