/**
 * Record batches in Kafka's on-disk format (magic 2), so a segment file of ours holds the same
 * bytes a Kafka broker would write for the same records.
 *
 * RecordBatch =>
 *   baseOffset           int64
 *   batchLength          int32    bytes after this field
 *   partitionLeaderEpoch int32    always 0 here
 *   magic                int8     2
 *   crc                  uint32   CRC-32C of everything from `attributes` to the end
 *   attributes           int16    bit 3: LogAppendTime, bit 4: transactional, bit 5: control
 *   lastOffsetDelta      int32
 *   baseTimestamp        int64
 *   maxTimestamp         int64
 *   producerId           int64    -1, or the transaction's producer id (transactional batches)
 *   producerEpoch        int16    -1, or 0 for transactional batches
 *   baseSequence         int32    -1
 *   recordCount          int32
 *   records              Record[recordCount]
 *
 * Record =>
 *   length          varint   bytes after this field
 *   attributes      int8     0
 *   timestampDelta  varlong  against baseTimestamp
 *   offsetDelta     varint   against baseOffset (gaps after compaction are fine)
 *   keyLength       varint   -1 for null
 *   key             bytes
 *   valueLength     varint   -1 for null (a tombstone)
 *   value           bytes
 *   headerCount     varint
 *   headers         (keyLength varint, key utf8, valueLength varint, value bytes)[headerCount]
 *
 * Varints are zigzag-encoded like protobuf's sint32/sint64.
 */
import type { LogRecord, RecordHeader } from '../log-client.ts';
import { crc32c } from './crc32c.ts';

export const BATCH_HEADER_SIZE = 61;
/** Bytes before `batchLength`'s payload: baseOffset + batchLength. */
export const LOG_OVERHEAD = 12;
export const MAGIC = 2;

const OFF_BASE_OFFSET = 0;
const OFF_LENGTH = 8;
const OFF_LEADER_EPOCH = 12;
const OFF_MAGIC = 16;
const OFF_CRC = 17;
const OFF_ATTRIBUTES = 21;
const OFF_LAST_OFFSET_DELTA = 23;
const OFF_BASE_TIMESTAMP = 27;
const OFF_MAX_TIMESTAMP = 35;
const OFF_PRODUCER_ID = 43;
const OFF_PRODUCER_EPOCH = 51;
const OFF_BASE_SEQUENCE = 53;
const OFF_RECORD_COUNT = 57;

export const ATTR_LOG_APPEND_TIME = 1 << 3;
/** The batch belongs to a transaction: read_committed readers see it only once committed. */
export const ATTR_TRANSACTIONAL = 1 << 4;
/** A control batch: one transaction marker (commit or abort), never returned as a record. */
export const ATTR_CONTROL = 1 << 5;

/** A record ready to be written: offset and timestamp already assigned. */
export interface EncodableRecord {
  offset: number;
  timestamp: number;
  key: Buffer | null;
  value: Buffer | null;
  headers: RecordHeader[] | undefined;
}

export interface BatchHeader {
  baseOffset: number;
  /** Total bytes of the batch on disk, LOG_OVERHEAD included. */
  sizeInBytes: number;
  magic: number;
  crc: number;
  attributes: number;
  lastOffset: number;
  baseTimestamp: number;
  maxTimestamp: number;
  /** -1 for plain batches; the transaction's producer id for transactional and control batches. */
  producerId: number;
  recordCount: number;
}

// ---- zigzag varints ------------------------------------------------------------------------

export function sizeOfVarint(value: number): number {
  // zigzag for 32-bit values
  let v = ((value << 1) ^ (value >> 31)) >>> 0;
  let bytes = 1;
  while (v >= 0x80) {
    v >>>= 7;
    bytes++;
  }
  return bytes;
}

function sizeOfVarlong(value: number): number {
  // zigzag for values within ±2^52, done in floating point to stay exact
  let v = value >= 0 ? value * 2 : -value * 2 - 1;
  let bytes = 1;
  while (v >= 0x80) {
    v = Math.floor(v / 128);
    bytes++;
  }
  return bytes;
}

function writeVarint(buf: Buffer, pos: number, value: number): number {
  let v = ((value << 1) ^ (value >> 31)) >>> 0;
  while (v >= 0x80) {
    buf[pos++] = (v & 0x7f) | 0x80;
    v >>>= 7;
  }
  buf[pos++] = v;
  return pos;
}

function writeVarlong(buf: Buffer, pos: number, value: number): number {
  let v = value >= 0 ? value * 2 : -value * 2 - 1;
  while (v >= 0x80) {
    buf[pos++] = (v % 128) | 0x80;
    v = Math.floor(v / 128);
  }
  buf[pos++] = v;
  return pos;
}

// ---- encoding ------------------------------------------------------------------------------

function headerKeyBytes(headers: RecordHeader[] | undefined): number {
  if (!headers) return 0;
  let total = 0;
  for (const h of headers) {
    const k = Buffer.byteLength(h.key, 'utf8');
    const v = h.value === null ? -1 : h.value.length;
    total += sizeOfVarint(k) + k + sizeOfVarint(v) + (v < 0 ? 0 : v);
  }
  return total;
}

/** Size of one record's body (everything after its length varint). */
export function recordBodySize(record: EncodableRecord, baseOffset: number, baseTimestamp: number): number {
  const keyLength = record.key === null ? -1 : record.key.length;
  const valueLength = record.value === null ? -1 : record.value.length;
  const headerCount = record.headers ? record.headers.length : 0;
  return (
    1 +
    sizeOfVarlong(record.timestamp - baseTimestamp) +
    sizeOfVarint(record.offset - baseOffset) +
    sizeOfVarint(keyLength) +
    (keyLength < 0 ? 0 : keyLength) +
    sizeOfVarint(valueLength) +
    (valueLength < 0 ? 0 : valueLength) +
    sizeOfVarint(headerCount) +
    headerKeyBytes(record.headers)
  );
}

/** Bytes a batch of these records takes on disk. */
export function batchSize(records: EncodableRecord[]): number {
  const baseOffset = records[0]!.offset;
  const baseTimestamp = records[0]!.timestamp;
  let size = BATCH_HEADER_SIZE;
  for (const record of records) {
    const body = recordBodySize(record, baseOffset, baseTimestamp);
    size += sizeOfVarint(body) + body;
  }
  return size;
}

/**
 * Writes one batch into `buf` at `pos` and returns the position after it. `records` must be in
 * offset order; the first record's timestamp is the base timestamp.
 */
export function writeBatch(buf: Buffer, pos: number, records: EncodableRecord[], attributes = 0, producerId = -1): number {
  const start = pos;
  const first = records[0]!;
  const baseOffset = first.offset;
  const baseTimestamp = first.timestamp;
  let maxTimestamp = baseTimestamp;
  pos += BATCH_HEADER_SIZE;
  for (const record of records) {
    if (record.timestamp > maxTimestamp) maxTimestamp = record.timestamp;
    pos = writeVarint(buf, pos, recordBodySize(record, baseOffset, baseTimestamp));
    buf[pos++] = 0;
    pos = writeVarlong(buf, pos, record.timestamp - baseTimestamp);
    pos = writeVarint(buf, pos, record.offset - baseOffset);
    if (record.key === null) {
      pos = writeVarint(buf, pos, -1);
    } else {
      pos = writeVarint(buf, pos, record.key.length);
      pos += record.key.copy(buf, pos);
    }
    if (record.value === null) {
      pos = writeVarint(buf, pos, -1);
    } else {
      pos = writeVarint(buf, pos, record.value.length);
      pos += record.value.copy(buf, pos);
    }
    const headers = record.headers;
    pos = writeVarint(buf, pos, headers ? headers.length : 0);
    if (headers) {
      for (const h of headers) {
        const keyLength = Buffer.byteLength(h.key, 'utf8');
        pos = writeVarint(buf, pos, keyLength);
        pos += buf.write(h.key, pos, keyLength, 'utf8');
        if (h.value === null) {
          pos = writeVarint(buf, pos, -1);
        } else {
          pos = writeVarint(buf, pos, h.value.length);
          pos += h.value.copy(buf, pos);
        }
      }
    }
  }
  const last = records[records.length - 1]!;
  buf.writeBigInt64BE(BigInt(baseOffset), start + OFF_BASE_OFFSET);
  buf.writeInt32BE(pos - start - LOG_OVERHEAD, start + OFF_LENGTH);
  buf.writeInt32BE(0, start + OFF_LEADER_EPOCH);
  buf.writeInt8(MAGIC, start + OFF_MAGIC);
  buf.writeInt16BE(attributes, start + OFF_ATTRIBUTES);
  buf.writeInt32BE(last.offset - baseOffset, start + OFF_LAST_OFFSET_DELTA);
  buf.writeBigInt64BE(BigInt(baseTimestamp), start + OFF_BASE_TIMESTAMP);
  buf.writeBigInt64BE(BigInt(maxTimestamp), start + OFF_MAX_TIMESTAMP);
  buf.writeBigInt64BE(BigInt(producerId), start + OFF_PRODUCER_ID);
  buf.writeInt16BE(producerId < 0 ? -1 : 0, start + OFF_PRODUCER_EPOCH);
  buf.writeInt32BE(-1, start + OFF_BASE_SEQUENCE);
  buf.writeInt32BE(records.length, start + OFF_RECORD_COUNT);
  buf.writeUInt32BE(crc32c(buf, start + OFF_ATTRIBUTES, pos), start + OFF_CRC);
  return pos;
}

export function encodeBatch(records: EncodableRecord[], attributes = 0, producerId = -1): Buffer {
  const buf = Buffer.allocUnsafe(batchSize(records));
  writeBatch(buf, 0, records, attributes, producerId);
  return buf;
}

/**
 * The one record of a control batch, in Kafka's layout:
 *   key   => version int16 (0), type int16 (0 abort, 1 commit)
 *   value => version int16 (0), coordinatorEpoch int32 (0 here: there is one coordinator)
 */
export function controlRecord(offset: number, timestamp: number, commit: boolean): EncodableRecord {
  const key = Buffer.alloc(4);
  key.writeInt16BE(0, 0);
  key.writeInt16BE(commit ? 1 : 0, 2);
  return { offset, timestamp, key, value: Buffer.alloc(6), headers: undefined };
}

/** Whether a control record's key marks a commit (true) or an abort (false). */
export function isCommitMarker(key: Buffer | null): boolean {
  return key !== null && key.length >= 4 && key.readInt16BE(2) === 1;
}

// ---- decoding ------------------------------------------------------------------------------

/** Reads a batch header; the caller has checked that BATCH_HEADER_SIZE bytes are there. */
export function readBatchHeader(buf: Buffer, pos: number): BatchHeader {
  const baseOffset = Number(buf.readBigInt64BE(pos + OFF_BASE_OFFSET));
  return {
    baseOffset,
    sizeInBytes: buf.readInt32BE(pos + OFF_LENGTH) + LOG_OVERHEAD,
    magic: buf.readInt8(pos + OFF_MAGIC),
    crc: buf.readUInt32BE(pos + OFF_CRC),
    attributes: buf.readInt16BE(pos + OFF_ATTRIBUTES),
    lastOffset: baseOffset + buf.readInt32BE(pos + OFF_LAST_OFFSET_DELTA),
    baseTimestamp: Number(buf.readBigInt64BE(pos + OFF_BASE_TIMESTAMP)),
    maxTimestamp: Number(buf.readBigInt64BE(pos + OFF_MAX_TIMESTAMP)),
    producerId: Number(buf.readBigInt64BE(pos + OFF_PRODUCER_ID)),
    recordCount: buf.readInt32BE(pos + OFF_RECORD_COUNT),
  };
}

export function batchCrcMatches(buf: Buffer, pos: number, header: BatchHeader): boolean {
  return crc32c(buf, pos + OFF_ATTRIBUTES, pos + header.sizeInBytes) === header.crc;
}

/** A header that cannot describe a real batch (torn write, zero fill, garbage). */
export function headerLooksValid(header: BatchHeader, maxBatchBytes: number): boolean {
  return (
    header.magic === MAGIC &&
    header.sizeInBytes >= BATCH_HEADER_SIZE &&
    header.sizeInBytes <= maxBatchBytes &&
    header.recordCount >= 0 &&
    header.lastOffset >= header.baseOffset &&
    header.baseOffset >= 0
  );
}

const EMPTY_HEADERS: RecordHeader[] = Object.freeze([]) as unknown as RecordHeader[];

/**
 * Decodes the records of a batch whose CRC was checked, appending those with offset >= `minOffset`
 * to `out`. Key, value and header buffers are views into `buf` (no copies).
 */
export function decodeRecords(
  buf: Buffer,
  pos: number,
  header: BatchHeader,
  topic: string,
  partition: number,
  minOffset: number,
  out: LogRecord[],
  limit: number,
): void {
  let p = pos + BATCH_HEADER_SIZE;
  const end = pos + header.sizeInBytes;
  const logAppendTime = (header.attributes & ATTR_LOG_APPEND_TIME) !== 0;

  // Inline varint readers: this loop runs once per record read and dominates fetch cost.
  const readVarint = (): number => {
    let value = 0;
    let shift = 0;
    let b: number;
    do {
      b = buf[p++]!;
      value |= (b & 0x7f) << shift;
      shift += 7;
    } while (b & 0x80);
    return (value >>> 1) ^ -(value & 1);
  };
  const readVarlong = (): number => {
    let value = 0;
    let mul = 1;
    let b: number;
    do {
      b = buf[p++]!;
      value += (b & 0x7f) * mul;
      mul *= 128;
    } while (b & 0x80);
    return value % 2 === 0 ? value / 2 : -(value + 1) / 2;
  };

  for (let i = 0; i < header.recordCount && out.length < limit; i++) {
    if (p >= end) throw new RangeError('record runs past the end of its batch');
    const length = readVarint();
    const next = p + length;
    p++; // attributes
    const timestampDelta = readVarlong();
    const offset = header.baseOffset + readVarint();
    if (offset < minOffset) {
      p = next;
      continue;
    }
    const keyLength = readVarint();
    const key = keyLength < 0 ? null : buf.subarray(p, p + keyLength);
    if (keyLength > 0) p += keyLength;
    const valueLength = readVarint();
    const value = valueLength < 0 ? null : buf.subarray(p, p + valueLength);
    if (valueLength > 0) p += valueLength;
    const headerCount = readVarint();
    let headers = EMPTY_HEADERS;
    if (headerCount > 0) {
      headers = new Array<RecordHeader>(headerCount);
      for (let h = 0; h < headerCount; h++) {
        const hkLength = readVarint();
        const hk = buf.toString('utf8', p, p + hkLength);
        p += hkLength;
        const hvLength = readVarint();
        const hv = hvLength < 0 ? null : buf.subarray(p, p + hvLength);
        if (hvLength > 0) p += hvLength;
        headers[h] = { key: hk, value: hv };
      }
    }
    if (p !== next) throw new RangeError(`record at offset ${offset} has length ${length} but its fields take ${p - next + length}`);
    out.push({
      topic,
      partition,
      offset,
      timestamp: logAppendTime ? header.maxTimestamp : header.baseTimestamp + timestampDelta,
      key,
      value,
      headers,
    });
  }
}
