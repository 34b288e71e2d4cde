import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { getSchemaProvider, SCHEMA_PROVIDERS } from '../../src/formats/index.ts';
import { SCHEMA_TYPES, type SchemaType } from '../../src/formats/schema-provider.ts';
import { isShiftleftError } from '../../src/common/errors.ts';

const saleAvro = JSON.stringify({
  type: 'record', name: 'Sale', fields: [{ name: 'order_id', type: 'int' }, { name: 'amount', type: 'double' }],
});
const saleJson = JSON.stringify({ type: 'object', properties: { order_id: { type: 'integer' }, amount: { type: 'number' } } });
const saleProto = 'syntax = "proto3";\nmessage Sale { int32 order_id = 1; double amount = 2; }\n';
const texts: Record<SchemaType, string> = { AVRO: saleAvro, JSON: saleJson, PROTOBUF: saleProto };

void describe('formats: provider list', () => {
  void it('has one provider per schema type', () => {
    assert.deepEqual(SCHEMA_PROVIDERS.map((p) => p.schemaType), [...SCHEMA_TYPES]);
    for (const type of SCHEMA_TYPES) {
      const provider = getSchemaProvider(type);
      assert.equal(provider.schemaType, type);
      const parsed = provider.parse(texts[type], []);
      assert.equal(parsed.schemaType, type);
      assert.equal(parsed.text, texts[type]);
      assert.equal(typeof parsed.normalized(), 'string');
      assert.deepEqual(provider.readerIncompatibilities(parsed, provider.parse(texts[type], [])), [], `${type} reads itself`);
    }
  });

  void it('rejects an unknown type and mixes of types', () => {
    assert.throws(() => getSchemaProvider('XML' as SchemaType), (e: unknown) => isShiftleftError(e, 'INVALID_SCHEMA'));
    const avro = getSchemaProvider('AVRO');
    const json = getSchemaProvider('JSON').parse(saleJson, []);
    assert.deepEqual(avro.readerIncompatibilities(avro.parse(saleAvro, []), json), ['Incompatible because of different schema type']);
  });

  void it('gives each format its own reason for invalid text, as INVALID_SCHEMA', () => {
    for (const type of SCHEMA_TYPES) {
      assert.throws(
        () => getSchemaProvider(type).parse('{ not a schema', []),
        (e: unknown) => isShiftleftError(e, 'INVALID_SCHEMA') && e.message.startsWith('Invalid ') && e.hint !== undefined,
      );
    }
  });

  void it('a reference of another schema type is refused', () => {
    const ref = { name: 'x', subject: 'x', version: 1, schemaType: 'JSON' as const, schema: '{}', references: [] };
    assert.throws(() => getSchemaProvider('AVRO').parse(saleAvro, [ref]), /a JSON schema; an Avro schema can only reference Avro schemas/);
  });
});
