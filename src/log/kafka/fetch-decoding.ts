/**
 * Turns the record batches of one partition of a Fetch response into LogRecords: skips records
 * before the requested offset (Kafka answers from the start of the batch holding it), control
 * batches (transaction markers take offsets but are not records) and, for read_committed,
 * records of aborted transactions; applies LogAppendTime timestamps; stops at the record and byte
 * limits and computes the next offset to fetch.
 */
import type { RecordsBatch } from '@platformatic/kafka';
import type { IsolationLevel, LogRecord, RecordHeader } from '../log-client.ts';

const IS_TRANSACTIONAL = 0x10;
const IS_CONTROL = 0x20;
const LOG_APPEND_TIME = 0x08;

export interface AbortedTransaction {
  producerId: bigint;
  firstOffset: bigint;
}

export interface DecodeLimits {
  maxRecords: number;
  maxBytes: number;
  isolation: IsolationLevel;
  /** Records already taken by earlier partitions of the same poll (shared budgets). */
  takenRecords?: number;
  takenBytes?: number;
}

export interface DecodedPartition {
  records: LogRecord[];
  nextOffset: number;
  bytes: number;
  /** True when a limit stopped decoding before the end of what Kafka returned. */
  truncated: boolean;
}

function recordSize(key: Buffer | null, value: Buffer | null, headers: [Buffer | null, Buffer | null][]): number {
  let size = (key?.length ?? 0) + (value?.length ?? 0) + 16;
  for (const [k, v] of headers) size += (k?.length ?? 0) + (v?.length ?? 0);
  return size;
}

/** The transaction marker type of a control batch: 0 abort, 1 commit (from its record key). */
function controlType(batch: RecordsBatch): number {
  const key = batch.records[0]?.key;
  return key && key.length >= 4 ? key.readInt16BE(2) : -1;
}

export function decodePartition(
  topic: string,
  partition: number,
  batches: RecordsBatch[] | undefined,
  aborted: AbortedTransaction[] | undefined,
  fromOffset: number,
  limits: DecodeLimits,
): DecodedPartition {
  const records: LogRecord[] = [];
  let nextOffset = fromOffset;
  let bytes = 0;
  const maxRecords = limits.maxRecords - (limits.takenRecords ?? 0);
  const maxBytes = limits.maxBytes - (limits.takenBytes ?? 0);
  const anyTaken = (limits.takenRecords ?? 0) > 0;
  const readCommitted = limits.isolation === 'read_committed';
  const pendingAborts = readCommitted ? [...(aborted ?? [])].sort((a, b) => (a.firstOffset < b.firstOffset ? -1 : 1)) : [];
  const abortedProducers = new Set<bigint>();

  for (const batch of batches ?? []) {
    const first = Number(batch.firstOffset);
    const last = first + batch.lastOffsetDelta;
    if (last < fromOffset) continue;
    if (readCommitted) {
      while (pendingAborts.length > 0 && Number(pendingAborts[0]!.firstOffset) <= last) {
        abortedProducers.add(pendingAborts.shift()!.producerId);
      }
    }
    if ((batch.attributes & IS_CONTROL) !== 0) {
      if (readCommitted && controlType(batch) === 0) abortedProducers.delete(batch.producerId);
      nextOffset = Math.max(nextOffset, last + 1);
      continue;
    }
    if (readCommitted && (batch.attributes & IS_TRANSACTIONAL) !== 0 && abortedProducers.has(batch.producerId)) {
      nextOffset = Math.max(nextOffset, last + 1);
      continue;
    }
    const logAppendTime = (batch.attributes & LOG_APPEND_TIME) !== 0;
    const firstTimestamp = Number(batch.firstTimestamp);
    for (const r of batch.records) {
      const offset = first + r.offsetDelta;
      if (offset < fromOffset) continue;
      const size = recordSize(r.key, r.value, r.headers);
      const budgetUsed = records.length > 0 || anyTaken;
      if (records.length >= maxRecords || (budgetUsed && bytes + size > maxBytes)) {
        return { records, nextOffset, bytes, truncated: true };
      }
      const headers: RecordHeader[] = r.headers.map(([k, v]) => ({ key: k ? k.toString('utf8') : '', value: v }));
      records.push({
        topic,
        partition,
        offset,
        timestamp: logAppendTime ? Number(batch.maxTimestamp) : firstTimestamp + Number(r.timestampDelta),
        key: r.key,
        value: r.value,
        headers,
      });
      bytes += size;
      nextOffset = offset + 1;
    }
    // Offsets at the end of a batch can be missing after compaction: continue past the batch.
    nextOffset = Math.max(nextOffset, last + 1);
  }
  return { records, nextOffset, bytes, truncated: false };
}
