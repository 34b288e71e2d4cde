/**
 * PostgreSQL (and Redshift) as the warehouse, with SQL both accept: no ON CONFLICT, no MERGE
 * needed. A batch is one transaction: DELETE the rows of every key the batch replaces or
 * deletes, INSERT the new rows (multi-row VALUES), DELETE + INSERT the offsets in
 * `_shiftleft_offsets`, COMMIT. Either all of it is visible after a crash, or none.
 *
 * On PostgreSQL, rows and keys travel as one array parameter per column and are expanded with
 * `unnest(...)` (one short statement per table, whatever the batch size: ~2x faster than
 * multi-row VALUES). Redshift has no unnest of array parameters, so there keys are deleted with
 * `IN (...)` for one key column and OR-ed conjunctions for several, and rows inserted with
 * multi-row VALUES, chunked to stay well under the protocol's 65 535 parameters.
 */
import pg from 'pg';
import { ShiftleftError } from '../../common/errors.ts';
import type { SqlType } from '../../types/sql-type.ts';
import { quoteIdentifier as q } from '../warehouse/sql-text.ts';
import { OFFSETS_TABLE, type ExistingColumn, type PartitionOffset, type TableShape, type TableWrite, type Warehouse, type WarehouseColumn } from '../warehouse/warehouse.ts';
import { postgresParameter, postgresType, type PostgresDialect } from './postgres-types.ts';

const MAX_PARAMETERS = 30_000;

export class PostgresWarehouse implements Warehouse {
  readonly description: string;
  private client: pg.Client | undefined;
  /** Detected at open: Redshift announces itself in version(). */
  dialect: PostgresDialect = 'postgresql';

  /**
   * `portableStatements`: use the Redshift-compatible statements (VALUES, IN) on PostgreSQL too
   * (tests run them against a real server; Redshift selects them by itself).
   */
  constructor(
    private readonly connectionString: string,
    private readonly options: { portableStatements?: boolean } = {},
  ) {
    const url = new URL(connectionString);
    url.password = url.password ? '***' : '';
    this.description = url.toString();
  }

  private get db(): pg.Client {
    if (!this.client) throw new ShiftleftError('CLOSED', `the warehouse ${this.description} is not open`);
    return this.client;
  }

  async open(): Promise<void> {
    if (this.client) return;
    const client = new pg.Client({ connectionString: this.connectionString });
    client.on('error', () => undefined); // a dropped connection surfaces as the next query's error
    try {
      await client.connect();
    } catch (error) {
      throw new ShiftleftError('SINK_UNREACHABLE', `cannot connect to the warehouse ${this.description}: ${(error as Error).message}`, {
        hint: 'check the connection URL, that the server runs, and the credentials',
        cause: error,
      });
    }
    this.client = client;
    const version = (await client.query<{ version: string }>('SELECT version() AS version')).rows[0]?.version ?? '';
    this.dialect = /redshift/i.test(version) ? 'redshift' : 'postgresql';
    await client.query(
      `CREATE TABLE IF NOT EXISTS ${q(OFFSETS_TABLE)} (connector varchar(256) NOT NULL, topic varchar(256) NOT NULL, "partition" integer NOT NULL, next_offset bigint NOT NULL, PRIMARY KEY (connector, topic, "partition"))`,
    );
  }

  async readOffsets(connector: string): Promise<PartitionOffset[]> {
    const result = await this.db.query<{ topic: string; partition: number; next_offset: string }>(`SELECT topic, "partition", next_offset FROM ${q(OFFSETS_TABLE)} WHERE connector = $1`, [connector]);
    return result.rows.map((r) => ({ topic: r.topic, partition: Number(r.partition), nextOffset: Number(r.next_offset) }));
  }

  async describeTable(table: string): Promise<ExistingColumn[] | undefined> {
    const result = await this.db.query<{ name: string; type: string }>(
      `SELECT a.attname AS name, format_type(a.atttypid, a.atttypmod) AS type
         FROM pg_attribute a JOIN pg_class c ON a.attrelid = c.oid JOIN pg_namespace n ON c.relnamespace = n.oid
        WHERE c.relname = $1 AND n.nspname = current_schema() AND a.attnum > 0 AND NOT a.attisdropped
        ORDER BY a.attnum`,
      [table],
    );
    return result.rows.length === 0 ? undefined : result.rows.map((r) => ({ name: r.name, type: r.type }));
  }

  columnType(type: SqlType): string {
    return postgresType(type, this.dialect);
  }

  async createTable(shape: TableShape): Promise<void> {
    const columns = shape.columns.map((c) => `${q(c.name)} ${this.columnType(c.type)}${shape.keyColumns.includes(c.name) ? ' NOT NULL' : ''}`);
    if (shape.keyColumns.length) columns.push(`PRIMARY KEY (${shape.keyColumns.map(q).join(', ')})`);
    await this.db.query(`CREATE TABLE IF NOT EXISTS ${q(shape.table)} (${columns.join(', ')})`);
  }

  async addColumn(table: string, column: WarehouseColumn): Promise<void> {
    await this.db.query(`ALTER TABLE ${q(table)} ADD COLUMN ${q(column.name)} ${this.columnType(column.type)}`);
  }

  async writeBatch(connector: string, writes: TableWrite[], offsets: PartitionOffset[]): Promise<void> {
    const db = this.db;
    await db.query('BEGIN');
    try {
      for (const write of writes) {
        if (write.deleteKeys.length > 0) await this.deleteKeys(write);
        if (write.rows.length > 0) await this.insertRows(write.shape.table, write.shape.columns, write.rows);
      }
      for (const o of offsets) {
        await db.query(`DELETE FROM ${q(OFFSETS_TABLE)} WHERE connector = $1 AND topic = $2 AND "partition" = $3`, [connector, o.topic, o.partition]);
        await db.query(`INSERT INTO ${q(OFFSETS_TABLE)} (connector, topic, "partition", next_offset) VALUES ($1, $2, $3, $4)`, [connector, o.topic, o.partition, o.nextOffset]);
      }
      await db.query('COMMIT');
    } catch (error) {
      await db.query('ROLLBACK').catch(() => undefined);
      throw new ShiftleftError('SINK_UNREACHABLE', `writing a batch to ${this.description} failed: ${(error as Error).message}`, {
        hint: 'nothing of the batch was committed; the sink retries it after a restart',
        cause: error,
      });
    }
  }

  private async deleteKeys(write: TableWrite): Promise<void> {
    const { shape } = write;
    const keyColumns = shape.keyColumns.map((name) => shape.columns.find((c) => c.name === name)!);
    if (this.useUnnest) {
      const { from, params } = this.unnest(keyColumns, write.deleteKeys);
      const on = keyColumns.map((c, i) => `${q(shape.table)}.${q(c.name)} = k.c${i}`).join(' AND ');
      await this.db.query(`DELETE FROM ${q(shape.table)} USING ${from} AS k(${keyColumns.map((_, i) => `c${i}`).join(', ')}) WHERE ${on}`, params);
      return;
    }
    const perChunk = Math.max(1, Math.floor(MAX_PARAMETERS / keyColumns.length));
    for (let start = 0; start < write.deleteKeys.length; start += perChunk) {
      const keys = write.deleteKeys.slice(start, start + perChunk);
      const params: unknown[] = [];
      const param = (value: unknown, column: WarehouseColumn): string => {
        params.push(postgresParameter(value, column.type));
        return `$${params.length}::${this.columnType(column.type)}`;
      };
      let where: string;
      if (keyColumns.length === 1) {
        const column = keyColumns[0]!;
        where = `${q(column.name)} IN (${keys.map((k) => param(k[0], column)).join(', ')})`;
      } else {
        where = keys.map((k) => `(${keyColumns.map((c, i) => `${q(c.name)} = ${param(k[i], c)}`).join(' AND ')})`).join(' OR ');
      }
      await this.db.query(`DELETE FROM ${q(shape.table)} WHERE ${where}`, params);
    }
  }

  private get useUnnest(): boolean {
    return this.dialect === 'postgresql' && !this.options.portableStatements;
  }

  /** `unnest($1::t1[], $2::t2[], ...)` over the rows' columns, with the array parameters. */
  private unnest(columns: WarehouseColumn[], rows: unknown[][]): { from: string; params: unknown[] } {
    const params = columns.map((c, i) => rows.map((row) => postgresParameter(row[i], c.type)));
    return { from: `unnest(${columns.map((c, i) => `$${i + 1}::${this.columnType(c.type)}[]`).join(', ')})`, params };
  }

  private async insertRows(table: string, columns: WarehouseColumn[], rows: unknown[][]): Promise<void> {
    if (this.useUnnest) {
      const { from, params } = this.unnest(columns, rows);
      await this.db.query(`INSERT INTO ${q(table)} (${columns.map((c) => q(c.name)).join(', ')}) SELECT * FROM ${from}`, params);
      return;
    }
    const perChunk = Math.max(1, Math.floor(MAX_PARAMETERS / columns.length));
    const casts = columns.map((c) => `::${this.columnType(c.type)}`);
    const names = columns.map((c) => q(c.name)).join(', ');
    for (let start = 0; start < rows.length; start += perChunk) {
      const chunk = rows.slice(start, start + perChunk);
      const params: unknown[] = [];
      const tuples = chunk.map((row) => `(${columns.map((c, i) => `$${params.push(postgresParameter(row[i], c.type))}${casts[i]}`).join(', ')})`);
      await this.db.query(`INSERT INTO ${q(table)} (${names}) VALUES ${tuples.join(', ')}`, params);
    }
  }

  async close(): Promise<void> {
    const client = this.client;
    this.client = undefined;
    await client?.end().catch(() => undefined);
  }
}
