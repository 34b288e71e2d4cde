/**
 * The vocabulary between the PostgreSQL CDC reader and the connector that wraps it.
 *
 * Delivery contract (at-least-once from the last acknowledged LSN):
 * - The reader hands batches to `CdcHandler.onBatch` one at a time, in commit order: first the
 *   snapshot (op 'r'), then one batch per committed transaction.
 * - The connector calls `reader.acknowledge(batch.offset.lsn)` once the batch is durable in the
 *   log, and persists `batch.offset`. Only acknowledged positions are confirmed to PostgreSQL
 *   (the slot's flush position), so the server keeps everything not yet durable.
 * - After a crash, streaming resumes from the stored offset: transactions that were delivered
 *   but not acknowledged come again (duplicates, same LSN), nothing acknowledged is lost.
 * - A snapshot interrupted before its last batch was acknowledged starts over (the exported
 *   snapshot died with its connection): its 'r' events may repeat.
 */
import type { AvroRecordSchema } from './cdc-avro-schema.ts';

export interface TableId {
  schema: string;
  name: string;
}

/** Debezium's op codes: read (snapshot), create, update, delete. */
export type ChangeOp = 'r' | 'c' | 'u' | 'd';

export interface ColumnInfo {
  /** Column name in PostgreSQL. */
  name: string;
  /** Field name in Avro (the column name, with characters Avro forbids replaced by `_`). */
  field: string;
  /** Type OID of the column's base type (a domain's base type). */
  typeOid: number;
  /** Base type name, e.g. `numeric`, `varchar`, `timestamptz`. */
  typeName: string;
  /** Type modifier: length for varchar, precision/scale for numeric, -1 when none. */
  typeMod: number;
  nullable: boolean;
}

/** One version of a table's shape and the Avro schemas derived from it. */
export interface TableSchema {
  table: TableId;
  columns: ColumnInfo[];
  /** Columns forming the record key: the primary key, else a REPLICA IDENTITY index; [] → key null. */
  keyColumns: string[];
  /** Replica identity as PostgreSQL reports it. */
  replicaIdentity: 'default' | 'nothing' | 'full' | 'index';
  keySchema: AvroRecordSchema | null;
  valueSchema: AvroRecordSchema;
  /** Counts schema changes seen by this reader for the table, from 1. */
  version: number;
  /** Stable text identifying the key and value schemas (equal fingerprints = same schemas). */
  fingerprint: string;
}

export interface ChangeEvent {
  table: TableId;
  op: ChangeOp;
  /** Key column values (Avro-ready), or null for a table without a key. */
  key: Record<string, unknown> | null;
  /** The row after the change (Avro-ready values), null for a delete. */
  after: Record<string, unknown> | null;
  /**
   * The row before the change, when PostgreSQL sends it (REPLICA IDENTITY FULL; for a delete
   * without FULL, the key columns only).
   */
  before?: Record<string, unknown>;
  /**
   * Columns whose value did not change and was not sent (unchanged TOASTed values in an UPDATE
   * without REPLICA IDENTITY FULL). They are absent from `after` — never null: the connector
   * must keep the last known value (or omit the field), not overwrite it with NULL.
   */
  unchangedColumns?: string[];
  /** Commit LSN of the transaction (the snapshot's consistent point for 'r'). */
  lsn: string;
  /** Commit time in epoch milliseconds (the snapshot's start for 'r'). */
  commitTime: number;
  /** The schema version the values follow. */
  schema: TableSchema;
}

/** What the connector persists once a batch is durable, and hands back to `start` on restart. */
export interface CdcOffset {
  /** Resume streaming after this LSN (the end of the last durable transaction). */
  lsn: string;
  /** False while the initial snapshot is still being delivered. */
  snapshotCompleted: boolean;
}

export type ChangeBatch =
  | { kind: 'snapshot'; table: TableId; events: ChangeEvent[]; /** Last batch of the whole snapshot. */ last: boolean; offset: CdcOffset }
  | { kind: 'transaction'; xid: number; commitTime: number; events: ChangeEvent[]; offset: CdcOffset };

export interface CdcHandler {
  /**
   * A table's schema, before the first event that uses it: at start for every table, and after
   * a Relation message that changed it (ALTER TABLE). Register it here; throwing stops the reader.
   */
  onSchema?(schema: TableSchema, previous: TableSchema | undefined): Promise<void>;
  /** A batch of events; the next batch comes only after this promise resolves. */
  onBatch(batch: ChangeBatch): Promise<void>;
  /** Non-fatal findings (TOAST advice, skipped TRUNCATE, ...). */
  onWarning?(message: string): void;
  /** The stream failed after start; the reader is stopped. */
  onError?(error: Error): void;
}
