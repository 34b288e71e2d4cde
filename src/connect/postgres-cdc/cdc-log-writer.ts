/**
 * The CDC reader's handler: writes each batch to the log, then lets the reader confirm it.
 *
 * Delivery guarantee — at-least-once, in commit order per table:
 *   1. every record of the batch is produced and the log acknowledged it (awaited);
 *   2. then `reader.acknowledge(lsn)`: PostgreSQL may release WAL up to that transaction;
 *   3. then the offset `{ lsn, snapshotCompleted }` is stored in `_connector_offsets`.
 * A crash between 1 and 3 re-delivers the batch after restart (duplicates of unacknowledged
 * transactions, same content); nothing the slot confirmed can be missing from the log, because
 * it was confirmed only after the log had it. Readers that must not see duplicates upsert by key
 * (the topics are keyed by primary key), as Flink's upsert sources and our sinks do.
 */
import { maskFields, type MaskRules } from '../postgres/cdc-mask-fields.ts';
import type { CdcHandler, ChangeBatch, ChangeEvent, TableSchema } from '../postgres/cdc-types.ts';
import type { JsonValue } from '../framework/connector.ts';
import type { LogClient, ProduceRecord } from '../../log/log-client.ts';
import { recordValue, RowMemory } from './cdc-row-values.ts';
import { tableKeyOf, wireFormat, type CdcTopicSchemas } from './cdc-topic-schemas.ts';

/** Header holding the source transaction's commit LSN (the snapshot's consistent point for reads). */
export const LSN_HEADER = 'shiftleft.source.lsn';

export interface CdcLogWriterOptions {
  log: LogClient;
  schemas: CdcTopicSchemas;
  mask: MaskRules;
  maskReplacement: string;
  memoryRowsPerTable: number;
  /** Confirms the LSN to PostgreSQL (the reader's acknowledge). */
  acknowledge: (lsn: string) => void;
  storeOffset: (offset: JsonValue) => Promise<void>;
  onWarning: (message: string) => void;
  onError: (error: Error) => void;
}

export interface CdcWriterStats {
  rowsByTopic: Record<string, number>;
  snapshotRows: number;
  transactions: number;
  deletes: number;
  lastLsn: string | null;
  lastCommitTime: number | null;
  snapshotCompleted: boolean;
}

export class CdcLogWriter implements CdcHandler {
  private readonly memory: RowMemory;
  readonly stats: CdcWriterStats = { rowsByTopic: {}, snapshotRows: 0, transactions: 0, deletes: 0, lastLsn: null, lastCommitTime: null, snapshotCompleted: false };

  constructor(private readonly options: CdcLogWriterOptions) {
    this.memory = new RowMemory(options.memoryRowsPerTable);
  }

  async onSchema(schema: TableSchema): Promise<void> {
    await this.options.schemas.register(schema);
  }

  async onBatch(batch: ChangeBatch): Promise<void> {
    const byTopic = new Map<string, ProduceRecord[]>();
    for (const event of batch.events) {
      const { topic, record } = this.toRecord(event);
      let records = byTopic.get(topic);
      if (!records) byTopic.set(topic, (records = []));
      records.push(record);
    }
    // Topics are independent logs: write them in parallel, and only move on once all acknowledged.
    await Promise.all([...byTopic].map(([topic, records]) => this.options.log.produce(topic, records)));
    this.options.acknowledge(batch.offset.lsn);
    await this.options.storeOffset({ lsn: batch.offset.lsn, snapshotCompleted: batch.offset.snapshotCompleted });

    for (const [topic, records] of byTopic) this.stats.rowsByTopic[topic] = (this.stats.rowsByTopic[topic] ?? 0) + records.length;
    if (batch.kind === 'snapshot') this.stats.snapshotRows += batch.events.length;
    else this.stats.transactions++;
    this.stats.lastLsn = batch.offset.lsn;
    this.stats.snapshotCompleted = batch.offset.snapshotCompleted;
    const last = batch.events[batch.events.length - 1];
    if (last) this.stats.lastCommitTime = last.commitTime;
  }

  onWarning(message: string): void {
    this.options.onWarning(message);
  }

  onError(error: Error): void {
    this.options.onError(error);
  }

  private toRecord(original: ChangeEvent): { topic: string; record: ProduceRecord } {
    const event = maskFields(original, this.options.mask, this.options.maskReplacement);
    const encoding = this.options.schemas.forSchema(event.schema);
    const value = recordValue(event, this.memory, tableKeyOf(event.table));
    if (event.op === 'd') this.stats.deletes++;
    const key = event.key && encoding.keyType && encoding.keyId !== undefined ? wireFormat(encoding.keyId, encoding.keyType, event.key) : null;
    return {
      topic: encoding.topic,
      // The commit LSN travels as a header: it identifies the transaction (a re-delivered one has
      // the same LSN), which makes duplicates after a restart recognizable downstream.
      record: { key, value: wireFormat(encoding.valueId, encoding.valueType, value), timestamp: event.commitTime, headers: [{ key: LSN_HEADER, value: Buffer.from(event.lsn) }] },
    };
  }
}
