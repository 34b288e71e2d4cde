/**
 * Turns change events into record values as Debezium's ExtractNewRecordState does with
 * `delete.handling.mode=rewrite` (the "after state only" records of the walkthrough):
 * - insert / update / snapshot read: the row after the change, `__deleted: "false"`;
 * - delete: the last known row, `__deleted: "true"` (not a tombstone, so append-only readers
 *   still see that the row went away).
 *
 * "Last known row" for a delete, in this order: the full old row PostgreSQL sent (REPLICA
 * IDENTITY FULL); else the row this connector last wrote for that key (kept in memory, see
 * RowMemory; lost on restart); else the key columns with the other fields null when nullable
 * and the type's zero value ("", 0, false, empty bytes) when NOT NULL — the record still
 * validates against the schema, and `__deleted` says what matters.
 *
 * Unchanged TOASTed columns (absent from an UPDATE without REPLICA IDENTITY FULL) are filled
 * from RowMemory; when the connector has never seen the row, the update cannot be written
 * faithfully and the connector fails with a hint rather than write NULL over the real value.
 */
import { ShiftleftError } from '../../common/errors.ts';
import { DELETED_FIELD, type AvroField } from '../postgres/cdc-avro-schema.ts';
import type { ChangeEvent, TableSchema } from '../postgres/cdc-types.ts';

export type Row = Record<string, unknown>;

/** The last row written per key and table, bounded (oldest keys are forgotten first). */
export class RowMemory {
  private readonly tables = new Map<string, Map<string, Row>>();

  constructor(private readonly maxRowsPerTable: number) {}

  private rowsOf(table: string): Map<string, Row> {
    let rows = this.tables.get(table);
    if (!rows) this.tables.set(table, (rows = new Map()));
    return rows;
  }

  get(table: string, key: string): Row | undefined {
    return this.tables.get(table)?.get(key);
  }

  set(table: string, key: string, row: Row): void {
    if (this.maxRowsPerTable <= 0) return;
    const rows = this.rowsOf(table);
    rows.delete(key); // re-insert: Map order is then least recently written first
    rows.set(key, row);
    if (rows.size > this.maxRowsPerTable) {
      // Evict the oldest tenth in one pass. Evicting one key per insert would be quadratic: a
      // Map's iterator walks over the holes that earlier deletes left at its front.
      let excess = rows.size - Math.floor(this.maxRowsPerTable * 0.9);
      for (const oldest of rows.keys()) {
        if (excess-- <= 0) break;
        rows.delete(oldest);
      }
    }
  }

  delete(table: string, key: string): void {
    this.tables.get(table)?.delete(key);
  }
}

/** Key values as a string for RowMemory (key fields come in schema order; they are never null). */
export function keyText(key: Row | null): string | undefined {
  if (key === null) return undefined;
  let text = '';
  for (const field in key) {
    const value = key[field];
    text += `${Buffer.isBuffer(value) ? value.toString('hex') : String(value)}\u0001`;
  }
  return text;
}

function zeroOf(field: AvroField): unknown {
  const type = field.type;
  if (Array.isArray(type)) return null;
  const primitive = typeof type === 'object' ? type.type : type;
  switch (primitive) {
    case 'int':
    case 'long':
    case 'float':
    case 'double':
      return 0;
    case 'boolean':
      return false;
    case 'bytes':
      return Buffer.alloc(0);
    default:
      return '';
  }
}

/** Every value field present: missing nullable fields null, missing NOT NULL fields their zero. */
function complete(schema: TableSchema, row: Row, deleted: boolean): Row {
  const value: Row = {};
  for (const field of schema.valueSchema.fields) {
    if (field.name === DELETED_FIELD) continue;
    value[field.name] = row[field.name] !== undefined ? row[field.name] : zeroOf(field);
  }
  value[DELETED_FIELD] = deleted ? 'true' : 'false';
  return value;
}

export function recordValue(event: ChangeEvent, memory: RowMemory, tableKey: string): Row {
  const key = keyText(event.key);
  if (event.op === 'd') {
    const known = event.schema.replicaIdentity === 'full' && event.before ? event.before : (key !== undefined ? memory.get(tableKey, key) : undefined) ?? event.before ?? event.key ?? {};
    if (key !== undefined) memory.delete(tableKey, key);
    return complete(event.schema, known, true);
  }
  let after = event.after ?? {};
  if (event.unchangedColumns && event.unchangedColumns.length > 0) {
    const previous = key !== undefined ? memory.get(tableKey, key) : undefined;
    const fields = event.schema.columns.filter((c) => event.unchangedColumns!.includes(c.name)).map((c) => c.field);
    if (!previous || fields.some((f) => previous[f] === undefined)) {
      throw new ShiftleftError('CONNECTOR_FAILED', `an UPDATE of ${tableKey} did not carry the unchanged TOASTed column(s) ${event.unchangedColumns.join(', ')}, and this connector does not know their value`, {
        hint: `run ALTER TABLE ${tableKey} REPLICA IDENTITY FULL so PostgreSQL sends whole rows, then restart the connector with snapshotMode "always"`,
        details: { table: tableKey, columns: event.unchangedColumns },
      });
    }
    after = { ...after };
    for (const f of fields) after[f] = previous[f];
  }
  const value = complete(event.schema, after, false);
  if (key !== undefined) memory.set(tableKey, key, value);
  return value;
}
