/**
 * Reads one partition from its start (or `from`) to the end it had when the call began: how
 * the platform's parts rebuild their state from their compacted internal topics (`_schemas`,
 * `_catalog`, `_table_metadata`, `_connectors`, ...). Records appended during the replay are
 * left for the caller's own writes to account for. Returns the next offset to read.
 */
import type { IsolationLevel, LogClient, LogRecord, TopicPartition } from './log-client.ts';

export async function replayPartition(
  log: Pick<LogClient, 'fetch' | 'listOffsets'>,
  partition: TopicPartition,
  visit: (record: LogRecord) => void,
  from?: number,
  isolation: IsolationLevel = 'read_uncommitted',
): Promise<number> {
  const end = await log.listOffsets(partition, 'latest');
  let offset = Math.max(from ?? 0, await log.listOffsets(partition, 'earliest'));
  while (offset < end) {
    // read_committed stops at the last stable offset (an open transaction): so does the replay.
    const page = await log.fetch(partition, offset, { maxRecords: 10_000, isolation });
    for (const record of page.records) visit(record);
    // Compaction can leave the rest of the range empty: stop rather than spin.
    if (page.nextOffset <= offset) break;
    offset = page.nextOffset;
  }
  return offset;
}
