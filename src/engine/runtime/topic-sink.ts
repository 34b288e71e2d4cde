/**
 * Writes a changelog of rows into a topic-backed table.
 *
 * Append tables get one record per +I. Tables with a primary key are upsert tables: +I/+U write
 * the row under its key, -D writes a tombstone, -U is skipped (the next +U replaces the row).
 * The record timestamp is the row's rowtime when it has one (so event time survives into the
 * next table's `$rowtime`), else the processing time.
 */
import { ShiftleftError } from '../../common/errors.ts';
import type { LogClient, ProduceRecord, RecordMetadata } from '../../log/log-client.ts';
import type { SchemaStore } from '../../sql/catalog/schema-store.ts';
import type { TableDescriptor } from '../../sql/catalog/table-descriptor.ts';
import { RowKind, type ChangeBatch, type Row } from '../../types/row.ts';
import { RowEncoder } from './record-codec.ts';

export interface TopicSinkOptions {
  log: LogClient;
  schemas: SchemaStore;
  table: TableDescriptor;
  /** Index of the rowtime field in the input rows, if any. */
  rowtimeField: number | undefined;
  now: () => number;
}

/** Where flushed records go: the log itself, or the statement's open transaction. */
export interface RecordWriter {
  produce(topic: string, records: ProduceRecord[]): Promise<RecordMetadata[]>;
}

export class TopicSink {
  /** Set by the checkpointer for exactly-once output; the log itself otherwise. */
  writer: (() => Promise<RecordWriter>) | undefined;
  private valueEncoder!: RowEncoder;
  private keyEncoder: RowEncoder | undefined;
  private keyIndexes: number[] = [];
  private pending: ProduceRecord[] = [];
  recordsWritten = 0;

  constructor(private readonly options: TopicSinkOptions) {}

  private get physical() {
    return this.options.table.columns.filter((c) => c.kind === 'physical');
  }

  async open(): Promise<void> {
    const { table, schemas } = this.options;
    if (table.connector !== 'confluent') {
      throw new ShiftleftError('SQL_UNSUPPORTED', `cannot write to table '${table.name}' with connector '${table.connector}'`);
    }
    const physical = this.physical;
    this.valueEncoder = new RowEncoder(schemas, `${table.name}-value`, physical.map((c) => ({ name: c.name, type: c.type })));
    await this.valueEncoder.open();
    const keyNames = table.primaryKey ?? table.distributedBy;
    if (keyNames) {
      this.keyIndexes = keyNames.map((k) => physical.findIndex((c) => c.name === k));
      this.keyEncoder = new RowEncoder(
        schemas,
        `${table.name}-key`,
        this.keyIndexes.map((i) => ({ name: physical[i]!.name, type: physical[i]!.type })),
      );
      await this.keyEncoder.open();
    }
  }

  write(batch: ChangeBatch): void {
    const upsert = this.options.table.primaryKey !== undefined;
    for (let i = 0; i < batch.rows.length; i++) {
      const kind = batch.kinds === null ? RowKind.Insert : batch.kinds[i]!;
      const row = batch.rows[i]!;
      if (kind === RowKind.UpdateBefore) continue;
      if (kind === RowKind.Delete && !upsert) continue;
      const key = this.keyEncoder ? this.keyEncoder.encode(this.keyIndexes.map((k) => row[k])) : null;
      const timestamp = this.timestampOf(row);
      this.pending.push({ key, value: kind === RowKind.Delete ? null : this.encodeValue(row), timestamp });
    }
  }

  private encodeValue(row: Row): Buffer {
    try {
      return this.valueEncoder.encode(row);
    } catch (error) {
      throw new ShiftleftError('SQL_RUNTIME_ERROR', `cannot write a row to table '${this.options.table.name}': ${(error as Error).message}`, {
        hint: 'a NOT NULL column received NULL, or a value does not fit its column type',
        details: { row: JSON.stringify(row, (_k, v: unknown) => (typeof v === 'bigint' ? String(v) : v)).slice(0, 500) },
        cause: error,
      });
    }
  }

  private timestampOf(row: Row): number {
    const field = this.options.rowtimeField;
    if (field !== undefined) {
      const value = row[field];
      if (typeof value === 'number' && Number.isFinite(value) && value >= 0) return Math.floor(value);
    }
    return this.options.now();
  }

  /** Drops rows not yet flushed (what closing operators emit when a statement is stopped). */
  discardPending(): void {
    this.pending = [];
  }

  get pendingCount(): number {
    return this.pending.length;
  }

  async flush(): Promise<void> {
    if (this.pending.length === 0) return;
    const records = this.pending;
    this.pending = [];
    const writer = this.writer ? await this.writer() : this.options.log;
    await writer.produce(this.options.table.name, records);
    this.recordsWritten += records.length;
  }
}
