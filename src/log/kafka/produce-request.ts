/**
 * Produce requests (v11) with record batches we encode ourselves.
 *
 * Why not the library's encoder: `@platformatic/dynamic-buffer` 0.3.1 (under
 * `@platformatic/kafka` 1.35) zigzag-encodes 64-bit varints as `(v << 1) ^ (v >> 31)` instead of
 * `>> 63`, so a record whose timestamp differs from the batch's first timestamp by 2^31 ms
 * (~25 days) or more, or by any negative amount of that size, is written with a wrong timestamp.
 * LogClient callers set arbitrary timestamps (CDC, replays), so we write the batch bytes here
 * (Kafka's magic-2 format, idempotent producer fields) and reuse only the request framing and
 * the response parser of the library.
 */
import { createAPI, crc32c, produceV11, Writer } from '@platformatic/kafka';

export interface BatchRecord {
  key: Buffer | null;
  value: Buffer | null;
  headers: [Buffer, Buffer | null][];
  timestamp: number;
}

export interface BatchProducer {
  producerId: bigint;
  producerEpoch: number;
  baseSequence: number;
  /** Part of a transaction (attributes bit 4): hidden from read_committed readers until its marker. */
  transactional?: boolean;
}

/** A record on its way to a partition: its index in the caller's array and its encoded form. */
export interface PlannedRecord {
  index: number;
  partition: number;
  record: BatchRecord;
}

const ATTRIBUTE_TRANSACTIONAL = 0x10;

/** Bytes of an unsigned varint (values up to 2^53). */
function sizeOfUnsigned(value: number): number {
  let n = 1;
  while (value >= 0x80) {
    value = Math.floor(value / 0x80);
    n++;
  }
  return n;
}

/** Zigzag of a signed integer (|value| < 2^52), as Kafka's varint/varlong. */
function zigzag(value: number): number {
  return value >= 0 ? value * 2 : -value * 2 - 1;
}

function writeUnsigned(buf: Buffer, pos: number, value: number): number {
  while (value >= 0x80) {
    buf[pos++] = (value % 0x80) | 0x80;
    value = Math.floor(value / 0x80);
  }
  buf[pos++] = value;
  return pos;
}

const sizeOfSigned = (value: number): number => sizeOfUnsigned(zigzag(value));
const writeSigned = (buf: Buffer, pos: number, value: number): number => writeUnsigned(buf, pos, zigzag(value));

function bodySize(r: BatchRecord, index: number, baseTimestamp: number): number {
  let size = 1 + sizeOfSigned(r.timestamp - baseTimestamp) + sizeOfSigned(index);
  size += r.key === null ? 1 : sizeOfSigned(r.key.length) + r.key.length;
  size += r.value === null ? 1 : sizeOfSigned(r.value.length) + r.value.length;
  size += sizeOfSigned(r.headers.length);
  for (const [k, v] of r.headers) {
    size += sizeOfSigned(k.length) + k.length;
    size += v === null ? 1 : sizeOfSigned(v.length) + v.length;
  }
  return size;
}

const HEADER = 61;

/** One magic-2 record batch (uncompressed) for an idempotent or transactional producer. */
export function encodeRecordBatch(records: BatchRecord[], producer: BatchProducer): Buffer {
  if (records.length === 0) throw new Error('a record batch needs at least one record');
  const baseTimestamp = records[0]!.timestamp;
  let maxTimestamp = baseTimestamp;
  const bodies = records.map((r, i) => {
    if (r.timestamp > maxTimestamp) maxTimestamp = r.timestamp;
    return bodySize(r, i, baseTimestamp);
  });
  const total = HEADER + bodies.reduce((n, b) => n + sizeOfSigned(b) + b, 0);
  const buf = Buffer.allocUnsafe(total);
  buf.writeBigInt64BE(0n, 0); // baseOffset: the broker assigns it
  buf.writeInt32BE(total - 12, 8); // batchLength
  buf.writeInt32BE(-1, 12); // partitionLeaderEpoch
  buf.writeInt8(2, 16); // magic
  // crc at 17, written last
  // attributes: no compression, CreateTime, transactional or not, never a control batch
  buf.writeInt16BE(producer.transactional ? ATTRIBUTE_TRANSACTIONAL : 0, 21);
  buf.writeInt32BE(records.length - 1, 23); // lastOffsetDelta
  buf.writeBigInt64BE(BigInt(baseTimestamp), 27);
  buf.writeBigInt64BE(BigInt(maxTimestamp), 35);
  buf.writeBigInt64BE(producer.producerId, 43);
  buf.writeInt16BE(producer.producerEpoch, 51);
  buf.writeInt32BE(producer.baseSequence, 53);
  buf.writeInt32BE(records.length, 57);
  let pos = HEADER;
  records.forEach((r, i) => {
    pos = writeSigned(buf, pos, bodies[i]!);
    buf[pos++] = 0; // record attributes
    pos = writeSigned(buf, pos, r.timestamp - baseTimestamp);
    pos = writeSigned(buf, pos, i);
    if (r.key === null) pos = writeSigned(buf, pos, -1);
    else {
      pos = writeSigned(buf, pos, r.key.length);
      pos += r.key.copy(buf, pos);
    }
    if (r.value === null) pos = writeSigned(buf, pos, -1);
    else {
      pos = writeSigned(buf, pos, r.value.length);
      pos += r.value.copy(buf, pos);
    }
    pos = writeSigned(buf, pos, r.headers.length);
    for (const [k, v] of r.headers) {
      pos = writeSigned(buf, pos, k.length);
      pos += k.copy(buf, pos);
      if (v === null) pos = writeSigned(buf, pos, -1);
      else {
        pos = writeSigned(buf, pos, v.length);
        pos += v.copy(buf, pos);
      }
    }
  });
  if (pos !== total) throw new Error(`record batch size mismatch: wrote ${pos} of ${total} bytes`);
  buf.writeUInt32BE(crc32c(buf.subarray(21)) >>> 0, 17);
  return buf;
}

export interface PartitionBatch {
  partition: number;
  batch: Buffer;
}

/**
 * Produce v11 request: one topic, one batch per partition.
 *
 *   Produce Request (Version: 11) => transactional_id acks timeout_ms [topic_data] TAG_BUFFER
 *     transactional_id => COMPACT_NULLABLE_STRING   (null for the idempotent producer)
 *     topic_data => name [partition_data] TAG_BUFFER
 *       partition_data => index records TAG_BUFFER
 *         records => COMPACT_RECORDS
 */
function createRequest(acks: number, timeoutMs: number, topic: string, partitions: PartitionBatch[], transactionalId: string | null): Writer {
  return Writer.create()
    .appendString(transactionalId)
    .appendInt16(acks)
    .appendInt32(timeoutMs)
    .appendArray([topic], (w, name) => {
      w.appendString(name).appendArray(partitions, (w2, p) => {
        w2.appendInt32(p.partition)
          .appendUnsignedVarInt(p.batch.length + 1)
          .append(p.batch);
      });
    })
    .appendTaggedFields();
}

export const produceApi = createAPI<[acks: number, timeoutMs: number, topic: string, partitions: PartitionBatch[], transactionalId: string | null], produceV11.ProduceResponse>(
  0,
  11,
  createRequest,
  produceV11.parseResponse,
);
