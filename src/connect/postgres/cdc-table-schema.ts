/**
 * Builds `TableSchema` versions and converts tuples into Avro-ready rows with them.
 *
 * A schema comes from two sources that must agree: the catalog (at start, for the snapshot) and
 * Relation messages (in the stream, the table's shape at that point of the WAL). Relation
 * messages lack nullability and domain base types, so they are completed from the catalog by
 * column name; a column the catalog no longer has (dropped since) is taken as nullable.
 */
import { avroName, keySchemaOf, valueSchemaOf } from './cdc-avro-schema.ts';
import type { CatalogTable } from './cdc-catalog.ts';
import { keyColumnsOf } from './cdc-catalog.ts';
import { BUILTIN_TYPE_NAMES, columnMapping, type ValueConverter } from './cdc-type-mapping.ts';
import type { ColumnInfo, TableId, TableSchema } from './cdc-types.ts';

const IDENTITY_NAMES = { d: 'default', n: 'nothing', f: 'full', i: 'index' } as const;

/** A column as a Relation message describes it. */
export interface RelationColumnLike {
  name: string;
  typeOid: number;
  typeMod: number;
}

export function schemaFromCatalog(prefix: string, catalog: CatalogTable): Omit<TableSchema, 'version'> {
  const columns = catalog.columns.map((column) => ({
    name: column.name,
    field: avroName(column.name),
    typeOid: column.typeOid,
    typeName: column.typeName,
    typeMod: column.typeMod,
    nullable: !column.notNull,
  }));
  return assemble(prefix, catalog.table, columns, keyColumnsOf(catalog), IDENTITY_NAMES[catalog.replicaIdentity]);
}

export function schemaFromRelation(
  prefix: string,
  table: TableId,
  relationColumns: RelationColumnLike[],
  replicaIdentity: TableSchema['replicaIdentity'],
  catalog: CatalogTable | undefined,
): Omit<TableSchema, 'version'> {
  const known = new Map((catalog?.columns ?? []).map((column) => [column.name, column]));
  const columns = relationColumns.map((relationColumn): ColumnInfo => {
    const described = known.get(relationColumn.name);
    return {
      name: relationColumn.name,
      field: avroName(relationColumn.name),
      typeOid: described?.typeOid ?? relationColumn.typeOid,
      typeName: described?.typeName ?? BUILTIN_TYPE_NAMES[relationColumn.typeOid] ?? 'text',
      typeMod: described ? described.typeMod : relationColumn.typeMod,
      nullable: described ? !described.notNull : true,
    };
  });
  const names = new Set(columns.map((column) => column.name));
  const keyColumns = catalog ? keyColumnsOf(catalog).filter((name) => names.has(name)) : [];
  return assemble(prefix, table, columns, keyColumns, replicaIdentity);
}

function assemble(
  prefix: string,
  table: TableId,
  columns: ColumnInfo[],
  keyColumns: string[],
  replicaIdentity: TableSchema['replicaIdentity'],
): Omit<TableSchema, 'version'> {
  const keySchema = keySchemaOf(prefix, table, columns, keyColumns);
  const valueSchema = valueSchemaOf(prefix, table, columns);
  return { table, columns, keyColumns, replicaIdentity, keySchema, valueSchema, fingerprint: JSON.stringify([keySchema, valueSchema]) };
}

/** Text tuple → Avro-ready row. `undefined` (an unchanged TOASTed value) is left out and reported. */
export class RowConverter {
  private readonly converters: Array<[ColumnInfo, ValueConverter]>;

  constructor(readonly schema: TableSchema) {
    this.converters = schema.columns.map((column) => [column, columnMapping(column.typeName, column.typeMod, column.name, column.nullable).convert]);
  }

  convert(tuple: Record<string, unknown>): { row: Record<string, unknown>; unchanged: string[] } {
    const row: Record<string, unknown> = {};
    const unchanged: string[] = [];
    for (const [column, convert] of this.converters) {
      const raw = tuple[column.name];
      if (raw === undefined) unchanged.push(column.name);
      else row[column.field] = raw === null ? null : convert(String(raw));
    }
    return { row, unchanged };
  }

  /** The key record from a converted row, or null for a keyless table. */
  keyOf(row: Record<string, unknown>): Record<string, unknown> | null {
    if (this.schema.keyColumns.length === 0) return null;
    const key: Record<string, unknown> = {};
    for (const name of this.schema.keyColumns) {
      const field = avroName(name);
      key[field] = row[field];
    }
    return key;
  }
}
