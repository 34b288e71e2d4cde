/**
 * The `postgres-cdc` source connector: the PostgreSQL CDC reader (src/connect/postgres) writing
 * to one topic per table, `<prefix>.<schema>.<table>`, with registered Avro key/value schemas,
 * Debezium-style flattened values (`__deleted`), masked fields, and at-least-once delivery
 * (see cdc-log-writer.ts for the order of produce → acknowledge → store offset).
 *
 * Pause stops the reader (the slot keeps the WAL from the confirmed position); resume starts a
 * new reader from the stored offset. Delete drops the slot and the publication so that no WAL
 * stays pinned on the source for a connector that no longer exists.
 */
import { SchemaRegistryClient } from '@confluentinc/schemaregistry';
import { dropCdcReplication, PostgresCdcReader, type SlotLag } from '../postgres/cdc-reader.ts';
import type { PostgresCdcConfig } from '../postgres/cdc-config.ts';
import type { CdcOffset } from '../postgres/cdc-types.ts';
import type { Connector, ConnectorContext, ConnectorType, JsonValue } from '../framework/connector.ts';
import { resolveSourceDatabase } from '../framework/source-database.ts';
import { postgresCdcConfigSchema, validateCdcConfig, type PostgresCdcConnectorConfig } from './cdc-connector-config.ts';
import { CdcLogWriter } from './cdc-log-writer.ts';
import { CdcTopicSchemas } from './cdc-topic-schemas.ts';

const SLOT_LAG_REFRESH_MS = 10_000;

function isCdcOffset(value: JsonValue | undefined): value is JsonValue & CdcOffset {
  return typeof value === 'object' && value !== null && !Array.isArray(value) && typeof value.lsn === 'string' && typeof value.snapshotCompleted === 'boolean';
}

export class PostgresCdcConnector implements Connector {
  private reader: PostgresCdcReader | undefined;
  private writer: CdcLogWriter | undefined;
  private readonly registry: SchemaRegistryClient;
  private schemas: CdcTopicSchemas | undefined;
  private connectionString: string | undefined;
  private paused = false;
  private lagTimer: NodeJS.Timeout | undefined;
  private slotLag: SlotLag | undefined;

  constructor(
    private readonly config: PostgresCdcConnectorConfig,
    private readonly context: ConnectorContext,
  ) {
    this.registry = new SchemaRegistryClient({ baseURLs: [context.registryUrl] });
  }

  private async readerConfig(): Promise<PostgresCdcConfig> {
    if (!this.connectionString) {
      this.connectionString = await resolveSourceDatabase(this.config, this.context);
    }
    const { config } = this;
    return {
      connectionString: this.connectionString,
      tables: config.tables,
      ...(config.slotName !== undefined && { slotName: config.slotName }),
      ...(config.publicationName !== undefined && { publicationName: config.publicationName }),
      ...(config.topicPrefix !== undefined && { topicPrefix: config.topicPrefix }),
      ...(config.snapshotFetchSize !== undefined && { snapshotFetchSize: config.snapshotFetchSize }),
      ...(config.statusIntervalMs !== undefined && { statusIntervalMs: config.statusIntervalMs }),
      ...(config.heartbeatIntervalMs !== undefined && { heartbeatIntervalMs: config.heartbeatIntervalMs }),
    };
  }

  async start(): Promise<void> {
    this.paused = false;
    const readerConfig = await this.readerConfig();
    const topicPrefix = this.config.topicPrefix ?? 'shiftleft';
    this.schemas ??= new CdcTopicSchemas(this.context.log, this.registry, topicPrefix, this.config.partitions ?? 1);
    // The writer acknowledges on the reader it serves (not this.reader, which a resume replaces).
    const served: { reader?: PostgresCdcReader } = {};
    const writer = new CdcLogWriter({
      log: this.context.log,
      schemas: this.schemas,
      mask: this.config.transforms?.mask ?? {},
      maskReplacement: this.config.transforms?.maskReplacement ?? '****',
      memoryRowsPerTable: this.config.rowMemoryPerTable ?? 100_000,
      acknowledge: (lsn) => served.reader?.acknowledge(lsn),
      storeOffset: (offset) => this.context.offsets.write(offset),
      onWarning: (message) => this.context.warn(message),
      onError: (error) => this.context.fail(error),
    });
    const reader = new PostgresCdcReader(readerConfig, writer);
    served.reader = reader;
    this.reader = reader;
    this.writer = writer;
    const stored = this.context.offsets.read();
    const offset = this.config.snapshotMode === 'always' || !isCdcOffset(stored) ? undefined : { lsn: stored.lsn, snapshotCompleted: stored.snapshotCompleted };
    await reader.start(offset);
    this.watchSlotLag(reader);
  }

  /**
   * Slot lag, refreshed in the background: a slot that trails far behind pins WAL on the source
   * (a paused or failing connector, or quiet tables without heartbeats), so status shows it.
   */
  private watchSlotLag(reader: PostgresCdcReader): void {
    if (this.lagTimer) clearInterval(this.lagTimer);
    const refresh = () => {
      reader.slotLag().then(
        (lag) => (this.slotLag = lag),
        () => undefined,
      );
    };
    refresh();
    this.lagTimer = setInterval(refresh, SLOT_LAG_REFRESH_MS);
    this.lagTimer.unref();
  }

  async pause(): Promise<void> {
    this.paused = true;
    if (this.lagTimer) clearInterval(this.lagTimer);
    await this.reader?.stop();
  }

  async resume(): Promise<void> {
    await this.start();
  }

  async stop(): Promise<void> {
    if (this.lagTimer) clearInterval(this.lagTimer);
    await this.reader?.stop();
    this.reader = undefined;
  }

  async destroy(): Promise<void> {
    await dropCdcReplication(await this.readerConfig());
  }

  metrics(): Record<string, JsonValue> {
    const status = this.reader?.status;
    const stats = this.writer?.stats;
    return {
      phase: this.paused ? 'paused' : (status?.phase ?? 'created'),
      slotName: status?.slotName ?? this.config.slotName ?? 'shiftleft_cdc',
      confirmedLsn: status?.confirmedLsn ?? null,
      lastReceivedLsn: status?.lastReceivedLsn ?? null,
      topics: this.schemas?.topics() ?? [],
      rowsByTopic: stats ? { ...stats.rowsByTopic } : {},
      snapshotRows: stats?.snapshotRows ?? 0,
      snapshotCompleted: stats?.snapshotCompleted ?? false,
      transactions: stats?.transactions ?? 0,
      deletes: stats?.deletes ?? 0,
      lastLsn: stats?.lastLsn ?? null,
      lastCommitTime: stats?.lastCommitTime ? new Date(stats.lastCommitTime).toISOString() : null,
      slotLagBytes: this.slotLag?.lagBytes ?? null,
      slotRetainedBytes: this.slotLag?.retainedBytes ?? null,
      slotWalStatus: this.slotLag?.walStatus ?? null,
    };
  }
}

export const postgresCdcConnectorType: ConnectorType<PostgresCdcConnectorConfig> = {
  name: 'postgres-cdc',
  kind: 'source',
  description: 'PostgreSQL change data capture (pgoutput): snapshot, then every committed change, one Avro topic per table',
  configSchema: postgresCdcConfigSchema as unknown as Record<string, unknown>,
  validate: validateCdcConfig,
  create: (config, context) => new PostgresCdcConnector(config, context),
};
