/**
 * The payments service under the walkthrough's contract on `payments-value` (CEL validation →
 * DLQ `error-payments`, ENCRYPT on the PII-tagged card number), with orders from a real
 * PostgreSQL commerce database: every 6th record refused to the DLQ, duplicates counted and
 * sent byte for byte, no plaintext card number on disk, order ids that exist, deterministic.
 */
import assert from 'node:assert/strict';
import { after, before, it } from 'node:test';
import type pg from 'pg';
import { createCommerceSchema, seedCommerce } from '../../src/connect/commerce/index.ts';
import { ConnectorRuntime } from '../../src/connect/framework/connector-runtime.ts';
import { databaseOrders } from '../../src/connect/payments/order-source.ts';
import { PaymentsService } from '../../src/connect/payments/payments-service.ts';
import { SaleGenerator } from '../../src/connect/payments/sale-generator.ts';
import { SALE_SCHEMA } from '../../src/connect/payments/sale-schema.ts';
import { ContractSerdes } from '../../src/contracts/contract-serdes.ts';
import { startRegistry, TEST_LOCAL_SECRET, type RunningRegistry } from '../registry/registry-harness.ts';
import { readTopic, waitUntil } from './cdc-connector-support.ts';
import { startTestServer, type TestServer } from './postgres-test-support.ts';

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

let pgServer: TestServer;
let registry: RunningRegistry;
let url: string;
let db: pg.Client;

async function registerContract(subject: string, dlqTopic: string): Promise<void> {
  const response = await fetch(`${registry.url}/subjects/${subject}/versions`, {
    method: 'POST',
    headers: { 'Content-Type': 'application/vnd.schemaregistry.v1+json' },
    body: JSON.stringify({
      schemaType: 'AVRO',
      schema: JSON.stringify(SALE_SCHEMA),
      metadata: { tags: { 'Sale.cc_number': ['PII'] } },
      ruleSet: { domainRules: [encryptPii, { ...validateCode, params: { ...validateCode.params, 'dlq.topic': dlqTopic } }] },
    }),
  });
  assert.equal(response.status, 200, await response.text());
}

before(async () => {
  [pgServer, registry] = await Promise.all([startTestServer('payments'), startRegistry()]);
  url = await pgServer.createDatabase('commerce');
  db = await pgServer.connect(url);
  await createCommerceSchema(db);
  await seedCommerce(db, { seed: 5 });
});
after(async () => {
  await registry?.destroy();
  await pgServer?.close();
});

it('runs the contract: every 6th record to error-payments, duplicates counted, card numbers encrypted, real order ids', async () => {
  await registry.log.createTopic('payments');
  await registerContract('payments-value', 'error-payments');
  const serdes = new ContractSerdes({ registryUrl: registry.url, log: registry.log, kmsSecret: TEST_LOCAL_SECRET });
  const clock = new Date('2026-03-01T12:00:00Z');
  const orders = databaseOrders(url);
  const service = new PaymentsService({ serdes, orders, seed: 7, startBacklog: 40, now: () => clock });
  const count = 36;
  for (let i = 0; i < count; i++) assert.equal(await service.tick(), true);
  await orders.close();

  // The same seed draws the same records: the expected stream, computed independently.
  const expected = new SaleGenerator(7);
  const drawn = Array.from({ length: count }, () => expected.next(0, clock));
  const duplicates = drawn.filter((d) => d.duplicate).length;
  const invalid = drawn.filter((d) => d.sale.confirmation_code === '0');
  assert.deepEqual(invalid.map((d) => d.sequence), [6, 12, 18, 24, 30, 36]);
  const refusedExpected = invalid.reduce((n, d) => n + (d.duplicate ? 2 : 1), 0);
  const stats = service.stats;
  assert.equal(stats.records, count);
  assert.equal(stats.duplicated, duplicates);
  assert.ok(duplicates > 0 && duplicates < count / 3, `about 10% duplicates, got ${duplicates}`);
  assert.equal(stats.refused, refusedExpected);
  assert.deepEqual(stats.refusedByDlq, { 'error-payments': refusedExpected });
  assert.equal(stats.sent, count + duplicates - refusedExpected);

  const stored = await readTopic(registry.log, 'payments');
  assert.equal(stored.length, stats.sent);
  const dlq = await readTopic(registry.log, 'error-payments');
  assert.equal(dlq.length, refusedExpected);
  for (const record of dlq) assert.equal((JSON.parse(record.value!.toString()) as { confirmation_code: string }).confirmation_code, '0');

  const reader = new ContractSerdes({ registryUrl: registry.url, log: registry.log, kmsSecret: TEST_LOCAL_SECRET });
  const sales: Record<string, unknown>[] = [];
  for (const record of stored) {
    const sale = (await reader.deserialize('payments', record.value!)) as Record<string, unknown>;
    assert.ok(!record.value!.includes(Buffer.from(String(sale.cc_number))), 'no plaintext card number in payments');
    assert.equal(record.key!.toString('utf8'), String(sale.order_id), 'key = order_id as text');
    assert.equal(record.timestamp, clock.getTime());
    assert.match(String(sale.cc_number), /^\d{4}-\d{4}-\d{4}-\d{4}$/);
    assert.match(String(sale.expiration), /^(0[1-9]|1[0-2])\/(27|28|29|30)$/);
    assert.match(String(sale.confirmation_code), /^[A-Z0-9]{8}$/);
    assert.ok((sale.product_id as number) >= 0 && (sale.product_id as number) <= 99);
    assert.ok((sale.customer_id as number) >= 0 && (sale.customer_id as number) <= 49);
    assert.ok((sale.amount as number) >= 0 && (sale.amount as number) < 1000);
    sales.push(sale);
  }
  // Duplicates are exact: the same bytes twice in a row.
  let exactRepeats = 0;
  for (let i = 1; i < stored.length; i++) if (stored[i]!.key!.equals(stored[i - 1]!.key!)) exactRepeats++;
  assert.equal(exactRepeats, drawn.filter((d) => d.duplicate && d.sale.confirmation_code !== '0').length);

  // Every order id exists in the commerce database, paid in order, each once.
  const orderIds = [...new Set(sales.map((s) => s.order_id as number))];
  const existing = await db.query<{ orderid: number }>('SELECT orderid FROM orders WHERE orderid = ANY($1::int[])', [orderIds]);
  assert.equal(existing.rowCount, orderIds.length);
  assert.deepEqual(orderIds, [...orderIds].sort((a, b) => a - b));
  serdes.close();
  reader.close();
});

it('runs as the payments connector: registers the bare Sale schema when missing, reports counts, resumes its stream', async () => {
  const runtime = new ConnectorRuntime({ log: registry.log, registryUrl: registry.url, kmsSecret: TEST_LOCAL_SECRET });
  await runtime.open();
  const created = await runtime.create({ name: 'payments-svc', type: 'payments', config: { connection: url, topic: 'payments-raw', rate: 100, seed: 3, startBacklog: 50 } });
  assert.equal(created.state, 'RUNNING', JSON.stringify(created.lastError));
  await waitUntil(() => Number(runtime.status('payments-svc').metrics.records) >= 12, 10_000, 'payments');
  await runtime.pause('payments-svc');
  const paused = runtime.status('payments-svc');
  assert.equal(paused.state, 'PAUSED');
  // Without a contract nothing is refused: the invalid codes flow through (the contract is what catches them).
  assert.equal(paused.metrics.refused, 0);
  const subject = await (await fetch(`${registry.url}/subjects/payments-raw-value/versions/latest`)).json() as { schema: string; ruleSet?: unknown };
  assert.deepEqual(JSON.parse(subject.schema), SALE_SCHEMA);
  assert.equal(subject.ruleSet, undefined);

  // After a restart of the runtime the stream continues where it stopped (its position is its offset).
  const drawnBefore = Number(paused.metrics.records);
  await runtime.close();
  const again = new ConnectorRuntime({ log: registry.log, registryUrl: registry.url, kmsSecret: TEST_LOCAL_SECRET });
  await again.open();
  assert.equal(again.status('payments-svc').state, 'PAUSED');
  await again.resume('payments-svc');
  await waitUntil(() => Number(again.status('payments-svc').metrics.records) >= 3, 10_000, 'payments after resume');
  await again.delete('payments-svc');
  await again.close();
  const records = await readTopic(registry.log, 'payments-raw');
  const keys = records.map((r) => Number(r.key!.toString()));
  const distinctInOrder = keys.filter((k, i) => i === 0 || keys[i - 1] !== k);
  assert.deepEqual(distinctInOrder, [...new Set(distinctInOrder)], 'no order is paid twice across the restart');
  assert.ok(distinctInOrder.length >= drawnBefore + 3);
});
