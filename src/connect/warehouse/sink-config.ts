/**
 * Settings every warehouse sink shares (the DuckDB and PostgreSQL sinks add where to write).
 */
import { configInvalid } from '../framework/connector-config.ts';

export type SinkMode = 'auto' | 'append' | 'upsert';

export interface WarehouseSinkConfig {
  /** Topics to consume; each lands in one table. */
  topics: string[];
  /**
   * `auto` (default): upsert when the topic has a `<topic>-key` schema or is compacted, else
   * append. `append` inserts every record; `upsert` keeps one row per key (tombstones delete).
   */
  mode?: SinkMode;
  /** Table name per topic; default: the topic name sanitized (see `tableNameOf`). */
  tables?: Record<string, string>;
  /** Primary key taken from these value fields instead of the record key (upsert mode). */
  keyFields?: string[];
  /** Decrypt fields under ENCRYPT rules with the runtime's KMS secret; default false: ciphertext is stored. */
  decrypt?: boolean;
  /** Records per transaction at most (default 5000). */
  batchSize?: number;
  /** Where undecodable records go; default `<connector>-errors`. */
  errorTopic?: string;
  /** Where a partition without a stored offset starts (default earliest: the whole topic). */
  startFrom?: 'earliest' | 'latest';
}

export const DEFAULT_BATCH_SIZE = 5000;

export const warehouseSinkProperties = {
  topics: { type: 'array', minItems: 1, items: { type: 'string', minLength: 1 }, description: 'topics to write, one table each' },
  mode: { enum: ['auto', 'append', 'upsert'], description: 'auto: upsert for keyed (key schema) or compacted topics, else append' },
  tables: { type: 'object', additionalProperties: { type: 'string', pattern: '^[A-Za-z_][A-Za-z0-9_]{0,62}$' }, description: 'table name per topic' },
  keyFields: { type: 'array', minItems: 1, items: { type: 'string', minLength: 1 }, description: 'primary key from these value fields' },
  decrypt: { type: 'boolean', description: 'decrypt encrypted fields with the runtime KMS secret (default false: keep ciphertext)' },
  batchSize: { type: 'integer', minimum: 1, maximum: 100000, description: 'records per transaction at most' },
  errorTopic: { type: 'string', minLength: 1, description: 'topic for undecodable records (default <connector>-errors)' },
  startFrom: { enum: ['earliest', 'latest'], description: 'start of a partition without a stored offset' },
} as const;

/** Cross-field checks shared by the sinks. */
export function validateWarehouseSinkConfig(config: WarehouseSinkConfig): void {
  for (const topic of Object.keys(config.tables ?? {})) {
    if (!config.topics.includes(topic)) throw configInvalid(`/config/tables/${topic}`, `names a topic that is not in "topics"`, `add "${topic}" to "topics" or remove the entry`);
  }
  if (config.keyFields && config.mode === 'append') throw configInvalid('/config/keyFields', 'applies only to upsert mode', 'remove "keyFields" or set "mode": "upsert"');
  const tables = config.topics.map((t) => tableNameOf(t, config.tables));
  const duplicate = tables.find((t, i) => tables.indexOf(t) !== i);
  if (duplicate) throw configInvalid('/config/tables', `two topics map to table "${duplicate}"`, 'give one of them another name in "tables"');
}

/**
 * The table of a topic: the configured name, else the topic with every character outside
 * [A-Za-z0-9_] replaced by `_` (`shiftleft.public.orders` → `shiftleft_public_orders`), so it
 * is a plain identifier in every SQL dialect.
 */
export function tableNameOf(topic: string, tables: Record<string, string> | undefined): string {
  const configured = tables?.[topic];
  if (configured) return configured;
  const name = topic.replace(/[^A-Za-z0-9_]/g, '_');
  return /^[0-9]/.test(name) ? `t_${name}` : name;
}
