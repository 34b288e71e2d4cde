/**
 * Avro schemas <-> SQL columns, and Avro records <-> rows, with Confluent Cloud's mapping:
 *
 * | Avro                              | SQL                      |
 * |-----------------------------------|--------------------------|
 * | boolean int long float double     | BOOLEAN INT BIGINT FLOAT DOUBLE |
 * | string, enum                      | STRING                   |
 * | bytes, fixed(n)                   | BYTES, BINARY(n)         |
 * | bytes/fixed + decimal(p, s)       | DECIMAL(p, s)            |
 * | int + date                        | DATE                     |
 * | int + time-millis                 | TIME(3)                  |
 * | long + timestamp-millis           | TIMESTAMP_LTZ(3)         |
 * | long + local-timestamp-millis     | TIMESTAMP(3)             |
 * | array, map, record                | ARRAY, MAP<STRING, V>, ROW |
 * | ["null", T]                       | T (nullable); others NOT NULL |
 *
 * Values: timestamps stay epoch millis, dates days since epoch, decimals are decoded from their
 * two's-complement bytes to numbers at their scale (see sql-type.ts for representations).
 */
import avro from 'avsc';
import { ShiftleftError } from '../../common/errors.ts';
import { T, formatType, withNullability, type SqlType } from '../../types/sql-type.ts';
import type { Row } from '../../types/row.ts';
import type { ColumnDescriptor } from './table-descriptor.ts';

type AvroSchema = string | { type: string | AvroSchema[] | AvroSchema; [k: string]: unknown } | AvroSchema[];

function unsupported(what: string): never {
  throw new ShiftleftError('SQL_UNSUPPORTED', `Avro ${what} has no SQL mapping`, {
    hint: 'use records, primitives, arrays, maps, unions with null, and the decimal/date/time/timestamp logical types',
  });
}

/** SQL type of an Avro schema node (named types are resolved through `named`). */
export function avroToSqlType(schema: AvroSchema, named = new Map<string, AvroSchema>(), namespace?: string): SqlType {
  if (Array.isArray(schema)) {
    const branches = schema.filter((b) => b !== 'null');
    if (branches.length !== 1) unsupported(`union of ${JSON.stringify(schema)}`);
    return withNullability(avroToSqlType(branches[0]!, named, namespace), schema.length !== branches.length || false);
  }
  if (typeof schema === 'string') {
    switch (schema) {
      case 'boolean':
        return T.boolean(false);
      case 'int':
        return T.int(false);
      case 'long':
        return T.bigint(false);
      case 'float':
        return T.float(false);
      case 'double':
        return T.double(false);
      case 'string':
        return T.string(false);
      case 'bytes':
        return T.bytes(false);
      case 'null':
        return T.null();
      default: {
        const full = schema.includes('.') || !namespace ? schema : `${namespace}.${schema}`;
        const target = named.get(full) ?? named.get(schema);
        if (!target) unsupported(`reference to unknown type '${schema}'`);
        return avroToSqlType(target, named, namespace);
      }
    }
  }
  const logical = schema.logicalType as string | undefined;
  const type = schema.type;
  if (typeof type !== 'string') return avroToSqlType(type, named, namespace);
  if (logical === 'decimal' && (type === 'bytes' || type === 'fixed')) {
    registerNamed(schema, named, namespace);
    return T.decimal(Number(schema.precision), Number(schema.scale ?? 0), false);
  }
  if (logical === 'date' && type === 'int') return T.date(false);
  if (logical === 'time-millis' && type === 'int') return T.time(3, false);
  if (logical === 'timestamp-millis' && type === 'long') return T.timestampLtz(3, false);
  if (logical === 'local-timestamp-millis' && type === 'long') return T.timestamp(3, false);
  if (logical === 'timestamp-micros' && type === 'long') return T.timestampLtz(6, false);
  switch (type) {
    case 'record': {
      const ns = registerNamed(schema, named, namespace);
      const fields = (schema.fields as { name: string; type: AvroSchema }[]).map((f) => ({ name: f.name, type: avroToSqlType(f.type, named, ns) }));
      return T.row(fields, false);
    }
    case 'enum':
      registerNamed(schema, named, namespace);
      return T.string(false);
    case 'fixed':
      registerNamed(schema, named, namespace);
      return { kind: 'BINARY', length: Number(schema.size), nullable: false };
    case 'array':
      return T.array(avroToSqlType(schema.items as AvroSchema, named, namespace), false);
    case 'map':
      return T.map(T.string(false), avroToSqlType(schema.values as AvroSchema, named, namespace), false);
    default:
      return avroToSqlType(type, named, namespace);
  }
}

function registerNamed(schema: { [k: string]: unknown }, named: Map<string, AvroSchema>, namespace: string | undefined): string | undefined {
  const name = schema.name as string | undefined;
  const ns = (schema.namespace as string | undefined) ?? namespace;
  if (name) named.set(name.includes('.') || !ns ? name : `${ns}.${name}`, schema as AvroSchema);
  return name?.includes('.') ? name.slice(0, name.lastIndexOf('.')) : ns;
}

/** Columns of a table from its value schema (a record) and optional key schema. */
export function avroSchemaToColumns(valueSchema: string, keySchema?: string): ColumnDescriptor[] {
  const value = avroToSqlType(JSON.parse(valueSchema) as AvroSchema);
  if (value.kind !== 'ROW') {
    throw new ShiftleftError('SQL_UNSUPPORTED', 'the value schema is not an Avro record', {
      hint: 'tables need a record value schema; primitive values are not mapped to columns yet',
    });
  }
  const columns: ColumnDescriptor[] = value.fields.map((f) => ({ name: f.name, type: f.type, kind: 'physical' }));
  if (keySchema) {
    const key = avroToSqlType(JSON.parse(keySchema) as AvroSchema);
    const keyFields = key.kind === 'ROW' ? key.fields : [{ name: 'key', type: key }];
    // Key fields that the value also carries come from the value (CDC values hold their key).
    const extra = keyFields.filter((f) => !columns.some((c) => c.name === f.name));
    columns.unshift(...extra.map((f): ColumnDescriptor => ({ name: f.name, type: f.type, kind: 'physical', fromKey: true })));
  }
  return columns;
}

/** Avro schema for SQL columns (CREATE TABLE registers it as `<table>-value`). */
export function columnsToAvroSchema(columns: { name: string; type: SqlType }[], recordName: string): string {
  return JSON.stringify({
    type: 'record',
    name: recordName,
    namespace: 'org.apache.flink.avro.generated',
    fields: columns.map((c) => {
      const type = sqlToAvro(c.type, `${recordName}_${c.name}`);
      return c.type.nullable ? { name: c.name, type: ['null', type], default: null } : { name: c.name, type };
    }),
  });
}

function sqlToAvro(type: SqlType, recordName: string): unknown {
  switch (type.kind) {
    case 'BOOLEAN':
      return 'boolean';
    case 'TINYINT':
    case 'SMALLINT':
    case 'INT':
      return 'int';
    case 'BIGINT':
      return 'long';
    case 'FLOAT':
      return 'float';
    case 'DOUBLE':
      return 'double';
    case 'DECIMAL':
      return { type: 'bytes', logicalType: 'decimal', precision: type.precision, scale: type.scale };
    case 'CHAR':
    case 'VARCHAR':
      return 'string';
    case 'BINARY':
    case 'VARBINARY':
      return 'bytes';
    case 'DATE':
      return { type: 'int', logicalType: 'date' };
    case 'TIME':
      return { type: 'int', logicalType: 'time-millis' };
    case 'TIMESTAMP':
      return { type: 'long', logicalType: 'local-timestamp-millis' };
    case 'TIMESTAMP_LTZ':
      return { type: 'long', logicalType: 'timestamp-millis' };
    case 'ARRAY':
    case 'MULTISET':
      return { type: 'array', items: nullableAvro(type.element, `${recordName}_element`) };
    case 'MAP':
      if (type.key.kind !== 'VARCHAR' && type.key.kind !== 'CHAR') {
        throw new ShiftleftError('SQL_UNSUPPORTED', `${formatType(type)} cannot be stored in Avro: map keys must be strings`);
      }
      return { type: 'map', values: nullableAvro(type.value, `${recordName}_value`) };
    case 'ROW':
      return {
        type: 'record',
        name: recordName,
        fields: type.fields.map((f) => ({ name: f.name, type: nullableAvro(f.type, `${recordName}_${f.name}`), ...(f.type.nullable ? { default: null } : {}) })),
      };
    case 'INTERVAL_DAY_TIME':
    case 'INTERVAL_YEAR_MONTH':
    case 'NULL':
      throw new ShiftleftError('SQL_UNSUPPORTED', `${formatType(type)} columns cannot be stored in a topic`, {
        hint: 'cast the value to BIGINT or STRING first',
      });
  }
}

function nullableAvro(type: SqlType, recordName: string): unknown {
  const avroType = sqlToAvro(type, recordName);
  return type.nullable ? ['null', avroType] : avroType;
}

// ---- values ---------------------------------------------------------------------------------

function decimalFromBytes(bytes: Uint8Array, scale: number): number {
  if (bytes.length === 0) return 0;
  let value = BigInt.asIntN(bytes.length * 8, BigInt('0x' + Buffer.from(bytes).toString('hex')));
  const negative = value < 0n;
  if (negative) value = -value;
  const n = Number(value) / 10 ** scale;
  return negative ? -n : n;
}

function decimalToBytes(value: number, scale: number): Buffer {
  let unscaled = BigInt(Math.round(value * 10 ** scale));
  const negative = unscaled < 0n;
  let hex = (negative ? -unscaled : unscaled).toString(16);
  if (hex.length % 2) hex = '0' + hex;
  let bytes = Buffer.from(hex, 'hex');
  if (!negative) {
    if (bytes.length === 0 || bytes[0]! & 0x80) bytes = Buffer.concat([Buffer.from([0]), bytes]);
    return bytes;
  }
  // two's complement of the magnitude
  const width = bytes[0]! & 0x80 ? bytes.length + 1 : bytes.length;
  unscaled = (1n << BigInt(width * 8)) + unscaled;
  hex = unscaled.toString(16).padStart(width * 2, '0');
  return Buffer.from(hex, 'hex');
}

/** Converts an Avro-decoded value (avsc, without logical type classes) to the SQL value. */
export function avroValueToSql(value: unknown, type: SqlType): unknown {
  if (value === null || value === undefined) return null;
  switch (type.kind) {
    case 'DECIMAL':
      return decimalFromBytes(value as Uint8Array, type.scale);
    case 'ROW': {
      const record = value as Record<string, unknown>;
      return type.fields.map((f) => avroValueToSql(record[f.name], f.type));
    }
    case 'ARRAY':
    case 'MULTISET':
      return (value as unknown[]).map((v) => avroValueToSql(v, type.element));
    case 'MAP':
      return new Map(Object.entries(value as Record<string, unknown>).map(([k, v]) => [k, avroValueToSql(v, type.value)]));
    default:
      return value;
  }
}

/** Converts a SQL value to what avsc encodes for the column's Avro type. */
export function sqlValueToAvro(value: unknown, type: SqlType): unknown {
  if (value === null || value === undefined) return null;
  switch (type.kind) {
    case 'DECIMAL':
      return decimalToBytes(value as number, type.scale);
    case 'TINYINT':
    case 'SMALLINT':
    case 'INT':
    case 'DATE':
    case 'TIME':
      return Math.trunc(value as number);
    case 'BIGINT':
    case 'TIMESTAMP':
    case 'TIMESTAMP_LTZ':
      return Math.trunc(value as number);
    case 'BINARY':
    case 'VARBINARY':
      return Buffer.isBuffer(value) ? value : Buffer.from(value as Uint8Array);
    case 'ROW':
      return Object.fromEntries(type.fields.map((f, i) => [f.name, sqlValueToAvro((value as unknown[])[i], f.type)]));
    case 'ARRAY':
    case 'MULTISET':
      return (value as unknown[]).map((v) => sqlValueToAvro(v, type.element));
    case 'MAP':
      return Object.fromEntries([...(value as Map<unknown, unknown>)].map(([k, v]) => [String(k), sqlValueToAvro(v, type.value)]));
    default:
      return value;
  }
}

/** avsc wraps union values of named types; with `wrapUnions: false` plain values decode and encode. */
export function parseAvro(schema: string): avro.Type {
  return avro.Type.forSchema(JSON.parse(schema) as avro.Schema, { wrapUnions: false });
}

/**
 * A decoder from Avro bytes (without the 5-byte wire prefix) to rows with the given columns,
 * for one writer schema. Fields the writer lacks are null (schema evolution by name).
 */
export function createRowDecoder(writerSchema: string, columns: { name: string; type: SqlType }[]): (bytes: Buffer, offset: number) => Row {
  const type = parseAvro(writerSchema) as avro.types.RecordType;
  const fieldNames = new Set(type.fields.map((f) => f.name));
  const plain = columns.map((c) => c.type.kind !== 'DECIMAL' && c.type.kind !== 'ROW' && c.type.kind !== 'ARRAY' && c.type.kind !== 'MAP' && c.type.kind !== 'MULTISET');
  return (bytes, offset) => {
    const record = type.decode(bytes, offset).value as Record<string, unknown>;
    const row: Row = new Array(columns.length);
    for (let i = 0; i < columns.length; i++) {
      const c = columns[i]!;
      const v = fieldNames.has(c.name) ? record[c.name] : null;
      row[i] = plain[i] ? (v === undefined ? null : v) : avroValueToSql(v, c.type);
    }
    return row;
  };
}

/** An encoder from rows (in `columns` order) to Avro bytes for the schema. */
export function createRowEncoder(schema: string, columns: { name: string; type: SqlType }[]): (row: Row) => Buffer {
  const type = parseAvro(schema);
  return (row) => {
    const record: Record<string, unknown> = {};
    for (let i = 0; i < columns.length; i++) record[columns[i]!.name] = sqlValueToAvro(row[i], columns[i]!.type);
    return type.toBuffer(record);
  };
}
