import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { JsonSchemaProvider, ParsedJsonSchema } from '../../src/formats/json-schema/json-schema-provider.ts';
import { isShiftleftError } from '../../src/common/errors.ts';
import type { ResolvedReference } from '../../src/formats/schema-provider.ts';

const provider = new JsonSchemaProvider();

type Obj = Record<string, unknown>;

/** The payments `Sale` as a JSON Schema. */
function sale(extra: Obj = {}, props: Obj = {}, required?: string[]): string {
  const properties: Obj = {
    order_id: { type: 'integer' },
    product_id: { type: 'integer' },
    customer_id: { type: 'integer' },
    confirmation_code: { type: 'string' },
    cc_number: { type: 'string' },
    expiration: { type: 'string' },
    amount: { type: 'number' },
    ts: { type: 'integer', title: 'timestamp-millis' },
    ...props,
  };
  for (const [k, v] of Object.entries(properties)) if (v === undefined) delete properties[k];
  return JSON.stringify({
    $schema: 'http://json-schema.org/draft-07/schema#',
    title: 'Sale',
    type: 'object',
    properties,
    required: required ?? ['order_id', 'product_id', 'customer_id', 'confirmation_code', 'cc_number', 'expiration', 'amount', 'ts'],
    ...extra,
  });
}

const closed = { additionalProperties: false };

const parse = (text: string, refs: ResolvedReference[] = []): ParsedJsonSchema => provider.parse(text, refs);
const backward = (newer: string, older: string, refsNew: ResolvedReference[] = [], refsOld: ResolvedReference[] = []): string[] =>
  provider.readerIncompatibilities(parse(newer, refsNew), parse(older, refsOld), 'new');
const forward = (newer: string, older: string): string[] => provider.readerIncompatibilities(parse(older), parse(newer), 'old');

function invalidReason(text: string, refs: ResolvedReference[] = []): string {
  try {
    parse(text, refs);
  } catch (error) {
    assert.ok(isShiftleftError(error, 'INVALID_SCHEMA'), `expected INVALID_SCHEMA, got ${String(error)}`);
    return error.message;
  }
  assert.fail('expected the schema to be rejected');
}

void describe('JSON Schema: parsing and validation', () => {
  void it('parses Sale, names it by title, and validates data with ajv', () => {
    const parsed = parse(sale());
    assert.equal(parsed.schemaType, 'JSON');
    assert.equal(parsed.name, 'Sale');
    assert.equal(parsed.draft, 'draft-07');
    const ok = { order_id: 1, product_id: 2, customer_id: 3, confirmation_code: 'ABCD1234', cc_number: 'x', expiration: '01/28', amount: 1.5, ts: 1 };
    assert.equal(parsed.validate(ok), true);
    assert.equal(parsed.validate({ ...ok, amount: 'lots' }), false);
  });

  void it('accepts drafts 4, 6, 7, 2019-09 and 2020-12 with their own keywords', () => {
    const drafts: Array<[string, Obj, string]> = [
      ['http://json-schema.org/draft-04/schema#', { type: 'number', maximum: 3, exclusiveMaximum: true }, 'draft-04'],
      ['http://json-schema.org/draft-06/schema#', { type: 'number', exclusiveMaximum: 3 }, 'draft-06'],
      ['http://json-schema.org/draft-07/schema#', { if: { type: 'string' }, then: { minLength: 1 } }, 'draft-07'],
      ['https://json-schema.org/draft/2019-09/schema', { $defs: { a: { type: 'string' } }, $ref: '#/$defs/a' }, '2019-09'],
      ['https://json-schema.org/draft/2020-12/schema', { type: 'array', prefixItems: [{ type: 'string' }] }, '2020-12'],
    ];
    for (const [uri, body, draft] of drafts) assert.equal(parse(JSON.stringify({ $schema: uri, ...body })).draft, draft);
    // draft-04's boolean exclusiveMaximum is invalid in draft-07.
    assert.match(
      invalidReason(JSON.stringify({ type: 'number', maximum: 3, exclusiveMaximum: true })),
      /^Invalid JSON schema: schema\/exclusiveMaximum must be number/,
    );
  });

  void it('rejects malformed JSON with its position, bad keywords, unresolvable refs and unknown drafts', () => {
    assert.match(invalidReason('{\n  "type": "object",\n  "properties": {"a": {"type": "string"},}\n}'), /^Invalid JSON schema: malformed JSON \(line 3, column 42\)/);
    assert.match(invalidReason(sale({}, { amount: { type: 'numbr' } })), /schema\/properties\/amount\/type must be equal to one of the allowed values/);
    assert.match(invalidReason(sale({}, { amount: { $ref: '#/definitions/Money' } })), /can't resolve reference #\/definitions\/Money/);
    assert.match(invalidReason('42'), /a JSON Schema must be an object or a boolean, got 42/);
    assert.match(invalidReason('{"$schema":"http://example.com/my-draft"}'), /unsupported \$schema 'http:\/\/example.com\/my-draft'/);
  });
});

void describe('JSON Schema: references', () => {
  const customer: ResolvedReference = {
    name: 'customer.json', subject: 'customer', version: 1, schemaType: 'JSON', references: [],
    schema: JSON.stringify({
      type: 'object',
      properties: { id: { type: 'integer' }, address: { $ref: '#/$defs/Address' } },
      $defs: { Address: { type: 'object', properties: { city: { type: 'string' } } } },
    }),
  };
  const withCustomer = sale({}, { customer: { $ref: 'customer.json' }, billing: { $ref: 'customer.json#/$defs/Address' } });

  void it('resolves $ref by reference name (whole document and a pointer into it)', () => {
    const parsed = parse(withCustomer, [customer]);
    const base = { order_id: 1, product_id: 2, customer_id: 3, confirmation_code: 'A', cc_number: 'x', expiration: 'e', amount: 1, ts: 1 };
    assert.equal(parsed.validate({ ...base, customer: { id: 7, address: { city: 'Lyon' } } }), true);
    assert.equal(parsed.validate({ ...base, customer: { id: 'seven' } }), false);
    assert.equal(parsed.validate({ ...base, billing: { city: 3 } }), false);
    assert.match(invalidReason(withCustomer), /can't resolve reference customer\.json/);
  });

  void it('follows references of references', () => {
    const address: ResolvedReference = {
      name: 'address.json', subject: 'address', version: 1, schemaType: 'JSON', references: [],
      schema: JSON.stringify({ type: 'object', properties: { city: { type: 'string' } }, additionalProperties: false }),
    };
    const person: ResolvedReference = {
      name: 'person.json', subject: 'person', version: 1, schemaType: 'JSON', references: [address],
      schema: JSON.stringify({ type: 'object', properties: { home: { $ref: 'address.json' } } }),
    };
    const text = JSON.stringify({ type: 'object', properties: { buyer: { $ref: 'person.json' } } });
    const parsed = parse(text, [person]);
    assert.equal(parsed.validate({ buyer: { home: { city: 'Lyon' } } }), true);
    assert.equal(parsed.validate({ buyer: { home: { city: 'Lyon', zip: 1 } } }), false);
    const address2: ResolvedReference = {
      ...address, version: 2,
      schema: JSON.stringify({ type: 'object', properties: { city: { type: 'string' }, zip: { type: 'string' } }, additionalProperties: false }),
    };
    assert.deepEqual(backward(text, text, [{ ...person, references: [address2] }], [person]), []);
    assert.deepEqual(backward(text, text, [person], [{ ...person, references: [address2] }]), [
      `{errorType:"PROPERTY_REMOVED_FROM_CLOSED_CONTENT_MODEL", description:"The new schema has a closed content model and is missing a property or item present at path '#/properties/buyer/properties/home/properties/zip' in the old schema"}`,
    ]);
  });

  void it('resolves references relative to the schema $id', () => {
    const text = JSON.stringify({ $id: 'https://shiftleft.dev/schemas/sale.json', type: 'object', properties: { customer: { $ref: 'customer.json' } } });
    const parsed = parse(text, [customer]);
    assert.equal(parsed.validate({ customer: { id: 'x' } }), false);
  });

  void it('compares through references', () => {
    const customerV2: ResolvedReference = {
      ...customer, version: 2,
      schema: JSON.stringify({
        type: 'object',
        properties: { id: { type: 'string' }, address: { $ref: '#/$defs/Address' } },
        $defs: { Address: { type: 'object', properties: { city: { type: 'string' } } } },
      }),
    };
    assert.deepEqual(backward(withCustomer, withCustomer, [customerV2], [customer]), [
      `{errorType:"TYPE_CHANGED", description:"A type at path '#/properties/customer/properties/id' is different between the new schema and the old schema"}`,
    ]);
    assert.deepEqual(backward(withCustomer, withCustomer, [customer], [customer]), []);
  });
});

void describe('JSON Schema: compatibility (Confluent rules)', () => {
  void it('open content model: adding a property is not backward compatible, removing one is', () => {
    const v2 = sale({}, { currency: { type: 'string' } });
    assert.deepEqual(backward(v2, sale()), [
      `{errorType:"OPTIONAL_PROPERTY_ADDED_TO_OPEN_CONTENT_MODEL", description:"The new schema has an open content model and has a property or item at path '#/properties/currency' which is missing in the old schema"}`,
    ]);
    assert.deepEqual(backward(sale({}, { currency: {} }), sale()), [], 'a property with an empty schema is fine');
    const removed = sale({}, { expiration: undefined }, ['order_id', 'product_id', 'customer_id', 'confirmation_code', 'cc_number', 'amount', 'ts']);
    assert.deepEqual(backward(removed, sale()), []);
  });

  void it('closed content model: adding an optional property is fine, a required one without default is not', () => {
    assert.deepEqual(backward(sale(closed, { currency: { type: 'string' } }), sale(closed)), []);
    const required = [
      'order_id', 'product_id', 'customer_id', 'confirmation_code', 'cc_number', 'expiration', 'amount', 'ts', 'currency',
    ];
    assert.deepEqual(backward(sale(closed, { currency: { type: 'string' } }, required), sale(closed)), [
      `{errorType:"REQUIRED_PROPERTY_ADDED_TO_UNOPEN_CONTENT_MODEL", description:"The new schema has an unopen content model and has a required property at path '#/properties/currency' which is missing in the old schema"}`,
    ]);
    assert.deepEqual(backward(sale(closed, { currency: { type: 'string', default: 'EUR' } }, required), sale(closed)), []);
  });

  void it('closed content model: removing a property is not backward compatible', () => {
    const removed = sale(closed, { expiration: undefined }, ['order_id', 'product_id', 'customer_id', 'confirmation_code', 'cc_number', 'amount', 'ts']);
    assert.deepEqual(backward(removed, sale(closed)), [
      `{errorType:"PROPERTY_REMOVED_FROM_CLOSED_CONTENT_MODEL", description:"The new schema has a closed content model and is missing a property or item present at path '#/properties/expiration' in the old schema"}`,
    ]);
  });

  void it('closing an open model is incompatible; opening a closed one is fine', () => {
    assert.deepEqual(backward(sale(closed), sale()), [
      `{errorType:"ADDITIONAL_PROPERTIES_REMOVED", description:"The keyword at path '#/additionalProperties' in the new schema is not present in the old schema"}`,
    ]);
    assert.deepEqual(backward(sale(), sale(closed)), []);
  });

  void it('partially open model: an added property must fit the additionalProperties schema', () => {
    const partial = { additionalProperties: { type: 'string' } };
    assert.deepEqual(backward(sale(partial, { currency: { type: 'string' } }), sale(partial)), []);
    assert.deepEqual(backward(sale(partial, { quantity: { type: 'integer' } }), sale(partial)), [
      `{errorType:"TYPE_CHANGED", description:"A type at path '#/properties/quantity' is different between the new schema and the old schema"}`,
      `{errorType:"PROPERTY_ADDED_NOT_COVERED_BY_PARTIALLY_OPEN_CONTENT_MODEL", description:"The new schema has a property or item at path '#/properties/quantity' which is missing in the old schema and is not covered by its partially open content model"}`,
    ]);
  });

  void it('type changes: widening integer→number and to a nullable union is fine; narrowing is not', () => {
    assert.deepEqual(backward(sale({}, { order_id: { type: 'number' } }), sale()), []);
    assert.deepEqual(backward(sale({}, { amount: { type: 'integer' } }), sale()), [
      `{errorType:"TYPE_NARROWED", description:"A type at path '#/properties/amount' is different between the new schema and the old schema"}`,
    ]);
    assert.deepEqual(backward(sale({}, { amount: { type: 'string' } }), sale()), [
      `{errorType:"TYPE_CHANGED", description:"A type at path '#/properties/amount' is different between the new schema and the old schema"}`,
    ]);
    const nullable = sale({}, { cc_number: { type: ['string', 'null'] } });
    assert.deepEqual(backward(nullable, sale()), []);
    assert.deepEqual(backward(sale({}, { cc_number: { oneOf: [{ type: 'string' }, { type: 'null' }] } }), sale()), []);
    assert.deepEqual(backward(sale(), nullable), [
      `{errorType:"TYPE_CHANGED", description:"A type at path '#/properties/cc_number' is different between the new schema and the old schema"}`,
    ]);
  });

  void it('required: adding is incompatible (unless with a default), removing is fine', () => {
    const fewer = ['order_id', 'product_id', 'customer_id', 'confirmation_code', 'cc_number', 'amount', 'ts'];
    assert.deepEqual(backward(sale({}, {}, fewer), sale()), []);
    assert.deepEqual(backward(sale(), sale({}, {}, fewer)), [
      `{errorType:"REQUIRED_ATTRIBUTE_ADDED", description:"The keyword at path '#/required/expiration' in the new schema is not present in the old schema"}`,
    ]);
    assert.deepEqual(backward(sale({}, { expiration: { type: 'string', default: '01/30' } }), sale({}, {}, fewer)), []);
  });

  void it('enum values: adding is fine, removing narrows', () => {
    const status = (values: string[]): string => sale({}, { status: { type: 'string', enum: values } });
    assert.deepEqual(backward(status(['OK', 'INVALID', 'DUPLICATE']), status(['OK', 'INVALID'])), []);
    assert.deepEqual(backward(status(['OK']), status(['OK', 'INVALID'])), [
      `{errorType:"ENUM_ARRAY_NARROWED", description:"An array or combined type at path '#/properties/status/enum' has fewer elements in the new schema than the old schema"}`,
    ]);
    assert.deepEqual(backward(status(['OK', 'REFUSED']), status(['OK', 'INVALID'])), [
      `{errorType:"ENUM_ARRAY_CHANGED", description:"A type at path '#/properties/status/enum' is different between the new schema and the old schema"}`,
    ]);
  });

  void it('constraints: tightening is incompatible, relaxing is fine', () => {
    const code = (c: Obj): string => sale({}, { confirmation_code: { type: 'string', ...c } });
    assert.deepEqual(backward(code({ maxLength: 16 }), code({ maxLength: 8 })), []);
    assert.deepEqual(backward(code({ maxLength: 8 }), code({ maxLength: 16 })), [
      `{errorType:"MAX_LENGTH_DECREASED", description:"The value at path '#/properties/confirmation_code/maxLength' in the new schema is less than its value in the old schema"}`,
    ]);
    assert.deepEqual(backward(code({ pattern: '^[A-Z0-9]{8}$' }), code({})), [
      `{errorType:"PATTERN_ADDED", description:"The keyword at path '#/properties/confirmation_code/pattern' in the new schema is not present in the old schema"}`,
    ]);
    assert.deepEqual(backward(code({}), code({ pattern: '^[A-Z0-9]{8}$', minLength: 8 })), []);
    const amount = (c: Obj): string => sale({}, { amount: { type: 'number', ...c } });
    assert.deepEqual(backward(amount({ minimum: 0 }), amount({})), [
      `{errorType:"MINIMUM_ADDED", description:"The keyword at path '#/properties/amount/minimum' in the new schema is not present in the old schema"}`,
    ]);
    assert.deepEqual(backward(amount({ maximum: 2000 }), amount({ maximum: 1000 })), []);
    assert.deepEqual(backward(amount({ minimum: 10 }), amount({ minimum: 0 })), [
      `{errorType:"MINIMUM_INCREASED", description:"The value at path '#/properties/amount/minimum' in the new schema is more than its value in the old schema"}`,
    ]);
  });

  void it('arrays, combined types and recursion', () => {
    const list = (items: Obj): string => JSON.stringify({ type: 'array', items });
    assert.deepEqual(backward(list({ type: 'string' }), list({ type: 'integer' })), [
      `{errorType:"TYPE_CHANGED", description:"A type at path '#/items' is different between the new schema and the old schema"}`,
    ]);
    const any = (...types: string[]): string => JSON.stringify({ anyOf: types.map((type) => ({ type })) });
    assert.deepEqual(backward(any('string', 'integer', 'null'), any('string', 'integer')), []);
    assert.deepEqual(backward(any('string'), any('string', 'integer')), [
      `{errorType:"SUM_TYPE_NARROWED", description:"An array or combined type at path '#/' has fewer elements in the new schema than the old schema"}`,
    ]);
    const tree = (valueType: string): string =>
      JSON.stringify({ type: 'object', properties: { value: { type: valueType }, children: { type: 'array', items: { $ref: '#' } } } });
    assert.deepEqual(backward(tree('integer'), tree('integer')), []);
    assert.deepEqual(backward(tree('number'), tree('integer')), []);
    assert.deepEqual(backward(tree('string'), tree('integer')), [
      `{errorType:"TYPE_CHANGED", description:"A type at path '#/properties/value' is different between the new schema and the old schema"}`,
    ]);
  });

  void it('forward checks word the roles the other way round', () => {
    const v2 = sale({}, { currency: { type: 'string' } });
    assert.deepEqual(forward(v2, sale()), []);
    assert.deepEqual(forward(sale(), v2), [
      `{errorType:"OPTIONAL_PROPERTY_ADDED_TO_OPEN_CONTENT_MODEL", description:"The old schema has an open content model and has a property or item at path '#/properties/currency' which is missing in the new schema"}`,
    ]);
  });

  void it('a schema of another type is reported as such', () => {
    const other = { schemaType: 'AVRO' as const, text: '"int"', normalized: () => '"int"' };
    assert.deepEqual(provider.readerIncompatibilities(parse(sale()), other), ['Incompatible because of different schema type']);
  });
});

void describe('JSON Schema: normalization', () => {
  void it('sorts keys at every level and drops whitespace', () => {
    const a = parse(sale());
    const b = parse(`{
      "required": ["order_id", "product_id", "customer_id", "confirmation_code", "cc_number", "expiration", "amount", "ts"],
      "type": "object",
      "title": "Sale",
      "properties": {
        "ts": {"title": "timestamp-millis", "type": "integer"},
        "amount": {"type": "number"},
        "expiration": {"type": "string"}, "cc_number": {"type": "string"}, "confirmation_code": {"type": "string"},
        "customer_id": {"type": "integer"}, "product_id": {"type": "integer"}, "order_id": {"type": "integer"}
      },
      "$schema": "http://json-schema.org/draft-07/schema#"
    }`);
    assert.equal(a.normalized(), b.normalized());
    assert.ok(a.normalized().startsWith('{"$schema":"http://json-schema.org/draft-07/schema#","properties":{"amount":{"type":"number"}'));
    assert.notEqual(parse(sale(closed)).normalized(), a.normalized());
  });
});
