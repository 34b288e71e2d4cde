/**
 * The event-time clocks of a two-input operator: one watermark per input and their minimum.
 *
 * One rule for every join operator: a watermark W on an input promises that no more rows with a
 * time *below* W arrive there, so event time t is complete once W > t, and a row with t < W is
 * late. Rows exactly at W are still accepted: SQL watermarks such as `WATERMARK FOR orderdate AS
 * orderdate` equal the newest time seen, and rows sharing that time (the items of one order) may
 * still be on their way.
 *
 * Watermarks only move forward: a smaller one than already seen is ignored, as Flink does.
 */
/** JSON has no infinities: null is "no watermark yet" (-Infinity), 'end' the end of input (+Infinity). */
type StoredWatermark = number | null | 'end';

export type WatermarksSnapshot = [left: StoredWatermark, right: StoredWatermark];

export class TwoInputWatermarks {
  private readonly marks: [number, number] = [-Infinity, -Infinity];

  /** Records a watermark; returns true when it moved that input's clock forward. */
  advance(input: number, watermark: number): boolean {
    const side = input === 0 ? 0 : 1;
    if (!(watermark > this.marks[side])) return false;
    this.marks[side] = watermark;
    return true;
  }

  of(input: number): number {
    return this.marks[input === 0 ? 0 : 1];
  }

  get left(): number {
    return this.marks[0];
  }

  get right(): number {
    return this.marks[1];
  }

  /** The operator's event time: both inputs are complete below it. */
  get combined(): number {
    return Math.min(this.marks[0], this.marks[1]);
  }

  snapshot(): WatermarksSnapshot {
    return [encode(this.marks[0]), encode(this.marks[1])];
  }

  restore(snapshot: WatermarksSnapshot | null | undefined): void {
    this.marks[0] = decode(snapshot?.[0]);
    this.marks[1] = decode(snapshot?.[1]);
  }
}

function encode(watermark: number): StoredWatermark {
  if (watermark === Infinity) return 'end';
  return Number.isFinite(watermark) ? watermark : null;
}

function decode(value: StoredWatermark | undefined): number {
  if (value === 'end') return Infinity;
  return typeof value === 'number' ? value : -Infinity;
}
