/**
 * Interval join (Flink's time-bounded join, RowTimeIntervalJoin): an equi-join of two
 * append-only inputs whose rows match only within a time interval of each other:
 *
 *   right row r matches left row l  ⇔  l.key = r.key
 *                                      AND l.time + lowerBoundMs <= r.time <= l.time + upperBoundMs
 *                                      AND condition([...l, ...r])
 *
 * The planner normalizes every form (`l.t BETWEEN r.t - INTERVAL '96' HOUR AND r.t`, pairs of
 * `>=`/`<=`) into these two bounds; both are inclusive.
 *
 * Each side buffers its rows by key. A new row is joined at once with the other side's buffered
 * rows of its key (output +I), and buffered itself while rows still to come on the other side
 * could match it. Watermarks (see join/two-input-watermarks.ts: event time t is complete once
 * the watermark is above t) decide when that stops:
 *   - a left row can only meet right rows with time <= l.time + upper; once the right
 *     watermark is above that, it is dropped;
 *   - a right row can only meet left rows with time <= r.time - lower; once the left
 *     watermark is above that, it is dropped.
 * An outer side's row that never matched is emitted null-padded when it is dropped (or at once
 * when it arrives already useless), so outer output appears as the other side's watermark moves.
 *
 * Late rows — a time below their own input's watermark — are dropped and counted in
 * `metrics.lateRecordsDropped`: buffered rows of the other side they could have matched may
 * already be gone, and a deterministic drop beats a partial answer. A row whose time or key is
 * NULL matches nothing (outer sides emit it padded at once).
 *
 * The output is append-only. Its rows can be behind the combined watermark by up to the
 * interval's width; see the report on watermark holding.
 */
import { BaseOperator } from '../operator.ts';
import { fail } from '../../common/errors.ts';
import { BatchBuilder, RowKind, ROW_KIND_SHORT, type ChangeBatch, type Row } from '../../types/row.ts';
import { checkJoinOptions, joinRows, leftIsOuter, nullRow, rightIsOuter, type JoinKeyFn, type JoinType } from './join/join-rows.ts';
import { TimeHeap } from './join/time-heap.ts';
import { TwoInputWatermarks, type WatermarksSnapshot } from './join/two-input-watermarks.ts';

export interface IntervalJoinOptions {
  joinType: JoinType;
  leftArity: number;
  rightArity: number;
  leftKey: JoinKeyFn;
  rightKey: JoinKeyFn;
  /** Event-time column of each side (epoch millis). */
  leftTimeIndex: number;
  rightTimeIndex: number;
  /** A right row matches when leftTime + lowerBoundMs <= rightTime <= leftTime + upperBoundMs. */
  lowerBoundMs: number;
  upperBoundMs: number;
  /** Any other, non-equi, part of the join condition over `[...left, ...right]`; NULL is false. */
  condition?: (joined: Row) => boolean;
}

/** A buffered row. `alive` turns false when the watermark drops it (its bucket forgets it lazily). */
interface Buffered {
  time: number;
  seq: number;
  row: Row;
  key: string;
  matched: boolean;
  alive: boolean;
}

/** The buffered rows of one key on one side, in arrival order. */
interface Bucket {
  entries: Buffered[];
  dead: number;
}

/** One input's buffer: rows by key for probing, and by time for expiry. */
class SideBuffer {
  readonly buckets = new Map<string, Bucket>();
  readonly byTime = new TimeHeap<Buffered>();

  add(entry: Buffered): void {
    let bucket = this.buckets.get(entry.key);
    if (bucket === undefined) {
      bucket = { entries: [], dead: 0 };
      this.buckets.set(entry.key, bucket);
    }
    bucket.entries.push(entry);
    this.byTime.push(entry);
  }

  /** Removes the earliest row if its time is below `threshold`, and returns it. */
  expireNext(threshold: number): Buffered | undefined {
    const top = this.byTime.peek();
    if (top === undefined || !(top.time < threshold)) return undefined;
    this.byTime.pop();
    top.alive = false;
    const bucket = this.buckets.get(top.key)!;
    bucket.dead++;
    if (bucket.dead === bucket.entries.length) this.buckets.delete(top.key);
    else if (bucket.dead * 2 > bucket.entries.length) {
      // Compact once half the bucket is dead, which keeps probing linear in live rows.
      bucket.entries = bucket.entries.filter((e) => e.alive);
      bucket.dead = 0;
    }
    return top;
  }

  /** Live rows in arrival order. */
  live(): Buffered[] {
    const all: Buffered[] = [];
    for (const bucket of this.buckets.values()) for (const e of bucket.entries) if (e.alive) all.push(e);
    return all.sort((a, b) => a.seq - b.seq);
  }

  clear(): void {
    this.buckets.clear();
    this.byTime.clear();
  }
}

interface IntervalJoinSnapshot {
  watermarks: WatermarksSnapshot;
  nextSeq: number;
  /** Buffered rows per side, in arrival order: [seq, matched ? 1 : 0, row]. */
  left: [number, 0 | 1, Row][];
  right: [number, 0 | 1, Row][];
}

export class IntervalJoinOperator extends BaseOperator {
  readonly name = 'IntervalJoin';
  private readonly options: IntervalJoinOptions;
  private readonly outer: [boolean, boolean];
  private readonly nulls: [Row, Row];
  private readonly keys: [JoinKeyFn, JoinKeyFn];
  private readonly timeIndexes: [number, number];
  private readonly lower: number;
  private readonly upper: number;
  private readonly buffers: [SideBuffer, SideBuffer] = [new SideBuffer(), new SideBuffer()];
  private readonly watermarks = new TwoInputWatermarks();
  private nextSeq = 0;
  private readonly out = new BatchBuilder();

  constructor(options: IntervalJoinOptions) {
    super();
    checkJoinOptions('IntervalJoinOperator', options);
    if (!Number.isFinite(options.lowerBoundMs) || !Number.isFinite(options.upperBoundMs) || options.lowerBoundMs > options.upperBoundMs) {
      fail('SQL_PLAN_ERROR', `IntervalJoinOperator: invalid bounds [${options.lowerBoundMs}, ${options.upperBoundMs}] (need finite lower <= upper)`);
    }
    this.options = options;
    this.outer = [leftIsOuter(options.joinType), rightIsOuter(options.joinType)];
    this.nulls = [nullRow(options.leftArity), nullRow(options.rightArity)];
    this.keys = [options.leftKey, options.rightKey];
    this.timeIndexes = [options.leftTimeIndex, options.rightTimeIndex];
    this.lower = options.lowerBoundMs;
    this.upper = options.upperBoundMs;
  }

  processBatch(input: number, batch: ChangeBatch): void {
    const { rows, kinds } = batch;
    const n = rows.length;
    if (n === 0) return;
    const metrics = this.context.metrics;
    metrics.recordsIn += n;
    const side = input === 0 ? 0 : 1;
    const other = side === 0 ? 1 : 0;
    const ownWatermark = this.watermarks.of(side);
    const otherWatermark = this.watermarks.of(other);
    const timeIndex = this.timeIndexes[side];
    const keyOf = this.keys[side];
    const otherBuckets = this.buffers[other].buckets;
    const condition = this.options.condition;
    const out = this.out;
    const lower = this.lower;
    const upper = this.upper;
    for (let i = 0; i < n; i++) {
      if (kinds !== null && kinds[i] !== RowKind.Insert) this.rejectChange(side, kinds[i]!);
      const row = rows[i]!;
      const value = row[timeIndex];
      const key = keyOf(row);
      if (typeof value !== 'number' || key === null) {
        if (this.outer[side]) out.add(this.padded(side, row));
        continue;
      }
      const time = value;
      if (time < ownWatermark) {
        metrics.lateRecordsDropped++;
        continue;
      }
      // The other side's rows this one can meet have times in [from, to].
      const from = side === 0 ? time + lower : time - upper;
      const to = side === 0 ? time + upper : time - lower;
      let matched = false;
      const bucket = otherBuckets.get(key);
      if (bucket !== undefined) {
        const entries = bucket.entries;
        for (let j = 0; j < entries.length; j++) {
          const entry = entries[j]!;
          if (!entry.alive || entry.time < from || entry.time > to) continue;
          const joined = side === 0 ? joinRows(row, entry.row) : joinRows(entry.row, row);
          if (condition !== undefined && !condition(joined)) continue;
          out.add(joined);
          matched = true;
          entry.matched = true;
        }
      }
      // Still useful while the other side may bring rows up to `to`.
      if (to >= otherWatermark) {
        this.buffers[side].add({ time, seq: this.nextSeq++, row, key, matched, alive: true });
      } else if (!matched && this.outer[side]) {
        out.add(this.padded(side, row));
      }
    }
    this.emit(out.take());
  }

  override onWatermark(input: number, watermark: number): void {
    if (!this.watermarks.advance(input, watermark)) return;
    // A watermark on one input makes rows of the *other* input useless.
    if (input === 0) this.expire(1, this.watermarks.left + this.lower);
    else this.expire(0, this.watermarks.right - this.upper);
    this.emit(this.out.take());
  }

  /** Drops the rows of `side` with time < threshold, padding the unmatched ones of an outer side. */
  private expire(side: 0 | 1, threshold: number): void {
    const buffer = this.buffers[side];
    const outer = this.outer[side];
    for (let entry = buffer.expireNext(threshold); entry !== undefined; entry = buffer.expireNext(threshold)) {
      if (outer && !entry.matched) this.out.add(this.padded(side, entry.row));
    }
  }

  private padded(side: 0 | 1, row: Row): Row {
    return side === 0 ? joinRows(row, this.nulls[1]) : joinRows(this.nulls[0], row);
  }

  private rejectChange(side: 0 | 1, kind: RowKind): never {
    fail('SQL_RUNTIME_ERROR', `IntervalJoin: input ${side === 0 ? 'left' : 'right'} sent a ${ROW_KIND_SHORT[kind]} change, but an interval join takes append-only inputs`, {
      hint: 'Use a regular join for updating inputs, or make the input append-only (e.g. deduplicate with ORDER BY the time attribute ASC).',
    });
  }

  /** End of input: both sides are complete, so outer rows still buffered come out padded. */
  override close(): void {
    if (this.context === undefined) return;
    this.expire(0, Infinity);
    this.expire(1, Infinity);
    this.emit(this.out.take());
  }

  override snapshotState(): IntervalJoinSnapshot {
    const encode = (e: Buffered): [number, 0 | 1, Row] => [e.seq, e.matched ? 1 : 0, e.row];
    return {
      watermarks: this.watermarks.snapshot(),
      nextSeq: this.nextSeq,
      left: this.buffers[0].live().map(encode),
      right: this.buffers[1].live().map(encode),
    };
  }

  override restoreState(state: unknown): void {
    const snapshot = state as IntervalJoinSnapshot | null;
    if (snapshot === null || snapshot === undefined) return;
    if (typeof snapshot !== 'object' || !Array.isArray(snapshot.left) || !Array.isArray(snapshot.right)) {
      fail('CHECKPOINT_CORRUPT', 'IntervalJoin: unreadable state snapshot');
    }
    this.watermarks.restore(snapshot.watermarks);
    this.nextSeq = snapshot.nextSeq;
    this.restoreSide(0, snapshot.left);
    this.restoreSide(1, snapshot.right);
  }

  private restoreSide(side: 0 | 1, rows: [number, 0 | 1, Row][]): void {
    const buffer = this.buffers[side];
    buffer.clear();
    for (const [seq, matched, row] of rows) {
      buffer.add({ time: row[this.timeIndexes[side]] as number, seq, row, key: this.keys[side](row)!, matched: matched === 1, alive: true });
    }
  }

  /** Rows buffered per side (for tests and `statement describe`). */
  stateSize(): { left: number; right: number } {
    return { left: this.buffers[0].byTime.size, right: this.buffers[1].byTime.size };
  }
}
