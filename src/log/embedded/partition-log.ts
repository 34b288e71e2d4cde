/**
 * One partition of a topic: an ordered list of segments, the last of which takes appends.
 *
 * Offsets are dense at append time and may have gaps after compaction. The high watermark is
 * the next offset to assign (a single node has nothing to replicate, so what is written is
 * readable). Readers never see a batch until `append` has written all of it.
 *
 * Transactions (Kafka's model): transactional batches carry their producer id; a control batch
 * (marker) ends the transaction. While a transaction is open here, the last stable offset (LSO)
 * stays at its first offset, and read_committed readers stop there. Aborted transactions are
 * kept as offset ranges in `aborted-txns.jsonl` (Kafka's .txnindex), so read_committed readers
 * skip their batches after a restart too.
 */
import { appendFileSync, existsSync, mkdirSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { ShiftleftError } from '../../common/errors.ts';
import type { LogRecord, RecordHeader } from '../log-client.ts';
import type { TopicConfig } from '../topic-config.ts';
import {
  ATTR_CONTROL,
  ATTR_LOG_APPEND_TIME,
  ATTR_TRANSACTIONAL,
  BATCH_HEADER_SIZE,
  batchCrcMatches,
  controlRecord,
  decodeRecords,
  encodeBatch,
  headerLooksValid,
  readBatchHeader,
  recordBodySize,
  sizeOfVarint,
  writeBatch,
  type BatchHeader,
  type EncodableRecord,
} from './record-batch.ts';
import { Segment, type ScanProblem } from './segment.ts';

export interface AppendRecord {
  key: Buffer | null;
  value: Buffer | null;
  headers: RecordHeader[] | undefined;
  timestamp: number | undefined;
}

export interface AppendResult {
  baseOffset: number;
  timestamps: number[];
}

interface PreparedBatch {
  records: EncodableRecord[];
  size: number;
}

export interface PreparedAppend {
  baseOffset: number;
  timestamps: number[];
  batches: PreparedBatch[];
  attributes: number;
  /** -1, or the producer id of the transaction the batches belong to. */
  producerId: number;
}

/** The offsets an aborted transaction wrote to a partition (markers excluded). */
export interface AbortedTransaction {
  producerId: number;
  firstOffset: number;
  lastOffset: number;
}

const ABORTED_FILE = 'aborted-txns.jsonl';

export interface PartitionFetch {
  records: LogRecord[];
  nextOffset: number;
}

/** Reads the aborted-transactions index; a torn last line (a crash mid-append) is ignored. */
function readAbortedIndex(path: string, highWatermark: number): AbortedTransaction[] {
  if (!existsSync(path)) return [];
  const out: AbortedTransaction[] = [];
  for (const line of readFileSync(path, 'utf8').split('\n')) {
    if (line.trim() === '') continue;
    try {
      const a = JSON.parse(line) as AbortedTransaction;
      if (Number.isInteger(a.producerId) && Number.isInteger(a.firstOffset) && Number.isInteger(a.lastOffset) && a.firstOffset < highWatermark) out.push(a);
    } catch {
      // torn tail
    }
  }
  return out;
}

/** Visits every batch of a segment in order: the shared walk of fetch and compaction. */
export type BatchVisitor = (buf: Buffer, position: number, header: BatchHeader) => boolean | void;

const MIN_READ = 64 * 1024;

/**
 * One encode buffer for all appends: the bytes go to the kernel in a synchronous write right
 * after encoding, so the buffer is free again before the next append, and appending gigabytes
 * allocates nothing per batch.
 */
let scratch = Buffer.allocUnsafe(1024 * 1024);
function scratchBuffer(size: number): Buffer {
  if (scratch.length < size) scratch = Buffer.allocUnsafe(Math.max(size, scratch.length * 2));
  return scratch.subarray(0, size);
}
const MAX_SANE_BATCH = 1024 * 1024 * 1024;

export class PartitionLog {
  segments: Segment[];
  logStartOffset: number;
  /** Bytes appended since the last compaction pass: compaction skips partitions with none. */
  appendedSinceClean = 0;
  private readonly waiters = new Set<() => void>();
  /** Where the last fetch stopped, so sequential readers skip the index lookup and scan. */
  private cursor: { offset: number; segment: Segment; position: number } | undefined;
  /** Transactions writing here and not yet ended: producer id -> first offset they wrote. */
  readonly openTransactions = new Map<number, number>();
  /** Ranges of aborted transactions, oldest first. */
  aborted: AbortedTransaction[] = [];

  private constructor(
    readonly topic: string,
    readonly partition: number,
    readonly dir: string,
    segments: Segment[],
  ) {
    this.segments = segments;
    this.logStartOffset = segments[0]!.baseOffset;
  }

  static create(topic: string, partition: number, dir: string): PartitionLog {
    mkdirSync(dir, { recursive: true });
    return new PartitionLog(topic, partition, dir, [Segment.create(dir, 0)]);
  }

  /**
   * Opens a partition directory. Leftovers of an interrupted compaction (`.cleaned`) are
   * dropped: the rename that would have installed them did not happen. The last segment is
   * always scanned (it may have a torn tail); sealed ones are trusted when their indexes load.
   */
  static open(topic: string, partition: number, dir: string, problems: ScanProblem[]): PartitionLog {
    mkdirSync(dir, { recursive: true });
    const files = readdirSync(dir);
    for (const f of files) {
      if (f.endsWith('.cleaned') || f.endsWith('.tmp')) rmSync(`${dir}/${f}`, { force: true });
    }
    const bases = files
      .filter((f) => /^\d{20}\.log$/.test(f))
      .map((f) => Number(f.slice(0, 20)))
      .sort((a, b) => a - b);
    if (bases.length === 0) return PartitionLog.create(topic, partition, dir);
    const segments = bases.map((base, i) => Segment.open(dir, base, { scan: i === bases.length - 1, problems }));
    segments[segments.length - 1]!.sealed = false;
    const log = new PartitionLog(topic, partition, dir, segments);
    log.aborted = readAbortedIndex(`${dir}/${ABORTED_FILE}`, log.highWatermark);
    return log;
  }

  get active(): Segment {
    return this.segments[this.segments.length - 1]!;
  }

  get highWatermark(): number {
    return this.active.nextOffset;
  }

  /** The first offset of the oldest open transaction, else the high watermark. */
  get lastStableOffset(): number {
    let lso = this.highWatermark;
    for (const first of this.openTransactions.values()) if (first < lso) lso = first;
    return lso;
  }

  /** Whether a transactional batch of `producerId` at `offset` belongs to an aborted transaction. */
  isAborted(producerId: number, offset: number): boolean {
    for (const a of this.aborted) if (a.producerId === producerId && offset >= a.firstOffset && offset <= a.lastOffset) return true;
    return false;
  }

  get sizeBytes(): number {
    let total = 0;
    for (const s of this.segments) total += s.size;
    return total;
  }

  /**
   * Assigns offsets and timestamps and splits the records into batches of at most
   * `max.message.bytes`, writing nothing: a record that is too large throws here, so a produce
   * call can prepare every partition before it writes to any.
   */
  prepareAppend(records: AppendRecord[], config: TopicConfig, now: number, producerId = -1): PreparedAppend {
    const logAppendTime = config['message.timestamp.type'] === 'LogAppendTime';
    const baseOffset = this.highWatermark;
    const encodable: EncodableRecord[] = new Array(records.length);
    for (let i = 0; i < records.length; i++) {
      const r = records[i]!;
      encodable[i] = {
        offset: baseOffset + i,
        timestamp: logAppendTime || r.timestamp === undefined ? now : r.timestamp,
        key: r.key,
        value: r.value,
        headers: r.headers,
      };
    }
    return {
      baseOffset,
      timestamps: encodable.map((r) => r.timestamp),
      batches: this.splitIntoBatches(encodable, config['max.message.bytes']),
      attributes: (logAppendTime ? ATTR_LOG_APPEND_TIME : 0) | (producerId >= 0 ? ATTR_TRANSACTIONAL : 0),
      producerId,
    };
  }

  /** Writes a prepared append; it must be the next one (nothing appended since prepareAppend). */
  commitAppend(prepared: PreparedAppend, config: TopicConfig, now: number): AppendResult {
    if (prepared.baseOffset !== this.highWatermark) throw new Error('stale prepared append');
    // Group consecutive batches per segment so each segment gets a single write.
    let pending: PreparedBatch[] = [];
    let pendingBytes = 0;
    const flushPending = (): void => {
      if (pending.length === 0) return;
      const buf = scratchBuffer(pendingBytes);
      let pos = 0;
      const meta = [];
      for (const b of pending) {
        const end = writeBatch(buf, pos, b.records, prepared.attributes, prepared.producerId);
        let maxTimestamp = b.records[0]!.timestamp;
        for (const r of b.records) if (r.timestamp > maxTimestamp) maxTimestamp = r.timestamp;
        meta.push({ baseOffset: b.records[0]!.offset, lastOffset: b.records[b.records.length - 1]!.offset, size: end - pos, maxTimestamp });
        pos = end;
      }
      this.active.append(buf, meta);
      pending = [];
      pendingBytes = 0;
    };
    for (const batch of prepared.batches) {
      if (this.shouldRoll(pendingBytes + batch.size, config, now)) {
        flushPending();
        this.roll();
      }
      pending.push(batch);
      pendingBytes += batch.size;
    }
    flushPending();
    this.appendedSinceClean += prepared.timestamps.length;
    if (prepared.producerId >= 0 && !this.openTransactions.has(prepared.producerId)) this.openTransactions.set(prepared.producerId, prepared.baseOffset);
    this.notify();
    return { baseOffset: prepared.baseOffset, timestamps: prepared.timestamps };
  }

  /**
   * Ends a transaction here with a marker. An abort records the range its batches took, durably,
   * before the marker is written, so read_committed readers skip them even after a crash.
   */
  appendMarker(producerId: number, commit: boolean, config: TopicConfig, now: number): void {
    const offset = this.highWatermark;
    const first = this.openTransactions.get(producerId);
    if (!commit && first !== undefined && offset > first) {
      const range: AbortedTransaction = { producerId, firstOffset: first, lastOffset: offset - 1 };
      appendFileSync(`${this.dir}/${ABORTED_FILE}`, JSON.stringify(range) + '\n');
      this.aborted.push(range);
    }
    const bytes = encodeBatch([controlRecord(offset, now, commit)], ATTR_CONTROL | ATTR_TRANSACTIONAL, producerId);
    if (this.shouldRoll(bytes.length, config, now)) this.roll();
    this.active.append(bytes, [{ baseOffset: offset, lastOffset: offset, size: bytes.length, maxTimestamp: now }]);
    this.openTransactions.delete(producerId);
    this.notify();
  }

  append(records: AppendRecord[], config: TopicConfig, now: number): AppendResult {
    return this.commitAppend(this.prepareAppend(records, config, now), config, now);
  }

  private splitIntoBatches(records: EncodableRecord[], maxBatchBytes: number): PreparedBatch[] {
    const batches: PreparedBatch[] = [];
    let current: EncodableRecord[] = [];
    let size = BATCH_HEADER_SIZE;
    for (const record of records) {
      const base = current[0] ?? record;
      const body = recordBodySize(record, base.offset, base.timestamp);
      const recordBytes = sizeOfVarint(body) + body;
      if (current.length > 0 && size + recordBytes > maxBatchBytes) {
        batches.push({ records: current, size });
        current = [];
        size = BATCH_HEADER_SIZE;
        const alone = recordBodySize(record, record.offset, record.timestamp);
        size += sizeOfVarint(alone) + alone;
      } else {
        size += recordBytes;
      }
      if (size > maxBatchBytes) {
        throw new ShiftleftError('RECORD_TOO_LARGE', `record of ${size} bytes (with batch overhead) exceeds max.message.bytes=${maxBatchBytes} of topic '${this.topic}'`, {
          hint: `send a smaller record, or raise the topic's limit: shiftleft topic alter ${this.topic} --config max.message.bytes=${size}`,
          details: { topic: this.topic, partition: this.partition, size, limit: maxBatchBytes },
        });
      }
      current.push(record);
    }
    if (current.length > 0) batches.push({ records: current, size });
    return batches;
  }

  private shouldRoll(incomingBytes: number, config: TopicConfig, now: number): boolean {
    const active = this.active;
    if (active.size === 0) return false;
    return active.size + incomingBytes > config['segment.bytes'] || now - active.createdAt > config['segment.ms'];
  }

  /** Seals the active segment and starts a new one at the high watermark. */
  roll(): void {
    const active = this.active;
    if (active.size === 0) return;
    active.seal();
    this.segments.push(Segment.create(this.dir, active.nextOffset));
  }

  private segmentFor(offset: number): number {
    let lo = 0;
    let hi = this.segments.length - 1;
    let found = 0;
    while (lo <= hi) {
      const mid = (lo + hi) >>> 1;
      if (this.segments[mid]!.baseOffset <= offset) {
        found = mid;
        lo = mid + 1;
      } else {
        hi = mid - 1;
      }
    }
    return found;
  }

  checkOffset(offset: number): void {
    if (!Number.isSafeInteger(offset) || offset < this.logStartOffset || offset > this.highWatermark) {
      throw new ShiftleftError('OFFSET_OUT_OF_RANGE', `offset ${offset} is out of range for ${this.topic}-${this.partition}: stored offsets are ${this.logStartOffset}..${this.highWatermark - 1}`, {
        hint: 'read from --from-beginning, or from an offset within the range',
        details: { topic: this.topic, partition: this.partition, offset, logStartOffset: this.logStartOffset, highWatermark: this.highWatermark },
      });
    }
  }

  /**
   * Reads records from `offset` on, at most `maxRecords` and about `maxBytes` (one batch at
   * least). A damaged batch throws CORRUPT_RECORD naming the file, position and the next
   * readable offset, unless records were already gathered: then those are returned first.
   */
  fetch(offset: number, maxRecords: number, maxBytes: number, readCommitted = false): PartitionFetch {
    this.checkOffset(offset);
    const records: LogRecord[] = [];
    let nextOffset = offset;
    // read_committed readers stop at the last stable offset: nothing of an open transaction.
    const limit = readCommitted ? this.lastStableOffset : this.highWatermark;
    if (offset >= limit) return { records, nextOffset };

    let segIndex: number;
    let position: number;
    if (this.cursor && this.cursor.offset === offset && this.segments.includes(this.cursor.segment)) {
      segIndex = this.segments.indexOf(this.cursor.segment);
      position = this.cursor.position;
    } else {
      segIndex = this.segmentFor(offset);
      position = this.segments[segIndex]!.index.lookup(offset);
    }
    let bytesRead = 0;
    let cursorSegment = this.segments[segIndex]!;
    let cursorPosition = position;

    outer: while (segIndex < this.segments.length) {
      const segment = this.segments[segIndex]!;
      if (position >= segment.size) {
        segIndex++;
        position = 0;
        continue;
      }
      const chunk = segment.read(position, Math.max(MIN_READ, maxBytes - bytesRead));
      let p = 0;
      while (p < chunk.length) {
        if (chunk.length - p < BATCH_HEADER_SIZE) break;
        const header = readBatchHeader(chunk, p);
        if (!headerLooksValid(header, MAX_SANE_BATCH)) {
          if (records.length > 0) break outer;
          this.throwCorrupt(segment, position + p, header, 'invalid batch header');
        }
        if (header.lastOffset < offset) {
          p += header.sizeInBytes;
          continue;
        }
        if (header.baseOffset >= limit) break outer;
        let buf = chunk;
        let at = p;
        if (p + header.sizeInBytes > chunk.length) {
          if (records.length > 0) break outer;
          if (p > 0) break; // re-read from this batch's start on the next round
          buf = segment.read(position + p, header.sizeInBytes);
          at = 0;
          if (buf.length < header.sizeInBytes) this.throwCorrupt(segment, position + p, header, 'batch runs past the end of the segment');
        }
        if (!batchCrcMatches(buf, at, header)) {
          if (records.length > 0) break outer;
          this.throwCorrupt(segment, position + p, header, 'CRC mismatch');
        }
        cursorSegment = segment;
        cursorPosition = position + p;
        // Markers are not records; read_committed readers skip aborted transactions' batches.
        const skip = (header.attributes & ATTR_CONTROL) !== 0 || (readCommitted && (header.attributes & ATTR_TRANSACTIONAL) !== 0 && this.isAborted(header.producerId, header.baseOffset));
        if (!skip) decodeRecords(buf, at, header, this.topic, this.partition, offset, records, maxRecords);
        if (records.length >= maxRecords) {
          nextOffset = records[records.length - 1]!.offset + 1;
          if (nextOffset > header.lastOffset) cursorPosition = position + p + header.sizeInBytes;
          break outer;
        }
        nextOffset = header.lastOffset + 1;
        cursorPosition = position + p + header.sizeInBytes;
        p += header.sizeInBytes;
        bytesRead += header.sizeInBytes;
        if (bytesRead >= maxBytes && records.length > 0) break outer;
      }
      if (p === 0) {
        // Nothing usable left in this segment (its end, or a trailing partial header).
        segIndex++;
        position = 0;
      } else {
        position += p;
      }
    }
    // A fetch past the last batch of a compacted range ends at the high watermark.
    if (records.length === 0 && segIndex >= this.segments.length) nextOffset = limit;
    this.cursor = { offset: nextOffset, segment: cursorSegment, position: cursorPosition };
    return { records, nextOffset };
  }

  private throwCorrupt(segment: Segment, position: number, header: BatchHeader, reason: string): never {
    const plausible = headerLooksValid(header, MAX_SANE_BATCH);
    const after = plausible ? header.lastOffset + 1 : (segment.index.nextEntryAfter(position)?.offset ?? segment.nextOffset);
    throw new ShiftleftError('CORRUPT_RECORD', `corrupt record batch in ${segment.path} at position ${position}${plausible ? ` (offsets ${header.baseOffset}..${header.lastOffset})` : ''}: ${reason}`, {
      hint: `the records after it are readable: continue from offset ${after}`,
      details: { topic: this.topic, partition: this.partition, file: segment.path, position, nextReadableOffset: after },
    });
  }

  /** Walks the batches of a segment with their bytes, CRC-checked; stops when the visitor returns false. */
  static forEachBatch(segment: Segment, visit: BatchVisitor): void {
    let position = 0;
    while (position < segment.size) {
      const chunk = segment.read(position, 4 * 1024 * 1024);
      let p = 0;
      while (chunk.length - p >= BATCH_HEADER_SIZE) {
        const header = readBatchHeader(chunk, p);
        if (!headerLooksValid(header, MAX_SANE_BATCH)) return;
        let buf = chunk;
        let at = p;
        if (p + header.sizeInBytes > chunk.length) {
          if (p > 0) break;
          buf = segment.read(position, header.sizeInBytes);
          at = 0;
        }
        if (buf.length - at >= header.sizeInBytes && batchCrcMatches(buf, at, header)) {
          if (visit(buf, at, header) === false) return;
        }
        p += header.sizeInBytes;
        if (buf !== chunk) break;
      }
      if (p === 0) return;
      position += p;
    }
  }

  /** First offset whose record timestamp is >= `timestamp`, or the high watermark. */
  offsetForTimestamp(timestamp: number): number {
    for (const segment of this.segments) {
      if (segment.maxTimestamp < timestamp) continue;
      const startOffset = Math.max(segment.index.lookupTime(timestamp) ?? segment.baseOffset, this.logStartOffset);
      let found: number | undefined;
      let from = Math.max(startOffset, segment.baseOffset);
      while (found === undefined && from < segment.nextOffset) {
        const { records, nextOffset } = this.fetch(from, 10_000, 1024 * 1024);
        for (const r of records) {
          if (r.timestamp >= timestamp) {
            found = r.offset;
            break;
          }
        }
        if (records.length === 0) break;
        from = nextOffset;
      }
      if (found !== undefined) return found;
    }
    return this.highWatermark;
  }

  /** Deletes whole sealed segments past `retention.ms` or beyond `retention.bytes`. */
  applyRetention(config: TopicConfig, now: number): number {
    if (!config['cleanup.policy'].includes('delete')) return 0;
    let deleted = 0;
    const retentionMs = config['retention.ms'];
    const retentionBytes = config['retention.bytes'];
    let total = this.sizeBytes;
    while (this.segments.length > 1) {
      const oldest = this.segments[0]!;
      const expired = retentionMs >= 0 && oldest.maxTimestamp < now - retentionMs;
      const oversize = retentionBytes >= 0 && total - oldest.size >= retentionBytes;
      if (!expired && !oversize) break;
      total -= oldest.size;
      oldest.delete();
      this.segments.shift();
      deleted++;
    }
    if (deleted > 0) {
      this.logStartOffset = this.segments[0]!.baseOffset;
      this.cursor = undefined;
      this.aborted = this.aborted.filter((a) => a.lastOffset >= this.logStartOffset);
    }
    return deleted;
  }

  /** Installs segments rewritten by compaction and drops the ones left empty. */
  replaceSegments(replacements: Map<Segment, Segment | null>): void {
    const next: Segment[] = [];
    for (const s of this.segments) {
      if (!replacements.has(s)) {
        next.push(s);
        continue;
      }
      const r = replacements.get(s);
      if (r) next.push(r);
    }
    this.segments = next;
    this.logStartOffset = Math.min(this.logStartOffset, this.segments[0]!.baseOffset);
    this.cursor = undefined;
  }

  // ---- tailing ----------------------------------------------------------------------------

  /** Registers a one-shot callback for the next append; returns its canceller. */
  onNextAppend(callback: () => void): () => void {
    this.waiters.add(callback);
    return () => this.waiters.delete(callback);
  }

  private notify(): void {
    if (this.waiters.size === 0) return;
    const callbacks = [...this.waiters];
    this.waiters.clear();
    for (const cb of callbacks) cb();
  }

  flush(): void {
    this.active.flush();
  }

  close(): void {
    for (const s of this.segments) s.close();
    this.notify();
  }

  /** Removes all files (topic deletion). */
  destroy(): void {
    for (const s of this.segments) s.delete();
    this.notify();
  }
}
