/**
 * Reads the DuckDB warehouse while the sink writes it, from the same process: DuckDB allows one
 * process per file, and within it the sink and this reader share one database instance (DuckDB's
 * instance cache, see duckdb-warehouse.ts), each on its own connection. A table the sink has not
 * created yet reads as empty.
 */
import { DuckDbWarehouse } from '../../src/connect/duckdb-sink/index.ts';

export type Cell = string | number | boolean | null;

export class WarehouseWatch {
  private readonly warehouse: DuckDbWarehouse;

  private constructor(path: string) {
    this.warehouse = new DuckDbWarehouse({ path });
  }

  static async open(path: string): Promise<WarehouseWatch> {
    const watch = new WarehouseWatch(path);
    await watch.warehouse.open();
    return watch;
  }

  /** Rows of `sql` with BIGINTs as numbers; [] while a table it reads does not exist yet. */
  async rows(sql: string, params: (number | string)[] = []): Promise<Cell[][]> {
    try {
      const result = await this.warehouse.connection.runAndReadAll(sql, params);
      return result.getRows().map((row) => row.map((v) => (typeof v === 'bigint' ? Number(v) : (v as Cell))));
    } catch (error) {
      if (/does not exist/i.test((error as Error).message)) return [];
      throw error;
    }
  }

  async count(table: string): Promise<number> {
    const rows = await this.rows(`SELECT count(*) FROM "${table.replace(/"/g, '""')}"`);
    return Number(rows[0]?.[0] ?? 0);
  }

  close(): Promise<void> {
    return this.warehouse.close();
  }
}
