/**
 * Protobuf schemas <-> SQL columns, and Protobuf records <-> rows, with Confluent Cloud's
 * mapping for the `proto-registry` format. A table's columns are the fields of the schema's
 * first message (what Confluent's serializers write by default):
 *
 * | Protobuf                                         | SQL                           |
 * |--------------------------------------------------|-------------------------------|
 * | int32 sint32 sfixed32                            | INT                           |
 * | int64 sint64 sfixed64 uint32 fixed32 uint64 fixed64 | BIGINT                     |
 * | bool string bytes float double                   | BOOLEAN STRING BYTES FLOAT DOUBLE |
 * | enum                                             | STRING (the value's name)     |
 * | message                                          | ROW (nullable)                |
 * | repeated T / map<K, V>                           | ARRAY<T> / MAP<K, V> (NOT NULL) |
 * | google.protobuf.Timestamp                        | TIMESTAMP_LTZ(3)              |
 * | google.protobuf.*Value wrappers                  | the wrapped type, nullable    |
 * | proto3 `optional`, proto2 `optional`, oneof members | nullable; other scalars NOT NULL |
 *
 * Records are in Confluent's wire format: magic byte, 4-byte schema id, the message indexes
 * (a zigzag-varint count, then that many indexes; a single 0 stands for [0]) that name the
 * message inside the schema, then the message bytes.
 */
import protobuf from 'protobufjs';
import { ShiftleftError } from '../../common/errors.ts';
import { parseProtobufSchemaOrDescriptor } from '../../formats/protobuf/protobuf-provider.ts';
import { T, formatType, withNullability, type SqlType } from '../../types/sql-type.ts';
import type { Row } from '../../types/row.ts';
import type { ColumnDescriptor } from './table-descriptor.ts';

/** The message indexes of the first top-level message, as serializers write them. */
export const PROTOBUF_FIRST_MESSAGE_INDEXES = Buffer.from([0]);

const TIMESTAMP = '.google.protobuf.Timestamp';
const WRAPPERS: Record<string, () => SqlType> = {
  '.google.protobuf.DoubleValue': () => T.double(true),
  '.google.protobuf.FloatValue': () => T.float(true),
  '.google.protobuf.Int64Value': () => T.bigint(true),
  '.google.protobuf.UInt64Value': () => T.bigint(true),
  '.google.protobuf.Int32Value': () => T.int(true),
  '.google.protobuf.UInt32Value': () => T.bigint(true),
  '.google.protobuf.BoolValue': () => T.boolean(true),
  '.google.protobuf.StringValue': () => T.string(true),
  '.google.protobuf.BytesValue': () => T.bytes(true),
};

function unsupported(what: string): never {
  throw new ShiftleftError('SQL_UNSUPPORTED', `Protobuf ${what} has no SQL mapping`, {
    hint: 'use scalars, enums, messages, repeated fields, maps, google.protobuf.Timestamp and the wrapper types',
  });
}

function scalarType(name: string): SqlType | undefined {
  switch (name) {
    case 'int32':
    case 'sint32':
    case 'sfixed32':
      return T.int(false);
    case 'int64':
    case 'sint64':
    case 'sfixed64':
    case 'uint32':
    case 'fixed32':
    case 'uint64':
    case 'fixed64':
      return T.bigint(false);
    case 'bool':
      return T.boolean(false);
    case 'string':
      return T.string(false);
    case 'bytes':
      return T.bytes(false);
    case 'float':
      return T.float(false);
    case 'double':
      return T.double(false);
    default:
      return undefined;
  }
}

/** Whether a field can be absent: proto3/proto2 `optional`, oneof members, messages (protobufjs's field presence). */
function hasPresence(field: protobuf.Field): boolean {
  return field.hasPresence && !field.required;
}

function elementType(field: protobuf.Field, seen: Set<string>): SqlType {
  const scalar = scalarType(field.type);
  if (scalar) return scalar;
  const resolved = field.resolvedType;
  if (resolved instanceof protobuf.Enum) return T.string(false);
  if (resolved instanceof protobuf.Type) return messageType(resolved, seen);
  return unsupported(`field type '${field.type}'`);
}

function messageType(type: protobuf.Type, seen: Set<string>): SqlType {
  if (type.fullName === TIMESTAMP) return T.timestampLtz(3, true);
  const wrapper = WRAPPERS[type.fullName];
  if (wrapper) return wrapper();
  if (seen.has(type.fullName)) unsupported(`recursive message '${type.fullName.slice(1)}'`);
  const inner = new Set(seen).add(type.fullName);
  return T.row(type.fieldsArray.map((f) => ({ name: f.name, type: fieldType(f, inner) })), true);
}

/** SQL type of one field of a message. */
export function protobufFieldType(field: protobuf.Field): SqlType {
  return fieldType(field, new Set());
}

function fieldType(field: protobuf.Field, seen: Set<string>): SqlType {
  field.resolve();
  if (field instanceof protobuf.MapField) {
    const key = scalarType(field.keyType) ?? unsupported(`map key type '${field.keyType}'`);
    return T.map(key, elementType(field, seen), false);
  }
  const element = elementType(field, seen);
  if (field.repeated) return T.array(withNullability(element, false), false);
  return hasPresence(field) ? withNullability(element, true) : element;
}

/** Columns of a table from its Protobuf value schema (the fields of its first message). */
export function protobufSchemaToColumns(valueSchema: string): ColumnDescriptor[] {
  const message = firstMessage(valueSchema);
  return message.fieldsArray.map((f) => ({ name: f.name, type: protobufFieldType(f), kind: 'physical' }));
}

function firstMessage(schema: string): protobuf.Type {
  // Schemas auto-registered by Confluent's serializers are stored as base64 descriptors.
  const parsed = parseProtobufSchemaOrDescriptor(schema);
  const message = parsed.messageType;
  if (!message) {
    throw new ShiftleftError('SQL_UNSUPPORTED', 'the Protobuf value schema defines no message', { hint: 'tables need a message value schema' });
  }
  return message;
}

// ---- columns -> .proto (CREATE TABLE ... 'value.format' = 'proto-registry') ------------------

interface ProtoWriter {
  imports: Set<string>;
}

function protoScalar(type: SqlType, writer: ProtoWriter): string | undefined {
  switch (type.kind) {
    case 'BOOLEAN':
      return 'bool';
    case 'TINYINT':
    case 'SMALLINT':
    case 'INT':
    case 'DATE':
    case 'TIME':
      return 'int32';
    case 'BIGINT':
      return 'int64';
    case 'FLOAT':
      return 'float';
    case 'DOUBLE':
    case 'DECIMAL':
      return 'double';
    case 'CHAR':
    case 'VARCHAR':
      return 'string';
    case 'BINARY':
    case 'VARBINARY':
      return 'bytes';
    case 'TIMESTAMP':
    case 'TIMESTAMP_LTZ':
      writer.imports.add('google/protobuf/timestamp.proto');
      return 'google.protobuf.Timestamp';
    default:
      return undefined;
  }
}

function messageText(name: string, fields: { name: string; type: SqlType }[], writer: ProtoWriter, indent: string): string[] {
  const lines = [`${indent}message ${name} {`];
  const nested: string[] = [];
  fields.forEach((f, i) => {
    const number = i + 1;
    const type = f.type;
    const scalar = protoScalar(type, writer);
    if (scalar) {
      const optional = type.nullable && !scalar.startsWith('google.') ? 'optional ' : '';
      lines.push(`${indent}  ${optional}${scalar} ${f.name} = ${number};`);
      return;
    }
    switch (type.kind) {
      case 'ROW': {
        const nestedName = `${f.name.charAt(0).toUpperCase()}${f.name.slice(1)}Row`;
        nested.push(...messageText(nestedName, type.fields, writer, `${indent}  `));
        lines.push(`${indent}  ${nestedName} ${f.name} = ${number};`);
        return;
      }
      case 'ARRAY':
      case 'MULTISET': {
        const element = protoScalar(type.element, writer);
        if (element) {
          lines.push(`${indent}  repeated ${element} ${f.name} = ${number};`);
          return;
        }
        if (type.element.kind === 'ROW') {
          const nestedName = `${f.name.charAt(0).toUpperCase()}${f.name.slice(1)}Element`;
          nested.push(...messageText(nestedName, type.element.fields, writer, `${indent}  `));
          lines.push(`${indent}  repeated ${nestedName} ${f.name} = ${number};`);
          return;
        }
        break;
      }
      case 'MAP': {
        const key = protoScalar(type.key, writer);
        const value = protoScalar(type.value, writer);
        if (key && value && !key.startsWith('google.') && key !== 'double' && key !== 'float' && key !== 'bytes') {
          lines.push(`${indent}  map<${key}, ${value}> ${f.name} = ${number};`);
          return;
        }
        break;
      }
    }
    throw new ShiftleftError('SQL_UNSUPPORTED', `column '${f.name}' of type ${formatType(type)} cannot be stored as Protobuf`, {
      hint: "use 'value.format' = 'avro-registry' for this table, or a simpler column type",
    });
  });
  lines.push(...nested, `${indent}}`);
  return lines;
}

/** A .proto file for SQL columns (CREATE TABLE registers it as `<table>-value`). */
export function columnsToProtobufSchema(columns: { name: string; type: SqlType }[], messageName: string): string {
  const writer: ProtoWriter = { imports: new Set() };
  const body = messageText(messageName, columns, writer, '');
  const imports = [...writer.imports].sort().map((i) => `import "${i}";`);
  return [`syntax = "proto3";`, ...(imports.length > 0 ? ['', ...imports] : []), '', ...body, ''].join('\n');
}

// ---- values ----------------------------------------------------------------------------------

const TO_OBJECT: protobuf.IConversionOptions = { longs: Number, enums: String, defaults: true, arrays: true, objects: true };

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value) && !(value instanceof Uint8Array);
}

/** Converts a value of protobufjs's `toObject` to the SQL value of `type`. */
export function protobufValueToSql(value: unknown, type: SqlType): unknown {
  if (value === null || value === undefined) return null;
  // Wrapper messages ({value}) and Timestamps ({seconds, nanos}) become their SQL value.
  if (type.kind === 'TIMESTAMP_LTZ' || type.kind === 'TIMESTAMP') {
    if (isRecord(value)) return Number(value.seconds ?? 0) * 1000 + Math.floor(Number(value.nanos ?? 0) / 1e6);
    return Number(value);
  }
  if (type.kind !== 'ROW' && type.kind !== 'MAP' && isRecord(value) && 'value' in value) return protobufValueToSql(value.value, type);
  switch (type.kind) {
    case 'ROW': {
      if (!isRecord(value)) return null;
      return type.fields.map((f) => protobufValueToSql(value[f.name], f.type));
    }
    case 'ARRAY':
    case 'MULTISET':
      return (value as unknown[]).map((v) => protobufValueToSql(v, type.element));
    case 'MAP': {
      const numericKey = type.key.kind !== 'VARCHAR' && type.key.kind !== 'CHAR' && type.key.kind !== 'BOOLEAN';
      return new Map(
        Object.entries(value as Record<string, unknown>).map(([k, v]) => [numericKey ? Number(k) : type.key.kind === 'BOOLEAN' ? k === 'true' : k, protobufValueToSql(v, type.value)]),
      );
    }
    case 'VARBINARY':
    case 'BINARY':
      return Buffer.from(value as Uint8Array);
    default:
      return value;
  }
}

/** Converts a SQL value to what protobufjs's `fromObject` takes for `field`. */
function sqlToProtobufValue(value: unknown, type: SqlType, field: protobuf.Field): unknown {
  if (value === null || value === undefined) return undefined;
  const resolved = field.resolvedType;
  if (field instanceof protobuf.MapField) {
    return Object.fromEntries([...(value as Map<unknown, unknown>)].map(([k, v]) => [String(k), sqlToProtobufElement(v, type.kind === 'MAP' ? type.value : type, resolved)]));
  }
  if (field.repeated && type.kind === 'ARRAY') return (value as unknown[]).map((v) => sqlToProtobufElement(v, type.element, resolved));
  return sqlToProtobufElement(value, type, resolved);
}

function sqlToProtobufElement(value: unknown, type: SqlType, resolved: protobuf.Type | protobuf.Enum | null): unknown {
  if (value === null || value === undefined) return undefined;
  if (resolved instanceof protobuf.Type) {
    if (resolved.fullName === TIMESTAMP) {
      const ms = Number(value);
      const seconds = Math.floor(ms / 1000);
      return { seconds, nanos: (ms - seconds * 1000) * 1e6 };
    }
    if (WRAPPERS[resolved.fullName]) return { value };
    if (type.kind === 'ROW') return rowToObject(value as unknown[], type.fields, resolved);
  }
  if (type.kind === 'DECIMAL' || type.kind === 'BIGINT') return Number(value);
  return value;
}

function rowToObject(row: unknown[], fields: { name: string; type: SqlType }[], message: protobuf.Type): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (let i = 0; i < fields.length; i++) {
    const field = message.fields[fields[i]!.name];
    if (!field) continue;
    field.resolve();
    const v = sqlToProtobufValue(row[i], fields[i]!.type, field);
    if (v !== undefined) out[field.name] = v;
  }
  return out;
}

/** Reads Confluent's message indexes at `offset`; returns them and where the message starts. */
export function readMessageIndexes(bytes: Buffer, offset: number): { indexes: number[]; next: number } {
  const reader = protobuf.Reader.create(bytes.subarray(offset));
  const count = reader.sint32();
  if (count === 0) return { indexes: [0], next: offset + reader.pos };
  if (count < 0 || count > 100) {
    throw new ShiftleftError('DESERIALIZATION_FAILED', 'the record has malformed Protobuf message indexes', {
      hint: 'produce through a Confluent Protobuf serializer (the payload starts with the message indexes)',
    });
  }
  const indexes: number[] = [];
  for (let i = 0; i < count; i++) indexes.push(reader.sint32());
  return { indexes, next: offset + reader.pos };
}

function messageAt(messages: protobuf.Type[], indexes: number[]): protobuf.Type {
  let type = messages[indexes[0]!];
  for (const index of indexes.slice(1)) type = type?.nestedArray.filter((n): n is protobuf.Type => n instanceof protobuf.Type)[index];
  if (!type) {
    throw new ShiftleftError('DESERIALIZATION_FAILED', `message indexes [${indexes.join(', ')}] name no message of the schema`);
  }
  return type;
}

/**
 * A decoder from Protobuf records (from the message indexes on, at `offset`) to rows with the
 * given columns, for one writer schema; fields are matched by name.
 */
export function createProtobufRowDecoder(writerSchema: string, columns: { name: string; type: SqlType }[]): (bytes: Buffer, offset: number) => Row {
  const parsed = parseProtobufSchemaOrDescriptor(writerSchema);
  const messages = parsed.messages;
  return (bytes, offset) => {
    const { indexes, next } = readMessageIndexes(bytes, offset);
    const type = messageAt(messages, indexes);
    let object: Record<string, unknown>;
    try {
      object = type.toObject(type.decode(bytes.subarray(next)), TO_OBJECT);
    } catch (error) {
      throw new ShiftleftError('DESERIALIZATION_FAILED', `the record is not a valid '${type.fullName.slice(1)}' message: ${(error as Error).message}`, { cause: error });
    }
    const row: Row = new Array(columns.length);
    for (let i = 0; i < columns.length; i++) row[i] = protobufValueToSql(object[columns[i]!.name], columns[i]!.type);
    return row;
  };
}

/** An encoder from rows (in `columns` order) to the bytes of the schema's first message (no prefix). */
export function createProtobufRowEncoder(schema: string, columns: { name: string; type: SqlType }[]): (row: Row) => Buffer {
  const message = firstMessage(schema);
  return (row) => Buffer.from(message.encode(message.fromObject(rowToObject(row, columns, message))).finish());
}
