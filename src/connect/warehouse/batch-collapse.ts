/**
 * Collapses a batch to what the warehouse must do: for an upsert table, the last operation per
 * key in offset order (a put or a delete); for an append table, every row in order.
 *
 * Why: a batch often touches a key several times (an order created then updated, a row updated
 * then deleted). Writing each operation would make one statement touch a row twice, which
 * PostgreSQL refuses, and would be slower everywhere. Only the last state of the key matters.
 * Rows are materialized at the end, in the table's final column order, because a batch may
 * evolve the table (a record with a new nullable column) after earlier rows were added.
 */
import type { TableShape, TableWrite } from './warehouse.ts';

interface PendingTable {
  shape: TableShape;
  /** Upsert tables: key identity → key values and the row's values (undefined = delete). */
  byKey: Map<string, { key: unknown[]; values: Map<string, unknown> | undefined }>;
  /** Append tables: row values in offset order. */
  appends: Map<string, unknown>[];
}

export class BatchCollapser {
  private readonly tables = new Map<string, PendingTable>();

  private pending(shape: TableShape): PendingTable {
    let table = this.tables.get(shape.table);
    if (!table) {
      table = { shape, byKey: new Map(), appends: [] };
      this.tables.set(shape.table, table);
    }
    table.shape = shape; // the latest shape (after any evolution) is the one written
    return table;
  }

  /** Records an operation; call in offset order per partition. */
  put(shape: TableShape, key: unknown[] | undefined, values: Map<string, unknown>): void {
    const table = this.pending(shape);
    if (shape.keyColumns.length === 0 || !key) table.appends.push(values);
    else table.byKey.set(keyIdentity(key), { key, values });
  }

  delete(shape: TableShape, key: unknown[]): void {
    this.pending(shape).byKey.set(keyIdentity(key), { key, values: undefined });
  }

  get size(): number {
    let n = 0;
    for (const t of this.tables.values()) n += t.byKey.size + t.appends.length;
    return n;
  }

  /** The writes, one per table touched. */
  build(): TableWrite[] {
    const writes: TableWrite[] = [];
    for (const { shape, byKey, appends } of this.tables.values()) {
      const names = shape.columns.map((c) => c.name);
      const toRow = (values: Map<string, unknown>): unknown[] => names.map((n) => values.get(n) ?? null);
      const deleteKeys: unknown[][] = [];
      const rows: unknown[][] = [];
      for (const { key, values } of byKey.values()) {
        deleteKeys.push(key);
        if (values) rows.push(toRow(values));
      }
      for (const values of appends) rows.push(toRow(values));
      writes.push({ shape, deleteKeys, rows });
    }
    return writes;
  }
}

/** A stable identity for key values (bigint and Buffer included). */
export function keyIdentity(key: unknown[]): string {
  return JSON.stringify(key, (_k, v: unknown) => (typeof v === 'bigint' ? `${v}n` : v));
}
