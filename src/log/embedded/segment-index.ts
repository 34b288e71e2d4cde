/**
 * Sparse indexes of one segment, as Kafka keeps them:
 * - offset index: (relative offset int32, file position int32), one entry per ~4 KiB of log, so
 *   a fetch seeks near its offset and scans at most a few KiB;
 * - time index: (max timestamp so far int64, relative offset int32), an entry whenever the
 *   largest timestamp grows at an index point, so "first offset with timestamp >= T" is a
 *   binary search.
 *
 * Entries live in typed arrays (a few KiB per GiB of log). On disk they are `.index` and
 * `.timeindex` files written when a segment is sealed; the active segment's indexes are
 * rebuilt by the recovery scan at open, which also validates its tail.
 */
import { writeFileSync, readFileSync, renameSync } from 'node:fs';

export const INDEX_INTERVAL_BYTES = 4096;

export class SegmentIndex {
  private offsets: Int32Array = new Int32Array(64);
  private positions: Int32Array = new Int32Array(64);
  private count = 0;
  private timestamps: Float64Array = new Float64Array(16);
  private timeOffsets: Int32Array = new Int32Array(16);
  private timeCount = 0;
  private bytesSinceEntry = Infinity;
  private maxTimestampSeen = -Infinity;

  constructor(readonly baseOffset: number) {}

  get entries(): number {
    return this.count;
  }

  /** Called for every batch appended or scanned, in order. */
  onBatch(baseOffset: number, position: number, size: number, maxTimestamp: number): void {
    if (this.bytesSinceEntry >= INDEX_INTERVAL_BYTES) {
      if (this.count === this.offsets.length) {
        this.offsets = grow(this.offsets);
        this.positions = grow(this.positions);
      }
      this.offsets[this.count] = baseOffset - this.baseOffset;
      this.positions[this.count] = position;
      this.count++;
      this.bytesSinceEntry = 0;
    }
    this.bytesSinceEntry += size;
    if (maxTimestamp > this.maxTimestampSeen) {
      this.maxTimestampSeen = maxTimestamp;
      if (this.timeCount === this.timestamps.length) {
        this.timestamps = growF(this.timestamps);
        this.timeOffsets = grow(this.timeOffsets);
      }
      // Several increases within one index interval collapse into one entry.
      if (this.timeCount > 0 && this.timeOffsets[this.timeCount - 1]! === baseOffset - this.baseOffset) {
        this.timestamps[this.timeCount - 1] = maxTimestamp;
      } else {
        this.timestamps[this.timeCount] = maxTimestamp;
        this.timeOffsets[this.timeCount] = baseOffset - this.baseOffset;
        this.timeCount++;
      }
    }
  }

  get maxTimestamp(): number {
    return this.maxTimestampSeen;
  }

  /** File position of the last indexed batch starting at or before `offset` (0 if none). */
  lookup(offset: number): number {
    const rel = offset - this.baseOffset;
    let lo = 0;
    let hi = this.count - 1;
    let found = 0;
    while (lo <= hi) {
      const mid = (lo + hi) >>> 1;
      if (this.offsets[mid]! <= rel) {
        found = this.positions[mid]!;
        lo = mid + 1;
      } else {
        hi = mid - 1;
      }
    }
    return found;
  }

  /** First index entry strictly after `position`, to skip past a damaged batch. */
  nextEntryAfter(position: number): { offset: number; position: number } | undefined {
    for (let i = 0; i < this.count; i++) {
      if (this.positions[i]! > position) return { offset: this.baseOffset + this.offsets[i]!, position: this.positions[i]! };
    }
    return undefined;
  }

  /** Offset of the first batch that may hold a timestamp >= `timestamp`, or undefined. */
  lookupTime(timestamp: number): number | undefined {
    let lo = 0;
    let hi = this.timeCount - 1;
    let found: number | undefined;
    while (lo <= hi) {
      const mid = (lo + hi) >>> 1;
      if (this.timestamps[mid]! >= timestamp) {
        found = mid;
        hi = mid - 1;
      } else {
        lo = mid + 1;
      }
    }
    if (found === undefined) return undefined;
    // The entry before the first >= T marks where the search must start scanning.
    return this.baseOffset + (found > 0 ? this.timeOffsets[found - 1]! : 0);
  }

  /** Writes `.index` and `.timeindex` atomically (temp file + rename). */
  save(indexPath: string, timeIndexPath: string): void {
    const index = Buffer.allocUnsafe(this.count * 8);
    for (let i = 0; i < this.count; i++) {
      index.writeInt32BE(this.offsets[i]!, i * 8);
      index.writeInt32BE(this.positions[i]!, i * 8 + 4);
    }
    const time = Buffer.allocUnsafe(this.timeCount * 12);
    for (let i = 0; i < this.timeCount; i++) {
      time.writeBigInt64BE(BigInt(this.timestamps[i]!), i * 12);
      time.writeInt32BE(this.timeOffsets[i]!, i * 12 + 8);
    }
    writeFileSync(indexPath + '.tmp', index);
    renameSync(indexPath + '.tmp', indexPath);
    writeFileSync(timeIndexPath + '.tmp', time);
    renameSync(timeIndexPath + '.tmp', timeIndexPath);
  }

  /** Loads saved indexes; undefined when missing or damaged (the caller rebuilds by scanning). */
  static load(baseOffset: number, indexPath: string, timeIndexPath: string, segmentSize: number): SegmentIndex | undefined {
    let index: Buffer;
    let time: Buffer;
    try {
      index = readFileSync(indexPath);
      time = readFileSync(timeIndexPath);
    } catch {
      return undefined;
    }
    if (index.length % 8 !== 0 || time.length % 12 !== 0) return undefined;
    const result = new SegmentIndex(baseOffset);
    const n = index.length / 8;
    result.offsets = new Int32Array(Math.max(64, n));
    result.positions = new Int32Array(Math.max(64, n));
    let lastPosition = -1;
    for (let i = 0; i < n; i++) {
      const position = index.readInt32BE(i * 8 + 4);
      if (position <= lastPosition || position >= segmentSize) return undefined;
      lastPosition = position;
      result.offsets[i] = index.readInt32BE(i * 8);
      result.positions[i] = position;
    }
    result.count = n;
    const m = time.length / 12;
    result.timestamps = new Float64Array(Math.max(16, m));
    result.timeOffsets = new Int32Array(Math.max(16, m));
    for (let i = 0; i < m; i++) {
      result.timestamps[i] = Number(time.readBigInt64BE(i * 12));
      result.timeOffsets[i] = time.readInt32BE(i * 12 + 8);
    }
    result.timeCount = m;
    result.maxTimestampSeen = m > 0 ? result.timestamps[m - 1]! : -Infinity;
    return result;
  }
}

function grow(a: Int32Array): Int32Array {
  const b = new Int32Array(a.length * 2);
  b.set(a);
  return b;
}

function growF(a: Float64Array): Float64Array {
  const b = new Float64Array(a.length * 2);
  b.set(a);
  return b;
}
