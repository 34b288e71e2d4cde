/**
 * Log compaction for `cleanup.policy=compact`: keep the latest record of every key.
 *
 * Kafka's rules, which consumers rely on:
 * - offsets never change: a kept record keeps its offset, and gaps are normal;
 * - the active segment is never rewritten (it is still being appended to);
 * - a tombstone (null value) stays for `delete.retention.ms` so that consumers that are behind
 *   still see the delete; after that it disappears too;
 * - records younger than `min.compaction.lag.ms` are never removed.
 *
 * - transactions: only what is below the last stable offset is compacted; markers and the
 *   batches of aborted transactions are dropped (an aborted write never shadows a committed one),
 *   and the survivors are rewritten as plain batches, which read_committed readers accept.
 *
 * One pass: (1) build the map key -> latest offset over the whole partition, active segment
 * included (a newer value there makes older ones removable); (2) rewrite every sealed segment
 * that holds a removable record into `<base>.log.cleaned`, fsync it, and rename it over the old
 * file (atomic: a crash leaves either version, and open() drops stray `.cleaned` files).
 */
import { closeSync, fdatasyncSync, openSync, writeSync } from 'node:fs';
import type { LogRecord } from '../log-client.ts';
import type { TopicConfig } from '../topic-config.ts';
import { PartitionLog } from './partition-log.ts';
import { ATTR_CONTROL, ATTR_TRANSACTIONAL, decodeRecords, encodeBatch, type EncodableRecord } from './record-batch.ts';
import { Segment } from './segment.ts';

export interface CompactionStats {
  segmentsRewritten: number;
  recordsRemoved: number;
  tombstonesRemoved: number;
}

const MAX_RECORDS_PER_BATCH = 1000;

function keyOf(key: Buffer): string {
  return key.toString('latin1');
}

/** The committed records of a segment below `stableOffset` (markers and aborted batches left out). */
function readAll(segment: Segment, partition: PartitionLog, visit: (records: LogRecord[]) => void, stableOffset = Number.MAX_SAFE_INTEGER): void {
  PartitionLog.forEachBatch(segment, (buf, position, header) => {
    if (header.baseOffset >= stableOffset) return false;
    if ((header.attributes & ATTR_CONTROL) !== 0) return;
    if ((header.attributes & ATTR_TRANSACTIONAL) !== 0 && partition.isAborted(header.producerId, header.baseOffset)) return;
    const out: LogRecord[] = [];
    decodeRecords(buf, position, header, partition.topic, partition.partition, 0, out, Number.MAX_SAFE_INTEGER);
    visit(out);
  });
}

/** Markers or aborted batches to drop make a segment worth rewriting. */
function hasTransactionalBatches(segment: Segment): boolean {
  let found = false;
  PartitionLog.forEachBatch(segment, (_buf, _position, header) => {
    if ((header.attributes & (ATTR_CONTROL | ATTR_TRANSACTIONAL)) !== 0) {
      found = true;
      return false;
    }
    return undefined;
  });
  return found;
}

export function compactPartition(partition: PartitionLog, config: TopicConfig, now: number): CompactionStats {
  const stats: CompactionStats = { segmentsRewritten: 0, recordsRemoved: 0, tombstonesRemoved: 0 };
  // An open transaction may still abort: nothing at or past its first offset is settled.
  const stable = partition.lastStableOffset;
  const sealed = partition.segments.filter((s) => s !== partition.active && s.nextOffset <= stable);
  if (sealed.length === 0 || partition.appendedSinceClean === 0) return stats;

  const latest = new Map<string, number>();
  for (const segment of partition.segments) {
    readAll(
      segment,
      partition,
      (records) => {
        for (const r of records) if (r.key !== null) latest.set(keyOf(r.key), r.offset);
      },
      stable,
    );
  }

  const lagHorizon = now - config['min.compaction.lag.ms'];
  const tombstoneHorizon = now - config['delete.retention.ms'];
  const keep = (r: LogRecord): boolean => {
    if (r.key === null) return true; // cannot be produced to a compacted topic; never drop data we do not understand
    if (r.timestamp > lagHorizon) return true;
    const isLatest = latest.get(keyOf(r.key)) === r.offset;
    if (!isLatest) return false;
    return r.value !== null || r.timestamp > tombstoneHorizon;
  };

  const replacements = new Map<Segment, Segment | null>();
  for (const segment of sealed) {
    let removable = hasTransactionalBatches(segment);
    readAll(segment, partition, (records) => {
      if (!removable && records.some((r) => !keep(r))) removable = true;
    });
    if (!removable) continue;

    const cleanedPath = segment.path + '.cleaned';
    const fd = openSync(cleanedPath, 'w');
    let kept = 0;
    try {
      readAll(segment, partition, (records) => {
        const survivors: EncodableRecord[] = [];
        for (const r of records) {
          if (keep(r)) {
            survivors.push({ offset: r.offset, timestamp: r.timestamp, key: r.key, value: r.value, headers: r.headers });
          } else if (r.value === null) {
            stats.tombstonesRemoved++;
          } else {
            stats.recordsRemoved++;
          }
        }
        for (let i = 0; i < survivors.length; i += MAX_RECORDS_PER_BATCH) {
          const bytes = encodeBatch(survivors.slice(i, i + MAX_RECORDS_PER_BATCH));
          let written = 0;
          while (written < bytes.length) written += writeSync(fd, bytes, written);
        }
        kept += survivors.length;
      });
      fdatasyncSync(fd);
    } finally {
      closeSync(fd);
    }
    stats.segmentsRewritten++;
    if (kept === 0 && segment !== sealed[0]) {
      // An emptied middle segment can go: readers skip to the next segment's base offset.
      segment.delete();
      replacements.set(segment, null);
      Segment.discard(cleanedPath);
    } else {
      replacements.set(segment, Segment.replaceWith(segment, cleanedPath));
    }
  }
  if (replacements.size > 0) partition.replaceSegments(replacements);
  partition.appendedSinceClean = 0;
  return stats;
}
