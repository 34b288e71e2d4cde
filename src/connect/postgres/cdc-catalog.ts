/**
 * What the system catalogs say about captured tables: columns (with NOT NULL and domain base
 * types, which Relation messages do not carry), primary key, replica identity.
 */
import type { TableId } from './cdc-types.ts';
import type pg from 'pg';

export interface CatalogColumn {
  name: string;
  typeOid: number;
  typeName: string;
  typeMod: number;
  notNull: boolean;
  /** Whether values of this type can be TOASTed (stored out of line when large). */
  toastable: boolean;
}

export interface CatalogTable {
  table: TableId;
  oid: number;
  /** `r` ordinary, `p` partitioned. */
  kind: string;
  /** d default (primary key), n nothing, f full, i index. */
  replicaIdentity: 'd' | 'n' | 'f' | 'i';
  columns: CatalogColumn[];
  primaryKey: string[];
  /** Columns of the REPLICA IDENTITY USING INDEX index, when there is one. */
  identityIndex: string[];
  canSelect: boolean;
}

/** Parses "schema.table" or "table" (schema public); quotes keep case and dots. */
export function parseTableName(name: string): TableId {
  const parts = name.match(/"(?:[^"]|"")*"|[^.]+/g) ?? [];
  const unquote = (part: string): string => (part.startsWith('"') ? part.slice(1, -1).replace(/""/g, '"') : part.toLowerCase());
  if (parts.length === 1) return { schema: 'public', name: unquote(parts[0] ?? '') };
  if (parts.length === 2) return { schema: unquote(parts[0] ?? ''), name: unquote(parts[1] ?? '') };
  throw new RangeError(`not a table name: "${name}" (expected table or schema.table)`);
}

export function qualifiedName(client: pg.ClientBase, table: TableId): string {
  return `${client.escapeIdentifier(table.schema)}.${client.escapeIdentifier(table.name)}`;
}

export function tableKey(table: TableId): string {
  return `${table.schema}.${table.name}`;
}

interface TableRow {
  oid: number;
  relkind: string;
  relreplident: 'd' | 'n' | 'f' | 'i';
  can_select: boolean;
}

/** Reads a table's description, or undefined when it does not exist. */
export async function describeTable(client: pg.ClientBase, table: TableId): Promise<CatalogTable | undefined> {
  const found = await client.query<TableRow>(
    `SELECT c.oid::int AS oid, c.relkind::text AS relkind, c.relreplident::text AS relreplident,
            has_table_privilege(c.oid, 'SELECT') AS can_select
       FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
      WHERE n.nspname = $1 AND c.relname = $2 AND c.relkind IN ('r', 'p')`,
    [table.schema, table.name],
  );
  const row = found.rows[0];
  if (!row) return undefined;
  const columns = await client.query<{ name: string; type_oid: number; type_name: string; type_mod: number; not_null: boolean; toastable: boolean }>(
    // Domains are described by their base type; generated columns are not published by pgoutput.
    `SELECT a.attname AS name,
            coalesce(nullif(t.typbasetype, 0), a.atttypid)::int AS type_oid,
            coalesce(bt.typname, t.typname)::text AS type_name,
            CASE WHEN t.typtype = 'd' THEN t.typtypmod ELSE a.atttypmod END AS type_mod,
            a.attnotnull AS not_null,
            coalesce(bt.typstorage, t.typstorage) <> 'p' AS toastable
       FROM pg_attribute a
       JOIN pg_type t ON t.oid = a.atttypid
       LEFT JOIN pg_type bt ON bt.oid = nullif(t.typbasetype, 0)
      WHERE a.attrelid = $1 AND a.attnum > 0 AND NOT a.attisdropped AND a.attgenerated = ''
      ORDER BY a.attnum`,
    [row.oid],
  );
  const indexColumns = async (flag: 'indisprimary' | 'indisreplident'): Promise<string[]> => {
    const result = await client.query<{ name: string }>(
      `SELECT a.attname AS name
         FROM pg_index i
         CROSS JOIN LATERAL unnest(i.indkey) WITH ORDINALITY AS k(attnum, position)
         JOIN pg_attribute a ON a.attrelid = i.indrelid AND a.attnum = k.attnum
        WHERE i.indrelid = $1 AND i.${flag}
        ORDER BY k.position`,
      [row.oid],
    );
    return result.rows.map((r) => r.name);
  };
  return {
    table,
    oid: row.oid,
    kind: row.relkind,
    replicaIdentity: row.relreplident,
    columns: columns.rows.map((c) => ({ name: c.name, typeOid: c.type_oid, typeName: c.type_name, typeMod: c.type_mod, notNull: c.not_null, toastable: c.toastable })),
    primaryKey: await indexColumns('indisprimary'),
    identityIndex: await indexColumns('indisreplident'),
    canSelect: row.can_select,
  };
}

/** The key columns events get: the primary key, else the replica identity index, else none. */
export function keyColumnsOf(table: CatalogTable): string[] {
  if (table.primaryKey.length > 0) return table.primaryKey;
  if (table.replicaIdentity === 'i') return table.identityIndex;
  return [];
}
