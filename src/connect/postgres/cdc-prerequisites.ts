/**
 * Checks, before anything is created, that the source can be captured, and says what to do
 * when it cannot.
 *
 * Tables without a primary key (documented behaviour):
 * - REPLICA IDENTITY FULL: captured; events have key = null, deletes carry the whole old row in
 *   `before`.
 * - REPLICA IDENTITY USING INDEX: captured; the index columns are the key.
 * - otherwise (DEFAULT without a primary key, or NOTHING): refused. Adding such a table to a
 *   publication that publishes UPDATE/DELETE makes those statements *fail on the source*
 *   ("cannot update table ... because it does not have a replica identity"), so we stop with
 *   the fix instead: add a primary key, or ALTER TABLE ... REPLICA IDENTITY FULL. An existing
 *   publication that publishes inserts only is accepted (it cannot break the source).
 */
import { ShiftleftError } from '../../common/errors.ts';
import { describeTable, tableKey, type CatalogTable } from './cdc-catalog.ts';
import type { ResolvedCdcConfig } from './cdc-config.ts';
import type pg from 'pg';

export interface PrerequisiteReport {
  tables: CatalogTable[];
  warnings: string[];
  serverVersion: number;
}

export interface PublicationInfo {
  publishesUpdatesOrDeletes: boolean;
  allTables: boolean;
  tables: Set<string>;
}

export async function readPublication(client: pg.ClientBase, name: string): Promise<PublicationInfo | undefined> {
  const found = await client.query<{ puballtables: boolean; pubupdate: boolean; pubdelete: boolean }>(
    'SELECT puballtables, pubupdate, pubdelete FROM pg_publication WHERE pubname = $1',
    [name],
  );
  const row = found.rows[0];
  if (!row) return undefined;
  const tables = await client.query<{ schemaname: string; tablename: string }>('SELECT schemaname, tablename FROM pg_publication_tables WHERE pubname = $1', [name]);
  return {
    publishesUpdatesOrDeletes: row.pubupdate || row.pubdelete,
    allTables: row.puballtables,
    tables: new Set(tables.rows.map((t) => `${t.schemaname}.${t.tablename}`)),
  };
}

export async function checkPrerequisites(client: pg.ClientBase, config: ResolvedCdcConfig): Promise<PrerequisiteReport> {
  const where = config.source.description;
  const version = Number((await client.query<{ server_version_num: string }>('SHOW server_version_num')).rows[0]?.server_version_num ?? 0);
  if (version < 140000) {
    throw new ShiftleftError('SOURCE_MISCONFIGURED', `PostgreSQL at ${where} is version ${Math.floor(version / 10000)}; CDC needs 14 or later`);
  }
  const walLevel = (await client.query<{ wal_level: string }>('SHOW wal_level')).rows[0]?.wal_level;
  if (walLevel !== 'logical') {
    throw new ShiftleftError('SOURCE_MISCONFIGURED', `PostgreSQL at ${where} has wal_level=${walLevel}; logical decoding needs wal_level=logical`, {
      hint: "run ALTER SYSTEM SET wal_level = 'logical' and restart the server",
      details: { setting: 'wal_level', value: walLevel },
    });
  }
  const role = (await client.query<{ rolname: string; rolsuper: boolean; rolreplication: boolean }>(
    'SELECT rolname, rolsuper, rolreplication FROM pg_roles WHERE rolname = current_user',
  )).rows[0];
  if (!role || !(role.rolsuper || role.rolreplication)) {
    throw new ShiftleftError('SOURCE_MISCONFIGURED', `user "${role?.rolname ?? config.source.user}" may not use replication on ${where}`, {
      hint: `run ALTER ROLE ${role?.rolname ?? '<user>'} WITH REPLICATION (as a superuser)`,
    });
  }

  const tables: CatalogTable[] = [];
  const missing: string[] = [];
  for (const table of config.tables) {
    const described = await describeTable(client, table);
    if (described) tables.push(described);
    else missing.push(tableKey(table));
  }
  if (missing.length > 0) {
    throw new ShiftleftError('CONNECTOR_CONFIG_INVALID', `table${missing.length > 1 ? 's' : ''} not found in ${where}: ${missing.join(', ')}`, {
      hint: 'create the tables first, or fix the names in "tables" (schema.table; unquoted names are lower case)',
      details: { field: 'tables', missing },
    });
  }
  const unreadable = tables.filter((t) => !t.canSelect).map((t) => tableKey(t.table));
  if (unreadable.length > 0) {
    throw new ShiftleftError('SOURCE_MISCONFIGURED', `user "${role.rolname}" cannot SELECT from ${unreadable.join(', ')} (needed for the snapshot)`, {
      hint: `GRANT SELECT ON ${unreadable.join(', ')} TO ${role.rolname}`,
    });
  }

  const publication = await readPublication(client, config.publicationName);
  const publishesChanges = publication?.publishesUpdatesOrDeletes ?? true;
  const warnings: string[] = [];
  for (const table of tables) {
    const name = tableKey(table.table);
    const hasIdentity = table.primaryKey.length > 0 || table.replicaIdentity === 'f' || (table.replicaIdentity === 'i' && table.identityIndex.length > 0);
    if ((!hasIdentity || table.replicaIdentity === 'n') && publishesChanges) {
      throw new ShiftleftError('SOURCE_MISCONFIGURED', `table ${name} has no replica identity (${table.primaryKey.length === 0 ? 'no primary key' : 'REPLICA IDENTITY NOTHING'}): once published, its UPDATE and DELETE statements would fail on the source`, {
        hint: `add a primary key to ${name}, or run ALTER TABLE ${name} REPLICA IDENTITY FULL (its events then have a null key)`,
        details: { table: name, replicaIdentity: table.replicaIdentity },
      });
    }
    if (table.primaryKey.length === 0 && table.replicaIdentity === 'f') {
      warnings.push(`table ${name} has no primary key: its events have a null key (REPLICA IDENTITY FULL gives deletes the whole old row)`);
    }
    // Only columns of unbounded length realistically get TOASTed (rows over ~2 kB move their
    // largest values out of line); bounded varchar(n) columns would make the warning noise.
    const toastable = table.columns.filter((c) => c.toastable && c.typeMod < 0 && c.typeName !== 'numeric').map((c) => c.name);
    if (table.replicaIdentity !== 'f' && toastable.length > 0) {
      warnings.push(
        `table ${name}: unchanged large values of ${toastable.join(', ')} are not sent with UPDATEs (TOAST); ` +
          `events mark them in unchangedColumns. Run ALTER TABLE ${name} REPLICA IDENTITY FULL to always receive them.`,
      );
    }
  }
  return { tables, warnings, serverVersion: version };
}
