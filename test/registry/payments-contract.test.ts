/**
 * The payments data contract through Confluent's own client over HTTP: register the Avro
 * schema with PII tags and rules, read it back by latest and id, the associations fallback,
 * and a full serialize/deserialize round trip with CEL + ENCRYPT (local-kms) that exercises
 * the DEK registry exactly as producers do.
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import {
  AvroDeserializer,
  AvroSerializer,
  CelExecutor,
  DekRegistryClient,
  FieldEncryptionExecutor,
  LocalKmsDriver,
  RuleMode,
  SchemaRegistryClient,
  SerdeType,
  type Rule,
} from '@confluentinc/schemaregistry';
import { call, startRegistry, TEST_LOCAL_SECRET, type RunningRegistry } from './registry-harness.ts';

export const SALE_SCHEMA = JSON.stringify({
  type: 'record',
  name: 'Sale',
  fields: [
    { name: 'order_id', type: 'int' },
    { name: 'product_id', type: 'int' },
    { name: 'customer_id', type: 'int' },
    { name: 'confirmation_code', type: 'string' },
    { name: 'cc_number', type: 'string' },
    { name: 'expiration', type: 'string' },
    { name: 'amount', type: 'double' },
    { name: 'ts', type: { type: 'long', logicalType: 'timestamp-millis' } },
  ],
});

const encryptRule: Rule = {
  name: 'Encrypt_PII',
  kind: 'TRANSFORM',
  type: 'ENCRYPT',
  mode: RuleMode.WRITEREAD,
  tags: ['PII'],
  params: { 'encrypt.kek.name': 'CSFLE_Key', 'encrypt.kms.type': 'local-kms', 'encrypt.kms.key.id': 'payments-key' },
  onFailure: 'ERROR,NONE',
};

const celRule: Rule = {
  name: 'validateConfirmationCode',
  kind: 'CONDITION',
  type: 'CEL',
  mode: RuleMode.WRITE,
  expr: "message.confirmation_code.matches('^[A-Z0-9]{8}$')",
  onFailure: 'ERROR',
};

describe('payments contract with the Confluent client', () => {
  let server: RunningRegistry;
  let client: SchemaRegistryClient;

  before(async () => {
    server = await startRegistry();
    client = new SchemaRegistryClient({ baseURLs: [server.url] });
  });
  after(async () => {
    await server.destroy();
  });

  test('registers the Sale schema with metadata tags and a rule set', async () => {
    const id = await client.register('payments-value', {
      schemaType: 'AVRO',
      schema: SALE_SCHEMA,
      metadata: { tags: { 'Sale.cc_number': ['PII'] }, properties: { owner: 'payments-team' } },
      ruleSet: { domainRules: [encryptRule, celRule] },
    });
    assert.equal(id, 1);

    const latest = await client.getLatestSchemaMetadata('payments-value');
    assert.equal(latest.id, 1);
    assert.equal(latest.version, 1);
    assert.equal(latest.subject, 'payments-value');
    assert.deepEqual(latest.metadata?.tags, { 'Sale.cc_number': ['PII'] });
    assert.deepEqual(latest.ruleSet?.domainRules?.map((r) => r.name), ['Encrypt_PII', 'validateConfirmationCode']);

    const byId = await client.getBySubjectAndId('payments-value', 1);
    assert.equal(byId.schema, SALE_SCHEMA);
    assert.equal(byId.ruleSet?.domainRules?.length, 2);

    // The same schema under another subject keeps the same global id.
    const other = await client.register('payments-copy', { schemaType: 'AVRO', schema: SALE_SCHEMA, metadata: latest.metadata!, ruleSet: latest.ruleSet! });
    assert.equal(other, 1);
  });

  test('associations answer 404 so clients fall back to {topic}-value', async () => {
    const response = await call(server.url, 'GET', '/associations/resources/-/payments?resourceType=topic&associationType=value');
    assert.equal(response.status, 404);
    assert.equal(typeof response.body.error_code, 'number');
    assert.equal(typeof response.body.message, 'string');
  });

  test('serializes with CEL + ENCRYPT through the DEK registry and reads back', async () => {
    CelExecutor.register();
    FieldEncryptionExecutor.register();
    LocalKmsDriver.register();
    const ruleConfig = { secret: TEST_LOCAL_SECRET };
    const serializer = new AvroSerializer(client, SerdeType.VALUE, { useLatestVersion: true, autoRegisterSchemas: false, ruleConfig });
    const sale = {
      order_id: 1,
      product_id: 2,
      customer_id: 3,
      confirmation_code: 'AB12CD34',
      cc_number: '1234-5678-9012-3456',
      expiration: '01/29',
      amount: 12.5,
      ts: 1_700_000_000_000,
    };
    const bytes = await serializer.serialize('payments', { ...sale });
    assert.equal(bytes[0], 0);
    assert.equal(bytes.readInt32BE(1), 1);
    assert.ok(!bytes.includes(Buffer.from('1234-5678-9012-3456')), 'the card number is not stored in plaintext');

    const deserializer = new AvroDeserializer(client, SerdeType.VALUE, { ruleConfig });
    const read = (await deserializer.deserialize('payments', bytes)) as typeof sale;
    // The serializer encrypts fields in place in the object it was given: compare with the literal.
    assert.equal(read.cc_number, '1234-5678-9012-3456');
    assert.equal(read.confirmation_code, 'AB12CD34');

    await assert.rejects(serializer.serialize('payments', { ...sale, cc_number: '1234-5678-9012-3456', confirmation_code: '0' }), /validateConfirmationCode|rule|condition/i);

    // The producer created the KEK and a DEK for the subject in our DEK registry.
    const deks = new DekRegistryClient({ baseURLs: [server.url] });
    const kek = await deks.getKek('CSFLE_Key');
    assert.equal(kek.kmsType, 'local-kms');
    assert.equal(kek.kmsKeyId, 'payments-key');
    const dek = await deks.getDek('CSFLE_Key', 'payments-value', 'AES256_GCM', -1, false);
    assert.equal(dek.version, 1);
    assert.ok(dek.encryptedKeyMaterial && dek.encryptedKeyMaterial.length > 0);
    assert.equal(dek.keyMaterial, undefined, 'a non-shared KEK never reveals the key');
  });
});
