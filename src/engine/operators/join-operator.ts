/**
 * Regular (unbounded) streaming equi-join: INNER, LEFT, RIGHT and FULL OUTER over changelog
 * inputs, with Flink's semantics (StreamingJoinOperator).
 *
 * Each side keeps key → multiset of its rows (join/join-record-store.ts). A row arriving on one
 * side is stored (or removed) on its side and probed against the other side's rows of the same
 * key, filtered by the non-equi condition. Output rows are `[...left, ...right]`.
 *
 * Row kinds of the output, as Flink emits them:
 *   - INNER joins forward the input's kind: +I/+U in, +I/+U out; -U/-D in, -U/-D out.
 *   - Outer joins emit +I for every accumulation and -D for the retractions of the outer
 *     input itself; a retraction arriving on the non-outer input keeps its kind (-U/-D).
 *   - An outer side's row that matches nothing is emitted null-padded (+I). When its first match
 *     arrives the padded row is retracted (-D) before the joined row is sent; when its last
 *     match goes away the padded row is sent again (+I) after the joined row is retracted. The
 *     per-row "association count" (matches on the other side) drives this.
 *
 * Keys: a key function returning null (a NULL compared with `=`) makes the row unmatchable; an
 * outer side then emits and retracts it padded, and nothing is stored for it.
 *
 * State TTL (`context.stateTtlMs`, Flink's `sql.state-ttl`): a join key not written on a side
 * for longer than the TTL is dropped on that side, silently for the query (matches are lost),
 * counted in `metrics.stateExpired`. Expiry runs at the start of each batch.
 *
 * Cost: for append-only inputs nothing is stored but the row itself and nothing is allocated
 * per row but the output rows (see join-record-store.ts for how retractions switch a side to a
 * multiset). Each side's keys beyond the memory budget spill to disk after each batch.
 */
import { BaseOperator, type OperatorContext } from '../operator.ts';
import type { StateEntryCounts } from '../state/keyed-state.ts';
import { stateBackendOf } from '../state/state-options.ts';
import { BatchBuilder, RowKind, type ChangeBatch, type Row } from '../../types/row.ts';
import { JoinRecordStore, type JoinBucket, type JoinRecordStoreSnapshot } from './join/join-record-store.ts';
import {
  checkJoinOptions,
  joinRows,
  leftIsOuter,
  nullRow,
  rightIsOuter,
  type JoinKeyFn,
  type JoinType,
} from './join/join-rows.ts';

export interface RegularJoinOptions {
  joinType: JoinType;
  /** Number of columns of the left (input 0) and right (input 1) rows. */
  leftArity: number;
  rightArity: number;
  /** Equi-join key of a left row (built with `equiJoinKey` or `rowKey`); null = matches nothing. */
  leftKey: JoinKeyFn;
  /** Equi-join key of a right row; must give equal strings for equal SQL values as `leftKey`. */
  rightKey: JoinKeyFn;
  /** The non-equi rest of the ON clause, over the joined row `[...left, ...right]`; NULL is false. */
  condition?: (joined: Row) => boolean;
}

interface RegularJoinSnapshot {
  left: JoinRecordStoreSnapshot;
  right: JoinRecordStoreSnapshot;
}

export class RegularJoinOperator extends BaseOperator {
  readonly name = 'Join';
  private readonly joinType: JoinType;
  private readonly keys: [JoinKeyFn, JoinKeyFn];
  private readonly condition: ((joined: Row) => boolean) | undefined;
  private readonly outer: [boolean, boolean];
  private readonly arity: [number, number];
  /** Shared null paddings; joinRows copies them, so they are never handed downstream. */
  private readonly nulls: [Row, Row];
  private stores!: [JoinRecordStore, JoinRecordStore];
  private pendingRestore: RegularJoinSnapshot | null = null;
  private readonly out = new BatchBuilder();

  constructor(options: RegularJoinOptions) {
    super();
    checkJoinOptions('RegularJoinOperator', options);
    this.joinType = options.joinType;
    this.keys = [options.leftKey, options.rightKey];
    this.condition = options.condition;
    this.outer = [leftIsOuter(options.joinType), rightIsOuter(options.joinType)];
    this.arity = [options.leftArity, options.rightArity];
    this.nulls = [nullRow(options.leftArity), nullRow(options.rightArity)];
  }

  get type(): JoinType {
    return this.joinType;
  }

  override open(context: OperatorContext): void {
    super.open(context);
    const ttl = context.stateTtlMs > 0 ? context.stateTtlMs : 0;
    const backend = stateBackendOf(context);
    this.stores = [
      new JoinRecordStore(this.arity[0], this.outer[0], ttl, backend, 'Join left'),
      new JoinRecordStore(this.arity[1], this.outer[1], ttl, backend, 'Join right'),
    ];
    if (this.pendingRestore !== null) this.applyRestore(this.pendingRestore);
    this.pendingRestore = null;
  }

  processBatch(input: number, batch: ChangeBatch): void {
    const rows = batch.rows;
    const n = rows.length;
    if (n === 0) return;
    const context = this.context;
    context.metrics.recordsIn += n;
    let now = 0;
    if (context.stateTtlMs > 0) {
      now = context.now();
      context.metrics.stateExpired += this.stores[0].expire(now) + this.stores[1].expire(now);
    }
    const side = input === 0 ? 0 : 1;
    const kinds = batch.kinds;
    for (let i = 0; i < n; i++) {
      const kind = kinds === null ? RowKind.Insert : kinds[i]!;
      if (kind === RowKind.Insert || kind === RowKind.UpdateAfter) this.accumulate(side, rows[i]!, kind, now);
      else this.retract(side, rows[i]!, kind, now);
    }
    this.stores[0].enforceMemoryBudget();
    this.stores[1].enforceMemoryBudget();
    this.emit(this.out.take());
  }

  /** +I/+U on `side`: join with the other side's matches, then store the row. */
  private accumulate(side: 0 | 1, row: Row, kind: RowKind, now: number): void {
    const other = side === 0 ? 1 : 0;
    const inputIsOuter = this.outer[side];
    const otherIsOuter = this.outer[other];
    const key = this.keys[side](row);
    if (key === null) {
      if (inputIsOuter) this.out.add(this.padded(side, row), RowKind.Insert);
      return;
    }
    const out = this.out;
    // Outer joins send +I (Flink: "send insert and delete for simplification"); inner ones keep +U.
    const outKind = inputIsOuter || otherIsOuter ? RowKind.Insert : kind;
    const otherStore = this.stores[other];
    const bucket = otherStore.bucket(key);
    let matches = 0;
    if (bucket !== undefined) {
      const condition = this.condition;
      const otherRows = bucket.rows;
      const counts = bucket.counts;
      const assoc = bucket.assoc;
      for (let j = 0; j < otherRows.length; j++) {
        const otherRow = otherRows[j]!;
        const joined = side === 0 ? joinRows(row, otherRow) : joinRows(otherRow, row);
        if (condition !== undefined && !condition(joined)) continue;
        const count = counts === null ? 1 : counts[j]!;
        if (otherIsOuter) {
          // The other row's padded version is in the result until its first match: retract it.
          if (assoc![j] === 0) this.addCopies(this.padded(other, otherRow), RowKind.Delete, count);
          assoc![j]!++;
        }
        this.addCopies(joined, outKind, count);
        matches += count;
      }
      if (otherIsOuter && matches > 0) otherStore.touch(key, bucket, now);
    }
    if (matches === 0 && inputIsOuter) out.add(this.padded(side, row), RowKind.Insert);
    this.stores[side].add(key, row, inputIsOuter ? matches : 0, now);
  }

  /** -U/-D on `side`: remove the row, retract what it joined with, restore padded rows. */
  private retract(side: 0 | 1, row: Row, kind: RowKind, now: number): void {
    const other = side === 0 ? 1 : 0;
    const inputIsOuter = this.outer[side];
    const otherIsOuter = this.outer[other];
    const key = this.keys[side](row);
    if (key === null) {
      if (inputIsOuter) this.out.add(this.padded(side, row), RowKind.Delete);
      return;
    }
    this.stores[side].retract(key, row, now);
    const outKind = inputIsOuter ? RowKind.Delete : kind;
    const otherStore = this.stores[other];
    const bucket: JoinBucket | undefined = otherStore.bucket(key);
    let matches = 0;
    if (bucket !== undefined) {
      const condition = this.condition;
      const otherRows = bucket.rows;
      const counts = bucket.counts;
      const assoc = bucket.assoc;
      for (let j = 0; j < otherRows.length; j++) {
        const otherRow = otherRows[j]!;
        const joined = side === 0 ? joinRows(row, otherRow) : joinRows(otherRow, row);
        if (condition !== undefined && !condition(joined)) continue;
        const count = counts === null ? 1 : counts[j]!;
        this.addCopies(joined, outKind, count);
        if (otherIsOuter) {
          // Its last match is gone: the other row is back in the result, padded. A count already
          // at 0 is stale (its partner expired by TTL) and must not go negative.
          if (assoc![j] === 1) this.addCopies(this.padded(other, otherRow), RowKind.Insert, count);
          if (assoc![j]! > 0) assoc![j]!--;
        }
        matches += count;
      }
      if (otherIsOuter && matches > 0) otherStore.touch(key, bucket, now);
    }
    if (matches === 0 && inputIsOuter) this.out.add(this.padded(side, row), RowKind.Delete);
  }

  /** `row` of `side` with the other side's columns all NULL. */
  private padded(side: 0 | 1, row: Row): Row {
    return side === 0 ? joinRows(row, this.nulls[1]) : joinRows(this.nulls[0], row);
  }

  /** A row stored `count` times is joined `count` times; each output row is its own array. */
  private addCopies(row: Row, kind: RowKind, count: number): void {
    this.out.add(row, kind);
    for (let c = 1; c < count; c++) this.out.add(row.slice(), kind);
  }

  override snapshotState(): RegularJoinSnapshot {
    return { left: this.stores[0].snapshot(), right: this.stores[1].snapshot() };
  }

  override restoreState(state: unknown): void {
    const snapshot = state as RegularJoinSnapshot | null;
    if (snapshot === null || snapshot === undefined) return;
    // restoreState may come before open (the runtime restores, then opens): keep it until then.
    if (this.context === undefined) this.pendingRestore = snapshot;
    else this.applyRestore(snapshot);
  }

  private applyRestore(snapshot: RegularJoinSnapshot): void {
    this.stores[0].restore(snapshot.left);
    this.stores[1].restore(snapshot.right);
  }

  override close(): void {
    if (this.stores === undefined) return;
    this.stores[0].close();
    this.stores[1].close();
  }

  /** Number of join keys held per side (for tests and `statement describe`). */
  stateSize(): { left: number; right: number } {
    return { left: this.stores[0].keys, right: this.stores[1].keys };
  }

  /** Join keys of both sides in memory and spilled to disk (for metrics). */
  stateEntries(): StateEntryCounts {
    const [left, right] = [this.stores[0].counts(), this.stores[1].counts()];
    return { inMemory: left.inMemory + right.inMemory, spilled: left.spilled + right.spilled };
  }
}
