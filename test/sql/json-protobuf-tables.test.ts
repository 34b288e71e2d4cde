/**
 * Topics with JSON Schema and Protobuf value schemas are SQL tables: records written by
 * Confluent's own JsonSerializer / ProtobufSerializer are read with Confluent Cloud's type
 * mapping, CREATE TABLE ... 'value.format' = 'json-registry' | 'proto-registry' writes them,
 * and a record that breaks its schema goes to the statement's error topic.
 */
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { create, createFileRegistry, createMutableRegistry, type DescMessage } from '@bufbuild/protobuf';
import { FileDescriptorProtoSchema, file_google_protobuf_timestamp, file_google_protobuf_wrappers } from '@bufbuild/protobuf/wkt';
import { fromBinary } from '@bufbuild/protobuf';
import {
  JsonSerializer,
  ProtobufSerializer,
  SchemaRegistryClient,
  SerdeType,
} from '@confluentinc/schemaregistry';
import { SqlHarness } from './sql-harness.ts';
import { T, formatType } from '../../src/types/sql-type.ts';
import { columnsToJsonSchema, jsonSchemaToColumns } from '../../src/sql/catalog/json-schema-mapping.ts';
import { columnsToProtobufSchema, protobufSchemaToColumns } from '../../src/sql/catalog/protobuf-mapping.ts';

const ORDER_SCHEMA = {
  $schema: 'http://json-schema.org/draft-07/schema#',
  title: 'Order',
  type: 'object',
  properties: {
    order_id: { type: 'integer' },
    customer: { type: 'string' },
    amount: { type: 'number' },
    qty: { type: 'integer', 'connect.type': 'int32' },
    paid: { type: 'boolean' },
    note: { type: ['string', 'null'] },
    address: { type: 'object', properties: { city: { type: 'string' }, zip: { type: 'string' } }, required: ['city'] },
    tags: { type: 'array', items: { type: 'string' } },
    created: { type: 'string', format: 'date-time' },
  },
  required: ['order_id', 'customer', 'amount', 'qty', 'paid'],
};

const READING_PROTO = `syntax = "proto3";
package iot;

import "google/protobuf/timestamp.proto";
import "google/protobuf/wrappers.proto";

message Reading {
  string sensor = 1;
  int32 level = 2;
  int64 count = 3;
  double value = 4;
  bool ok = 5;
  Unit unit = 6;
  optional string label = 7;
  google.protobuf.Timestamp at = 8;
  google.protobuf.StringValue site = 9;
  repeated int32 samples = 10;
  map<string, int64> counters = 11;
  Location location = 12;

  enum Unit {
    UNIT_UNSPECIFIED = 0;
    CELSIUS = 1;
    FAHRENHEIT = 2;
  }
  message Location {
    double lat = 1;
    double lon = 2;
  }
}
`;

function columnTypes(columns: { name: string; type: Parameters<typeof formatType>[0]; kind?: string }[]): Record<string, string> {
  return Object.fromEntries(columns.filter((c) => c.kind === undefined || c.kind === 'physical').map((c) => [c.name, formatType(c.type)]));
}

describe('type mappings', () => {
  it('maps JSON Schema hints, unions with null, $refs and Connect maps', () => {
    const schema = {
      type: 'object',
      definitions: { Money: { type: 'object', properties: { units: { type: 'integer', 'connect.type': 'int64' } }, required: ['units'] } },
      properties: {
        small: { type: 'integer', 'connect.type': 'int16' },
        ratio: { type: 'number', 'connect.type': 'float32' },
        price: { type: 'number', title: 'org.apache.kafka.connect.data.Decimal', 'connect.parameters': { scale: '2', 'connect.decimal.precision': '10' } },
        day: { type: 'integer', title: 'org.apache.kafka.connect.data.Date' },
        born: { type: 'string', format: 'date' },
        blob: { type: 'string', 'connect.type': 'bytes' },
        maybe: { oneOf: [{ type: 'null' }, { type: 'string' }] },
        money: { $ref: '#/definitions/Money' },
        attrs: { type: 'object', additionalProperties: { type: 'integer' } },
        byId: { type: 'array', 'connect.type': 'map', items: { type: 'object', properties: { key: { type: 'integer' }, value: { type: 'string' } } } },
        kind: { enum: ['a', 'b'] },
      },
      required: ['small', 'ratio', 'price', 'day', 'born', 'blob', 'maybe', 'money', 'attrs', 'byId', 'kind'],
    };
    assert.deepEqual(columnTypes(jsonSchemaToColumns(JSON.stringify(schema))), {
      small: 'SMALLINT NOT NULL',
      ratio: 'FLOAT NOT NULL',
      price: 'DECIMAL(10, 2) NOT NULL',
      day: 'DATE NOT NULL',
      born: 'DATE NOT NULL',
      blob: 'BYTES NOT NULL',
      maybe: 'STRING',
      money: 'ROW<`units` BIGINT NOT NULL> NOT NULL',
      attrs: 'MAP<STRING NOT NULL, BIGINT NOT NULL> NOT NULL',
      byId: 'MAP<BIGINT, STRING> NOT NULL',
      kind: 'STRING NOT NULL',
    });
  });

  it('maps SQL columns to JSON Schema and Protobuf and back to the same types', () => {
    const columns = [
      { name: 'id', type: T.bigint(false) },
      { name: 'n', type: T.int(true) },
      { name: 'name', type: T.string(true) },
      { name: 'ok', type: T.boolean(false) },
      { name: 'score', type: T.double(true) },
      { name: 'at', type: T.timestampLtz(3, true) },
      { name: 'tags', type: T.array(T.string(false), false) },
      { name: 'attrs', type: T.map(T.string(false), T.bigint(false), false) },
      { name: 'pos', type: T.row([{ name: 'x', type: T.double(false) }], true) },
    ];
    const asTypes = (cols: typeof columns) => Object.fromEntries(cols.map((c) => [c.name, formatType(c.type)]));
    assert.deepEqual(columnTypes(jsonSchemaToColumns(columnsToJsonSchema(columns, 'T'))), asTypes(columns));
    assert.deepEqual(columnTypes(protobufSchemaToColumns(columnsToProtobufSchema(columns, 'T'))), asTypes(columns));
  });
});

describe('JSON Schema and Protobuf topics as SQL tables', () => {
  let h: SqlHarness;
  let client: SchemaRegistryClient;

  before(async () => {
    h = await SqlHarness.start();
    client = new SchemaRegistryClient({ baseURLs: [h.server.url] });
  });
  after(async () => {
    await h.close();
  });

  describe('JSON Schema', () => {
    before(async () => {
      await h.server.log.createTopic('orders_json', { partitions: 1 });
      await client.register('orders_json-value', { schemaType: 'JSON', schema: JSON.stringify(ORDER_SCHEMA) });
      const serializer = new JsonSerializer(client, SerdeType.VALUE, { useLatestVersion: true, autoRegisterSchemas: false });
      const orders = [
        { order_id: 1, customer: 'ann', amount: 10.5, qty: 1, paid: true, note: 'gift', address: { city: 'Lyon' }, tags: ['a'], created: '2024-01-01T10:00:00Z' },
        { order_id: 2, customer: 'bob', amount: 4, qty: 2, paid: false, note: null, address: { city: 'Nice', zip: '06000' }, tags: [] },
        { order_id: 3, customer: 'ann', amount: 1.5, qty: 3, paid: true },
        { order_id: 4, customer: 'bob', amount: 20, qty: 4, paid: true, tags: ['x', 'y'] },
      ];
      const values = await Promise.all(orders.map((o) => serializer.serialize('orders_json', o)));
      await h.server.log.produce('orders_json', values.map((value, i) => ({ key: null, value, timestamp: 1000 + i })));
    });

    it('maps the schema to columns with Confluent Cloud types', async () => {
      const table = await h.catalog.getTable(['orders_json']);
      assert.ok(table);
      assert.equal(table.valueFormat, 'json-registry');
      assert.deepEqual(columnTypes(table.columns), {
        order_id: 'BIGINT NOT NULL',
        customer: 'STRING NOT NULL',
        amount: 'DOUBLE NOT NULL',
        qty: 'INT NOT NULL',
        paid: 'BOOLEAN NOT NULL',
        note: 'STRING',
        address: 'ROW<`city` STRING NOT NULL, `zip` STRING>',
        tags: 'ARRAY<STRING NOT NULL>',
        created: 'TIMESTAMP_LTZ(3)',
      });
    });

    it('filters and aggregates records written by the JsonSerializer', async () => {
      const rows = await h.table('SELECT customer, SUM(amount) AS total, COUNT(*) AS n, SUM(qty) AS q FROM orders_json WHERE paid GROUP BY customer');
      rows.sort((a, b) => String(a.customer).localeCompare(String(b.customer)));
      assert.deepEqual(rows, [
        { customer: 'ann', total: 12, n: 2, q: 4 },
        { customer: 'bob', total: 20, n: 1, q: 4 },
      ]);
      const notes = await h.table("SELECT order_id, note, CARDINALITY(tags) AS t FROM orders_json WHERE note IS NOT NULL OR order_id = 4");
      assert.deepEqual(notes, [
        { order_id: 1, note: 'gift', t: 1 },
        { order_id: 4, note: null, t: 2 },
      ]);
    });

    it("round-trips CREATE TABLE ... 'value.format' = 'json-registry', INSERT and SELECT", async () => {
      await h.run(
        "CREATE TABLE big_orders (order_id BIGINT NOT NULL, customer STRING, amount DOUBLE, day_count INT, placed TIMESTAMP_LTZ(3)) WITH ('value.format' = 'json-registry')",
      );
      const registered = await client.getLatestSchemaMetadata('big_orders-value');
      assert.equal(registered.schemaType, 'JSON');
      const schema = JSON.parse(registered.schema) as { properties: Record<string, unknown>; required: string[] };
      assert.deepEqual(schema.required, ['order_id']);
      assert.deepEqual(schema.properties.order_id, { type: 'integer', 'connect.type': 'int64' });
      await h.run("INSERT INTO big_orders SELECT order_id, customer, amount, qty, TO_TIMESTAMP_LTZ(86400000, 3) FROM orders_json WHERE amount >= 10");
      const table = await h.catalog.getTable(['big_orders']);
      assert.equal(table?.valueFormat, 'json-registry');
      const rows = await h.table('SELECT order_id, customer, amount, day_count FROM big_orders');
      assert.deepEqual(rows, [
        { order_id: 1, customer: 'ann', amount: 10.5, day_count: 1 },
        { order_id: 4, customer: 'bob', amount: 20, day_count: 4 },
      ]);
      // The records are plain JSON after the wire prefix, readable by any JSON consumer.
      const stored = await h.server.log.fetch({ topic: 'big_orders', partition: 0 }, 0);
      const first = JSON.parse(stored.records[0]!.value!.subarray(5).toString('utf8')) as Record<string, unknown>;
      assert.deepEqual(first, { order_id: 1, customer: 'ann', amount: 10.5, day_count: 1, placed: 86400000 });
    });

    it('sends a record that breaks its JSON schema to the error topic and keeps going', async () => {
      await h.server.log.createTopic('readings_json', { partitions: 1 });
      const id = await client.register('readings_json-value', {
        schemaType: 'JSON',
        schema: JSON.stringify({ type: 'object', properties: { id: { type: 'integer' }, v: { type: 'number' } }, required: ['id', 'v'] }),
      });
      const wire = (json: string): Buffer => {
        const prefix = Buffer.alloc(5);
        prefix.writeInt32BE(id, 1);
        return Buffer.concat([prefix, Buffer.from(json)]);
      };
      await h.server.log.produce('readings_json', [
        { key: null, value: wire('{"id": 1, "v": 1.5}'), timestamp: 1000 },
        { key: Buffer.from('bad'), value: wire('{"id": "one", "v": 2}'), timestamp: 2000 },
        { key: null, value: wire('{"id": 2'), timestamp: 2500 },
        { key: null, value: wire('{"id": 3, "v": 3.5}'), timestamp: 3000 },
      ]);
      await h.run("CREATE TABLE kept_json (id BIGINT, v DOUBLE) WITH ('value.format' = 'json-registry')");
      await h.run("SET 'client.statement-name' = 'keep-json'; INSERT INTO kept_json SELECT id, v FROM readings_json");
      assert.deepEqual(await h.table('SELECT id, v FROM kept_json'), [
        { id: 1, v: 1.5 },
        { id: 3, v: 3.5 },
      ]);
      const errors = await h.server.log.fetch({ topic: '_statement-errors-keep-json', partition: 0 }, 0);
      assert.equal(errors.records.length, 2);
      const reason = (i: number) => errors.records[i]!.headers.find((x) => x.key === '__error.reason')?.value?.toString() ?? '';
      assert.match(reason(0), /does not match its JSON schema.*\/id must be integer/);
      assert.equal(errors.records[0]!.key!.toString(), 'bad');
      assert.match(reason(1), /not valid JSON/);
    });
  });

  describe('Protobuf', () => {
    let readingDesc: DescMessage;

    before(async () => {
      await h.server.log.createTopic('readings_proto', { partitions: 1 });
      const id = await client.register('readings_proto-value', { schemaType: 'PROTOBUF', schema: READING_PROTO });
      // The registry's descriptor of the schema (format=serialized) gives the message type the serializer writes.
      const served = await client.getBySubjectAndId('readings_proto-value', id, 'serialized');
      const file = fromBinary(FileDescriptorProtoSchema, Buffer.from(served.schema, 'base64'));
      const wellKnown = new Map([
        ['google/protobuf/timestamp.proto', file_google_protobuf_timestamp],
        ['google/protobuf/wrappers.proto', file_google_protobuf_wrappers],
      ]);
      const registry = createFileRegistry(file, (name) => wellKnown.get(name));
      readingDesc = registry.getMessage('iot.Reading')!;
      assert.ok(readingDesc);
      const serializer = new ProtobufSerializer(client, SerdeType.VALUE, { useLatestVersion: true, autoRegisterSchemas: false, registry: createMutableRegistry(readingDesc) });
      const readings = [
        { sensor: 's1', level: 1, count: 10n, value: 20.5, ok: true, unit: 1, label: 'hall', at: { seconds: 86400n, nanos: 5_000_000 }, site: 'paris', samples: [1, 2], counters: { a: 1n }, location: { lat: 1, lon: 2 } },
        { sensor: 's2', level: 2, count: 5n, value: 10, ok: false, unit: 2 },
        { sensor: 's1', level: 3, count: 7n, value: 30, ok: true, samples: [3] },
      ];
      const values = await Promise.all(readings.map((r) => serializer.serialize('readings_proto', create(readingDesc, r as never))));
      await h.server.log.produce('readings_proto', values.map((value, i) => ({ key: null, value, timestamp: 1000 + i })));
    });

    it('maps the first message to columns with Confluent Cloud types', async () => {
      const table = await h.catalog.getTable(['readings_proto']);
      assert.ok(table);
      assert.equal(table.valueFormat, 'proto-registry');
      assert.deepEqual(columnTypes(table.columns), {
        sensor: 'STRING NOT NULL',
        level: 'INT NOT NULL',
        count: 'BIGINT NOT NULL',
        value: 'DOUBLE NOT NULL',
        ok: 'BOOLEAN NOT NULL',
        unit: 'STRING NOT NULL',
        label: 'STRING',
        at: 'TIMESTAMP_LTZ(3)',
        site: 'STRING',
        samples: 'ARRAY<INT NOT NULL> NOT NULL',
        counters: 'MAP<STRING NOT NULL, BIGINT NOT NULL> NOT NULL',
        location: 'ROW<`lat` DOUBLE NOT NULL, `lon` DOUBLE NOT NULL>',
      });
    });

    it('reads records written by the ProtobufSerializer', async () => {
      const rows = await h.table('SELECT sensor, unit, label, `at`, site, CARDINALITY(samples) AS n FROM readings_proto WHERE level <> 2');
      assert.deepEqual(rows, [
        { sensor: 's1', unit: 'CELSIUS', label: 'hall', at: rowValue(rows[0]!.at, 86400005), site: 'paris', n: 2 },
        { sensor: 's1', unit: 'UNIT_UNSPECIFIED', label: null, at: null, site: null, n: 1 },
      ]);
      const totals = await h.table('SELECT sensor, SUM(`count`) AS c, MAX(`value`) AS m FROM readings_proto GROUP BY sensor');
      totals.sort((a, b) => String(a.sensor).localeCompare(String(b.sensor)));
      assert.deepEqual(totals, [
        { sensor: 's1', c: 17, m: 30 },
        { sensor: 's2', c: 5, m: 10 },
      ]);
    });

    it('reads a topic whose schema the ProtobufSerializer auto-registered as a descriptor', async () => {
      await h.server.log.createTopic('auto_proto', { partitions: 1 });
      const serializer = new ProtobufSerializer(client, SerdeType.VALUE, { autoRegisterSchemas: true, registry: createMutableRegistry(readingDesc) });
      const value = await serializer.serialize('auto_proto', create(readingDesc, { sensor: 'auto', level: 9 } as never));
      await h.server.log.produce('auto_proto', [{ key: null, value, timestamp: 1000 }]);
      assert.deepEqual(await h.table('SELECT sensor, level, unit FROM auto_proto'), [{ sensor: 'auto', level: 9, unit: 'UNIT_UNSPECIFIED' }]);
    });

    it('sends a Protobuf record it cannot decode to the error topic and keeps going', async () => {
      await h.server.log.createTopic('readings_proto_bad', { partitions: 1 });
      await client.register('readings_proto_bad-value', { schemaType: 'PROTOBUF', schema: READING_PROTO });
      const good = await h.server.log.fetch({ topic: 'readings_proto', partition: 0 }, 0);
      const first = good.records[0]!.value!;
      // Message indexes [1] (count 1, index 1, zigzag-encoded): the schema has a single top-level message.
      const broken = Buffer.concat([first.subarray(0, 5), Buffer.from([2, 2]), first.subarray(6)]);
      const truncated = first.subarray(0, first.length - 3);
      await h.server.log.produce('readings_proto_bad', [
        { key: null, value: first, timestamp: 1000 },
        { key: null, value: broken, timestamp: 2000 },
        { key: null, value: truncated, timestamp: 3000 },
      ]);
      await h.run("CREATE TABLE kept_proto (sensor STRING) WITH ('value.format' = 'proto-registry')");
      await h.run("SET 'client.statement-name' = 'keep-proto'; INSERT INTO kept_proto SELECT sensor FROM readings_proto_bad");
      assert.deepEqual(await h.table('SELECT sensor FROM kept_proto'), [{ sensor: 's1' }]);
      const errors = await h.server.log.fetch({ topic: '_statement-errors-keep-proto', partition: 0 }, 0);
      const reasons = errors.records.map((r) => r.headers.find((x) => x.key === '__error.reason')?.value?.toString() ?? '');
      assert.equal(reasons.length, 2);
      assert.match(reasons[0]!, /message indexes \[1\] name no message/);
      assert.match(reasons[1]!, /not a valid 'iot.Reading' message/);
    });

    it("round-trips CREATE TABLE ... 'value.format' = 'proto-registry', INSERT and SELECT", async () => {
      await h.run("CREATE TABLE hot_readings (sensor STRING NOT NULL, level INT, total BIGINT, seen TIMESTAMP_LTZ(3)) WITH ('value.format' = 'proto-registry')");
      const registered = await client.getLatestSchemaMetadata('hot_readings-value');
      assert.equal(registered.schemaType, 'PROTOBUF');
      await h.run('INSERT INTO hot_readings SELECT sensor, level, `count`, TO_TIMESTAMP_LTZ(1000, 3) FROM readings_proto WHERE `value` > 15');
      const rows = await h.table('SELECT sensor, level, total, seen FROM hot_readings');
      assert.deepEqual(
        rows.map((r) => ({ ...r, seen: r.seen === null ? null : 'set' })),
        [
          { sensor: 's1', level: 1, total: 10, seen: 'set' },
          { sensor: 's1', level: 3, total: 7, seen: 'set' },
        ],
      );
    });
  });
});

/** The changelog prints timestamps as text; accept the printed form of the expected instant. */
function rowValue(actual: unknown, expectedMs: number): unknown {
  if (typeof actual === 'number') return expectedMs;
  return actual;
}
