/**
 * What the engine knows about a table: its columns, key, time attribute and watermark, how its
 * records are encoded, and its changelog mode.
 *
 * As in Confluent Cloud, every topic with a registered value schema is a table and every table
 * is a topic: the columns come from the `<topic>-value` (and `<topic>-key`) schemas, and what a
 * schema cannot say (watermark, changelog mode, computed columns, options) is kept in the
 * catalog's own metadata, set by CREATE TABLE and ALTER TABLE.
 */
import type { SqlType } from '../../types/sql-type.ts';

export type ChangelogMode = 'append' | 'upsert' | 'retract';

export type ColumnKind = 'physical' | 'metadata' | 'computed';

export interface ColumnDescriptor {
  name: string;
  type: SqlType;
  kind: ColumnKind;
  /** For computed columns: the expression's SQL text (bound against the physical columns). */
  expression?: string;
  /** For metadata columns: the metadata key (`timestamp`, `partition`, `offset`, `headers`, ...). */
  metadataKey?: string;
  /** Metadata columns that are read-only (VIRTUAL), and system columns such as `$rowtime`. */
  virtual?: boolean;
  /** The column is read from the record key rather than the value. */
  fromKey?: boolean;
  /** System columns (`$rowtime`) are hidden from `SELECT *` and DESCRIBE shows them apart. */
  system?: boolean;
  comment?: string;
}

export interface WatermarkSpec {
  /** The rowtime column. */
  column: string;
  /** SQL text of the watermark expression, e.g. "`orderdate` - INTERVAL '5' SECOND". */
  expression: string;
}

export type RecordFormat = 'avro-registry' | 'json-registry' | 'proto-registry' | 'raw' | 'none';

export interface TableDescriptor {
  /** Catalog, database and table name; the table name is the topic name. */
  catalog: string;
  database: string;
  name: string;
  columns: ColumnDescriptor[];
  primaryKey: string[] | undefined;
  /** `DISTRIBUTED BY` columns: hashed into the record key. */
  distributedBy: string[] | undefined;
  watermark: WatermarkSpec | undefined;
  changelogMode: ChangelogMode;
  keyFormat: RecordFormat;
  valueFormat: RecordFormat;
  /** `connector` option: 'confluent' (a topic, the default), or a built-in generator/sink such as 'nexmark', 'datagen', 'blackhole'. */
  connector: string;
  /** Options from WITH (...) and ALTER TABLE SET, as strings. */
  options: Record<string, string>;
  comment?: string;
}

/** The `$rowtime` system column every topic-backed table has. */
export const ROWTIME_COLUMN = '$rowtime';

export function physicalColumns(table: TableDescriptor): ColumnDescriptor[] {
  return table.columns.filter((c) => c.kind === 'physical');
}

export function qualifiedName(table: TableDescriptor): string {
  return `\`${table.catalog}\`.\`${table.database}\`.\`${table.name}\``;
}
