/**
 * The state of one side of a regular (unbounded) join: join key → the multiset of rows stored
 * under it, with, for an outer side, each row's number of associations (how many rows of the
 * other side currently match it), which is what lets the operator retract a null-padded row
 * when the first match arrives and restore it when the last one goes (Flink's
 * OuterJoinRecordStateView).
 *
 * Two representations, because most inputs never retract:
 *   - append: rows are pushed as they come, duplicates included; nothing but the row is stored.
 *   - multiset: distinct rows with a count and an identity index (all columns as a string), so a
 *     retraction finds its row in O(1).
 * A side starts in append form and switches, once and for good, at its first retraction: the
 * common append-only case never pays for identity strings. Buckets are converted when next
 * used (they may be spilled to disk, and reading them all back at once would defeat spilling).
 *
 * Expiry (state TTL) is per join key, in KeyedState: a key unwritten for longer than the TTL is
 * dropped with all its rows. Reads do not refresh it (Flink's OnCreateAndWrite update type).
 * Buckets beyond the memory budget spill to disk (`enforceMemoryBudget()` between batches).
 */
import { KeyedState, rowKey, type KeyedStateSnapshot, type StateEntryCounts } from '../../state/keyed-state.ts';
import { DEFAULT_STATE_BACKEND, type StateBackendOptions } from '../../state/state-options.ts';
import type { Row } from '../../../types/row.ts';

/** The rows of one join key: parallel arrays rather than an object per stored row. */
export interface JoinBucket {
  rows: Row[];
  /** Multiplicity of rows[i]; null in append form, where every stored row counts once. */
  counts: number[] | null;
  /** Outer sides only: rows of the other side currently matching rows[i]. */
  assoc: number[] | null;
  /** Multiset form: identity of rows[i] and identity → position. */
  ids: string[] | null;
  index: Map<string, number> | null;
}

type StoredBucket = [rows: Row[], counts: number[] | null, assoc: number[] | null];

export interface JoinRecordStoreSnapshot {
  multiset: boolean;
  state: KeyedStateSnapshot<StoredBucket>;
}

export class JoinRecordStore {
  private readonly state: KeyedState<JoinBucket, StoredBucket>;
  private readonly allColumns: number[];
  private multiset = false;

  constructor(
    arity: number,
    /** Whether this side is an outer side (keeps association counts). */
    readonly outer: boolean,
    private readonly ttlMs: number,
    backend: StateBackendOptions = DEFAULT_STATE_BACKEND,
    name = 'Join',
  ) {
    this.state = new KeyedState<JoinBucket, StoredBucket>({
      ttlMs,
      backend,
      name,
      codec: {
        // Copies: the stored form must not change when the operator goes on (rows themselves are immutable).
        encode: (b) => [b.rows.slice(), b.counts?.slice() ?? null, b.assoc?.slice() ?? null],
        decode: ([rows, counts, assoc]) => this.rebuild(rows, counts, assoc),
      },
    });
    this.allColumns = Array.from({ length: arity }, (_, i) => i);
  }

  get keys(): number {
    return this.state.size;
  }

  counts(): StateEntryCounts {
    return this.state.counts();
  }

  /** The rows under `key`, for probing; does not refresh the key's TTL. */
  bucket(key: string): JoinBucket | undefined {
    return this.load(key);
  }

  /** The bucket under `key`, in the side's current form. */
  private load(key: string): JoinBucket | undefined {
    const bucket = this.state.get(key);
    if (bucket !== undefined && this.multiset && bucket.ids === null) toMultiset(bucket, this.allColumns);
    return bucket;
  }

  /** Stores a row (+I/+U); `associations` is its number of matches when this side is outer. */
  add(key: string, row: Row, associations: number, now: number): void {
    let bucket = this.load(key);
    const isNew = bucket === undefined;
    if (bucket === undefined) bucket = this.newBucket();
    if (!this.multiset) {
      bucket.rows.push(row);
      if (bucket.assoc !== null) bucket.assoc.push(associations);
    } else {
      const id = rowKey(row, this.allColumns);
      const at = bucket.index!.get(id);
      if (at !== undefined) {
        bucket.counts![at]!++;
        if (bucket.assoc !== null) bucket.assoc[at] = associations;
      } else {
        bucket.index!.set(id, bucket.rows.length);
        bucket.ids!.push(id);
        bucket.rows.push(row);
        bucket.counts!.push(1);
        if (bucket.assoc !== null) bucket.assoc.push(associations);
      }
    }
    if (isNew || this.ttlMs > 0) this.state.set(key, bucket, now);
  }

  /**
   * Removes one occurrence of a row (-U/-D). Returns false when it is not there (never seen, or
   * expired by TTL): the caller still retracts what it joined with, which downstream holds.
   */
  retract(key: string, row: Row, now: number): boolean {
    // The first retraction on this side: from now on buckets are multisets (converted on use).
    this.multiset = true;
    const bucket = this.load(key);
    if (bucket === undefined) return false;
    const at = bucket.index!.get(rowKey(row, this.allColumns));
    if (at === undefined) return false;
    const counts = bucket.counts!;
    if (--counts[at]! > 0) {
      if (this.ttlMs > 0) this.state.set(key, bucket, now);
      return true;
    }
    // Swap-remove: O(1), at the price of the rows' order, which SQL does not define anyway.
    const last = bucket.rows.length - 1;
    const ids = bucket.ids!;
    bucket.index!.delete(ids[at]!);
    if (at !== last) {
      bucket.rows[at] = bucket.rows[last]!;
      counts[at] = counts[last]!;
      ids[at] = ids[last]!;
      if (bucket.assoc !== null) bucket.assoc[at] = bucket.assoc[last]!;
      bucket.index!.set(ids[at]!, at);
    }
    bucket.rows.pop();
    counts.pop();
    ids.pop();
    bucket.assoc?.pop();
    if (bucket.rows.length === 0) this.state.delete(key);
    else if (this.ttlMs > 0) this.state.set(key, bucket, now);
    return true;
  }

  /** Refreshes the TTL of a key whose association counts were just written. */
  touch(key: string, bucket: JoinBucket, now: number): void {
    if (this.ttlMs > 0) this.state.set(key, bucket, now);
  }

  /** Drops keys idle for longer than the TTL; returns how many. */
  expire(now: number): number {
    return this.ttlMs > 0 ? this.state.expire(now) : 0;
  }

  /** Spills the coldest keys beyond the memory budget; call between batches. */
  enforceMemoryBudget(): void {
    this.state.enforceMemoryBudget();
  }

  snapshot(): JoinRecordStoreSnapshot {
    return { multiset: this.multiset, state: this.state.snapshot() };
  }

  restore(snapshot: JoinRecordStoreSnapshot | null | undefined): void {
    this.multiset = snapshot?.multiset ?? false;
    this.state.restore(snapshot?.state);
  }

  /** Deletes the spill files. */
  close(): void {
    this.state.close();
  }

  private newBucket(): JoinBucket {
    return {
      rows: [],
      counts: this.multiset ? [] : null,
      assoc: this.outer ? [] : null,
      ids: this.multiset ? [] : null,
      index: this.multiset ? new Map() : null,
    };
  }

  /** A bucket from its stored form (a snapshot's, or a spilled one), in the side's current form. */
  private rebuild(rows: Row[], counts: number[] | null, assoc: number[] | null): JoinBucket {
    const bucket: JoinBucket = {
      rows: rows.slice(),
      counts: counts?.slice() ?? null,
      assoc: this.outer ? (assoc?.slice() ?? rows.map(() => 0)) : null,
      ids: null,
      index: null,
    };
    if (!this.multiset) return bucket;
    if (bucket.counts === null) {
      toMultiset(bucket, this.allColumns); // stored before the switch: equal rows merge
    } else {
      bucket.ids = rows.map((row) => rowKey(row, this.allColumns));
      bucket.index = new Map(bucket.ids.map((id, i) => [id, i]));
    }
    return bucket;
  }
}

/**
 * Re-stores an append-form bucket as a multiset, in place (the KeyedState entry and its TTL
 * position stay as they are). Equal rows merge into one entry with a count; their association
 * counts are equal (the same rows of the other side match them), so keeping the first is exact.
 */
function toMultiset(bucket: JoinBucket, allColumns: number[]): void {
  const rows: Row[] = [];
  const counts: number[] = [];
  const assoc: number[] | null = bucket.assoc === null ? null : [];
  const ids: string[] = [];
  const index = new Map<string, number>();
  for (let i = 0; i < bucket.rows.length; i++) {
    const row = bucket.rows[i]!;
    const id = rowKey(row, allColumns);
    const at = index.get(id);
    if (at !== undefined) {
      counts[at]!++;
      continue;
    }
    index.set(id, rows.length);
    rows.push(row);
    counts.push(1);
    ids.push(id);
    if (assoc !== null) assoc.push(bucket.assoc![i]!);
  }
  bucket.rows = rows;
  bucket.counts = counts;
  bucket.assoc = assoc;
  bucket.ids = ids;
  bucket.index = index;
}
