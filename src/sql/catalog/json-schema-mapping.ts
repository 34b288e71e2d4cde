/**
 * JSON Schema <-> SQL columns, and JSON records <-> rows, with Confluent Cloud's mapping for
 * the `json-registry` format (JSON_SR):
 *
 * | JSON Schema                                              | SQL                         |
 * |----------------------------------------------------------|-----------------------------|
 * | boolean                                                  | BOOLEAN                     |
 * | integer (no hint / connect.type int64)                   | BIGINT                      |
 * | integer/number + connect.type int8 / int16 / int32       | TINYINT / SMALLINT / INT    |
 * | number (no hint / float64), number + float32             | DOUBLE, FLOAT               |
 * | number + title org.apache.kafka.connect.data.Decimal     | DECIMAL(p, s) (connect.parameters) |
 * | number + title ...connect.data.Date / Time / Timestamp   | DATE / TIME(3) / TIMESTAMP_LTZ(3) |
 * | string                                                   | STRING                      |
 * | string + connect.type bytes (base64)                     | BYTES                       |
 * | string + format date / time / date-time                  | DATE / TIME(3) / TIMESTAMP_LTZ(3) |
 * | object with properties                                   | ROW                         |
 * | object + additionalProperties (or connect.type map)      | MAP<STRING, V>              |
 * | array; array of {key, value} + connect.type map          | ARRAY; MAP<K, V>            |
 * | type [T, "null"], oneOf/anyOf [null, T], not required    | nullable T (else NOT NULL)  |
 *
 * Reading accepts both spellings of temporal values (numbers and ISO strings), so a table keeps
 * working when a producer switches between them. CREATE TABLE writes the Connect spelling
 * (numbers with `connect.type` / `title`), as Confluent Cloud does, and `oneOf [null, T]` for
 * nullable columns.
 */
import { ShiftleftError } from '../../common/errors.ts';
import { parseJsonSchema } from '../../formats/json-schema/json-schema-provider.ts';
import { T, formatType, withNullability, type SqlType } from '../../types/sql-type.ts';
import type { Row } from '../../types/row.ts';
import type { ColumnDescriptor } from './table-descriptor.ts';

type Node = Record<string, unknown> | boolean;

const CONNECT_DECIMAL = 'org.apache.kafka.connect.data.Decimal';
const CONNECT_DATE = 'org.apache.kafka.connect.data.Date';
const CONNECT_TIME = 'org.apache.kafka.connect.data.Time';
const CONNECT_TIMESTAMP = 'org.apache.kafka.connect.data.Timestamp';
const MS_PER_DAY = 86_400_000;

function unsupported(what: string, path: string): never {
  throw new ShiftleftError('SQL_UNSUPPORTED', `JSON Schema ${what} at '${path}' has no SQL mapping`, {
    hint: 'use objects with properties, arrays, primitive types, and unions of one type with null',
    details: { path },
  });
}

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** Follows local `$ref`s (`#/definitions/X`, `#/$defs/X`); references to other documents are not mapped. */
function deref(node: Node, root: Node, path: string, seen: Set<string> = new Set()): Node {
  if (!isObject(node) || typeof node.$ref !== 'string') return node;
  const ref = node.$ref;
  if (!ref.startsWith('#')) unsupported(`reference to another document ('${ref}')`, path);
  if (seen.has(ref)) unsupported(`recursive reference '${ref}'`, path);
  seen.add(ref);
  let target: unknown = root;
  for (const token of ref.slice(1).split('/').filter((t) => t !== '')) {
    const key = decodeURIComponent(token).replace(/~1/g, '/').replace(/~0/g, '~');
    target = isObject(target) ? target[key] : undefined;
  }
  if (target === undefined) unsupported(`dangling reference '${ref}'`, path);
  return deref(target as Node, root, path, seen);
}

/** The non-null branches of a node, and whether null is allowed. */
function splitNull(node: Record<string, unknown>): { branches: Node[]; nullable: boolean } | undefined {
  const union = (node.oneOf ?? node.anyOf) as Node[] | undefined;
  if (Array.isArray(union)) {
    const branches = union.filter((b) => !(isObject(b) && b.type === 'null'));
    return { branches, nullable: branches.length !== union.length };
  }
  return undefined;
}

/** SQL type of a JSON Schema node; NOT NULL unless the node allows null. */
export function jsonSchemaToSqlType(node: Node, root: Node = node, path = '$'): SqlType {
  const resolved = deref(node, root, path);
  if (typeof resolved === 'boolean' || Object.keys(resolved).length === 0) {
    // An unconstrained value: kept as its JSON text.
    return T.string(true);
  }
  const union = splitNull(resolved);
  if (union) {
    if (union.branches.length !== 1) unsupported(`union of ${union.branches.length} non-null types`, path);
    return withNullability(jsonSchemaToSqlType(union.branches[0]!, root, path), union.nullable);
  }
  if (Array.isArray(resolved.allOf) && resolved.allOf.length === 1 && resolved.type === undefined) {
    return jsonSchemaToSqlType(resolved.allOf[0] as Node, root, path);
  }
  let type = resolved.type;
  let nullable = false;
  if (Array.isArray(type)) {
    const nonNull = type.filter((t) => t !== 'null');
    nullable = nonNull.length !== type.length;
    if (nonNull.length !== 1) unsupported(`type ${JSON.stringify(type)}`, path);
    type = nonNull[0];
  }
  if (type === undefined && Array.isArray(resolved.enum)) type = 'string';
  if (type === undefined && isObject(resolved.properties)) type = 'object';
  return withNullability(typeOfKind(String(type), resolved, root, path), nullable);
}

function typeOfKind(kind: string, node: Record<string, unknown>, root: Node, path: string): SqlType {
  const connectType = node['connect.type'];
  const title = node.title;
  switch (kind) {
    case 'boolean':
      return T.boolean(false);
    case 'integer':
    case 'number': {
      if (title === CONNECT_DECIMAL) {
        const params = isObject(node['connect.parameters']) ? node['connect.parameters'] : {};
        const precision = Number(params['connect.decimal.precision'] ?? 38);
        return T.decimal(Math.min(precision, 38), Number(params.scale ?? 0), false);
      }
      if (title === CONNECT_DATE) return T.date(false);
      if (title === CONNECT_TIME) return T.time(3, false);
      if (title === CONNECT_TIMESTAMP) return node['flink.type'] === 'timestamp' ? T.timestamp(3, false) : T.timestampLtz(3, false);
      switch (connectType) {
        case 'int8':
          return T.tinyint(false);
        case 'int16':
          return T.smallint(false);
        case 'int32':
          return T.int(false);
        case 'int64':
          return T.bigint(false);
        case 'float32':
          return T.float(false);
        case 'float64':
          return T.double(false);
      }
      return kind === 'integer' ? T.bigint(false) : T.double(false);
    }
    case 'string':
      if (connectType === 'bytes') return T.bytes(false);
      if (node.format === 'date') return T.date(false);
      if (node.format === 'time') return T.time(3, false);
      if (node.format === 'date-time') return T.timestampLtz(3, false);
      return T.string(false);
    case 'object': {
      const properties = isObject(node.properties) ? node.properties : undefined;
      if (properties && (connectType !== 'map' || Object.keys(properties).length > 0)) {
        const required = new Set(Array.isArray(node.required) ? (node.required as string[]) : []);
        return T.row(
          Object.entries(properties).map(([name, child]) => {
            const type = jsonSchemaToSqlType(child as Node, root, `${path}.${name}`);
            return { name, type: required.has(name) ? type : withNullability(type, true) };
          }),
          false,
        );
      }
      const values = node.additionalProperties;
      if (isObject(values) || values === true || values === undefined) {
        return T.map(T.string(false), isObject(values) ? jsonSchemaToSqlType(values, root, `${path}.*`) : T.string(true), false);
      }
      return unsupported('object without properties', path);
    }
    case 'array': {
      const items = node.items;
      if (!isObject(items) && typeof items !== 'boolean') return T.array(T.string(true), false);
      const element = jsonSchemaToSqlType(items, root, `${path}[]`);
      // Connect writes maps with non-string keys as arrays of {key, value} entries.
      if (connectType === 'map' && element.kind === 'ROW') {
        const key = element.fields.find((f) => f.name === 'key');
        const value = element.fields.find((f) => f.name === 'value');
        if (key && value) return T.map(key.type, value.type, false);
      }
      return T.array(element, false);
    }
    case 'null':
      return T.null();
    default:
      return unsupported(`type '${kind}'`, path);
  }
}

/** Columns of a table from its JSON Schema value schema (an object with properties). */
export function jsonSchemaToColumns(valueSchema: string): ColumnDescriptor[] {
  const document = JSON.parse(valueSchema) as Node;
  const type = jsonSchemaToSqlType(document);
  if (type.kind !== 'ROW') {
    throw new ShiftleftError('SQL_UNSUPPORTED', 'the value schema is not a JSON Schema object with properties', {
      hint: 'tables need an object value schema ("type": "object" with "properties")',
    });
  }
  return type.fields.map((f) => ({ name: f.name, type: f.type, kind: 'physical' }));
}

// ---- columns -> JSON Schema (CREATE TABLE ... 'value.format' = 'json-registry') ---------------

function sqlToJsonSchema(type: SqlType): Record<string, unknown> {
  switch (type.kind) {
    case 'BOOLEAN':
      return { type: 'boolean' };
    case 'TINYINT':
      return { type: 'integer', 'connect.type': 'int8' };
    case 'SMALLINT':
      return { type: 'integer', 'connect.type': 'int16' };
    case 'INT':
      return { type: 'integer', 'connect.type': 'int32' };
    case 'BIGINT':
      return { type: 'integer', 'connect.type': 'int64' };
    case 'FLOAT':
      return { type: 'number', 'connect.type': 'float32' };
    case 'DOUBLE':
      return { type: 'number', 'connect.type': 'float64' };
    case 'DECIMAL':
      return {
        type: 'number',
        title: CONNECT_DECIMAL,
        'connect.version': 1,
        'connect.parameters': { scale: String(type.scale), 'connect.decimal.precision': String(type.precision) },
      };
    case 'CHAR':
    case 'VARCHAR':
      return { type: 'string' };
    case 'BINARY':
    case 'VARBINARY':
      return { type: 'string', 'connect.type': 'bytes' };
    case 'DATE':
      return { type: 'integer', title: CONNECT_DATE, 'connect.version': 1, 'connect.type': 'int32' };
    case 'TIME':
      return { type: 'integer', title: CONNECT_TIME, 'connect.version': 1, 'connect.type': 'int32' };
    case 'TIMESTAMP_LTZ':
      return { type: 'integer', title: CONNECT_TIMESTAMP, 'connect.version': 1, 'connect.type': 'int64' };
    case 'TIMESTAMP':
      return { type: 'integer', title: CONNECT_TIMESTAMP, 'connect.version': 1, 'connect.type': 'int64', 'flink.type': 'timestamp' };
    case 'ARRAY':
    case 'MULTISET':
      return { type: 'array', items: nullableJsonSchema(type.element) };
    case 'MAP':
      if (type.key.kind === 'VARCHAR' || type.key.kind === 'CHAR') {
        return { type: 'object', 'connect.type': 'map', additionalProperties: nullableJsonSchema(type.value) };
      }
      return {
        type: 'array',
        'connect.type': 'map',
        items: { type: 'object', properties: { key: nullableJsonSchema(type.key), value: nullableJsonSchema(type.value) }, required: ['key'] },
      };
    case 'ROW':
      return objectSchema(type.fields);
    case 'INTERVAL_DAY_TIME':
    case 'INTERVAL_YEAR_MONTH':
    case 'NULL':
      throw new ShiftleftError('SQL_UNSUPPORTED', `${formatType(type)} columns cannot be stored in a topic`, {
        hint: 'cast the value to BIGINT or STRING first',
      });
  }
}

function nullableJsonSchema(type: SqlType): Record<string, unknown> {
  const schema = sqlToJsonSchema(type);
  return type.nullable ? { oneOf: [{ type: 'null' }, schema] } : schema;
}

function objectSchema(fields: { name: string; type: SqlType }[]): Record<string, unknown> {
  const required = fields.filter((f) => !f.type.nullable).map((f) => f.name);
  return {
    type: 'object',
    properties: Object.fromEntries(fields.map((f) => [f.name, nullableJsonSchema(f.type)])),
    ...(required.length > 0 ? { required } : {}),
  };
}

/** JSON Schema for SQL columns (CREATE TABLE registers it as `<table>-value`). */
export function columnsToJsonSchema(columns: { name: string; type: SqlType }[], title: string): string {
  return JSON.stringify({ $schema: 'http://json-schema.org/draft-07/schema#', title, ...objectSchema(columns) });
}

// ---- values ----------------------------------------------------------------------------------

function mismatch(path: string, expected: string, value: unknown): never {
  throw new ShiftleftError('DESERIALIZATION_FAILED', `field '${path}': expected ${expected}, got ${JSON.stringify(value)?.slice(0, 80)}`, {
    details: { path },
  });
}

function parseTimeOfDay(text: string, path: string): number {
  const m = /^(\d{2}):(\d{2}):(\d{2})(?:\.(\d{1,9}))?/.exec(text);
  if (!m) return mismatch(path, 'a time (HH:MM:SS)', text);
  return ((Number(m[1]) * 60 + Number(m[2])) * 60 + Number(m[3])) * 1000 + Math.floor(Number(`0.${m[4] ?? '0'}`) * 1000);
}

/** Converts a parsed JSON value to the SQL value of `type` (see sql-type.ts for representations). */
export function jsonValueToSql(value: unknown, type: SqlType, path = '$'): unknown {
  if (value === null || value === undefined) return null;
  switch (type.kind) {
    case 'BOOLEAN':
      return typeof value === 'boolean' ? value : mismatch(path, 'a boolean', value);
    case 'TINYINT':
    case 'SMALLINT':
    case 'INT':
    case 'BIGINT':
      return typeof value === 'number' && Number.isInteger(value) ? value : mismatch(path, 'an integer', value);
    case 'FLOAT':
    case 'DOUBLE':
      return typeof value === 'number' ? value : mismatch(path, 'a number', value);
    case 'DECIMAL': {
      const n = typeof value === 'string' ? Number(value) : value;
      if (typeof n !== 'number' || Number.isNaN(n)) return mismatch(path, 'a decimal number', value);
      return Number(n.toFixed(type.scale));
    }
    case 'CHAR':
    case 'VARCHAR':
      return typeof value === 'string' ? value : JSON.stringify(value);
    case 'BINARY':
    case 'VARBINARY':
      return typeof value === 'string' ? Buffer.from(value, 'base64') : mismatch(path, 'base64 bytes', value);
    case 'DATE':
      if (typeof value === 'number') return value;
      if (typeof value === 'string' && /^\d{4}-\d{2}-\d{2}$/.test(value)) return Date.parse(`${value}T00:00:00Z`) / MS_PER_DAY;
      return mismatch(path, 'a date', value);
    case 'TIME':
      if (typeof value === 'number') return value;
      return typeof value === 'string' ? parseTimeOfDay(value, path) : mismatch(path, 'a time', value);
    case 'TIMESTAMP':
    case 'TIMESTAMP_LTZ': {
      if (typeof value === 'number') return value;
      const ms = typeof value === 'string' ? Date.parse(value) : NaN;
      return Number.isNaN(ms) ? mismatch(path, 'a timestamp', value) : ms;
    }
    case 'ROW': {
      if (!isObject(value)) return mismatch(path, 'an object', value);
      return type.fields.map((f) => jsonValueToSql(value[f.name], f.type, `${path}.${f.name}`));
    }
    case 'ARRAY':
    case 'MULTISET':
      return Array.isArray(value) ? value.map((v, i) => jsonValueToSql(v, type.element, `${path}[${i}]`)) : mismatch(path, 'an array', value);
    case 'MAP':
      if (Array.isArray(value)) {
        return new Map(value.map((e: unknown, i) => [jsonValueToSql(isObject(e) ? e.key : undefined, type.key, `${path}[${i}].key`), jsonValueToSql(isObject(e) ? e.value : undefined, type.value, `${path}[${i}].value`)]));
      }
      if (!isObject(value)) return mismatch(path, 'an object', value);
      return new Map(Object.entries(value).map(([k, v]) => [k, jsonValueToSql(v, type.value, `${path}.${k}`)]));
    default:
      return value;
  }
}

/** Converts a SQL value to its JSON value in the spelling `columnsToJsonSchema` declares. */
export function sqlValueToJson(value: unknown, type: SqlType): unknown {
  if (value === null || value === undefined) return null;
  switch (type.kind) {
    case 'TINYINT':
    case 'SMALLINT':
    case 'INT':
    case 'BIGINT':
    case 'DATE':
    case 'TIME':
    case 'TIMESTAMP':
    case 'TIMESTAMP_LTZ':
      return Math.trunc(value as number);
    case 'BINARY':
    case 'VARBINARY':
      return Buffer.from(value as Uint8Array).toString('base64');
    case 'ROW':
      return Object.fromEntries(type.fields.map((f, i) => [f.name, sqlValueToJson((value as unknown[])[i], f.type)]));
    case 'ARRAY':
    case 'MULTISET':
      return (value as unknown[]).map((v) => sqlValueToJson(v, type.element));
    case 'MAP': {
      const entries = [...(value as Map<unknown, unknown>)];
      if (type.key.kind === 'VARCHAR' || type.key.kind === 'CHAR') {
        return Object.fromEntries(entries.map(([k, v]) => [String(k), sqlValueToJson(v, type.value)]));
      }
      return entries.map(([k, v]) => ({ key: sqlValueToJson(k, type.key), value: sqlValueToJson(v, type.value) }));
    }
    default:
      return value;
  }
}

/**
 * A decoder from JSON bytes (after the 5-byte wire prefix) to rows with the given columns, for
 * one writer schema: the record is checked against that schema first (so a record that breaks
 * its contract is refused, not half-read), then fields are read by name.
 */
export function createJsonRowDecoder(writerSchema: string, columns: { name: string; type: SqlType }[]): (bytes: Buffer, offset: number) => Row {
  const { validate } = parseJsonSchema(writerSchema);
  return (bytes, offset) => {
    let value: unknown;
    try {
      value = JSON.parse(bytes.toString('utf8', offset)) as unknown;
    } catch (error) {
      throw new ShiftleftError('DESERIALIZATION_FAILED', `the record is not valid JSON: ${(error as Error).message}`, { cause: error });
    }
    if (!validate(value)) {
      const reasons = (validate.errors ?? []).map((e) => `${e.instancePath || '/'} ${e.message ?? 'is invalid'}`).join('; ');
      throw new ShiftleftError('DESERIALIZATION_FAILED', `the record does not match its JSON schema: ${reasons}`, {
        hint: 'produce records through a JSON Schema serializer that validates them',
      });
    }
    if (!isObject(value)) return mismatch('$', 'an object', value);
    const row: Row = new Array(columns.length);
    for (let i = 0; i < columns.length; i++) row[i] = jsonValueToSql(value[columns[i]!.name], columns[i]!.type, columns[i]!.name);
    return row;
  };
}

/** An encoder from rows (in `columns` order) to JSON bytes. */
export function createJsonRowEncoder(columns: { name: string; type: SqlType }[]): (row: Row) => Buffer {
  return (row) => {
    const record: Record<string, unknown> = {};
    for (let i = 0; i < columns.length; i++) record[columns[i]!.name] = sqlValueToJson(row[i], columns[i]!.type);
    return Buffer.from(JSON.stringify(record), 'utf8');
  };
}
