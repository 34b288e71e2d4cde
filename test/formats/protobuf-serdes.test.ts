/**
 * Confluent's own ProtobufSerializer / ProtobufDeserializer against our registry over HTTP.
 * They exchange schemas as base64 FileDescriptorProtos: they ask for `?format=serialized`, and
 * look up (or register) the descriptor of the message they write. A schema registered as .proto
 * text and the same schema sent as a descriptor must be one schema (same id, same version).
 */
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { create, createFileRegistry, createMutableRegistry, fromBinary, type DescMessage } from '@bufbuild/protobuf';
import { FileDescriptorProtoSchema, file_google_protobuf_timestamp, type FileDescriptorProto } from '@bufbuild/protobuf/wkt';
import {
  CelExecutor,
  ProtobufDeserializer,
  ProtobufSerializer,
  RuleMode,
  RuleRegistry,
  SchemaRegistryClient,
  SerdeType,
} from '@confluentinc/schemaregistry';
import { celEnv } from '@bufbuild/cel';
import { call, startRegistry, type RunningRegistry } from '../registry/registry-harness.ts';
import { parseProtobufSchemaOrDescriptor } from '../../src/formats/protobuf/protobuf-provider.ts';

const PAYMENT_PROTO = `syntax = "proto3";
package payments.v1;

import "google/protobuf/timestamp.proto";

option java_package = "com.example.payments";

// A payment as the checkout writes it.
message Payment {
  string id = 1;
  double amount = 2;
  Currency currency = 3;
  optional string note = 4;
  map<string, string> labels = 5;
  repeated Line lines = 6;
  google.protobuf.Timestamp paid_at = 7;
  oneof method {
    string card = 8;
    string iban = 9;
  }

  message Line {
    string sku = 1;
    int64 quantity = 2;
  }
}

enum Currency {
  CURRENCY_UNSPECIFIED = 0;
  EUR = 1;
  USD = 2;
}
`;

const WELL_KNOWN = new Map([['google/protobuf/timestamp.proto', file_google_protobuf_timestamp]]);

function descriptorOf(base64: string): FileDescriptorProto {
  return fromBinary(FileDescriptorProtoSchema, Buffer.from(base64, 'base64'));
}

function paymentType(base64: string): DescMessage {
  const registry = createFileRegistry(descriptorOf(base64), (name) => WELL_KNOWN.get(name));
  const desc = registry.getMessage('payments.v1.Payment');
  assert.ok(desc, 'the descriptor defines payments.v1.Payment');
  return desc;
}

describe('Protobuf with Confluent serdes', () => {
  let server: RunningRegistry;
  let client: SchemaRegistryClient;
  let id: number;
  let served: string;

  before(async () => {
    server = await startRegistry();
    client = new SchemaRegistryClient({ baseURLs: [server.url] });
    id = await client.register('payments-value', { schemaType: 'PROTOBUF', schema: PAYMENT_PROTO });
    served = (await client.getBySubjectAndId('payments-value', id, 'serialized')).schema;
  });
  after(async () => {
    await server.destroy();
  });

  it('serves format=serialized as a base64 FileDescriptorProto, by id and by version', async () => {
    const file = descriptorOf(served);
    assert.equal(file.package, 'payments.v1');
    assert.equal(file.syntax, 'proto3');
    assert.deepEqual(file.dependency, ['google/protobuf/timestamp.proto']);
    assert.equal(file.options?.javaPackage, 'com.example.payments');
    assert.deepEqual(file.messageType.map((m) => m.name), ['Payment']);
    assert.deepEqual(file.enumType.map((e) => e.name), ['Currency']);
    const payment = file.messageType[0]!;
    const field = (name: string) => payment.field.find((f) => f.name === name)!;
    assert.equal(field('currency').typeName, '.payments.v1.Currency');
    assert.equal(field('paid_at').typeName, '.google.protobuf.Timestamp');
    assert.equal(field('labels').typeName, '.payments.v1.Payment.LabelsEntry');
    assert.equal(payment.nestedType.find((n) => n.name === 'LabelsEntry')?.options?.mapEntry, true);
    assert.equal(field('note').proto3Optional, true);
    // Real oneofs first, then the synthetic one of `optional note`.
    assert.deepEqual(payment.oneofDecl.map((o) => o.name), ['method', '_note']);
    assert.equal(field('card').oneofIndex, 0);
    assert.equal(field('note').oneofIndex, 1);

    const byVersion = await call(server.url, 'GET', '/subjects/payments-value/versions/latest?format=serialized');
    assert.equal(byVersion.status, 200);
    assert.equal(byVersion.body.schema, served);
    // Without a format the .proto text comes back as registered.
    const plain = await call(server.url, 'GET', `/schemas/ids/${id}`);
    assert.equal(plain.body.schema, PAYMENT_PROTO);
  });

  it('treats the descriptor and the .proto text as the same schema', async () => {
    assert.equal(parseProtobufSchemaOrDescriptor(served).normalized(), parseProtobufSchemaOrDescriptor(PAYMENT_PROTO).normalized());
    const lookup = await call(server.url, 'POST', '/subjects/payments-value', { schemaType: 'PROTOBUF', schema: served });
    assert.equal(lookup.status, 200, JSON.stringify(lookup.body));
    assert.equal(lookup.body.id, id);
    assert.equal(lookup.body.version, 1);
    // Registering the descriptor again is idempotent: same id, no new version.
    const again = await call(server.url, 'POST', '/subjects/payments-value/versions', { schemaType: 'PROTOBUF', schema: served });
    assert.equal(again.body.id, id);
    assert.deepEqual((await call(server.url, 'GET', '/subjects/payments-value/versions')).body, [1]);
    // A garbled descriptor is refused with the reason.
    const bad = await call(server.url, 'POST', '/subjects/other-value/versions', { schemaType: 'PROTOBUF', schema: 'AAAAbm90IGEgZGVzY3JpcHRvcg==' });
    assert.equal(bad.status, 422);
    assert.equal(bad.body.error_code, 42201);
  });

  it('round-trips proto2, nested types, reserved ranges, extensions and services through descriptors', () => {
    const proto2 = `syntax = "proto2";
package legacy;

option optimize_for = SPEED;

message Order {
  required string id = 1;
  optional int32 count = 2 [default = 7];
  optional string label = 3 [default = "none"];
  optional Status status = 4 [default = OPEN];
  repeated int32 codes = 5 [packed = true];
  map<int64, Item> items = 6;
  reserved 10 to 12, 15;
  reserved "old";
  extensions 100 to 199;

  enum Status {
    OPEN = 0;
    CLOSED = 1;
  }
  message Item {
    optional bytes payload = 1;
    optional double price = 2 [deprecated = true];
  }
  oneof pick {
    string a = 20;
    Item b = 21;
  }
}

extend Order {
  optional string note = 100;
}

service Orders {
  rpc Get (Order) returns (Order);
  rpc Watch (Order) returns (stream Order);
}
`;
    const fromText = parseProtobufSchemaOrDescriptor(proto2);
    const fromDescriptor = parseProtobufSchemaOrDescriptor(fromText.serialized());
    assert.equal(fromDescriptor.normalized(), fromText.normalized());
    const file = descriptorOf(fromText.serialized());
    const order = file.messageType[0]!;
    assert.equal(file.syntax, '', 'protoc leaves syntax empty for proto2');
    assert.equal(order.field.find((f) => f.name === 'count')?.defaultValue, '7');
    assert.deepEqual(order.reservedRange.map((r) => [r.start, r.end]), [[10, 13], [15, 16]]);
    assert.equal(file.extension[0]?.extendee, '.legacy.Order');
    assert.deepEqual(file.service[0]?.method.map((m) => [m.name, m.serverStreaming]), [['Get', false], ['Watch', true]]);
  });

  it('serializes and deserializes with the schema derived from the message descriptor', async () => {
    const desc = paymentType(served);
    // No useLatestVersion: the serializer sends the descriptor of `desc`'s file and asks for its id.
    const serializer = new ProtobufSerializer(client, SerdeType.VALUE, { autoRegisterSchemas: false, registry: createMutableRegistry(desc) });
    const message = create(desc, {
      id: 'p-1',
      amount: 42.5,
      currency: 1,
      note: 'first',
      labels: { channel: 'web' },
      lines: [{ sku: 'A', quantity: 2n }],
      paidAt: { seconds: 1_700_000_000n, nanos: 0 },
      method: { case: 'card', value: '4111' },
    } as never);
    const bytes = await serializer.serialize('payments', message);
    assert.equal(bytes[0], 0);
    assert.equal(bytes.readInt32BE(1), id);
    assert.equal(bytes[5], 0, 'message indexes [0] are written as a single 0');

    const deserializer = new ProtobufDeserializer(client, SerdeType.VALUE, {});
    const decoded = (await deserializer.deserialize('payments', bytes)) as Record<string, unknown>;
    assert.equal(decoded.id, 'p-1');
    assert.equal(decoded.amount, 42.5);
    assert.equal(decoded.currency, 1);
    assert.equal(decoded.note, 'first');
    assert.deepEqual(decoded.labels, { channel: 'web' });
    assert.equal((decoded.lines as { quantity: bigint }[])[0]!.quantity, 2n);
    assert.deepEqual(decoded.method, { case: 'card', value: '4111' });
  });

  it('auto-registers a descriptor under a new subject, readable as .proto text', async () => {
    const desc = paymentType(served);
    const serializer = new ProtobufSerializer(client, SerdeType.VALUE, { autoRegisterSchemas: true, registry: createMutableRegistry(desc) });
    const bytes = await serializer.serialize('refunds', create(desc, { id: 'r-1', amount: 1 } as never));
    // The same schema under another subject keeps its global id.
    assert.equal(bytes.readInt32BE(1), id);
    const versions = await call(server.url, 'GET', '/subjects/refunds-value/versions/1?format=serialized');
    assert.equal(versions.status, 200);
    assert.equal(descriptorOf(versions.body.schema).messageType[0]?.name, 'Payment');
  });

  it('runs a CEL condition of the contract on write', async () => {
    await client.register('checked-value', {
      schemaType: 'PROTOBUF',
      schema: PAYMENT_PROTO,
      ruleSet: { domainRules: [{ name: 'positiveAmount', kind: 'CONDITION', type: 'CEL', mode: RuleMode.WRITE, expr: 'message.amount > 0.0' }] },
    });
    const desc = paymentType(served);
    const rules = new RuleRegistry();
    // Confluent's CelExecutor (1.10) builds its CEL environment without a Protobuf registry, so
    // `message.amount` on a Protobuf message evaluates to a CEL error, which the serde does not
    // treat as a failed condition. Give the executor the registry of the message type.
    const cel = new CelExecutor();
    cel.env = celEnv({ registry: createMutableRegistry(desc) }) as unknown as CelExecutor['env'];
    rules.registerExecutor(cel);
    const serializer = new ProtobufSerializer(client, SerdeType.VALUE, { useLatestVersion: true, autoRegisterSchemas: false, registry: createMutableRegistry(desc) }, rules);
    const good = await serializer.serialize('checked', create(desc, { id: 'ok', amount: 3 } as never));
    const deserializer = new ProtobufDeserializer(client, SerdeType.VALUE, {}, rules);
    const decoded = (await deserializer.deserialize('checked', good)) as Record<string, unknown>;
    assert.equal(decoded.id, 'ok');
    await assert.rejects(serializer.serialize('checked', create(desc, { id: 'bad', amount: -1 } as never)), /positiveAmount/);
  });
});
