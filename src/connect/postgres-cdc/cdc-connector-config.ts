/**
 * The `postgres-cdc` connector's configuration, declared as a JSON Schema (checked by the
 * framework before anything is created) plus the cross-field rule the schema cannot say well:
 * exactly one of `connection` and `embedded: true`.
 */
import { sourceDatabaseProperties, validateSourceDatabase } from '../framework/source-database.ts';

export interface PostgresCdcConnectorConfig {
  /** postgresql://user:password@host:port/database — any PostgreSQL 14+ with wal_level=logical. */
  connection?: string;
  /** Capture the platform's embedded PostgreSQL instead of `connection`. */
  embedded?: boolean;
  /** Database of the embedded server (default `shiftleft`). */
  database?: string;
  tables: string[];
  topicPrefix?: string;
  slotName?: string;
  publicationName?: string;
  transforms?: { mask?: Record<string, string[]>; maskReplacement?: string };
  /** `initial` (default): snapshot once, then resume from the stored offset. `always`: snapshot at every start. */
  snapshotMode?: 'initial' | 'always';
  /** Partitions of topics the connector creates (default 1: one ordered stream per table). */
  partitions?: number;
  snapshotFetchSize?: number;
  statusIntervalMs?: number;
  heartbeatIntervalMs?: number;
  /** Rows per table remembered to fill deletes and unchanged TOASTed columns (default 100 000). */
  rowMemoryPerTable?: number;
}

const IDENTIFIER = '^[a-z_][a-z0-9_]{0,62}$';

export const postgresCdcConfigSchema = {
  type: 'object',
  additionalProperties: false,
  required: ['tables'],
  properties: {
    ...sourceDatabaseProperties,
    tables: {
      type: 'array',
      minItems: 1,
      uniqueItems: true,
      items: { type: 'string', pattern: '^[A-Za-z_][A-Za-z0-9_$]*(\\.[A-Za-z_][A-Za-z0-9_$]*)?$' },
    },
    topicPrefix: { type: 'string', pattern: '^[A-Za-z_][A-Za-z0-9_]*(\\.[A-Za-z_][A-Za-z0-9_]*)*$' },
    slotName: { type: 'string', pattern: IDENTIFIER },
    publicationName: { type: 'string', pattern: IDENTIFIER },
    transforms: {
      type: 'object',
      additionalProperties: false,
      properties: {
        mask: { type: 'object', additionalProperties: { type: 'array', items: { type: 'string', minLength: 1 } } },
        maskReplacement: { type: 'string' },
      },
    },
    snapshotMode: { enum: ['initial', 'always'] },
    partitions: { type: 'integer', minimum: 1, maximum: 1000 },
    snapshotFetchSize: { type: 'integer', minimum: 1 },
    statusIntervalMs: { type: 'integer', minimum: 1 },
    heartbeatIntervalMs: { type: 'integer', minimum: 0 },
    rowMemoryPerTable: { type: 'integer', minimum: 0 },
  },
} as const;

export function validateCdcConfig(config: PostgresCdcConnectorConfig): void {
  validateSourceDatabase(config);
}
