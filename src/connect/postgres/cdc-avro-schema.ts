/**
 * Avro key and value schemas for a captured table, named like Debezium's flattened records:
 * namespace `<prefix>.<schema>.<table>`, records `Key` and `Value`.
 *
 * - A nullable column becomes `["null", T]` with default null, so a column added later (nullable,
 *   the usual ADD COLUMN) evolves the value schema backward-compatibly.
 * - A NOT NULL column becomes plain `T` without a default: adding a NOT NULL column is therefore
 *   not backward compatible, and the registry will say so; add columns as nullable.
 * - The value ends with `__deleted` (`["null","string"]`, default null) which the connector sets
 *   to "true"/"false", as Debezium's ExtractNewRecordState does.
 * - Avro names allow [A-Za-z_][A-Za-z0-9_]*: other characters in identifiers become `_`.
 */
import { columnMapping, type AvroFieldType } from './cdc-type-mapping.ts';
import type { ColumnInfo, TableId } from './cdc-types.ts';

export interface AvroField {
  name: string;
  type: AvroFieldType;
  default?: null;
  doc?: string;
}

export interface AvroRecordSchema {
  type: 'record';
  name: string;
  namespace: string;
  fields: AvroField[];
}

export const DELETED_FIELD = '__deleted';

export function avroName(identifier: string): string {
  const cleaned = identifier.replace(/[^A-Za-z0-9_]/g, '_');
  return /^[A-Za-z_]/.test(cleaned) ? cleaned : `_${cleaned}`;
}

export function schemaNamespace(prefix: string, table: TableId): string {
  return [prefix, table.schema, table.name].map(avroName).join('.');
}

function fieldOf(column: ColumnInfo): AvroField {
  const { avroType } = columnMapping(column.typeName, column.typeMod, column.name, column.nullable);
  return column.nullable ? { name: column.field, type: ['null', avroType], default: null } : { name: column.field, type: avroType };
}

export function valueSchemaOf(prefix: string, table: TableId, columns: ColumnInfo[]): AvroRecordSchema {
  return {
    type: 'record',
    name: 'Value',
    namespace: schemaNamespace(prefix, table),
    fields: [...columns.map(fieldOf), { name: DELETED_FIELD, type: ['null', 'string'], default: null }],
  };
}

/** The key schema, or null for a table without key columns (its records get a null key). */
export function keySchemaOf(prefix: string, table: TableId, columns: ColumnInfo[], keyColumns: string[]): AvroRecordSchema | null {
  if (keyColumns.length === 0) return null;
  const byName = new Map(columns.map((column) => [column.name, column]));
  const fields = keyColumns.map((name) => {
    const column = byName.get(name);
    if (!column) throw new Error(`key column ${name} is not a column of ${table.schema}.${table.name}`);
    // Key columns never hold NULL (primary key / identity index columns are NOT NULL).
    return fieldOf({ ...column, nullable: false });
  });
  return { type: 'record', name: 'Key', namespace: schemaNamespace(prefix, table), fields };
}
