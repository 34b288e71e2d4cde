/**
 * The SQL catalog: tables are topics (with their registered schemas) plus what only SQL can say
 * about them (watermarks, changelog mode, computed columns, options), which this catalog keeps
 * in the compacted internal topic `_table_metadata`, one record per table. Storing it in the log
 * (not in a file) means it works the same on the embedded log and on Kafka, and survives
 * restarts like everything else.
 *
 * Names: `t`, `db.t` or `catalog.db.t`; the catalog and database of this platform are fixed
 * names (default `shiftleft` and `main`); any other is an error that lists the valid ones.
 */
import { ShiftleftError } from '../../common/errors.ts';
import type { LogClient } from '../../log/log-client.ts';
import { replayPartition } from '../../log/replay.ts';
import { T } from '../../types/sql-type.ts';
import { avroSchemaToColumns, avroToSqlType, columnsToAvroSchema } from './avro-mapping.ts';
import { columnsToJsonSchema, jsonSchemaToColumns } from './json-schema-mapping.ts';
import { columnsToProtobufSchema, protobufSchemaToColumns } from './protobuf-mapping.ts';
import type { SchemaStore } from './schema-store.ts';
import { ROWTIME_COLUMN, type ChangelogMode, type ColumnDescriptor, type RecordFormat, type TableDescriptor, type WatermarkSpec } from './table-descriptor.ts';

export const TABLE_METADATA_TOPIC = '_table_metadata';

/** The default watermark of every topic-backed table: `$rowtime` minus a fixed delay. */
export const SOURCE_WATERMARK = 'SOURCE_WATERMARK()';

/** Connectors that are not topics: generators and sinks built into the engine. */
export const BUILT_IN_CONNECTORS = ['nexmark', 'datagen', 'blackhole', 'print'] as const;

/** What the catalog stores for a table beyond its topic and schemas. */
export interface TableMetadata {
  name: string;
  primaryKey?: string[];
  distributedBy?: string[];
  watermark?: WatermarkSpec;
  changelogMode?: ChangelogMode;
  /** Computed and metadata columns, in declaration order (physical columns come from the schema). */
  extraColumns?: ColumnDescriptor[];
  /** Physical columns, for tables whose connector is not a topic (no schema to read them from). */
  columns?: ColumnDescriptor[];
  options?: Record<string, string>;
  comment?: string;
}

export interface CreateTableDefinition {
  name: string;
  /** All declared columns in order (physical, computed, metadata). */
  columns: ColumnDescriptor[];
  primaryKey?: string[];
  distributedBy?: string[];
  buckets?: number;
  watermark?: WatermarkSpec;
  options: Record<string, string>;
  comment?: string;
}

export interface CatalogOptions {
  log: LogClient;
  schemas: SchemaStore;
  catalogName?: string;
  databaseName?: string;
}

export class Catalog {
  readonly catalogName: string;
  readonly databaseName: string;
  private readonly metadata = new Map<string, TableMetadata>();
  private loaded = false;

  constructor(private readonly options: CatalogOptions) {
    this.catalogName = options.catalogName ?? 'shiftleft';
    this.databaseName = options.databaseName ?? 'main';
  }

  private get log(): LogClient {
    return this.options.log;
  }

  /** Reads `_table_metadata` (creating it on first use). */
  async load(): Promise<void> {
    if (this.loaded) return;
    await this.log.createTopic(TABLE_METADATA_TOPIC, { ifNotExists: true, config: { 'cleanup.policy': 'compact' } });
    await replayPartition(this.log, { topic: TABLE_METADATA_TOPIC, partition: 0 }, (r) => {
      const name = r.key!.toString('utf8');
      if (r.value === null) this.metadata.delete(name);
      else this.metadata.set(name, JSON.parse(r.value.toString('utf8')) as TableMetadata);
    });
    this.loaded = true;
  }

  private async saveMetadata(meta: TableMetadata | null, name: string): Promise<void> {
    await this.log.produce(TABLE_METADATA_TOPIC, [{ key: Buffer.from(name), value: meta === null ? null : Buffer.from(JSON.stringify(meta)) }]);
    if (meta === null) this.metadata.delete(name);
    else this.metadata.set(name, meta);
  }

  /** The table name of a 1-3 part name, after checking the catalog and database parts. */
  tableName(parts: string[]): string {
    const name = parts[parts.length - 1]!;
    const db = parts.length >= 2 ? parts[parts.length - 2]! : this.databaseName;
    const catalog = parts.length === 3 ? parts[0]! : this.catalogName;
    if (parts.length > 3 || catalog !== this.catalogName || db !== this.databaseName) {
      throw new ShiftleftError('SQL_UNKNOWN_TABLE', `unknown catalog or database in '${parts.join('.')}'`, {
        hint: `this platform's catalog is \`${this.catalogName}\` and its database \`${this.databaseName}\`: write \`${this.catalogName}\`.\`${this.databaseName}\`.\`${name}\` or just \`${name}\``,
      });
    }
    return name;
  }

  async getTable(parts: string[]): Promise<TableDescriptor | undefined> {
    await this.load();
    const name = this.tableName(parts);
    const meta = this.metadata.get(name);
    const connector = meta?.options?.connector ?? 'confluent';
    if (connector !== 'confluent') {
      if (!meta?.columns) return undefined;
      return this.describe(name, meta.columns, meta, connector);
    }
    const topics = await this.log.listTopics({ includeInternal: false });
    if (!topics.includes(name)) return undefined;
    const value = await this.options.schemas.latest(`${name}-value`);
    if (!value) return undefined;
    const key = await this.options.schemas.latest(`${name}-key`);
    if (value.schemaType === 'JSON' || value.schemaType === 'PROTOBUF') {
      // JSON Schema and Protobuf values: columns from the value schema; key columns from an Avro key schema.
      const valueColumns = value.schemaType === 'JSON' ? jsonSchemaToColumns(value.schema) : protobufSchemaToColumns(value.schema);
      const keyColumns = key?.schemaType === 'AVRO' ? avroKeyColumns(key.schema).filter((c) => !valueColumns.some((v) => v.name === c.name)) : [];
      return this.describe(name, [...keyColumns, ...valueColumns], meta, connector, value.schemaType === 'JSON' ? 'json-registry' : 'proto-registry');
    }
    if (value.schemaType !== 'AVRO') {
      throw new ShiftleftError('SQL_UNSUPPORTED', `table '${name}' has a ${value.schemaType} value schema, which has no SQL mapping`, {
        hint: 'register an Avro, JSON Schema or Protobuf schema for the topic to query it with SQL',
      });
    }
    const columns = avroSchemaToColumns(value.schema, key?.schemaType === 'AVRO' ? key.schema : undefined);
    return this.describe(name, columns, meta, connector);
  }

  private describe(name: string, physical: ColumnDescriptor[], meta: TableMetadata | undefined, connector: string, valueFormat: RecordFormat = 'avro-registry'): TableDescriptor {
    const columns = [...physical, ...(meta?.extraColumns ?? [])];
    const isTopic = connector === 'confluent';
    if (isTopic && !columns.some((c) => c.name === ROWTIME_COLUMN)) {
      columns.push({ name: ROWTIME_COLUMN, type: T.timestampLtz(3, false), kind: 'metadata', metadataKey: 'timestamp', virtual: true, system: true });
    }
    const primaryKey = meta?.primaryKey;
    return {
      catalog: this.catalogName,
      database: this.databaseName,
      name,
      columns,
      primaryKey,
      distributedBy: meta?.distributedBy,
      watermark: meta?.watermark ?? (isTopic ? { column: ROWTIME_COLUMN, expression: SOURCE_WATERMARK } : undefined),
      changelogMode: meta?.changelogMode ?? (primaryKey ? 'upsert' : 'append'),
      keyFormat: primaryKey || meta?.distributedBy ? 'avro-registry' : 'none',
      valueFormat: isTopic ? valueFormat : 'none',
      connector,
      options: meta?.options ?? {},
      comment: meta?.comment,
    };
  }

  async listTables(): Promise<string[]> {
    await this.load();
    const topics = new Set(await this.log.listTopics());
    const subjects = new Set(await this.options.schemas.subjects());
    const names = [...topics].filter((t) => subjects.has(`${t}-value`));
    for (const [name, meta] of this.metadata) if (meta.options?.connector && meta.options.connector !== 'confluent') names.push(name);
    return [...new Set(names)].sort();
  }

  /**
   * CREATE TABLE: creates the topic (compacted when there is a primary key), registers the
   * `<t>-value` schema (and `<t>-key` for a key), and stores the SQL-only metadata.
   */
  async createTable(def: CreateTableDefinition, ifNotExists: boolean): Promise<'created' | 'exists'> {
    await this.load();
    const existing = await this.getTable([def.name]).catch(() => undefined);
    if (existing) {
      if (ifNotExists) return 'exists';
      throw new ShiftleftError('SQL_VALIDATION_ERROR', `table '${def.name}' already exists`, {
        hint: 'use CREATE TABLE IF NOT EXISTS, or DROP TABLE first',
        details: { table: def.name },
      });
    }
    const connector = def.options.connector ?? 'confluent';
    const physical = def.columns.filter((c) => c.kind === 'physical');
    const extraColumns = def.columns.filter((c) => c.kind !== 'physical');
    // A blackhole drops whatever it gets, so (as in Flink) it takes any changelog, updates too.
    const changelogMode = (def.options['changelog.mode'] as ChangelogMode | undefined) ?? (def.primaryKey ? 'upsert' : connector === 'blackhole' ? 'retract' : 'append');
    const options = { ...def.options };
    delete options['changelog.mode'];
    const meta: TableMetadata = {
      name: def.name,
      primaryKey: def.primaryKey,
      distributedBy: def.distributedBy,
      watermark: def.watermark,
      changelogMode,
      extraColumns,
      options,
      comment: def.comment,
    };
    if (connector !== 'confluent') {
      if (!(BUILT_IN_CONNECTORS as readonly string[]).includes(connector)) {
        throw new ShiftleftError('SQL_VALIDATION_ERROR', `unknown connector '${connector}' for table '${def.name}'`, {
          hint: `leave 'connector' out for a topic-backed table, or use one of: ${BUILT_IN_CONNECTORS.join(', ')}`,
        });
      }
      meta.columns = physical;
      await this.saveMetadata(meta, def.name);
      return 'created';
    }
    const partitions = Number(def.options['kafka.partitions'] ?? def.buckets ?? 1);
    const compacted = changelogMode === 'upsert' || def.options['kafka.cleanup-policy'] === 'compact';
    await this.log.createTopic(def.name, {
      partitions,
      ifNotExists: true,
      config: compacted ? { 'cleanup.policy': 'compact' } : {},
    });
    const recordName = def.name.replace(/[^A-Za-z0-9_]/g, '_');
    await this.registerValueSchema(def, physical, recordName);
    const keyColumns = def.primaryKey ?? def.distributedBy;
    if (keyColumns) {
      const keyFields = keyColumns.map((k) => physical.find((c) => c.name === k)!).map((c) => ({ name: c.name, type: c.type }));
      await this.options.schemas.register(`${def.name}-key`, 'AVRO', columnsToAvroSchema(keyFields, `${recordName}_key`));
    }
    await this.saveMetadata(meta, def.name);
    return 'created';
  }

  /** Registers `<t>-value` in the format of `'value.format'` (Avro unless it says JSON Schema or Protobuf). */
  private async registerValueSchema(def: CreateTableDefinition, physical: ColumnDescriptor[], recordName: string): Promise<void> {
    const subject = `${def.name}-value`;
    const format = def.options['value.format'] ?? 'avro-registry';
    if (format === 'json-registry') await this.options.schemas.register(subject, 'JSON', columnsToJsonSchema(physical, `${recordName}_value`));
    else if (format === 'proto-registry') await this.options.schemas.register(subject, 'PROTOBUF', columnsToProtobufSchema(physical, `${recordName}_value`));
    else if (format === 'avro-registry') await this.options.schemas.register(subject, 'AVRO', columnsToAvroSchema(physical, `${recordName}_value`));
    else {
      throw new ShiftleftError('SQL_VALIDATION_ERROR', `unknown value.format '${format}' for table '${def.name}'`, {
        hint: "use 'avro-registry' (the default), 'json-registry' or 'proto-registry'",
      });
    }
  }

  private requireMeta(name: string): TableMetadata {
    return this.metadata.get(name) ?? { name };
  }

  async setWatermark(parts: string[], watermark: WatermarkSpec | undefined): Promise<void> {
    const name = await this.requireTable(parts);
    await this.saveMetadata({ ...this.requireMeta(name), watermark }, name);
  }

  async setOptions(parts: string[], set: Record<string, string>, reset: string[] = []): Promise<void> {
    const name = await this.requireTable(parts);
    const meta = { ...this.requireMeta(name) };
    const options = { ...(meta.options ?? {}) };
    for (const key of reset) {
      if (key === 'changelog.mode') delete meta.changelogMode;
      delete options[key];
    }
    for (const [key, value] of Object.entries(set)) {
      if (key === 'changelog.mode') {
        if (!['append', 'upsert', 'retract'].includes(value)) {
          throw new ShiftleftError('SQL_VALIDATION_ERROR', `invalid changelog.mode '${value}'`, { hint: "use 'append', 'upsert' or 'retract'" });
        }
        meta.changelogMode = value as ChangelogMode;
      } else {
        options[key] = value;
      }
    }
    meta.options = options;
    await this.saveMetadata(meta, name);
  }

  async addColumns(parts: string[], columns: ColumnDescriptor[]): Promise<void> {
    const name = await this.requireTable(parts);
    const meta = this.requireMeta(name);
    await this.saveMetadata({ ...meta, extraColumns: [...(meta.extraColumns ?? []), ...columns] }, name);
  }

  async dropTable(parts: string[], ifExists: boolean): Promise<void> {
    await this.load();
    const name = this.tableName(parts);
    const table = await this.getTable(parts);
    if (!table) {
      if (ifExists) return;
      throw this.unknownTable(name);
    }
    if (table.connector === 'confluent') await this.log.deleteTopic(name);
    if (this.metadata.has(name)) await this.saveMetadata(null, name);
  }

  private async requireTable(parts: string[]): Promise<string> {
    const table = await this.getTable(parts);
    if (!table) throw this.unknownTable(this.tableName(parts));
    return table.name;
  }

  unknownTable(name: string): ShiftleftError {
    return new ShiftleftError('SQL_UNKNOWN_TABLE', `table '${name}' does not exist`, {
      hint: 'SHOW TABLES lists the tables; a topic becomes a table once it has a registered value schema',
      details: { table: name },
    });
  }
}

/** Columns read from an Avro key schema (a record's fields, or one `key` column). */
function avroKeyColumns(keySchema: string): ColumnDescriptor[] {
  const key = avroToSqlType(JSON.parse(keySchema) as Parameters<typeof avroToSqlType>[0]);
  const fields = key.kind === 'ROW' ? key.fields : [{ name: 'key', type: key }];
  return fields.map((f) => ({ name: f.name, type: f.type, kind: 'physical', fromKey: true }));
}
