import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import protobuf from 'protobufjs';
import { ProtobufSchemaProvider, ParsedProtobufSchema } from '../../src/formats/protobuf/protobuf-provider.ts';
import { isShiftleftError } from '../../src/common/errors.ts';
import type { ResolvedReference } from '../../src/formats/schema-provider.ts';

const provider = new ProtobufSchemaProvider();

/** The payments `Sale` as .proto; `body` replaces the field list. */
function sale(body?: string, extra = ''): string {
  return `syntax = "proto3";
package shiftleft.payments;

import "google/protobuf/timestamp.proto";

// One card payment.
message Sale {
${body ?? `  int32 order_id = 1;
  int32 product_id = 2;
  int32 customer_id = 3;
  string confirmation_code = 4;
  string cc_number = 5 [(confluent.field_meta) = { tags: ["PII"] }];
  string expiration = 6;
  double amount = 7;
  google.protobuf.Timestamp ts = 8;`}
}
${extra}`;
}

const field = (text: string, replace: string, by: string): string => {
  assert.ok(text.includes(replace), `fixture lacks ${replace}`);
  return text.replace(replace, by);
};

const parse = (text: string, refs: ResolvedReference[] = []): ParsedProtobufSchema => provider.parse(text, refs);
const backward = (newer: string, older: string, refsNew: ResolvedReference[] = [], refsOld: ResolvedReference[] = []): string[] =>
  provider.readerIncompatibilities(parse(newer, refsNew), parse(older, refsOld), 'new');

function invalidReason(text: string, refs: ResolvedReference[] = []): { message: string; details: Record<string, unknown> } {
  try {
    parse(text, refs);
  } catch (error) {
    assert.ok(isShiftleftError(error, 'INVALID_SCHEMA'), `expected INVALID_SCHEMA, got ${String(error)}`);
    return { message: error.message, details: error.details };
  }
  assert.fail('expected the schema to be rejected');
}

void describe('Protobuf: parsing', () => {
  void it('parses Sale with the well-known Timestamp and exposes the message type', () => {
    const parsed = parse(sale());
    assert.equal(parsed.schemaType, 'PROTOBUF');
    assert.equal(parsed.syntax, 'proto3');
    assert.equal(parsed.packageName, 'shiftleft.payments');
    assert.equal(parsed.name, 'shiftleft.payments.Sale');
    const type = parsed.messageType!;
    assert.deepEqual(type.fieldsArray.map((f) => [f.name, f.id, f.type]), [
      ['order_id', 1, 'int32'], ['product_id', 2, 'int32'], ['customer_id', 3, 'int32'], ['confirmation_code', 4, 'string'],
      ['cc_number', 5, 'string'], ['expiration', 6, 'string'], ['amount', 7, 'double'], ['ts', 8, 'google.protobuf.Timestamp'],
    ]);
    assert.equal(type.fields.ts!.resolvedType?.fullName, '.google.protobuf.Timestamp');
    // The root encodes and decodes.
    const message = { order_id: 1, confirmation_code: 'ABCD1234', amount: 12.5, ts: { seconds: 1700000000, nanos: 5 } };
    const decoded = type.toObject(type.decode(type.encode(type.fromObject(message)).finish()), { longs: Number });
    assert.deepEqual(decoded, message);
  });

  void it('reports syntax errors with their line', () => {
    const bad = invalidReason('syntax = "proto3";\nmessage Sale {\n  int32 order_id = ;\n}\n');
    assert.equal(bad.message, "Invalid Protobuf schema: illegal id ';' (line 3)");
    assert.equal(bad.details.line, 3);
  });

  void it('reports unknown types and unsatisfied imports', () => {
    assert.equal(
      invalidReason(sale('  Money amount = 1;')).message,
      "Invalid Protobuf schema: no such Type or Enum 'Money' in Type shiftleft.payments.Sale",
    );
    assert.match(
      invalidReason(`syntax = "proto3";\nimport "money.proto";\nmessage A { int32 x = 1; }`).message,
      /the schema imports "money\.proto", which no reference provides/,
    );
  });

  void it('imports referenced schemas by their import path, transitively', () => {
    const currency: ResolvedReference = {
      name: 'shiftleft/currency.proto', subject: 'currency', version: 1, schemaType: 'PROTOBUF', references: [],
      schema: 'syntax = "proto3";\npackage shiftleft.common;\nenum Currency { EUR = 0; USD = 1; }\n',
    };
    const money: ResolvedReference = {
      name: 'shiftleft/money.proto', subject: 'money', version: 2, schemaType: 'PROTOBUF', references: [currency],
      schema: 'syntax = "proto3";\npackage shiftleft.common;\nimport "shiftleft/currency.proto";\nmessage Money { int64 units = 1; Currency currency = 2; }\n',
    };
    const text = `syntax = "proto3";\npackage shiftleft.payments;\nimport "shiftleft/money.proto";\nmessage Sale { int32 order_id = 1; shiftleft.common.Money amount = 2; }\n`;
    const parsed = parse(text, [money]);
    assert.equal(parsed.messageType!.fields.amount!.resolvedType?.fullName, '.shiftleft.common.Money');
    assert.deepEqual(parsed.messages.map((m) => m.name), ['Sale'], 'only the schema\'s own messages');
    assert.match(invalidReason(text, [{ ...money, references: [] }]).message, /reference 'shiftleft\/money\.proto' .* imports "shiftleft\/currency\.proto"/);
  });
});

void describe('Protobuf: compatibility (Confluent rules)', () => {
  void it('adding, removing and renaming fields is compatible', () => {
    assert.deepEqual(backward(field(sale(), '  google.protobuf.Timestamp ts = 8;', '  google.protobuf.Timestamp ts = 8;\n  string currency = 9;'), sale()), []);
    assert.deepEqual(backward(field(sale(), '  string expiration = 6;\n', ''), sale()), []);
    assert.deepEqual(backward(field(sale(), 'double amount = 7;', 'double total = 7;'), sale()), []);
  });

  void it('changing a field type across wire groups is not; within a group it is', () => {
    assert.deepEqual(backward(field(sale(), 'double amount = 7;', 'string amount = 7;'), sale()), [
      `{errorType:"FIELD_SCALAR_KIND_CHANGED", description:"The kind of a SCALAR field at path '#/Sale/7' in the new schema does not match its kind in the old schema"}`,
    ]);
    assert.deepEqual(backward(field(sale(), 'int32 order_id = 1;', 'int64 order_id = 1;'), sale()), []);
    assert.deepEqual(backward(field(sale(), 'string cc_number = 5', 'bytes cc_number = 5'), sale()), []);
    assert.equal(backward(field(sale(), 'int32 order_id = 1;', 'sint32 order_id = 1;'), sale()).length, 1);
    assert.equal(backward(field(sale(), 'double amount = 7;', 'float amount = 7;'), sale()).length, 1);
    assert.deepEqual(backward(field(sale(), 'google.protobuf.Timestamp ts = 8;', 'int64 ts = 8;'), sale()), [
      `{errorType:"FIELD_KIND_CHANGED", description:"The type of a field at path '#/Sale/8' in the new schema does not match the old schema"}`,
    ]);
  });

  void it('reusing a removed field number with another type is caught by number', () => {
    const reused = field(field(sale(), '  string expiration = 6;\n', ''), 'double amount = 7;', 'double amount = 7;\n  int32 expiry_month = 6;');
    assert.deepEqual(backward(reused, sale()), [
      `{errorType:"FIELD_SCALAR_KIND_CHANGED", description:"The kind of a SCALAR field at path '#/Sale/6' in the new schema does not match its kind in the old schema"}`,
    ]);
  });

  void it('enums are varints; numeric label changes are not compatible, string ones are', () => {
    const withStatus = (type: string): string =>
      field(sale(), 'google.protobuf.Timestamp ts = 8;', `google.protobuf.Timestamp ts = 8;\n  ${type} status = 9;`);
    const statusEnum = 'enum Status { OK = 0; INVALID = 1; }';
    assert.deepEqual(backward(withStatus('Status') + statusEnum, withStatus('int32')), []);
    assert.deepEqual(backward(withStatus('int32'), withStatus('Status') + statusEnum), []);
    assert.deepEqual(backward(field(sale(), 'int32 customer_id = 3;', 'repeated int32 customer_id = 3;'), sale()), [
      `{errorType:"FIELD_NUMERIC_LABEL_CHANGED", description:"The label for a NUMERIC field at path '#/Sale/3' in the new schema does not match its label in the old schema"}`,
    ]);
    assert.deepEqual(backward(field(sale(), 'string expiration = 6;', 'repeated string expiration = 6;'), sale()), []);
    // Enum constants may change freely.
    assert.deepEqual(backward(withStatus('Status') + 'enum Status { OK = 0; REFUSED = 2; }', withStatus('Status') + statusEnum), []);
  });

  void it('removing a message is not compatible; adding one is', () => {
    const extra = 'message Refund { int32 order_id = 1; }';
    assert.deepEqual(backward(sale(undefined, extra), sale()), []);
    assert.deepEqual(backward(sale(), sale(undefined, extra)), [
      `{errorType:"MESSAGE_REMOVED", description:"The new schema is missing a MESSAGE type at path '#/Refund' in the old schema"}`,
    ]);
  });

  void it('nested message changes are reported at both places', () => {
    const withItem = (skuType: string): string =>
      sale(`  int32 order_id = 1;\n  Item item = 2;\n  message Item { ${skuType} sku = 1; }`);
    assert.deepEqual(backward(withItem('int32'), withItem('string')), [
      `{errorType:"FIELD_SCALAR_KIND_CHANGED", description:"The kind of a SCALAR field at path '#/Sale.Item/1' in the new schema does not match its kind in the old schema"}`,
      `{errorType:"FIELD_NAMED_TYPE_CHANGED", description:"The type of a MESSAGE field at path '#/Sale/2' in the new schema does not match its type in the old schema"}`,
    ]);
    const other = sale(`  int32 order_id = 1;\n  Other item = 2;\n  message Item { string sku = 1; }\n  message Other { string sku = 1; }`);
    assert.deepEqual(backward(other, withItem('string')), [
      `{errorType:"FIELD_NAMED_TYPE_CHANGED", description:"The type of a MESSAGE field at path '#/Sale/2' in the new schema does not match its type in the old schema"}`,
    ]);
  });

  void it('oneof changes', () => {
    const base = sale('  int32 order_id = 1;\n  string card = 2;\n  string iban = 3;');
    const oneofBoth = sale('  int32 order_id = 1;\n  oneof payment {\n    string card = 2;\n    string iban = 3;\n  }');
    const oneofOne = sale('  int32 order_id = 1;\n  oneof payment {\n    string card = 2;\n  }\n  string iban = 3;');
    assert.deepEqual(backward(oneofOne, base), []);
    assert.deepEqual(backward(oneofBoth, base), [
      `{errorType:"MULTIPLE_FIELDS_MOVED_TO_ONEOF", description:"Multiple fields in the oneof at path '#/Sale/payment' in the new schema are outside a oneof in the old schema"}`,
    ]);
    const oneofCardOnly = sale('  int32 order_id = 1;\n  oneof payment {\n    string card = 2;\n  }');
    assert.deepEqual(backward(oneofCardOnly, oneofBoth), [
      `{errorType:"ONEOF_FIELD_REMOVED", description:"The new schema is missing a oneof field at path '#/Sale/payment/3' in the old schema"}`,
    ]);
    assert.deepEqual(backward(oneofBoth, oneofCardOnly), []);
  });

  void it('proto2 required fields may be neither added nor removed; syntax and package', () => {
    const p2 = (body: string): string => `syntax = "proto2";\npackage shiftleft.payments;\nmessage Sale {\n${body}\n}\n`;
    assert.deepEqual(backward(p2('  required int32 order_id = 1;\n  required string code = 2;'), p2('  required int32 order_id = 1;')), [
      `{errorType:"REQUIRED_FIELD_ADDED", description:"A required field  at path '#/Sale/2' in the new schema is missing in the old schema"}`,
    ]);
    assert.deepEqual(backward(p2('  required int32 order_id = 1;'), p2('  required int32 order_id = 1;\n  required string code = 2;')), [
      `{errorType:"REQUIRED_FIELD_REMOVED", description:"The new schema is missing a required field at path: '#/Sale/2' in the old schema"}`,
    ]);
    // Same fields under proto2 and proto3: syntax alone does not break the wire format.
    const p3 = 'syntax = "proto3";\npackage shiftleft.payments;\nmessage Sale {\n  int32 order_id = 1;\n}\n';
    assert.deepEqual(backward(p3, p2('  optional int32 order_id = 1;')), []);
    assert.deepEqual(backward(p3.replace('shiftleft.payments', 'shiftleft.sales'), p3), [
      `{errorType:"PACKAGE_CHANGED", description:"The package at '#/' in the new schema does not match the package in the old schema"}`,
    ]);
  });

  void it('a referenced message changed incompatibly is found through the reference', () => {
    const money = (unitsType: string, version: number): ResolvedReference => ({
      name: 'money.proto', subject: 'money', version, schemaType: 'PROTOBUF', references: [],
      schema: `syntax = "proto3";\npackage shiftleft.common;\nmessage Money { ${unitsType} units = 1; }\n`,
    });
    const text = 'syntax = "proto3";\npackage shiftleft.payments;\nimport "money.proto";\nmessage Sale { shiftleft.common.Money amount = 1; }\n';
    assert.deepEqual(backward(text, text, [money('int64', 2)], [money('int64', 1)]), []);
    assert.deepEqual(backward(text, text, [money('string', 2)], [money('int64', 1)]), [
      `{errorType:"FIELD_SCALAR_KIND_CHANGED", description:"The kind of a SCALAR field at path '#/Money/1' in the new schema does not match its kind in the old schema"}`,
      `{errorType:"FIELD_NAMED_TYPE_CHANGED", description:"The type of a MESSAGE field at path '#/Sale/1' in the new schema does not match its type in the old schema"}`,
    ]);
  });
});

void describe('Protobuf: normalization', () => {
  void it('prints a canonical text that ignores comments, layout, field order and type spelling', () => {
    const a = parse(sale());
    const b = parse(`// reordered
syntax="proto3"; package shiftleft.payments; import "google/protobuf/timestamp.proto";
message Sale { .google.protobuf.Timestamp ts = 8; double amount = 7; string expiration = 6;
  string cc_number = 5 [(confluent.field_meta) = {tags: ["PII"]}]; string confirmation_code = 4;
  int32 customer_id = 3; int32 product_id = 2; int32 order_id = 1; }`);
    assert.equal(a.normalized(), b.normalized());
    assert.equal(
      a.normalized(),
      `syntax = "proto3";
package shiftleft.payments;

import "google/protobuf/timestamp.proto";

message Sale {
  int32 order_id = 1;
  int32 product_id = 2;
  int32 customer_id = 3;
  string confirmation_code = 4;
  string cc_number = 5 [(confluent.field_meta) = { tags: ["PII"] }];
  string expiration = 6;
  double amount = 7;
  .google.protobuf.Timestamp ts = 8;
}
`,
    );
    // The normalized text parses back to itself.
    assert.equal(parse(a.normalized()).normalized(), a.normalized());
  });

  void it('keeps oneofs, maps, nested types, enums, options, reserved ranges and services', () => {
    const text = `syntax = "proto3";
package shop;
option java_package = "dev.shiftleft.shop";
option optimize_for = SPEED;
message Order {
  reserved 10, 12 to 15;
  reserved "legacy";
  map<string, Line> lines = 3;
  oneof payment { string card = 5; string iban = 4; }
  optional string note = 2;
  int64 id = 1 [deprecated = true];
  message Line { int32 qty = 1; }
  enum Status { UNKNOWN = 0; PAID = 1; }
}
service Orders { rpc Get (Order) returns (stream Order); }
`;
    const normalized = parse(text).normalized();
    assert.equal(
      normalized,
      `syntax = "proto3";
package shop;

option java_package = "dev.shiftleft.shop";
option optimize_for = SPEED;

message Order {
  reserved 10, 12 to 15;
  reserved "legacy";
  int64 id = 1 [deprecated = true];
  optional string note = 2;
  map<string, .shop.Order.Line> lines = 3;
  oneof payment {
    string iban = 4;
    string card = 5;
  }
  message Line {
    int32 qty = 1;
  }
  enum Status {
    UNKNOWN = 0;
    PAID = 1;
  }
}

service Orders {
  rpc Get (.shop.Order) returns (stream .shop.Order);
}
`,
    );
    const root = new protobuf.Root();
    protobuf.parse(normalized, root, { keepCase: true });
    root.resolveAll();
    assert.equal(parse(normalized).normalized(), normalized);
  });
});
