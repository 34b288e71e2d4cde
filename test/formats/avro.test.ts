import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import avro from 'avsc';
import { AvroSchemaProvider, ParsedAvroSchema } from '../../src/formats/avro/avro-provider.ts';
import { avscCanResolve } from '../../src/formats/avro/avro-compatibility.ts';
import { AvroLogicalType } from '../../src/formats/avro/avro-logical-types.ts';
import { isShiftleftError } from '../../src/common/errors.ts';
import type { ResolvedReference } from '../../src/formats/schema-provider.ts';

const provider = new AvroSchemaProvider();

type Field = { name: string; type: unknown; default?: unknown; [k: string]: unknown };

/** The payments service's `Sale` (REFERENCE.md §1). */
function saleFields(): Field[] {
  return [
    { name: 'order_id', type: 'int' },
    { name: 'product_id', type: 'int' },
    { name: 'customer_id', type: 'int' },
    { name: 'confirmation_code', type: 'string' },
    { name: 'cc_number', type: 'string' },
    { name: 'expiration', type: 'string' },
    { name: 'amount', type: 'double' },
    { name: 'ts', type: { type: 'long', logicalType: 'timestamp-millis' } },
  ];
}

function sale(fields: Field[] = saleFields(), extra: Record<string, unknown> = {}): string {
  return JSON.stringify({ type: 'record', name: 'Sale', namespace: 'shiftleft.payments', fields, ...extra });
}

const parse = (text: string, refs: ResolvedReference[] = []): ParsedAvroSchema => provider.parse(text, refs);
const backward = (newer: string, older: string): string[] =>
  provider.readerIncompatibilities(parse(newer), parse(older), 'new');
const forward = (newer: string, older: string): string[] =>
  provider.readerIncompatibilities(parse(older), parse(newer), 'old');

function invalidReason(text: string, refs: ResolvedReference[] = []): string {
  try {
    parse(text, refs);
  } catch (error) {
    assert.ok(isShiftleftError(error, 'INVALID_SCHEMA'), `expected INVALID_SCHEMA, got ${String(error)}`);
    return error.message;
  }
  assert.fail('expected the schema to be rejected');
}

void describe('Avro: parsing', () => {
  void it('parses Sale with its logical type kept on the avsc type', () => {
    const parsed = parse(sale());
    assert.equal(parsed.schemaType, 'AVRO');
    assert.equal(parsed.name, 'shiftleft.payments.Sale');
    const record = parsed.type as avro.types.RecordType;
    assert.deepEqual(
      record.fields.map((f) => f.name),
      ['order_id', 'product_id', 'customer_id', 'confirmation_code', 'cc_number', 'expiration', 'amount', 'ts'],
    );
    const ts = record.field('ts').type;
    assert.equal(ts.typeName, 'logical:timestamp-millis');
    assert.ok(ts instanceof AvroLogicalType);
    assert.equal((ts as AvroLogicalType).underlyingType.typeName, 'long');
    // Values stay those of the underlying type (millis as a number).
    const value = {
      order_id: 1, product_id: 2, customer_id: 3, confirmation_code: 'ABCD1234', cc_number: 'D123-4567-8901-2345',
      expiration: '01/28', amount: 12.5, ts: 1_700_000_000_000,
    };
    assert.deepEqual({ ...record.fromBuffer(record.toBuffer(value)) }, value);
  });

  void it('keeps decimal, date and uuid logical types, and falls back to the underlying type when invalid', () => {
    const parsed = parse(
      JSON.stringify({
        type: 'record', name: 'Product', fields: [
          { name: 'price', type: { type: 'bytes', logicalType: 'decimal', precision: 10, scale: 2 } },
          { name: 'day', type: { type: 'int', logicalType: 'date' } },
          { name: 'id', type: { type: 'string', logicalType: 'uuid' } },
          { name: 'bad', type: { type: 'bytes', logicalType: 'decimal', precision: 2, scale: 5 } },
          { name: 'odd', type: { type: 'string', logicalType: 'date' } },
        ],
      }),
    );
    const record = parsed.type as avro.types.RecordType;
    const price = record.field('price').type as AvroLogicalType;
    assert.equal(price.typeName, 'logical:decimal');
    assert.equal(price.precision, 10);
    assert.equal(price.scale, 2);
    assert.equal(record.field('day').type.typeName, 'logical:date');
    assert.equal(record.field('id').type.typeName, 'logical:uuid');
    assert.equal(record.field('bad').type.typeName, 'bytes');
    assert.equal(record.field('odd').type.typeName, 'string');
  });

  void it('resolves names through namespaces', () => {
    const parsed = parse(
      JSON.stringify({
        type: 'record', name: 'Order', namespace: 'shop', fields: [
          { name: 'status', type: { type: 'enum', name: 'Status', symbols: ['Completed', 'Pending'] } },
          { name: 'previous', type: ['null', 'Status'], default: null },
          { name: 'line', type: { type: 'record', name: 'Line', namespace: 'shop.items', fields: [{ name: 'q', type: 'int' }] } },
          { name: 'lines', type: { type: 'array', items: 'shop.items.Line' } },
        ],
      }),
    );
    const record = parsed.type as avro.types.RecordType;
    assert.equal(record.field('status').type.name, 'shop.Status');
    assert.equal(record.field('lines').type.typeName, 'array');
  });
});

void describe('Avro: invalid schemas', () => {
  void it('malformed JSON says where', () => {
    const reason = invalidReason('{\n  "type": "record",\n  "name": "Sale",\n  "fields": [,]\n}');
    assert.match(reason, /^Invalid Avro schema: malformed JSON \(line 4, column 14\)/);
  });

  void it('an unknown type name is named', () => {
    const fields = saleFields();
    fields[6] = { name: 'amount', type: 'dubble' };
    assert.equal(invalidReason(sale(fields)), 'Invalid Avro schema: undefined type name: shiftleft.payments.dubble');
  });

  void it('rejects records without a name, bad defaults, duplicate fields and bad names', () => {
    assert.match(invalidReason('{"type":"record","fields":[]}'), /missing name property/);
    assert.match(
      invalidReason(sale([...saleFields(), { name: 'currency', type: 'string', default: 3 }])),
      /incompatible field default 3/,
    );
    assert.match(invalidReason(sale([...saleFields(), { name: 'amount', type: 'double' }])), /duplicate field name/);
    assert.match(invalidReason(sale([{ name: 'bad-name', type: 'int' }])), /invalid field name: bad-name/);
    assert.match(invalidReason('{"type":"enum","name":"E","symbols":["A","A"]}'), /duplicate .* symbol/);
    assert.match(invalidReason('"strin"'), /undefined type name: strin/);
  });
});

void describe('Avro: compatibility of Sale evolutions (Confluent messages)', () => {
  void it('adding an optional field with a default is backward and forward compatible', () => {
    const v2 = sale([...saleFields(), { name: 'currency', type: ['null', 'string'], default: null }]);
    assert.deepEqual(backward(v2, sale()), []);
    assert.deepEqual(forward(v2, sale()), []);
  });

  void it('adding a field without a default is not backward compatible', () => {
    const v2 = sale([...saleFields(), { name: 'currency', type: 'string' }]);
    assert.deepEqual(backward(v2, sale()), [
      "{errorType:'READER_FIELD_MISSING_DEFAULT_VALUE', description:'The field 'currency' at path '/fields/8' in the new schema has no default value and is missing in the old schema', additionalInfo:'currency'}",
    ]);
    assert.deepEqual(forward(v2, sale()), []);
  });

  void it('removing a field is backward compatible; forward only if the removed field had a default', () => {
    const v2 = sale(saleFields().filter((f) => f.name !== 'expiration'));
    assert.deepEqual(backward(v2, sale()), []);
    assert.deepEqual(forward(v2, sale()), [
      "{errorType:'READER_FIELD_MISSING_DEFAULT_VALUE', description:'The field 'expiration' at path '/fields/5' in the old schema has no default value and is missing in the new schema', additionalInfo:'expiration'}",
    ]);
  });

  void it('changing a type is reported at its path, and structured with the field path', () => {
    const fields = saleFields();
    fields[6] = { name: 'amount', type: 'string' };
    assert.deepEqual(backward(sale(fields), sale()), [
      "{errorType:'TYPE_MISMATCH', description:'The type (path '/fields/6/type') of a field in the new schema does not match with the old schema', additionalInfo:'reader type: STRING not compatible with writer type: DOUBLE'}",
    ]);
    const structured = provider.incompatibilities(parse(sale(fields)), parse(sale()));
    assert.deepEqual(structured, [
      {
        errorType: 'TYPE_MISMATCH',
        location: '/fields/6/type',
        additionalInfo: 'reader type: STRING not compatible with writer type: DOUBLE',
        fieldPath: 'Sale.amount',
      },
    ]);
  });

  void it('applies the promotions int→long→float→double and string↔bytes, one way only', () => {
    const withType = (name: string, type: unknown): string =>
      sale(saleFields().map((f) => (f.name === name ? { name, type } : f)));
    const pairs: Array<[unknown, unknown, boolean]> = [
      ['long', 'int', true], ['float', 'int', true], ['double', 'int', true], ['float', 'long', true],
      ['double', 'long', true], ['double', 'float', true], ['bytes', 'string', true], ['string', 'bytes', true],
      ['int', 'long', false], ['long', 'double', false], ['float', 'double', false], ['int', 'string', false],
      ['boolean', 'int', false],
    ];
    for (const [readerType, writerType, ok] of pairs) {
      const result = backward(withType('order_id', readerType), withType('order_id', writerType));
      assert.equal(result.length === 0, ok, `${String(readerType)} reading ${String(writerType)}: ${result.join()}`);
    }
    assert.deepEqual(backward(withType('order_id', 'int'), withType('order_id', 'long')), [
      "{errorType:'TYPE_MISMATCH', description:'The type (path '/fields/0/type') of a field in the new schema does not match with the old schema', additionalInfo:'reader type: INT not compatible with writer type: LONG'}",
    ]);
    // The logical type does not matter, the underlying long does (as in Avro).
    assert.deepEqual(backward(withType('ts', 'long'), sale()), []);
  });

  void it('enum symbols: adding is backward compatible, removing is not unless the reader has a default', () => {
    const status = (symbols: string[], dflt?: string): string =>
      sale([
        ...saleFields(),
        { name: 'status', type: { type: 'enum', name: 'Status', symbols, ...(dflt ? { default: dflt } : {}) }, default: symbols[0] },
      ]);
    assert.deepEqual(backward(status(['OK', 'INVALID', 'REFUNDED']), status(['OK', 'INVALID'])), []);
    assert.deepEqual(backward(status(['OK']), status(['OK', 'INVALID', 'DUPLICATE'])), [
      "{errorType:'MISSING_ENUM_SYMBOLS', description:'The new schema is missing enum symbols '[DUPLICATE, INVALID]' at path '/fields/8/type/symbols' in the old schema', additionalInfo:'[DUPLICATE, INVALID]'}",
    ]);
    assert.deepEqual(backward(status(['OK', 'UNKNOWN'], 'UNKNOWN'), status(['OK', 'INVALID'])), []);
  });

  void it('a renamed record is a name mismatch unless aliased; a namespace change is not', () => {
    const renamed = JSON.stringify({ type: 'record', name: 'Payment', namespace: 'shiftleft.payments', fields: saleFields() });
    assert.deepEqual(backward(renamed, sale()), [
      "{errorType:'NAME_MISMATCH', description:'The name of the schema has changed (path '/name')', additionalInfo:'expected: shiftleft.payments.Sale'}",
    ]);
    const aliased = JSON.stringify({
      type: 'record', name: 'Payment', namespace: 'shiftleft.payments', aliases: ['Sale'], fields: saleFields(),
    });
    assert.deepEqual(backward(aliased, sale()), []);
    const moved = JSON.stringify({ type: 'record', name: 'Sale', namespace: 'other.ns', fields: saleFields() });
    assert.deepEqual(backward(moved, sale()), []);
  });

  void it('a renamed field is read through the reader field alias', () => {
    const fields = saleFields();
    fields[6] = { name: 'total', type: 'double', aliases: ['amount'] };
    assert.deepEqual(backward(sale(fields), sale()), []);
    fields[6] = { name: 'total', type: 'double' };
    assert.deepEqual(backward(sale(fields), sale()), [
      "{errorType:'READER_FIELD_MISSING_DEFAULT_VALUE', description:'The field 'total' at path '/fields/6' in the new schema has no default value and is missing in the old schema', additionalInfo:'total'}",
    ]);
  });

  void it('unions: widening to a nullable union is fine, narrowing loses a branch', () => {
    const nullable = sale(saleFields().map((f) => (f.name === 'cc_number' ? { name: 'cc_number', type: ['null', 'string'], default: null } : f)));
    assert.deepEqual(backward(nullable, sale()), []);
    assert.deepEqual(backward(sale(), nullable), [
      "{errorType:'TYPE_MISMATCH', description:'The type (path '/fields/4/type/0') of a field in the new schema does not match with the old schema', additionalInfo:'reader type: STRING not compatible with writer type: NULL'}",
    ]);
    const intOrString = sale(saleFields().map((f) => (f.name === 'cc_number' ? { name: 'cc_number', type: ['string', 'int'] } : f)));
    assert.deepEqual(backward(nullable, intOrString), [
      "{errorType:'MISSING_UNION_BRANCH', description:'The new schema is missing a type inside a union field at path '/fields/4/type/1' in the old schema', additionalInfo:'reader union lacking writer type: INT'}",
    ]);
  });

  void it('fixed sizes must match', () => {
    const fixed = (size: number): string =>
      JSON.stringify({ type: 'record', name: 'R', fields: [{ name: 'h', type: { type: 'fixed', name: 'Hash', size } }] });
    assert.deepEqual(backward(fixed(16), fixed(32)), [
      "{errorType:'FIXED_SIZE_MISMATCH', description:'The size of FIXED type field at path '/fields/0/type/size' in the new schema does not match with the old schema', additionalInfo:'expected: 32, found: 16'}",
    ]);
  });

  void it('nested records, arrays and maps report nested paths', () => {
    const order = (qtyType: string, extra: Field[] = []): string =>
      JSON.stringify({
        type: 'record', name: 'Order', fields: [
          { name: 'items', type: { type: 'array', items: { type: 'record', name: 'Item', fields: [{ name: 'qty', type: qtyType }, ...extra] } } },
          { name: 'attrs', type: { type: 'map', values: qtyType } },
        ],
      });
    assert.deepEqual(backward(order('string'), order('int')), [
      "{errorType:'TYPE_MISMATCH', description:'The type (path '/fields/0/type/items/fields/0/type') of a field in the new schema does not match with the old schema', additionalInfo:'reader type: STRING not compatible with writer type: INT'}",
      "{errorType:'TYPE_MISMATCH', description:'The type (path '/fields/1/type/values') of a field in the new schema does not match with the old schema', additionalInfo:'reader type: STRING not compatible with writer type: INT'}",
    ]);
    const structured = provider.incompatibilities(parse(order('int', [{ name: 'sku', type: 'string' }])), parse(order('int')));
    assert.deepEqual(structured.map((i) => [i.errorType, i.location, i.fieldPath]), [
      ['READER_FIELD_MISSING_DEFAULT_VALUE', '/fields/0/type/items/fields/1', 'Order.items.sku'],
    ]);
  });

  void it('recursive schemas terminate', () => {
    const list = (extra: Field[]): string =>
      JSON.stringify({ type: 'record', name: 'Node', fields: [{ name: 'v', type: 'int' }, { name: 'next', type: ['null', 'Node'], default: null }, ...extra] });
    assert.deepEqual(backward(list([{ name: 'w', type: 'int', default: 0 }]), list([])), []);
    assert.equal(backward(list([{ name: 'w', type: 'int' }]), list([])).length, 1);
  });

  void it('a schema of another type is reported as such', () => {
    const other = { schemaType: 'JSON' as const, text: '{}', normalized: () => '{}' };
    assert.deepEqual(provider.readerIncompatibilities(parse(sale()), other), ['Incompatible because of different schema type']);
  });

  void it('agrees with avsc createResolver on whether data can be read', () => {
    const variants: string[] = [
      sale(),
      sale([...saleFields(), { name: 'currency', type: 'string', default: 'EUR' }]),
      sale([...saleFields(), { name: 'currency', type: 'string' }]),
      sale(saleFields().slice(0, 6)),
      sale(saleFields().map((f) => (f.name === 'amount' ? { name: 'amount', type: 'float' } : f))),
      sale(saleFields().map((f) => (f.name === 'order_id' ? { name: 'order_id', type: 'long' } : f))),
      sale(saleFields().map((f) => (f.name === 'cc_number' ? { name: 'cc_number', type: ['null', 'string'], default: null } : f))),
      sale(saleFields().map((f) => (f.name === 'cc_number' ? { name: 'cc_number', type: 'bytes' } : f))),
    ];
    for (const r of variants) {
      for (const w of variants) {
        const reader = parse(r);
        const writer = parse(w);
        const ours = provider.readerIncompatibilities(reader, writer).length === 0;
        assert.equal(ours, avscCanResolve(reader.type, writer.type), `reader ${r}\nwriter ${w}`);
      }
    }
  });
});

void describe('Avro: randomized agreement with avsc', () => {
  /** Deterministic PRNG (mulberry32). */
  function prng(seed: number): () => number {
    let a = seed >>> 0;
    return () => {
      a = (a + 0x6d2b79f5) >>> 0;
      let t = a;
      t = Math.imul(t ^ (t >>> 15), t | 1);
      t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
      return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
    };
  }
  const PRIMS = ['int', 'long', 'float', 'double', 'string', 'bytes', 'boolean'];

  function genType(rnd: () => number, field: string): unknown {
    const pick = <T,>(xs: readonly T[]): T => xs[Math.floor(rnd() * xs.length)]!;
    const r = rnd();
    if (r < 0.45) return pick(PRIMS);
    if (r < 0.6) return ['null', pick(PRIMS)];
    if (r < 0.72) {
      const symbols = ['A', 'B', 'C', 'D'].filter(() => rnd() < 0.7);
      if (symbols.length === 0) symbols.push('A');
      return { type: 'enum', name: `E_${field}`, symbols, ...(rnd() < 0.3 ? { default: symbols[0] } : {}) };
    }
    if (r < 0.8) return { type: 'array', items: pick(PRIMS) };
    if (r < 0.88) return { type: 'map', values: pick(PRIMS) };
    if (r < 0.94) return { type: 'fixed', name: `F_${field}`, size: pick([4, 8]) };
    return {
      type: 'record', name: `R_${field}`,
      fields: [{ name: 'x', type: pick(PRIMS) }, ...(rnd() < 0.5 ? [{ name: 'y', type: ['null', 'int'], default: null }] : [])],
    };
  }

  function defaultFor(type: unknown): unknown {
    if (Array.isArray(type)) return null;
    const defaults: Record<string, unknown> = { int: 0, long: 0, float: 0, double: 0, string: '', bytes: '', boolean: false };
    return typeof type === 'string' ? defaults[type] : undefined;
  }

  function genPair(rnd: () => number): [string, string] {
    const writer: Field[] = [];
    const count = 1 + Math.floor(rnd() * 5);
    for (let i = 0; i < count; i++) writer.push({ name: `f${i}`, type: genType(rnd, `f${i}`) });
    const reader: Field[] = [];
    for (const f of writer) {
      const r = rnd();
      if (r < 0.15) continue; // removed
      if (r < 0.4) reader.push({ name: f.name, type: genType(rnd, f.name) }); // changed
      else reader.push(f);
    }
    if (rnd() < 0.5) {
      const type = rnd() < 0.5 ? ['null', 'string'] : 'long';
      reader.push({ name: 'added', type, ...(rnd() < 0.6 ? { default: defaultFor(type) } : {}) });
    }
    const rec = (fields: Field[]): string => JSON.stringify({ type: 'record', name: 'Sale', namespace: 'p', fields });
    return [rec(reader), rec(writer)];
  }

  void it('our verdict equals avsc createResolver on 400 random schema pairs', () => {
    const rnd = prng(20261130);
    let incompatible = 0;
    for (let i = 0; i < 400; i++) {
      const [r, w] = genPair(rnd);
      const reader = parse(r);
      const writer = parse(w);
      const ours = provider.readerIncompatibilities(reader, writer);
      if (ours.length > 0) incompatible++;
      assert.equal(ours.length === 0, avscCanResolve(reader.type, writer.type), `reader ${r}\nwriter ${w}\n${ours.join('\n')}`);
    }
    assert.ok(incompatible > 50 && incompatible < 350, `a useful mix (${incompatible} incompatible)`);
  });
});

void describe('Avro: references', () => {
  const customer: ResolvedReference = {
    name: 'shiftleft.crm.Customer',
    subject: 'customer',
    version: 1,
    schemaType: 'AVRO',
    schema: JSON.stringify({
      type: 'record', name: 'Customer', namespace: 'shiftleft.crm',
      fields: [{ name: 'id', type: 'int' }, { name: 'address', type: 'shiftleft.geo.Address' }],
    }),
    references: [
      {
        name: 'shiftleft.geo.Address', subject: 'address', version: 3, schemaType: 'AVRO', references: [],
        schema: JSON.stringify({ type: 'record', name: 'Address', namespace: 'shiftleft.geo', fields: [{ name: 'city', type: 'string' }] }),
      },
    ],
  };
  const withCustomer = sale([...saleFields(), { name: 'customer', type: ['null', 'shiftleft.crm.Customer'], default: null }]);

  void it('uses named types of referenced schemas, transitively', () => {
    const parsed = parse(withCustomer, [customer]);
    const record = parsed.type as avro.types.RecordType;
    const branch = (record.field('customer').type as avro.types.UnwrappedUnionType).types[1]!;
    assert.equal(branch.name, 'shiftleft.crm.Customer');
    assert.equal((branch as avro.types.RecordType).field('address').type.name, 'shiftleft.geo.Address');
    // The referenced types are not inlined in the normalized text.
    assert.ok(parsed.normalized().includes('"type":["null","shiftleft.crm.Customer"]'));
    assert.ok(!parsed.normalized().includes('Address'));
  });

  void it('fails clearly when a reference is missing or does not define its name', () => {
    assert.match(invalidReason(withCustomer), /undefined type name: shiftleft\.crm\.Customer/);
    assert.match(
      invalidReason(withCustomer, [{ ...customer, name: 'Customer' }]),
      /reference 'Customer' \(subject 'customer' version 1\) does not define a named type 'Customer'/,
    );
    assert.match(
      invalidReason(withCustomer, [{ ...customer, references: [] }]),
      /reference 'shiftleft\.crm\.Customer' \(subject 'customer' version 1\): undefined type name: shiftleft\.geo\.Address/,
    );
  });

  void it('compares referenced types structurally', () => {
    const customerV2: ResolvedReference = {
      ...customer,
      version: 2,
      schema: JSON.stringify({
        type: 'record', name: 'Customer', namespace: 'shiftleft.crm',
        fields: [{ name: 'id', type: 'int' }, { name: 'address', type: 'shiftleft.geo.Address' }, { name: 'segment', type: 'string' }],
      }),
    };
    const result = provider.readerIncompatibilities(parse(withCustomer, [customerV2]), parse(withCustomer, [customer]));
    assert.deepEqual(result, [
      "{errorType:'MISSING_UNION_BRANCH', description:'The new schema is missing a type inside a union field at path '/fields/8/type/1' in the old schema', additionalInfo:'reader union lacking writer type: RECORD'}",
    ]);
  });
});

void describe('Avro: normalization', () => {
  void it('ignores whitespace, key order, namespace spelling and {"type":"int"} wrappers', () => {
    const a = parse(sale());
    const b = parse(`{
      "namespace": "shiftleft.payments",
      "fields": [
        {"type": {"type": "int"}, "name": "order_id"},
        {"name": "product_id", "type": "int"},
        {"name": "customer_id", "type": "int"},
        {"name": "confirmation_code", "type": "string", "order": "ascending"},
        {"name": "cc_number", "type": "string"},
        {"name": "expiration", "type": "string"},
        {"name": "amount", "type": "double"},
        {"name": "ts", "type": {"logicalType": "timestamp-millis", "type": "long"}}
      ],
      "type": "record",
      "name": "Sale"
    }`);
    const c = parse(JSON.stringify({ type: 'record', name: 'shiftleft.payments.Sale', fields: saleFields() }));
    assert.equal(a.normalized(), b.normalized());
    assert.equal(a.normalized(), c.normalized());
    assert.equal(
      a.normalized(),
      '{"type":"record","name":"shiftleft.payments.Sale","fields":[{"name":"order_id","type":"int"},{"name":"product_id","type":"int"},{"name":"customer_id","type":"int"},{"name":"confirmation_code","type":"string"},{"name":"cc_number","type":"string"},{"name":"expiration","type":"string"},{"name":"amount","type":"double"},{"name":"ts","type":{"type":"long","logicalType":"timestamp-millis"}}]}',
    );
    assert.equal(b.text.includes('\n'), true, 'the text is kept as given');
  });

  void it('keeps what changes meaning or metadata: defaults, docs, aliases, tags', () => {
    const tagged = saleFields().map((f) => (f.name === 'cc_number' ? { ...f, 'confluent:tags': ['PII'] } : f));
    const n = parse(sale(tagged, { doc: 'A sale' })).normalized();
    assert.ok(n.includes('"name":"cc_number","type":"string","confluent:tags":["PII"]'), n);
    assert.ok(n.includes('"doc":"A sale"'), n);
    assert.notEqual(parse(sale(tagged)).normalized(), parse(sale()).normalized());
    const withDefault = (d: unknown): string => parse(sale([...saleFields(), { name: 'c', type: 'string', default: d }])).normalized();
    assert.notEqual(withDefault('EUR'), withDefault('USD'));
    const qualifiedNested = parse(
      JSON.stringify({ type: 'record', name: 'R', namespace: 'a', fields: [{ name: 'e', type: { type: 'enum', name: 'E', symbols: ['X'] } }, { name: 'f', type: 'E' }] }),
    ).normalized();
    assert.ok(qualifiedNested.includes('"name":"a.E"') && qualifiedNested.includes('{"name":"f","type":"a.E"}'), qualifiedNested);
  });
});
