/**
 * Window join (Flink's WindowJoinOperator): joins two windowed, append-only inputs — the output
 * of window TVFs (TUMBLE/HOP/CUMULATE) or of window aggregations — on equal window_start,
 * window_end and keys, INNER/LEFT/RIGHT/FULL.
 *
 * Rows are buffered per window (by window_end) and per key (window_start + join key) until event
 * time is complete for the window on both inputs: the combined watermark (minimum of both
 * inputs') reaches window_end, i.e. it is above the window's last millisecond (see
 * join/two-input-watermarks.ts). The window then fires once: every left row is joined with
 * every right row of its key (filtered by `condition`); with an outer join, rows without a match
 * are emitted null-padded. Windows fire in window_end order; within a window, keys in order of
 * first arrival, left rows in arrival order, unmatched right rows last. The output is +I only.
 *
 * A row whose window has already fired (window_end <= combined watermark) is late: dropped and
 * counted in `metrics.lateRecordsDropped`. A row with a NULL key matches nothing.
 */
import { BaseOperator } from '../operator.ts';
import { fail } from '../../common/errors.ts';
import { BatchBuilder, RowKind, ROW_KIND_SHORT, type ChangeBatch, type Row } from '../../types/row.ts';
import { checkJoinOptions, joinRows, leftIsOuter, nullRow, rightIsOuter, type JoinKeyFn, type JoinType } from './join/join-rows.ts';
import { TwoInputWatermarks, type WatermarksSnapshot } from './join/two-input-watermarks.ts';

export interface WindowJoinOptions {
  joinType: JoinType;
  leftArity: number;
  rightArity: number;
  /** Join key besides the window columns; null = matches nothing. */
  leftKey: JoinKeyFn;
  rightKey: JoinKeyFn;
  /** Positions of window_start and window_end (epoch millis) in each input's rows. */
  leftWindowStartIndex: number;
  leftWindowEndIndex: number;
  rightWindowStartIndex: number;
  rightWindowEndIndex: number;
  /** Non-equi part of the join condition over `[...left, ...right]`; NULL is false. */
  condition?: (joined: Row) => boolean;
}

/** The rows of one key (window_start + join key) of one window. */
interface KeyRows {
  left: Row[];
  right: Row[];
}

/** One window (one window_end): rows by key, plus rows that can match nothing. */
interface WindowRows {
  keys: Map<string, KeyRows>;
  unmatchable: KeyRows;
}

interface WindowJoinSnapshot {
  watermarks: WatermarksSnapshot;
  /** [window_end, [key, left rows, right rows][], unmatchable left rows, unmatchable right rows] */
  windows: [number, [string, Row[], Row[]][], Row[], Row[]][];
}

export class WindowJoinOperator extends BaseOperator {
  readonly name = 'WindowJoin';
  private readonly options: WindowJoinOptions;
  private readonly outer: [boolean, boolean];
  private readonly nulls: [Row, Row];
  private readonly watermarks = new TwoInputWatermarks();
  /** Open windows by window_end. */
  private windows = new Map<number, WindowRows>();
  private readonly out = new BatchBuilder();

  constructor(options: WindowJoinOptions) {
    super();
    checkJoinOptions('WindowJoinOperator', options);
    this.options = options;
    this.outer = [leftIsOuter(options.joinType), rightIsOuter(options.joinType)];
    this.nulls = [nullRow(options.leftArity), nullRow(options.rightArity)];
  }

  processBatch(input: number, batch: ChangeBatch): void {
    const { rows, kinds } = batch;
    const n = rows.length;
    if (n === 0) return;
    const metrics = this.context.metrics;
    metrics.recordsIn += n;
    const side = input === 0 ? 0 : 1;
    const o = this.options;
    const startIndex = side === 0 ? o.leftWindowStartIndex : o.rightWindowStartIndex;
    const endIndex = side === 0 ? o.leftWindowEndIndex : o.rightWindowEndIndex;
    const keyOf = side === 0 ? o.leftKey : o.rightKey;
    const fired = this.watermarks.combined;
    for (let i = 0; i < n; i++) {
      if (kinds !== null && kinds[i] !== RowKind.Insert) this.rejectChange(side, kinds[i]!);
      const row = rows[i]!;
      const end = row[endIndex];
      if (typeof end !== 'number') fail('SQL_RUNTIME_ERROR', `WindowJoin: window_end (column ${endIndex}) of a ${side === 0 ? 'left' : 'right'} row is not a timestamp`);
      if (end <= fired) {
        metrics.lateRecordsDropped++;
        continue;
      }
      let window = this.windows.get(end);
      if (window === undefined) {
        window = { keys: new Map(), unmatchable: { left: [], right: [] } };
        this.windows.set(end, window);
      }
      const joinKey = keyOf(row);
      let target: KeyRows;
      if (joinKey === null) {
        target = window.unmatchable;
      } else {
        const key = String(row[startIndex]) + '\u0002' + joinKey;
        let keyRows = window.keys.get(key);
        if (keyRows === undefined) {
          keyRows = { left: [], right: [] };
          window.keys.set(key, keyRows);
        }
        target = keyRows;
      }
      (side === 0 ? target.left : target.right).push(row);
    }
  }

  override onWatermark(input: number, watermark: number): void {
    const before = this.watermarks.combined;
    if (!this.watermarks.advance(input, watermark) || this.watermarks.combined === before) return;
    this.fire(this.watermarks.combined);
  }

  /** Joins and forgets every window with window_end <= watermark, oldest first. */
  private fire(watermark: number): void {
    const ends: number[] = [];
    for (const end of this.windows.keys()) if (end <= watermark) ends.push(end);
    if (ends.length === 0) return;
    ends.sort((a, b) => a - b);
    for (const end of ends) {
      const window = this.windows.get(end)!;
      this.windows.delete(end);
      for (const keyRows of window.keys.values()) this.joinKey(keyRows);
      if (this.outer[0]) for (const row of window.unmatchable.left) this.out.add(joinRows(row, this.nulls[1]));
      if (this.outer[1]) for (const row of window.unmatchable.right) this.out.add(joinRows(this.nulls[0], row));
    }
    this.emit(this.out.take());
  }

  private joinKey({ left, right }: KeyRows): void {
    const out = this.out;
    const condition = this.options.condition;
    const [leftOuter, rightOuter] = this.outer;
    const rightMatched = rightOuter && right.length > 0 ? new Uint8Array(right.length) : null;
    for (const l of left) {
      let matched = false;
      for (let j = 0; j < right.length; j++) {
        const joined = joinRows(l, right[j]!);
        if (condition !== undefined && !condition(joined)) continue;
        out.add(joined);
        matched = true;
        if (rightMatched !== null) rightMatched[j] = 1;
      }
      if (!matched && leftOuter) out.add(joinRows(l, this.nulls[1]));
    }
    if (rightMatched !== null) {
      for (let j = 0; j < right.length; j++) if (rightMatched[j] === 0) out.add(joinRows(this.nulls[0], right[j]!));
    }
  }

  private rejectChange(side: 0 | 1, kind: RowKind): never {
    fail('SQL_RUNTIME_ERROR', `WindowJoin: input ${side === 0 ? 'left' : 'right'} sent a ${ROW_KIND_SHORT[kind]} change, but a window join takes append-only inputs`, {
      hint: 'Window join inputs come from window TVFs or window aggregations, which are append-only.',
    });
  }

  /** End of input: every open window is complete. */
  override close(): void {
    if (this.context === undefined) return;
    this.fire(Infinity);
  }

  override snapshotState(): WindowJoinSnapshot {
    const windows: WindowJoinSnapshot['windows'] = [];
    for (const [end, window] of this.windows) {
      const keys: [string, Row[], Row[]][] = [];
      for (const [key, rows] of window.keys) keys.push([key, rows.left.slice(), rows.right.slice()]);
      windows.push([end, keys, window.unmatchable.left.slice(), window.unmatchable.right.slice()]);
    }
    return { watermarks: this.watermarks.snapshot(), windows };
  }

  override restoreState(state: unknown): void {
    const snapshot = state as WindowJoinSnapshot | null;
    if (snapshot === null || snapshot === undefined) return;
    if (typeof snapshot !== 'object' || !Array.isArray(snapshot.windows)) fail('CHECKPOINT_CORRUPT', 'WindowJoin: unreadable state snapshot');
    this.watermarks.restore(snapshot.watermarks);
    this.windows = new Map();
    for (const [end, keys, unmatchedLeft, unmatchedRight] of snapshot.windows) {
      const keyMap = new Map<string, KeyRows>();
      for (const [key, left, right] of keys) keyMap.set(key, { left: left.slice(), right: right.slice() });
      this.windows.set(end, { keys: keyMap, unmatchable: { left: unmatchedLeft.slice(), right: unmatchedRight.slice() } });
    }
  }

  /** Open windows (for tests and `statement describe`). */
  stateSize(): { windows: number } {
    return { windows: this.windows.size };
  }
}
