/**
 * Event-time temporal join: `JOIN versioned FOR SYSTEM_TIME AS OF left.time ON left.k = versioned.pk`
 * (Flink's TemporalRowTimeJoinOperator), INNER or LEFT.
 *
 * The right input is a versioned table: a changelog keyed by its primary key where each row
 * carries its version time (its rowtime). +I/+U start a version valid from that time; -D ends
 * the key's validity (a deletion marker) at the tombstone's time when the source marked it as
 * one (tombstone-time.ts: the -D row is the deleted version, with that version's rowtime, so
 * its own time would end the version where it starts), else at its rowtime. -U is ignored: it
 * is always followed by the +U of the same key, whose time is when the old version really
 * ends — ending it at the -U's time (the old row's time) would erase the old version
 * altogether. (Flink's planner likewise asks the versioned side for update-after-only
 * changes.) Two changes of one key at the same time: the later wins.
 *
 * Left rows wait in a buffer until event time is complete up to their time on both inputs —
 * the combined watermark (the minimum of both inputs' watermarks) is above it — and are then
 * emitted in order of left time (ties in arrival order), joined with the version valid at that
 * time: the latest version whose time is <= the left time, unless that is a deletion marker.
 * INNER drops a left row without a valid version (or failing the condition); LEFT pads it with
 * nulls. The output kind is the left row's kind (+I for the usual append-only left input).
 * A left row arriving behind the combined watermark is joined at once with what is still kept.
 *
 * Cleanup: once the combined watermark is W, versions older than the latest one at or before W
 * can never be chosen again and are dropped; a key whose only remaining version is a deletion
 * marker at or before W is dropped entirely. A queue ordered by the time each key next needs
 * cleaning makes a watermark visit only those keys. State TTL (`context.stateTtlMs`) applies to
 * a key's versions, refreshed by every row of that key on either side (Flink's state retention
 * timer), so products that are looked up all the time never expire.
 *
 * The versions live in a KeyedState (spilled to disk beyond the memory budget); the buffered
 * left rows stay in memory (they wait for the watermark only).
 *
 * Bounded inputs: a watermark of +Infinity (or close()) flushes every buffered left row.
 */
import { BaseOperator, type OperatorContext } from '../operator.ts';
import { fail } from '../../common/errors.ts';
import { KeyedState, type KeyedStateSnapshot, type StateCodec, type StateEntryCounts } from '../state/keyed-state.ts';
import { stateBackendOf } from '../state/state-options.ts';
import { TouchHeap } from '../state/touch-heap.ts';
import { BatchBuilder, RowKind, type ChangeBatch, type Row } from '../../types/row.ts';
import { checkJoinOptions, joinRows, nullRow, timeAt, type JoinKeyFn } from './join/join-rows.ts';
import { TwoInputWatermarks, type WatermarksSnapshot } from './join/two-input-watermarks.ts';
import { tombstoneTime } from './tombstone-time.ts';

export interface TemporalJoinOptions {
  joinType: 'INNER' | 'LEFT';
  leftArity: number;
  rightArity: number;
  /** Key of a left row (the columns equated with the primary key); null = matches nothing. */
  leftKey: JoinKeyFn;
  /** Primary key of a versioned-table row; rows with a null key are ignored. */
  rightKey: JoinKeyFn;
  /** Column of the left row named in `FOR SYSTEM_TIME AS OF` (epoch millis). */
  leftTimeIndex: number;
  /** Rowtime column of the versioned table: when each version starts (epoch millis). */
  rightTimeIndex: number;
  /** The non-equi rest of the ON clause over `[...left, ...right]`; NULL is false. */
  condition?: (joined: Row) => boolean;
}

/** One version of a key: valid from `time` until the next version; `deleted` = no row then. */
interface Version {
  time: number;
  row: Row;
  deleted: boolean;
}

interface PendingLeft {
  time: number;
  seq: number;
  row: Row;
  kind: RowKind;
}

/**
 * A version as stored: [deleted ? 1 : 0, row], plus its time when that is not the row's
 * rowtime (a tombstone's deletion marker).
 */
type StoredVersion = [0 | 1, Row] | [0 | 1, Row, number];

interface TemporalJoinSnapshot {
  watermarks: WatermarksSnapshot;
  nextSeq: number;
  /** Buffered left rows, in buffer order: [seq, kind, row]. */
  pending: [number, RowKind, Row][];
  pendingSorted: boolean;
  /** Versions per key, oldest first. */
  versions: KeyedStateSnapshot<StoredVersion[]>;
}

export class TemporalJoinOperator extends BaseOperator {
  readonly name = 'TemporalJoin';
  private readonly options: TemporalJoinOptions;
  private readonly isLeftOuter: boolean;
  private readonly rightNulls: Row;
  private readonly watermarks = new TwoInputWatermarks();
  private readonly codec: StateCodec<Version[], StoredVersion[]>;
  private versions: KeyedState<Version[], StoredVersion[]>;
  /** Keys by the time they next need cleaning (a second version, or a deletion marker). */
  private readonly cleanupQueue = new TouchHeap();
  /** The queued cleanup time of each key (other queue entries of the key are stale). */
  private readonly cleanupAt = new Map<string, number>();
  private pending: PendingLeft[] = [];
  /** Whether `pending` is in (time, seq) order: true as long as left rows come in time order. */
  private pendingSorted = true;
  private nextSeq = 0;
  private pendingRestore: TemporalJoinSnapshot | null = null;
  private readonly out = new BatchBuilder();

  constructor(options: TemporalJoinOptions) {
    super();
    checkJoinOptions('TemporalJoinOperator', options, ['INNER', 'LEFT']);
    this.options = options;
    this.isLeftOuter = options.joinType === 'LEFT';
    this.rightNulls = nullRow(options.rightArity);
    this.codec = versionsCodec(options.rightTimeIndex);
    this.versions = new KeyedState({ codec: this.codec, name: 'TemporalJoin versions' });
  }

  override open(context: OperatorContext): void {
    super.open(context);
    this.versions = new KeyedState({ ttlMs: context.stateTtlMs, codec: this.codec, backend: stateBackendOf(context), name: 'TemporalJoin versions' });
    if (this.pendingRestore !== null) this.applyRestore(this.pendingRestore);
    this.pendingRestore = null;
  }

  processBatch(input: number, batch: ChangeBatch): void {
    const n = batch.rows.length;
    if (n === 0) return;
    const context = this.context;
    context.metrics.recordsIn += n;
    let now = 0;
    if (context.stateTtlMs > 0) {
      now = context.now();
      context.metrics.stateExpired += this.versions.expire(now);
    }
    if (input === 0) this.bufferLeft(batch, now);
    else this.addVersions(batch, now);
    this.versions.enforceMemoryBudget();
    this.emit(this.out.take());
  }

  private bufferLeft(batch: ChangeBatch, now: number): void {
    const { rows, kinds } = batch;
    const timeIndex = this.options.leftTimeIndex;
    const complete = this.watermarks.combined;
    const pending = this.pending;
    for (let i = 0; i < rows.length; i++) {
      const row = rows[i]!;
      const kind = kinds === null ? RowKind.Insert : kinds[i]!;
      const time = timeAt(row, timeIndex);
      if (this.context.stateTtlMs > 0) {
        // A lookup keeps the looked-up key alive (see the TTL note above).
        const key = this.options.leftKey(row);
        if (key !== null) this.versions.get(key, now);
      }
      if (time < complete) {
        // Behind the watermark: nothing can change its result any more, so join it now.
        this.joinLeft(row, kind, time);
        continue;
      }
      if (pending.length > 0 && time < pending[pending.length - 1]!.time) this.pendingSorted = false;
      pending.push({ time, seq: this.nextSeq++, row, kind });
    }
  }

  private addVersions(batch: ChangeBatch, now: number): void {
    const { rows, kinds } = batch;
    const { rightKey, rightTimeIndex } = this.options;
    for (let i = 0; i < rows.length; i++) {
      const kind = kinds === null ? RowKind.Insert : kinds[i]!;
      if (kind === RowKind.UpdateBefore) continue;
      const row = rows[i]!;
      const key = rightKey(row);
      if (key === null) continue;
      let list = this.versions.get(key);
      if (list === undefined) list = [];
      const deleted = kind === RowKind.Delete;
      const time = (deleted ? tombstoneTime(row) : undefined) ?? timeAt(row, rightTimeIndex);
      insertVersion(list, { time, row, deleted });
      this.versions.set(key, list, now);
      this.scheduleCleanup(key, list);
    }
  }

  /** Queues the key for the time its versions can next be cleaned up, if earlier than queued. */
  private scheduleCleanup(key: string, list: Version[]): void {
    const at = cleanupTime(list);
    if (at === undefined) return;
    const queued = this.cleanupAt.get(key);
    if (queued !== undefined && queued <= at) return;
    this.cleanupAt.set(key, at);
    this.cleanupQueue.push({ at, key });
  }

  override onWatermark(input: number, watermark: number): void {
    const before = this.watermarks.combined;
    // Nothing to do until the slower input moves: the faster one alone completes no event time.
    if (!this.watermarks.advance(input, watermark) || this.watermarks.combined === before) return;
    this.fire(this.watermarks.combined);
    this.versions.enforceMemoryBudget();
    this.emit(this.out.take());
  }

  /** Emits the left rows event time has completed (time < watermark) and cleans up versions. */
  private fire(watermark: number): void {
    const pending = this.pending;
    if (pending.length > 0) {
      if (!this.pendingSorted) {
        pending.sort(byTimeThenSeq);
        this.pendingSorted = true;
      }
      const ready = countBefore(pending, watermark);
      for (let i = 0; i < ready; i++) {
        const left = pending[i]!;
        this.joinLeft(left.row, left.kind, left.time);
      }
      if (ready === pending.length) this.pending = [];
      else if (ready > 0) pending.splice(0, ready);
    }
    this.cleanUp(watermark);
  }

  private joinLeft(row: Row, kind: RowKind, time: number): void {
    const key = this.options.leftKey(row);
    const list = key === null ? undefined : this.versions.get(key);
    const version = list === undefined ? undefined : versionAt(list, time);
    if (version !== undefined && !version.deleted) {
      const joined = joinRows(row, version.row);
      const condition = this.options.condition;
      if (condition === undefined || condition(joined)) {
        this.out.add(joined, kind);
        return;
      }
    }
    if (this.isLeftOuter) this.out.add(joinRows(row, this.rightNulls), kind);
  }

  private cleanUp(watermark: number): void {
    const queue = this.cleanupQueue;
    for (let next = queue.peek(); next !== undefined && next.at <= watermark; next = queue.peek()) {
      queue.pop();
      const { key, at } = next;
      if (this.cleanupAt.get(key) !== at) continue; // superseded by an earlier time
      this.cleanupAt.delete(key);
      const list = this.versions.get(key);
      if (list === undefined) continue; // expired by TTL
      // Keep the latest version at or before the watermark: rows at or after it may still need it.
      const keep = lastAtOrBefore(list, watermark);
      if (keep > 0) list.splice(0, keep);
      if (list.length === 1 && list[0]!.deleted && list[0]!.time <= watermark) this.versions.delete(key);
      else this.scheduleCleanup(key, list);
    }
  }

  /** End of input: everything buffered is complete. */
  override close(): void {
    if (this.context === undefined) return;
    this.fire(Infinity);
    this.emit(this.out.take());
    this.versions.close();
  }

  override snapshotState(): TemporalJoinSnapshot {
    return {
      watermarks: this.watermarks.snapshot(),
      nextSeq: this.nextSeq,
      pending: this.pending.map((p) => [p.seq, p.kind, p.row]),
      pendingSorted: this.pendingSorted,
      versions: this.versions.snapshot(),
    };
  }

  override restoreState(state: unknown): void {
    const snapshot = state as TemporalJoinSnapshot | null;
    if (snapshot === null || snapshot === undefined) return;
    if (typeof snapshot !== 'object' || !Array.isArray(snapshot.pending)) fail('CHECKPOINT_CORRUPT', 'TemporalJoin: unreadable state snapshot');
    if (this.context === undefined) this.pendingRestore = snapshot;
    else this.applyRestore(snapshot);
  }

  private applyRestore(snapshot: TemporalJoinSnapshot): void {
    const { leftTimeIndex } = this.options;
    this.watermarks.restore(snapshot.watermarks);
    this.nextSeq = snapshot.nextSeq;
    this.pending = snapshot.pending.map(([seq, kind, row]) => ({ time: timeAt(row, leftTimeIndex), seq, row, kind }));
    this.pendingSorted = snapshot.pendingSorted;
    this.versions.restore(snapshot.versions);
    this.cleanupQueue.clear();
    this.cleanupAt.clear();
    // From the stored forms: the versions themselves may have gone to disk.
    for (const [key, stored] of snapshot.versions.entries) this.scheduleCleanup(key, this.codec.decode(stored));
    this.versions.enforceMemoryBudget();
  }

  /** Buffered left rows and versioned keys (for tests and `statement describe`). */
  stateSize(): { pendingLeft: number; versionedKeys: number } {
    return { pendingLeft: this.pending.length, versionedKeys: this.versions.size };
  }

  /** Versioned keys in memory and spilled to disk (for metrics). */
  stateEntries(): StateEntryCounts {
    return this.versions.counts();
  }
}

/** Stored versions keep their time only when it is not the row's rowtime (tombstones). */
function versionsCodec(rightTimeIndex: number): StateCodec<Version[], StoredVersion[]> {
  return {
    encode: (list) =>
      list.map((v): StoredVersion => (v.time === timeAt(v.row, rightTimeIndex) ? [v.deleted ? 1 : 0, v.row] : [v.deleted ? 1 : 0, v.row, v.time])),
    decode: (stored) => stored.map(([deleted, row, time]) => ({ time: time ?? timeAt(row, rightTimeIndex), row, deleted: deleted === 1 })),
  };
}

function byTimeThenSeq(a: PendingLeft, b: PendingLeft): number {
  return a.time - b.time || a.seq - b.seq;
}

/** Number of leading rows (sorted by time) with time < watermark. */
function countBefore(sorted: PendingLeft[], watermark: number): number {
  let low = 0;
  let high = sorted.length;
  while (low < high) {
    const mid = (low + high) >>> 1;
    if (sorted[mid]!.time < watermark) low = mid + 1;
    else high = mid;
  }
  return low;
}

/** Index of the latest version with time <= t, or -1. */
function lastAtOrBefore(list: Version[], t: number): number {
  let low = 0;
  let high = list.length;
  while (low < high) {
    const mid = (low + high) >>> 1;
    if (list[mid]!.time <= t) low = mid + 1;
    else high = mid;
  }
  return low - 1;
}

function versionAt(list: Version[], t: number): Version | undefined {
  const at = lastAtOrBefore(list, t);
  return at < 0 ? undefined : list[at];
}

/** Keeps the list sorted by time; a change at an existing time replaces that version. */
function insertVersion(list: Version[], version: Version): void {
  const last = list.length - 1;
  if (last < 0 || list[last]!.time < version.time) {
    list.push(version); // the usual case: versions come in time order
    return;
  }
  const at = lastAtOrBefore(list, version.time);
  if (at >= 0 && list[at]!.time === version.time) list[at] = version;
  else list.splice(at + 1, 0, version);
}

/** When the key's versions can next shrink: at its second version, or at a lone deletion marker. */
function cleanupTime(list: Version[]): number | undefined {
  if (list.length > 1) return list[1]!.time;
  if (list.length === 1 && list[0]!.deleted) return list[0]!.time;
  return undefined;
}
