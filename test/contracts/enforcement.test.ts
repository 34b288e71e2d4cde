/**
 * Server-side contract enforcement: records produced through the EnforcingProducer onto an
 * enforced topic must carry a schema id of `<topic>-value` and pass its CONDITION rules on the
 * platform side, DLQ included, whether or not the producer used the client serializer.
 */
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import avro from 'avsc';
import { ContractSerdes } from '../../src/contracts/contract-serdes.ts';
import { REDACTED } from '../../src/contracts/dlq-action.ts';
import { EnforcingProducer } from '../../src/contracts/enforcement.ts';
import { ContractEnforcementStore } from '../../src/contracts/enforcement-store.ts';
import { isShiftleftError } from '../../src/common/errors.ts';
import { startPlatform } from '../../src/platform.ts';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { LogRecord } from '../../src/log/log-client.ts';
import { call, startRegistry, TEST_LOCAL_SECRET, type RunningRegistry } from '../registry/registry-harness.ts';

const SALE = {
  type: 'record',
  name: 'Sale',
  fields: [
    { name: 'order_id', type: 'int' },
    { name: 'confirmation_code', type: 'string' },
    { name: 'cc_number', type: 'string' },
    { name: 'amount', type: 'double' },
  ],
};

const validateCode = {
  name: 'validateConfirmationCode',
  kind: 'CONDITION',
  type: 'CEL',
  mode: 'WRITE',
  expr: "message.confirmation_code.matches('^[A-Z0-9]{8}$')",
  params: { 'dlq.topic': 'error-sales' },
  onFailure: 'DLQ',
};

const encryptPii = {
  name: 'Encrypt_PII',
  kind: 'TRANSFORM',
  type: 'ENCRYPT',
  mode: 'WRITEREAD',
  tags: ['PII'],
  params: { 'encrypt.kek.name': 'SalesKey', 'encrypt.kms.type': 'local-kms', 'encrypt.kms.key.id': 'SalesKey' },
  onFailure: 'ERROR,NONE',
};

const saleType = avro.Type.forSchema(SALE as avro.Schema);

function sale(orderId: number, code: string) {
  return { order_id: orderId, confirmation_code: code, cc_number: `4111-0000-0000-${String(orderId).padStart(4, '0')}`, amount: 9.5 };
}

/** Confluent wire format built by hand: what a producer that skips the serializer sends. */
function wireBytes(schemaId: number, value: unknown): Buffer {
  const prefix = Buffer.alloc(5);
  prefix.writeInt32BE(schemaId, 1);
  return Buffer.concat([prefix, saleType.toBuffer(value)]);
}

async function readAll(server: RunningRegistry, topic: string): Promise<LogRecord[]> {
  return (await server.log.fetch({ topic, partition: 0 }, 0)).records;
}

describe('contract enforcement on the platform side', () => {
  let server: RunningRegistry;
  let producer: EnforcingProducer;
  let salesId: number;
  let otherId: number;

  before(async () => {
    server = await startRegistry();
    await server.log.createTopic('sales');
    await server.log.createTopic('free');
    const registered = await call(server.url, 'POST', '/subjects/sales-value/versions', {
      schema: JSON.stringify(SALE),
      metadata: { tags: { 'Sale.cc_number': ['PII'] } },
      ruleSet: { domainRules: [encryptPii, validateCode] },
    });
    assert.equal(registered.status, 200, JSON.stringify(registered.body));
    salesId = registered.body.id as number;
    const other = await call(server.url, 'POST', '/subjects/other-value/versions', { schema: JSON.stringify({ type: 'record', name: 'Other', fields: [{ name: 'x', type: 'int' }] }) });
    otherId = other.body.id as number;
    producer = await EnforcingProducer.open({ log: server.log, registryUrl: server.url, refreshIntervalMs: 0 });
    await producer.setEnforced('sales', true);
  });
  after(async () => {
    producer?.close();
    await server?.destroy();
  });

  it('leaves topics that are not enforced alone', async () => {
    const outcome = await producer.produce('free', [{ key: null, value: Buffer.from('anything goes') }]);
    assert.equal(outcome.enforced, false);
    assert.equal(outcome.sent.length, 1);
  });

  it('refuses raw bytes, unknown ids and ids of other subjects, naming the record and the reason', async () => {
    const outcome = await producer.produce('sales', [
      { key: Buffer.from('a'), value: Buffer.from('{"order_id":1}') },
      { key: Buffer.from('b'), value: wireBytes(9999, sale(1, 'AB12CD34')) },
      { key: Buffer.from('c'), value: wireBytes(otherId, sale(1, 'AB12CD34')) },
      { key: Buffer.from('d'), value: Buffer.concat([wireBytes(salesId, sale(1, 'AB12CD34')).subarray(0, 7)]) },
    ]);
    assert.equal(outcome.enforced, true);
    assert.equal(outcome.sent.length, 0);
    const reasons = outcome.refused.map((r) => [r.index, r.reason]);
    assert.match(String(reasons[0]![1]), /not in the Confluent wire format.*0x7b/);
    assert.match(String(reasons[1]![1]), /schema id 9999 is unknown/);
    assert.match(String(reasons[2]![1]), new RegExp(`schema id ${otherId} is not registered under subject 'sales-value'.*other-value`));
    assert.match(String(reasons[3]![1]), /does not decode/);
    assert.equal((await server.log.describeTopic('sales')).partitions[0]!.highWatermark, 0, 'nothing written');
  });

  it('accepts records serialized by the contract serdes, through the enforcing log client', async () => {
    const serdes = new ContractSerdes({ registryUrl: server.url, log: producer.asLogClient(), kmsSecret: TEST_LOCAL_SECRET });
    const outcome = await serdes.produce('sales', [
      { key: Buffer.from('1'), value: sale(1, 'AB12CD34') },
      { key: Buffer.from('2'), value: sale(2, 'nope') },
    ]);
    assert.deepEqual(
      outcome.sent.map((s) => s.index),
      [0],
    );
    assert.equal(outcome.refused[0]!.dlqTopic, 'error-sales', 'refused by the client-side rule first');
    const stored = await readAll(server, 'sales');
    assert.equal(stored.length, 1);
    assert.ok(!stored[0]!.value!.includes(Buffer.from('4111-0000-0000-0001')), 'encrypted by the client');
    serdes.close();
  });

  it('runs the CEL condition on the platform with its DLQ when the producer skipped the serializer', async () => {
    const before = (await readAll(server, 'error-sales')).length;
    const outcome = await producer.produce('sales', [
      { key: Buffer.from('raw-good'), value: wireBytes(salesId, sale(10, 'ZZ99YY88')) },
      { key: Buffer.from('raw-bad'), value: wireBytes(salesId, sale(11, 'lowercase')), headers: [{ key: 'origin', value: Buffer.from('raw') }] },
    ]);
    assert.deepEqual(
      outcome.sent.map((s) => s.index),
      [0],
    );
    assert.equal(outcome.refused.length, 1);
    assert.equal(outcome.refused[0]!.rule, 'validateConfirmationCode');
    assert.equal(outcome.refused[0]!.dlqTopic, 'error-sales');

    const dlq = (await readAll(server, 'error-sales')).slice(before);
    assert.equal(dlq.length, 1);
    assert.equal(dlq[0]!.key!.toString(), 'raw-bad');
    const headers = Object.fromEntries(dlq[0]!.headers.map((h) => [h.key, h.value?.toString()]));
    assert.equal(headers['__rule.name'], 'validateConfirmationCode');
    assert.equal(headers['__rule.mode'], 'WRITE');
    assert.equal(headers['__rule.subject'], 'sales-value');
    const value = JSON.parse(dlq[0]!.value!.toString()) as Record<string, unknown>;
    assert.equal(value.confirmation_code, 'lowercase');
    assert.equal(value.cc_number, REDACTED, 'the platform cannot tell plaintext from ciphertext: PII is redacted in its DLQ copy');
    assert.ok((await readAll(server, 'sales')).some((r) => r.key?.toString() === 'raw-good'));
    assert.ok(!(await readAll(server, 'sales')).some((r) => r.key?.toString() === 'raw-bad'));
  });

  it('fails closed when a condition does not evaluate to a boolean (the client would let it pass)', async () => {
    await server.log.createTopic('strict');
    const broken = { ...validateCode, name: 'brokenCondition', expr: 'message.no_such_field == 1', params: { 'dlq.topic': 'error-strict' } };
    const registered = await call(server.url, 'POST', '/subjects/strict-value/versions', { schema: JSON.stringify(SALE), ruleSet: { domainRules: [broken] } });
    await producer.setEnforced('strict', true);
    const outcome = await producer.produce('strict', [{ key: null, value: wireBytes(registered.body.id as number, sale(1, 'AB12CD34')) }]);
    assert.equal(outcome.sent.length, 0);
    assert.equal(outcome.refused[0]!.rule, 'brokenCondition');
    assert.equal(outcome.refused[0]!.dlqTopic, 'error-strict');
    const [dlq] = await readAll(server, 'error-strict');
    const headers = Object.fromEntries(dlq!.headers.map((h) => [h.key, h.value?.toString()]));
    assert.match(headers['__rule.exception']!, /did not evaluate to a boolean/);
  });

  it('makes the enforcing log client throw RULE_FAILED naming the refused records', async () => {
    const log = producer.asLogClient();
    await assert.rejects(log.produce('sales', [{ key: null, value: Buffer.from('plain text') }]), (error: unknown) => {
      assert.ok(isShiftleftError(error, 'RULE_FAILED'));
      assert.match(error.message, /record 0: not in the Confluent wire format/);
      return true;
    });
    assert.equal(log.kind, server.log.kind, 'other members pass through');
  });

  it('keeps the flag durably and lets it be turned off', async () => {
    const reopened = await ContractEnforcementStore.open(server.log, { refreshIntervalMs: 0 });
    assert.equal(await reopened.isEnforced('sales'), true);
    assert.equal(await reopened.isEnforced('free'), false);
    await producer.setEnforced('sales', false);
    assert.equal(await reopened.isEnforced('sales'), false, 'another reader follows the change');
    const outcome = await producer.produce('sales', [{ key: null, value: Buffer.from('raw again') }]);
    assert.equal(outcome.sent.length, 1);
    await producer.setEnforced('sales', true);
    await assert.rejects(producer.setEnforced('missing-topic', true), /TOPIC_NOT_FOUND|does not exist/);
  });
});

describe('contract enforcement behind the platform API', () => {
  it('refuses raw bytes and runs the CEL rule with its DLQ for REST produce', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'shiftleft-enforce-rest-'));
    const platform = await startPlatform({ dataDir: dir, port: 0, registryPort: 0 });
    try {
      await platform.log.createTopic('sales');
      const registered = await call(platform.urls.registry, 'POST', '/subjects/sales-value/versions', { schema: JSON.stringify(SALE), ruleSet: { domainRules: [validateCode] } });
      const id = registered.body.id as number;
      const enforcer = await EnforcingProducer.open({ log: platform.log, registryUrl: platform.urls.registry });
      await enforcer.setEnforced('sales', true);
      enforcer.close();
      const post = (value: Buffer) =>
        fetch(`${platform.urls.platform}/v1/topics/sales/records`, {
          method: 'POST',
          headers: { 'Content-Type': 'application/json' },
          body: JSON.stringify({ records: [{ key: 'k', value: value.toString('base64'), valueEncoding: 'base64' }] }),
        });
      // The platform's own store may be up to its refresh interval behind this writer.
      await new Promise((resolve) => setTimeout(resolve, 600));
      const raw = await post(Buffer.from('{"order_id": 1}'));
      assert.notEqual(raw.status, 200);
      const body = (await raw.json()) as { code: string; message: string };
      assert.equal(body.code, 'RULE_FAILED');
      assert.match(body.message, /record 0: not in the Confluent wire format/);
      const bad = await post(wireBytes(id, sale(2, 'lowercase')));
      assert.equal(((await bad.json()) as { code: string }).code, 'RULE_FAILED');
      const good = await post(wireBytes(id, sale(3, 'AB12CD34')));
      assert.equal(good.status, 200, await good.text());
      const stored = (await platform.log.fetch({ topic: 'sales', partition: 0 }, 0)).records;
      assert.equal(stored.length, 1, 'only the valid record is stored');
      const dlq = (await platform.log.fetch({ topic: 'error-sales', partition: 0 }, 0)).records;
      assert.equal(dlq.length, 1);
      assert.equal(JSON.parse(dlq[0]!.value!.toString()).confirmation_code, 'lowercase');
    } finally {
      await platform.close();
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
