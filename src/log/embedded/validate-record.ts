/**
 * Checks a record handed to `produce` before anything is written, so a bad record in a call
 * refuses the call and leaves the log as it was.
 */
import { ShiftleftError } from '../../common/errors.ts';
import type { ProduceRecord } from '../log-client.ts';

function bad(index: number, topic: string, what: string, hint?: string): never {
  throw new ShiftleftError('INVALID_RECORD', `record #${index} for topic '${topic}': ${what}`, {
    hint,
    details: { topic, index },
  });
}

export function validateProduceRecord(record: ProduceRecord, index: number, topic: string, partitions: number, compacted: boolean): void {
  if (record === null || typeof record !== 'object') bad(index, topic, 'is not an object');
  const { key, value, headers, timestamp, partition } = record;
  if (key !== undefined && key !== null && !Buffer.isBuffer(key)) bad(index, topic, 'key must be a Buffer or null');
  if (value !== null && !Buffer.isBuffer(value)) bad(index, topic, 'value must be a Buffer or null (null is a tombstone)');
  if (compacted && (key === undefined || key === null)) {
    bad(index, topic, 'a compacted topic needs a key on every record', 'give the record a key, or use a topic with cleanup.policy=delete');
  }
  if (timestamp !== undefined && (!Number.isSafeInteger(timestamp) || timestamp < 0)) {
    bad(index, topic, `timestamp ${String(timestamp)} is not a non-negative integer of epoch milliseconds`);
  }
  if (partition !== undefined) {
    if (!Number.isInteger(partition) || partition < 0 || partition >= partitions) {
      throw new ShiftleftError('PARTITION_NOT_FOUND', `record #${index}: topic '${topic}' has no partition ${String(partition)}`, {
        hint: `partitions are numbered 0..${partitions - 1}`,
        details: { topic, partition, partitions },
      });
    }
  }
  if (headers !== undefined) {
    if (!Array.isArray(headers)) bad(index, topic, 'headers must be an array of { key, value }');
    for (const h of headers) {
      if (!h || typeof h.key !== 'string') bad(index, topic, 'every header needs a string key');
      if (h.value !== null && !Buffer.isBuffer(h.value)) bad(index, topic, `header '${h.key}' value must be a Buffer or null`);
    }
  }
}
