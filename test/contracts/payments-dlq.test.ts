/**
 * The payments contract of the walkthrough, end to end through our serdes: a CEL rule that
 * sends bad confirmation codes to the `error-payments` DLQ, and an ENCRYPT rule on the
 * PII-tagged card number. Checked from the raw bytes of the topics, not from the serdes alone.
 */
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { ContractSerdes } from '../../src/contracts/contract-serdes.ts';
import { REDACTED } from '../../src/contracts/dlq-action.ts';
import type { LogRecord } from '../../src/log/log-client.ts';
import { startRegistry, TEST_LOCAL_SECRET, type RunningRegistry } from '../registry/registry-harness.ts';

const SALE = {
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
};

const encryptPii = {
  name: 'Encrypt_PII',
  kind: 'TRANSFORM',
  type: 'ENCRYPT',
  mode: 'WRITEREAD',
  tags: ['PII'],
  params: { 'encrypt.kek.name': 'CSFLE_Key', 'encrypt.kms.type': 'local-kms', 'encrypt.kms.key.id': 'CSFLE_Key' },
  onFailure: 'ERROR,NONE',
};

const validateCode = {
  name: 'validateConfirmationCode',
  kind: 'CONDITION',
  type: 'CEL',
  mode: 'WRITE',
  expr: "message.confirmation_code.matches('^[A-Z0-9]{8}$')",
  params: { 'dlq.topic': 'error-payments', 'dlq.auto.flush': 'true' },
  onFailure: 'DLQ',
};

function payment(orderId: number, code: string) {
  return {
    order_id: orderId,
    product_id: 7,
    customer_id: 3,
    confirmation_code: code,
    cc_number: `4${orderId}00-1111-2222-3333`.slice(0, 19),
    expiration: '09/28',
    amount: 123.45,
    ts: 1_700_000_000_000 + orderId,
  };
}

async function readAll(server: RunningRegistry, topic: string): Promise<LogRecord[]> {
  const { records } = await server.log.fetch({ topic, partition: 0 }, 0);
  return records;
}

async function register(server: RunningRegistry, subject: string, body: unknown): Promise<void> {
  const response = await fetch(`${server.url}/subjects/${subject}/versions`, {
    method: 'POST',
    headers: { 'Content-Type': 'application/vnd.schemaregistry.v1+json' },
    body: JSON.stringify(body),
  });
  assert.equal(response.status, 200, await response.text());
}

describe('payments contract: validation to the DLQ and PII encryption', () => {
  let server: RunningRegistry;

  before(async () => {
    server = await startRegistry();
    await server.log.createTopic('payments', { partitions: 1 });
  });
  after(async () => {
    await server?.destroy();
  });

  it('accepts good payments encrypted, sends bad ones to error-payments, and decrypts only for key holders', async () => {
    await register(server, 'payments-value', {
      schemaType: 'AVRO',
      schema: JSON.stringify(SALE),
      metadata: { tags: { 'Sale.cc_number': ['PII'] } },
      ruleSet: { domainRules: [encryptPii, validateCode] },
    });
    const producer = new ContractSerdes({ registryUrl: server.url, log: server.log, kmsSecret: TEST_LOCAL_SECRET });
    const inputs = [payment(1001, 'AB12CD34'), payment(1002, '0'), payment(1003, 'ZZ99YY88'), payment(1004, 'lowercase')];
    const outcome = await producer.produce(
      'payments',
      inputs.map((value) => ({ key: Buffer.from(String(value.order_id)), value })),
    );
    assert.deepEqual(
      outcome.sent.map((s) => s.index),
      [0, 2],
    );
    assert.deepEqual(
      outcome.refused.map((r) => [r.index, r.rule, r.dlqTopic]),
      [
        [1, 'validateConfirmationCode', 'error-payments'],
        [3, 'validateConfirmationCode', 'error-payments'],
      ],
    );

    // payments: only valid codes, card numbers never in plaintext in the stored bytes.
    const stored = await readAll(server, 'payments');
    assert.equal(stored.length, 2);
    for (const [i, record] of stored.entries()) {
      assert.equal(record.value![0], 0, 'Confluent wire format: magic byte 0');
      assert.ok(!record.value!.includes(Buffer.from(inputs[i === 0 ? 0 : 2]!.cc_number)), `no plaintext card number on disk: ${record.value!.toString('latin1')}`);
      assert.ok(record.value!.includes(Buffer.from(inputs[i === 0 ? 0 : 2]!.confirmation_code)), 'other fields are plain Avro');
    }

    // error-payments: the refused records with the original key, JSON value and rule headers.
    const dlq = await readAll(server, 'error-payments');
    assert.deepEqual(
      dlq.map((r) => r.key!.toString()),
      ['1002', '1004'],
    );
    for (const record of dlq) {
      const value = JSON.parse(record.value!.toString()) as Record<string, unknown>;
      assert.ok(['0', 'lowercase'].includes(value.confirmation_code as string));
      assert.ok(!record.value!.toString().includes('1111-2222-3333'), 'DLQ holds no plaintext card number');
      const headers = Object.fromEntries(record.headers.map((h) => [h.key, h.value!.toString()]));
      assert.equal(headers['__rule.name'], 'validateConfirmationCode');
      assert.equal(headers['__rule.mode'], 'WRITE');
      assert.equal(headers['__rule.subject'], 'payments-value');
      assert.equal(headers['__rule.topic'], 'payments');
      assert.match(headers['__rule.exception']!, /matches/);
    }

    // A consumer holding the KEK's secret reads the card number; one without reads ciphertext.
    const keyHolder = new ContractSerdes({ registryUrl: server.url, log: server.log, kmsSecret: TEST_LOCAL_SECRET });
    const outsider = new ContractSerdes({ registryUrl: server.url, log: server.log });
    const clear = (await keyHolder.deserialize('payments', stored[0]!.value!)) as Record<string, unknown>;
    assert.equal(clear.cc_number, inputs[0]!.cc_number);
    assert.equal(clear.confirmation_code, 'AB12CD34');
    const masked = (await outsider.deserialize('payments', stored[0]!.value!)) as Record<string, unknown>;
    assert.notEqual(masked.cc_number, inputs[0]!.cc_number);
    assert.match(String(masked.cc_number), /^[A-Za-z0-9+/=]{20,}$/, 'ciphertext as base64');
    assert.equal(masked.confirmation_code, 'AB12CD34', 'non-PII fields are readable by everyone');
    producer.close();
    keyHolder.close();
    outsider.close();
  });

  it('redacts PII in the DLQ when the failing rule runs before the encryption rule', async () => {
    await server.log.createTopic('payments2');
    await register(server, 'payments2-value', {
      schemaType: 'AVRO',
      schema: JSON.stringify(SALE),
      metadata: { tags: { 'Sale.cc_number': ['PII'] } },
      ruleSet: { domainRules: [{ ...validateCode, params: { 'dlq.topic': 'error-payments2' } }, encryptPii] },
    });
    const producer = new ContractSerdes({ registryUrl: server.url, log: server.log, kmsSecret: TEST_LOCAL_SECRET });
    const outcome = await producer.produce('payments2', [{ key: Buffer.from('1'), value: payment(1, 'bad') }]);
    assert.equal(outcome.refused.length, 1);
    const [record] = await readAll(server, 'error-payments2');
    const value = JSON.parse(record!.value!.toString()) as Record<string, unknown>;
    assert.equal(value.cc_number, REDACTED);
    assert.equal(value.confirmation_code, 'bad');
    producer.close();
  });

  it('refuses to write under an ENCRYPT rule without the key, and writes nothing', async () => {
    const noKey = new ContractSerdes({ registryUrl: server.url, log: server.log });
    const before = (await server.log.describeTopic('payments')).partitions[0]!.highWatermark;
    // With ENCRYPT disabled for a principal without the key, the serializer would write
    // plaintext; the write path must not allow that.
    await assert.rejects(noKey.produce('payments', [{ key: Buffer.from('9'), value: payment(9, 'AB12CD34') }]), /key|encrypt/i);
    assert.equal((await server.log.describeTopic('payments')).partitions[0]!.highWatermark, before);
    noKey.close();
  });
});
