/**
 * PostgreSQL CDC reader: prerequisites, publication, slot, consistent snapshot, then the stream.
 * The connector wraps it: it implements `CdcHandler` (writing batches to the log), persists each
 * batch's offset once durable, calls `acknowledge`, and passes the stored offset to `start`.
 *
 * Start-up decisions:
 * - stored offset with a completed snapshot, and the slot exists → stream from the offset;
 * - no offset, or a snapshot that never completed → (re)create the slot and snapshot;
 * - stored offset but the slot is gone, or PostgreSQL invalidated it (wal_status = lost, WAL
 *   beyond max_slot_wal_keep_size) → changes since the offset are lost on the server, so take a
 *   fresh snapshot (a warning says so).
 */
import { ShiftleftError, toShiftleftError } from '../../common/errors.ts';
import { describeTable, tableKey } from './cdc-catalog.ts';
import { resolveCdcConfig, type PostgresCdcConfig, type ResolvedCdcConfig } from './cdc-config.ts';
import { connect } from './cdc-connection.ts';
import { checkPrerequisites } from './cdc-prerequisites.ts';
import { assertSlotUsable, createSlotWithSnapshot, dropSlot, ensurePublication, readSlot } from './cdc-replication-slot.ts';
import { readSnapshot } from './cdc-snapshot.ts';
import { ReplicationStream } from './cdc-stream.ts';
import { schemaFromCatalog } from './cdc-table-schema.ts';
import type { CdcHandler, CdcOffset, TableSchema } from './cdc-types.ts';
import type pg from 'pg';

/** How long to wait for a slot still held by a previous connection before reporting a conflict. */
const SLOT_RELEASE_WAIT_MS = 5_000;

export type CdcPhase = 'created' | 'starting' | 'snapshot' | 'streaming' | 'stopped' | 'failed';

export interface CdcStatus {
  phase: CdcPhase;
  slotName: string;
  /** Flush position confirmed to PostgreSQL (everything before it is durable downstream). */
  confirmedLsn: string | undefined;
  lastReceivedLsn: string | undefined;
  snapshotRows: number;
  transactions: number;
  lastError: string | undefined;
  warnings: string[];
}

export interface SlotLag {
  /** WAL bytes between the server's current position and the slot's confirmed flush position. */
  lagBytes: number;
  /** WAL bytes the slot keeps on disk (from its restart position). */
  retainedBytes: number;
  walStatus: string | null;
}

export class PostgresCdcReader {
  readonly config: ResolvedCdcConfig;
  private readonly schemas = new Map<string, TableSchema>();
  private metadata: pg.Client | undefined;
  private stream: ReplicationStream | undefined;
  private heartbeat: NodeJS.Timeout | undefined;
  private phase: CdcPhase = 'created';
  private stopping = false;
  private snapshotRows = 0;
  private lastError: string | undefined;
  private readonly warnings: string[] = [];

  /** Validates the configuration now (CONNECTOR_CONFIG_INVALID naming the field). */
  constructor(
    config: PostgresCdcConfig,
    private readonly handler: CdcHandler,
  ) {
    this.config = resolveCdcConfig(config);
  }

  get status(): CdcStatus {
    return {
      phase: this.phase,
      slotName: this.config.slotName,
      confirmedLsn: this.stream?.confirmedLsn,
      lastReceivedLsn: this.stream?.lastReceivedLsn,
      snapshotRows: this.snapshotRows,
      transactions: this.stream?.stats.transactions ?? 0,
      lastError: this.lastError,
      warnings: [...this.warnings],
    };
  }

  /** The current schema of every captured table. */
  currentSchemas(): TableSchema[] {
    return [...this.schemas.values()];
  }

  /** Resolves once streaming runs (after delivering the snapshot when one is needed). */
  async start(offset?: CdcOffset): Promise<void> {
    if (this.phase !== 'created') throw new ShiftleftError('CONFLICT', 'a CDC reader starts once; create a new one to restart');
    this.phase = 'starting';
    try {
      await this.run(offset);
      this.phase = this.stopping ? 'stopped' : 'streaming';
    } catch (error) {
      const failure = toShiftleftError(error, 'CONNECTOR_FAILED');
      this.lastError = failure.message;
      await this.shutdown();
      this.phase = this.stopping ? 'stopped' : 'failed';
      throw failure;
    }
  }

  /** Everything up to `lsn` (a batch's `offset.lsn`) is durable: the server may release it. */
  acknowledge(lsn: string | CdcOffset): void {
    this.stream?.acknowledge(typeof lsn === 'string' ? lsn : lsn.lsn);
  }

  async stop(): Promise<void> {
    this.stopping = true;
    await this.shutdown();
    if (this.phase !== 'failed') this.phase = 'stopped';
  }

  /** How far the slot trails the server, to watch WAL retention. */
  async slotLag(): Promise<SlotLag | undefined> {
    const client = this.metadata ?? (await connect(this.config.source, { connectTimeoutMs: this.config.connectTimeoutMs }));
    try {
      const result = await client.query<{ lag: string | null; retained: string | null; wal_status: string | null }>(
        `SELECT (pg_current_wal_lsn() - confirmed_flush_lsn)::bigint::text AS lag,
                (pg_current_wal_lsn() - restart_lsn)::bigint::text AS retained, wal_status
           FROM pg_replication_slots WHERE slot_name = $1`,
        [this.config.slotName],
      );
      const row = result.rows[0];
      return row ? { lagBytes: Number(row.lag ?? 0), retainedBytes: Number(row.retained ?? 0), walStatus: row.wal_status } : undefined;
    } finally {
      if (client !== this.metadata) await client.end().catch(() => undefined);
    }
  }

  private warn(message: string): void {
    this.warnings.push(message);
    this.handler.onWarning?.(message);
  }

  private async run(offset: CdcOffset | undefined): Promise<void> {
    const { config } = this;
    const metadata = await connect(config.source, { connectTimeoutMs: config.connectTimeoutMs, applicationName: 'shiftleft-cdc-metadata' });
    this.metadata = metadata;
    const report = await checkPrerequisites(metadata, config);
    for (const warning of report.warnings) this.warn(warning);
    await ensurePublication(metadata, config.publicationName, config.tables);

    for (const catalog of report.tables) {
      const schema: TableSchema = { ...schemaFromCatalog(config.topicPrefix, catalog), version: 1 };
      await this.handler.onSchema?.(schema, undefined);
      this.schemas.set(tableKey(catalog.table), schema);
    }

    const database = (await metadata.query<{ db: string }>('SELECT current_database() AS db')).rows[0]?.db ?? '';
    let slot = await readSlot(metadata, config.slotName);
    // A reader that just stopped (or died) may still hold the slot for a moment on the server.
    for (const deadline = Date.now() + SLOT_RELEASE_WAIT_MS; slot?.active && Date.now() < deadline && !this.stopping; ) {
      await new Promise((resolve) => setTimeout(resolve, 100));
      slot = await readSlot(metadata, config.slotName);
    }
    if (slot?.walStatus === 'lost') {
      this.warn(`replication slot "${config.slotName}" was invalidated by the server (WAL removed, max_slot_wal_keep_size): taking a new snapshot`);
      await dropSlot(metadata, config.slotName);
      slot = undefined;
    }
    if (slot) assertSlotUsable(slot, database);

    let startLsn: string;
    if (slot && offset?.snapshotCompleted) {
      startLsn = offset.lsn;
    } else {
      if (slot) {
        this.warn(offset ? `the snapshot for slot "${config.slotName}" did not complete: starting it over` : `replication slot "${config.slotName}" exists but no offset was stored: recreating it and taking a snapshot`);
        await dropSlot(metadata, config.slotName);
      } else if (offset?.snapshotCompleted) {
        this.warn(`replication slot "${config.slotName}" is gone: changes since ${offset.lsn} cannot be streamed, taking a new snapshot`);
      }
      startLsn = await this.snapshot();
    }
    if (this.stopping) return;

    this.stream = new ReplicationStream({
      config,
      startLsn,
      schemas: this.schemas,
      describe: (table) => describeTable(metadata, table),
      handler: this.handler,
      onFatal: (error) => void this.onFatal(error),
    });
    await this.stream.start();
    if (config.heartbeatIntervalMs > 0) {
      this.heartbeat = setInterval(() => {
        // A tiny non-transactional WAL record: the slot's position can advance past other databases' WAL.
        metadata.query("SELECT pg_logical_emit_message(false, 'shiftleft_heartbeat', '')").catch((error: unknown) => this.warn(`heartbeat failed: ${(error as Error).message}`));
      }, config.heartbeatIntervalMs);
    }
  }

  /** Creates the slot with an exported snapshot and delivers every table in it. */
  private async snapshot(): Promise<string> {
    const { config } = this;
    this.phase = 'snapshot';
    const created = await createSlotWithSnapshot(config.source, config.slotName, config.connectTimeoutMs);
    let exporterOpen = true;
    const closeExporter = async (): Promise<void> => {
      if (!exporterOpen) return;
      exporterOpen = false;
      await created.replicationClient.end().catch(() => undefined);
    };
    try {
      const result = await readSnapshot({
        source: config.source,
        snapshotName: created.snapshotName,
        consistentPoint: created.consistentPoint,
        schemas: config.tables.map((table) => this.schemas.get(tableKey(table)) as TableSchema),
        fetchSize: config.snapshotFetchSize,
        connectTimeoutMs: config.connectTimeoutMs,
        afterImport: closeExporter,
        emit: (batch) => this.handler.onBatch(batch),
        stopped: () => this.stopping,
      });
      this.snapshotRows = result.rows;
    } finally {
      await closeExporter();
    }
    return created.consistentPoint;
  }

  private async onFatal(error: Error): Promise<void> {
    const failure = toShiftleftError(error, 'CONNECTOR_FAILED');
    this.lastError = failure.message;
    this.phase = 'failed';
    await this.shutdown();
    this.handler.onError?.(failure);
  }

  private async shutdown(): Promise<void> {
    if (this.heartbeat) clearInterval(this.heartbeat);
    this.heartbeat = undefined;
    await this.stream?.stop();
    await this.metadata?.end().catch(() => undefined);
    this.metadata = undefined;
  }
}

/** Removes the slot and publication of a connector being deleted (so no WAL stays pinned). */
export async function dropCdcReplication(config: PostgresCdcConfig): Promise<void> {
  const resolved = resolveCdcConfig(config);
  const client = await connect(resolved.source, { connectTimeoutMs: resolved.connectTimeoutMs });
  try {
    await dropSlot(client, resolved.slotName);
    await client.query(`DROP PUBLICATION IF EXISTS ${client.escapeIdentifier(resolved.publicationName)}`);
  } finally {
    await client.end();
  }
}
