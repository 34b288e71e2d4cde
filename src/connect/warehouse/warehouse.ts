/**
 * What a warehouse (DuckDB, PostgreSQL/Redshift) must offer the shared sink core.
 *
 * The core decides *what* to write (tables, columns, collapsed operations, offsets); a warehouse
 * only knows *how* to say it in its SQL. The one promise that makes the sink exactly-once:
 * `writeBatch` applies the rows and stores the consumed offsets in one transaction, so after a
 * crash the stored offsets always describe exactly the rows that are there.
 */
import type { SqlType } from '../../types/sql-type.ts';

/** A warehouse column: name and the SQL type it was mapped from (Avro → SQL, see avro-columns.ts). */
export interface WarehouseColumn {
  name: string;
  type: SqlType;
}

/** A table as the sink wants it. `keyColumns` empty = append-only table. */
export interface TableShape {
  table: string;
  columns: WarehouseColumn[];
  keyColumns: string[];
}

/** A column as the warehouse's catalog reports it, with its type in the warehouse's DDL spelling. */
export interface ExistingColumn {
  name: string;
  type: string;
}

/**
 * What one batch does to one table, already collapsed (one operation per key):
 * rows whose key is in `deleteKeys` are removed first, then `rows` are inserted. An upsert is a
 * key in both; a delete only in `deleteKeys`; an append only in `rows`.
 * Values follow the warehouse value representation (see avro-columns.ts `WarehouseValue`).
 */
export interface TableWrite {
  shape: TableShape;
  /** Key values in `shape.keyColumns` order. */
  deleteKeys: unknown[][];
  /** Rows in `shape.columns` order. */
  rows: unknown[][];
}

/** The next offset to read for a partition (Kafka's committed-offset meaning). */
export interface PartitionOffset {
  topic: string;
  partition: number;
  nextOffset: number;
}

export interface Warehouse {
  /** For messages: `duckdb /path/file.duckdb`, `postgresql://host:port/db`. */
  readonly description: string;
  /** Connects and creates the offsets table when missing. */
  open(): Promise<void>;
  /** Offsets stored by `connector` (resume point after a restart). */
  readOffsets(connector: string): Promise<PartitionOffset[]>;
  /** The table's columns, or undefined when the table does not exist. */
  describeTable(table: string): Promise<ExistingColumn[] | undefined>;
  /** DDL spelling of a SQL type, the same spelling `describeTable` reports. */
  columnType(type: SqlType): string;
  createTable(shape: TableShape): Promise<void>;
  addColumn(table: string, column: WarehouseColumn): Promise<void>;
  /** Applies the writes and stores the offsets of `connector` in one transaction. */
  writeBatch(connector: string, writes: TableWrite[], offsets: PartitionOffset[]): Promise<void>;
  close(): Promise<void>;
}

/** The table holding every sink's consumed offsets, in the warehouse it writes to. */
export const OFFSETS_TABLE = '_shiftleft_offsets';
