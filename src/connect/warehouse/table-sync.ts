/**
 * Keeps a warehouse table in step with the schemas of its topic.
 *
 * - Missing table: created from the registered schema (key columns NOT NULL and, where the
 *   warehouse enforces it, the primary key; value columns nullable, so rows written with any
 *   compatible version of the schema fit).
 * - A schema with a field the table lacks: added with ALTER TABLE ADD COLUMN when the field is
 *   nullable (the compatible evolution); anything else — a new NOT NULL field, a field whose
 *   type changed — fails with INCOMPATIBLE_SCHEMA naming the column, before any row is written.
 * - A field the schema dropped: the column stays and gets NULL.
 * DDL runs outside the batch transaction and is idempotent (checked against the catalog), so a
 * crash after it and before the batch commits just finds the table ready on restart.
 */
import { ShiftleftError } from '../../common/errors.ts';
import type { ExistingColumn, TableShape, Warehouse, WarehouseColumn } from './warehouse.ts';

/** Placeholder type of a column no known schema has any more: the sink only writes NULL there. */
const DROPPED: WarehouseColumn['type'] = { kind: 'NULL', nullable: true };

export class TableSync {
  private current: TableShape | undefined;
  /** Column sets already checked (by their names and types), so a batch does no catalog work. */
  private readonly accepted = new Set<string>();

  constructor(
    private readonly warehouse: Warehouse,
    readonly topic: string,
    readonly table: string,
    private readonly keyColumns: WarehouseColumn[],
  ) {}

  get shape(): TableShape | undefined {
    return this.current;
  }

  /** Reads the table from the catalog and reconciles it with the latest registered columns. */
  async init(latestColumns: WarehouseColumn[] | undefined): Promise<void> {
    const existing = await this.warehouse.describeTable(this.table);
    if (existing) {
      for (const key of this.keyColumns) {
        if (!existing.some((c) => c.name === key.name)) {
          throw new ShiftleftError('INCOMPATIBLE_SCHEMA', `table ${this.table} has no column "${key.name}", the key of topic '${this.topic}'`, {
            hint: `drop or rename table ${this.table}, or map the topic to another table ("tables" in the sink config)`,
            details: { table: this.table, column: key.name },
          });
        }
      }
      this.current = {
        table: this.table,
        keyColumns: this.keyColumns.map((k) => k.name),
        columns: existing.map((c) => ({ name: c.name, type: this.keyColumns.find((k) => k.name === c.name)?.type ?? DROPPED })),
      };
    }
    if (latestColumns) await this.accept(latestColumns);
  }

  /**
   * Makes sure the table can hold rows with `columns` (creating or evolving it); returns its
   * shape. `signature` names the column set (the writer schema id) so each is checked once;
   * `beforeDdl` resolves when the catalog may be used (no batch transaction in flight).
   */
  async accept(columns: WarehouseColumn[], signature = JSON.stringify(columns.map((c) => [c.name, c.type])), beforeDdl?: () => Promise<void>): Promise<TableShape> {
    if (this.current && this.accepted.has(signature)) return this.current;
    await beforeDdl?.();
    if (!this.current) {
      const shape: TableShape = { table: this.table, keyColumns: this.keyColumns.map((k) => k.name), columns: columns.map((c) => ({ name: c.name, type: c.type })) };
      await this.warehouse.createTable(shape);
      this.current = shape;
    } else {
      await this.evolve(columns, await this.describe());
    }
    this.accepted.add(signature);
    return this.current!;
  }

  private async describe(): Promise<ExistingColumn[]> {
    const existing = await this.warehouse.describeTable(this.table);
    if (!existing) throw new ShiftleftError('SINK_UNREACHABLE', `table ${this.table} disappeared from ${this.warehouse.description}`, { hint: 'the sink recreates it after a restart' });
    return existing;
  }

  private async evolve(columns: WarehouseColumn[], existing: ExistingColumn[]): Promise<void> {
    const shape = this.current!;
    const added: WarehouseColumn[] = [];
    for (const column of columns) {
      const there = existing.find((c) => c.name === column.name);
      if (there) {
        const wanted = this.warehouse.columnType(column.type);
        if (normalizeType(wanted) !== normalizeType(there.type)) {
          throw new ShiftleftError('INCOMPATIBLE_SCHEMA', `column "${column.name}" of table ${this.table} is ${there.type}, but topic '${this.topic}' now has it as ${wanted}`, {
            hint: 'only added nullable fields evolve a warehouse table: register a compatible schema, or write the topic to a new table',
            details: { table: this.table, column: column.name, existing: there.type, wanted },
          });
        }
      } else if (!column.type.nullable) {
        throw new ShiftleftError('INCOMPATIBLE_SCHEMA', `column "${column.name}" is new in topic '${this.topic}' and NOT NULL: table ${this.table} can only gain nullable columns`, {
          hint: `make field "${column.name}" nullable (["null", ...] with default null) in the schema`,
          details: { table: this.table, column: column.name },
        });
      } else {
        added.push(column);
      }
    }
    for (const column of added) await this.warehouse.addColumn(this.table, column);
    // Known types replace placeholders; new columns are appended in the catalog's order.
    const columnsNow = shape.columns.map((c) => columns.find((n) => n.name === c.name) ?? c);
    this.current = { ...shape, columns: [...columnsNow, ...added] };
  }
}

function normalizeType(type: string): string {
  return type.toUpperCase().replace(/\s+/g, ' ').replace(/\s*,\s*/g, ',').trim();
}
