/**
 * The publication and the replication slot behind a CDC reader.
 *
 * The slot is created over a replication connection with EXPORT_SNAPSHOT: PostgreSQL returns the
 * slot's consistent point and the name of a snapshot that sees exactly the transactions committed
 * before it. Reading the tables in that snapshot and then streaming from the consistent point
 * leaves neither gap nor overlap. The exported snapshot lives only until the replication
 * connection runs another command or closes, so the caller imports it first, then closes it.
 */
import { ShiftleftError } from '../../common/errors.ts';
import { qualifiedName, tableKey } from './cdc-catalog.ts';
import { connect, type SourceConnection } from './cdc-connection.ts';
import type { TableId } from './cdc-types.ts';
import { readPublication } from './cdc-prerequisites.ts';
import type pg from 'pg';

export interface SlotInfo {
  name: string;
  plugin: string | null;
  database: string | null;
  active: boolean;
  activePid: number | null;
  confirmedFlushLsn: string | null;
  /** reserved / extended / unreserved / lost (lost: WAL removed, the slot is useless). */
  walStatus: string | null;
}

/** Creates the publication for `tables`, or adds the ones it lacks. */
export async function ensurePublication(client: pg.ClientBase, name: string, tables: TableId[]): Promise<void> {
  const existing = await readPublication(client, name);
  const list = (items: TableId[]): string => items.map((t) => qualifiedName(client, t)).join(', ');
  try {
    if (!existing) {
      // Changes of a partitioned table's partitions are published under the table itself.
      await client.query(`CREATE PUBLICATION ${client.escapeIdentifier(name)} FOR TABLE ${list(tables)} WITH (publish_via_partition_root = true)`);
      return;
    }
    if (existing.allTables) return;
    const missing = tables.filter((t) => !existing.tables.has(tableKey(t)));
    if (missing.length > 0) await client.query(`ALTER PUBLICATION ${client.escapeIdentifier(name)} ADD TABLE ${list(missing)}`);
  } catch (error) {
    throw new ShiftleftError('SOURCE_MISCONFIGURED', `cannot create or extend publication "${name}": ${(error as Error).message}`, {
      hint: `a publication needs the table owner or a superuser: create it once with CREATE PUBLICATION ${name} FOR TABLE ${tables.map(tableKey).join(', ')}`,
      cause: error,
    });
  }
}

export async function readSlot(client: pg.ClientBase, name: string): Promise<SlotInfo | undefined> {
  const result = await client.query<{
    slot_name: string; plugin: string | null; database: string | null; active: boolean; active_pid: number | null;
    confirmed_flush_lsn: string | null; wal_status: string | null;
  }>(
    `SELECT slot_name, plugin, database, active, active_pid, confirmed_flush_lsn::text, wal_status
       FROM pg_replication_slots WHERE slot_name = $1`,
    [name],
  );
  const row = result.rows[0];
  if (!row) return undefined;
  return {
    name: row.slot_name,
    plugin: row.plugin,
    database: row.database,
    active: row.active,
    activePid: row.active_pid,
    confirmedFlushLsn: row.confirmed_flush_lsn,
    walStatus: row.wal_status,
  };
}

/** Refuses a slot this reader cannot use, with the reason. */
export function assertSlotUsable(slot: SlotInfo, database: string): void {
  if (slot.plugin !== 'pgoutput' || slot.database !== database) {
    throw new ShiftleftError('SOURCE_MISCONFIGURED', `replication slot "${slot.name}" exists but is not a pgoutput slot of database ${database} (plugin ${slot.plugin}, database ${slot.database})`, {
      hint: 'choose another slotName, or drop that slot with SELECT pg_drop_replication_slot(...)',
    });
  }
  if (slot.active) {
    throw new ShiftleftError('CONFLICT', `replication slot "${slot.name}" is in use by server process ${slot.activePid}`, {
      hint: 'another CDC reader runs with this slot: stop it, or give this one its own slotName',
    });
  }
}

export async function dropSlot(client: pg.ClientBase, name: string): Promise<void> {
  await client.query('SELECT pg_drop_replication_slot($1) FROM pg_replication_slots WHERE slot_name = $1', [name]);
}

export interface CreatedSlot {
  consistentPoint: string;
  snapshotName: string;
  /** Holds the exported snapshot alive: close it once the snapshot has been imported. */
  replicationClient: pg.Client;
}

export async function createSlotWithSnapshot(source: SourceConnection, slotName: string, connectTimeoutMs: number): Promise<CreatedSlot> {
  const replicationClient = await connect(source, { replication: true, connectTimeoutMs, applicationName: 'shiftleft-cdc-snapshot' });
  try {
    // The pre-15 syntax (EXPORT_SNAPSHOT) is still accepted by every version we support (14+).
    const result = await replicationClient.query<{ consistent_point: string; snapshot_name: string }>(
      `CREATE_REPLICATION_SLOT ${replicationClient.escapeIdentifier(slotName)} LOGICAL pgoutput EXPORT_SNAPSHOT`,
    );
    const row = result.rows[0];
    if (!row?.snapshot_name) throw new Error('the server returned no exported snapshot');
    return { consistentPoint: row.consistent_point, snapshotName: row.snapshot_name, replicationClient };
  } catch (error) {
    await replicationClient.end().catch(() => undefined);
    const message = (error as Error).message;
    throw new ShiftleftError('SOURCE_MISCONFIGURED', `cannot create replication slot "${slotName}": ${message}`, {
      hint: /all replication slots are in use/.test(message)
        ? 'raise max_replication_slots on the server, or drop unused slots (SELECT * FROM pg_replication_slots)'
        : 'check max_replication_slots, max_wal_senders and the user\'s REPLICATION privilege',
      cause: error,
    });
  }
}
