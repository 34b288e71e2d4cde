/**
 * One segment of a partition: an append-only `.log` file of record batches named by its base
 * offset (20 digits, as Kafka names them), with its sparse indexes.
 *
 * All file I/O here is synchronous on purpose: a partition is written by one process, appends
 * and reads are single `write`/`read` calls of whole batches, and doing them synchronously means
 * no reader can ever observe a half-applied append or a segment deleted under its feet.
 */
import { closeSync, existsSync, fdatasyncSync, fstatSync, ftruncateSync, openSync, readSync, renameSync, unlinkSync, writeFileSync, writeSync } from 'node:fs';
import { join } from 'node:path';
import { SegmentIndex } from './segment-index.ts';
import { BATCH_HEADER_SIZE, batchCrcMatches, headerLooksValid, readBatchHeader, type BatchHeader } from './record-batch.ts';

export function segmentFileName(baseOffset: number, suffix: string): string {
  return String(baseOffset).padStart(20, '0') + suffix;
}

/** What a recovery scan found wrong, for the caller to report. */
export interface ScanProblem {
  kind: 'torn-tail' | 'corrupt-batch';
  file: string;
  position: number;
  baseOffset?: number;
  lastOffset?: number;
  detail: string;
}

const SCAN_CHUNK = 8 * 1024 * 1024;
/** Larger than any batch we accept (max.message.bytes can change over a topic's life). */
const MAX_SANE_BATCH_BYTES = 1024 * 1024 * 1024;

export class Segment {
  size: number;
  /** One past the last offset stored here (baseOffset when empty). */
  nextOffset: number;
  sealed = false;
  /** Wall-clock time the segment was created or opened empty, for `segment.ms` rolls. */
  readonly createdAt: number;
  private dirty = false;

  private constructor(
    readonly dir: string,
    readonly baseOffset: number,
    private fd: number,
    size: number,
    nextOffset: number,
    public index: SegmentIndex,
  ) {
    this.size = size;
    this.nextOffset = nextOffset;
    this.createdAt = Date.now();
  }

  get path(): string {
    return join(this.dir, segmentFileName(this.baseOffset, '.log'));
  }

  private get indexPath(): string {
    return join(this.dir, segmentFileName(this.baseOffset, '.index'));
  }

  private get timeIndexPath(): string {
    return join(this.dir, segmentFileName(this.baseOffset, '.timeindex'));
  }

  get maxTimestamp(): number {
    return this.index.maxTimestamp;
  }

  static create(dir: string, baseOffset: number): Segment {
    const path = join(dir, segmentFileName(baseOffset, '.log'));
    const fd = openSync(path, 'a+');
    return new Segment(dir, baseOffset, fd, 0, baseOffset, new SegmentIndex(baseOffset));
  }

  /**
   * Opens an existing segment. A sealed segment with intact index files is trusted as is
   * (its last batch gives `nextOffset`); otherwise the whole file is scanned, CRCs checked, the
   * indexes rebuilt and a torn tail truncated. Problems found are pushed to `problems`.
   */
  static open(dir: string, baseOffset: number, options: { scan: boolean; problems: ScanProblem[] }): Segment {
    const path = join(dir, segmentFileName(baseOffset, '.log'));
    const fd = openSync(path, 'r+');
    const size = fstatSync(fd).size;
    const segment = new Segment(dir, baseOffset, fd, size, baseOffset, new SegmentIndex(baseOffset));
    const saved = options.scan ? undefined : SegmentIndex.load(baseOffset, segment.indexPath, segment.timeIndexPath, size);
    if (saved) {
      segment.index = saved;
      segment.nextOffset = segment.findNextOffsetFrom(saved.lookup(Number.MAX_SAFE_INTEGER));
      segment.sealed = true;
      // A sealed segment whose tail does not parse was damaged after sealing: rescan it.
      if (segment.nextOffset >= 0) return segment;
      segment.index = new SegmentIndex(baseOffset);
      segment.sealed = false;
    }
    segment.recover(options.problems);
    return segment;
  }

  /** Walks the batches from an indexed position to the end; -1 if the walk hits garbage. */
  private findNextOffsetFrom(position: number): number {
    let next = this.baseOffset;
    const header = Buffer.allocUnsafe(BATCH_HEADER_SIZE);
    while (position < this.size) {
      if (this.size - position < BATCH_HEADER_SIZE) return -1;
      readSync(this.fd, header, 0, BATCH_HEADER_SIZE, position);
      const h = readBatchHeader(header, 0);
      if (h.magic !== 2 || h.sizeInBytes < BATCH_HEADER_SIZE || position + h.sizeInBytes > this.size) return -1;
      next = h.lastOffset + 1;
      position += h.sizeInBytes;
    }
    return next;
  }

  /**
   * Recovery scan. A batch whose length runs past the end of the file, or whose header is
   * garbage, ends the valid log: everything from there is a torn tail and is cut off (saved
   * first to a `.torn-<position>` file, so no byte is destroyed silently). A batch with a sane
   * header but a wrong CRC in the middle of the file is kept and reported: later batches are
   * still good, and readers get a CORRUPT_RECORD error for exactly that batch.
   */
  private recover(problems: ScanProblem[]): void {
    let position = 0;
    let chunk = Buffer.alloc(0);
    let chunkStart = 0;
    let next = this.baseOffset;
    const ensure = (from: number, length: number): Buffer => {
      if (from >= chunkStart && from + length <= chunkStart + chunk.length) return chunk;
      const want = Math.min(Math.max(length, SCAN_CHUNK), this.size - from);
      chunk = Buffer.allocUnsafe(want);
      const read = readSync(this.fd, chunk, 0, want, from);
      chunk = chunk.subarray(0, read);
      chunkStart = from;
      return chunk;
    };
    while (position < this.size) {
      const remaining = this.size - position;
      let header: BatchHeader | undefined;
      let reason = '';
      if (remaining < BATCH_HEADER_SIZE) {
        reason = `${remaining} trailing bytes, less than a batch header`;
      } else {
        const buf = ensure(position, BATCH_HEADER_SIZE);
        header = readBatchHeader(buf, position - chunkStart);
        if (!headerLooksValid(header, MAX_SANE_BATCH_BYTES)) {
          reason = 'invalid batch header';
        } else if (header.sizeInBytes > remaining) {
          reason = `batch of ${header.sizeInBytes} bytes runs past the end of the file (${remaining} bytes left)`;
        } else if (header.baseOffset < next) {
          reason = `batch base offset ${header.baseOffset} goes backwards (expected >= ${next})`;
        }
      }
      if (reason) {
        this.truncateTornTail(position, reason, header, problems);
        break;
      }
      const h = header!;
      const buf = ensure(position, h.sizeInBytes);
      if (!batchCrcMatches(buf, position - chunkStart, h)) {
        if (position + h.sizeInBytes === this.size) {
          this.truncateTornTail(position, 'CRC mismatch in the last batch', h, problems);
          break;
        }
        problems.push({
          kind: 'corrupt-batch',
          file: this.path,
          position,
          baseOffset: h.baseOffset,
          lastOffset: h.lastOffset,
          detail: `CRC mismatch in batch at position ${position} (offsets ${h.baseOffset}..${h.lastOffset})`,
        });
      }
      this.index.onBatch(h.baseOffset, position, h.sizeInBytes, h.maxTimestamp);
      next = h.lastOffset + 1;
      position += h.sizeInBytes;
    }
    this.nextOffset = next;
  }

  private truncateTornTail(position: number, reason: string, header: BatchHeader | undefined, problems: ScanProblem[]): void {
    const length = this.size - position;
    const saved = Buffer.allocUnsafe(length);
    readSync(this.fd, saved, 0, length, position);
    writeFileSync(join(this.dir, segmentFileName(this.baseOffset, `.torn-${position}`)), saved);
    ftruncateSync(this.fd, position);
    fdatasyncSync(this.fd);
    problems.push({
      kind: 'torn-tail',
      file: this.path,
      position,
      baseOffset: header?.baseOffset,
      detail: `${reason}; truncated ${length} bytes at position ${position} (kept in ${segmentFileName(this.baseOffset, `.torn-${position}`)})`,
    });
    this.size = position;
  }

  /** Appends encoded batches at the end of the file. `batches` describes them for the indexes. */
  append(bytes: Buffer, batches: { baseOffset: number; lastOffset: number; size: number; maxTimestamp: number }[]): void {
    let written = 0;
    while (written < bytes.length) {
      written += writeSync(this.fd, bytes, written, bytes.length - written, this.size + written);
    }
    let position = this.size;
    for (const b of batches) {
      this.index.onBatch(b.baseOffset, position, b.size, b.maxTimestamp);
      position += b.size;
    }
    this.size += bytes.length;
    this.nextOffset = batches[batches.length - 1]!.lastOffset + 1;
    this.dirty = true;
  }

  /** Reads up to `length` bytes at `position` into a new buffer (shorter at the end of file). */
  read(position: number, length: number): Buffer {
    const want = Math.max(0, Math.min(length, this.size - position));
    const buf = Buffer.allocUnsafe(want);
    let got = 0;
    while (got < want) {
      const n = readSync(this.fd, buf, got, want - got, position + got);
      if (n === 0) break;
      got += n;
    }
    return got === want ? buf : buf.subarray(0, got);
  }

  flush(): void {
    if (!this.dirty) return;
    fdatasyncSync(this.fd);
    this.dirty = false;
  }

  /** Makes the segment read-only history: data synced, indexes written. */
  seal(): void {
    this.flush();
    this.index.save(this.indexPath, this.timeIndexPath);
    this.sealed = true;
  }

  close(): void {
    this.flush();
    closeSync(this.fd);
  }

  /** Closes and removes the segment's files. */
  delete(): void {
    try {
      closeSync(this.fd);
    } catch {
      /* already closed */
    }
    for (const path of [this.path, this.indexPath, this.timeIndexPath]) {
      if (existsSync(path)) unlinkSync(path);
    }
  }

  /** Removes a file that was never installed as a segment (a compaction output not needed). */
  static discard(path: string): void {
    if (existsSync(path)) unlinkSync(path);
  }

  /**
   * Replaces this segment's contents by a cleaned file written beside it (compaction). The
   * rename is atomic: after a crash either the old or the new file is there, never half of one.
   */
  static replaceWith(old: Segment, cleanedPath: string): Segment {
    closeSync(old.fd);
    renameSync(cleanedPath, old.path);
    const problems: ScanProblem[] = [];
    const fresh = Segment.open(old.dir, old.baseOffset, { scan: true, problems });
    fresh.seal();
    return fresh;
  }
}

