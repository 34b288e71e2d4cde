/** Configuration of the PostgreSQL CDC reader, validated with errors naming the field. */
import { ShiftleftError } from '../../common/errors.ts';
import { parseTableName } from './cdc-catalog.ts';
import { parseConnectionString, type SourceConnection } from './cdc-connection.ts';
import type { TableId } from './cdc-types.ts';

export interface PostgresCdcConfig {
  /** postgresql://user:password@host:port/database */
  connectionString: string;
  /** Tables to capture: `table` (schema public) or `schema.table`. */
  tables: string[];
  /** Replication slot (created when missing). Default `shiftleft_cdc`. */
  slotName?: string;
  /** Publication (created when missing, extended with missing tables). Default `shiftleft_cdc`. */
  publicationName?: string;
  /** First part of the Avro namespace: `<prefix>.<schema>.<table>`. Default `shiftleft`. */
  topicPrefix?: string;
  /** Rows per snapshot batch. Default 1000. */
  snapshotFetchSize?: number;
  /** Period of standby status updates (keeps the connection and confirms the flush LSN). Default 10 s. */
  statusIntervalMs?: number;
  /**
   * Period of `pg_logical_emit_message` heartbeats written to the source, so a slot on a quiet
   * database still advances when other databases of the server write WAL. 0 = off (default).
   */
  heartbeatIntervalMs?: number;
  /** Pause reading from the server when this many messages wait for the handler. Default 10000. */
  maxQueuedMessages?: number;
  connectTimeoutMs?: number;
}

export interface ResolvedCdcConfig {
  source: SourceConnection;
  tables: TableId[];
  slotName: string;
  publicationName: string;
  topicPrefix: string;
  snapshotFetchSize: number;
  statusIntervalMs: number;
  heartbeatIntervalMs: number;
  maxQueuedMessages: number;
  connectTimeoutMs: number;
}

const IDENTIFIER = /^[a-z_][a-z0-9_]{0,62}$/;

function invalid(field: string, reason: string, hint?: string): never {
  throw new ShiftleftError('CONNECTOR_CONFIG_INVALID', `${field} ${reason}`, { hint, details: { field } });
}

function positiveInteger(value: unknown, field: string, fallback: number, allowZero = false): number {
  if (value === undefined) return fallback;
  if (typeof value !== 'number' || !Number.isInteger(value) || value < 0 || (!allowZero && value === 0)) {
    invalid(field, `must be a ${allowZero ? 'non-negative' : 'positive'} integer, got ${JSON.stringify(value)}`);
  }
  return value;
}

export function resolveCdcConfig(config: PostgresCdcConfig): ResolvedCdcConfig {
  const source = parseConnectionString(config.connectionString);
  if (!Array.isArray(config.tables) || config.tables.length === 0) invalid('tables', 'must list at least one table', 'e.g. ["public.customers", "public.orders"]');
  const tables = config.tables.map((name, index) => {
    if (typeof name !== 'string') invalid(`tables[${index}]`, 'must be a string');
    try {
      return parseTableName(name);
    } catch (error) {
      return invalid(`tables[${index}]`, (error as Error).message);
    }
  });
  const slotName = config.slotName ?? 'shiftleft_cdc';
  if (!IDENTIFIER.test(slotName)) invalid('slotName', `"${slotName}" is not a valid slot name`, 'use lower-case letters, digits and _ (at most 63)');
  const publicationName = config.publicationName ?? 'shiftleft_cdc';
  if (!IDENTIFIER.test(publicationName)) invalid('publicationName', `"${publicationName}" is not a valid publication name`, 'use lower-case letters, digits and _ (at most 63)');
  const topicPrefix = config.topicPrefix ?? 'shiftleft';
  if (!/^[A-Za-z_][A-Za-z0-9_]*(\.[A-Za-z_][A-Za-z0-9_]*)*$/.test(topicPrefix)) invalid('topicPrefix', `"${topicPrefix}" cannot start an Avro namespace`);
  return {
    source,
    tables,
    slotName,
    publicationName,
    topicPrefix,
    snapshotFetchSize: positiveInteger(config.snapshotFetchSize, 'snapshotFetchSize', 1000),
    statusIntervalMs: positiveInteger(config.statusIntervalMs, 'statusIntervalMs', 10_000),
    heartbeatIntervalMs: positiveInteger(config.heartbeatIntervalMs, 'heartbeatIntervalMs', 0, true),
    maxQueuedMessages: positiveInteger(config.maxQueuedMessages, 'maxQueuedMessages', 10_000),
    connectTimeoutMs: positiveInteger(config.connectTimeoutMs, 'connectTimeoutMs', 10_000),
  };
}
