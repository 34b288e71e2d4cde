/**
 * The walkthrough's sources together, as `shiftleft source postgres start --payments` runs
 * them: commerce-datagen (seed + orders), postgres-cdc on the four tables (emails masked) and
 * the payments connector, on one runtime. What the `sales` join needs must hold: every paid
 * order is in `shiftleft.public.orders`; product deletes show up with `__deleted: "true"`.
 */
import assert from 'node:assert/strict';
import { after, before, it } from 'node:test';
import { ConnectorRuntime } from '../../src/connect/framework/connector-runtime.ts';
import { startRegistry, TEST_LOCAL_SECRET, type RunningRegistry } from '../registry/registry-harness.ts';
import { readTopic, TopicDecoder, waitUntil } from './cdc-connector-support.ts';
import { startTestServer, type TestServer } from './postgres-test-support.ts';

let pgServer: TestServer;
let registry: RunningRegistry;

before(async () => {
  [pgServer, registry] = await Promise.all([startTestServer('cdc-commerce-connectors'), startRegistry()]);
});
after(async () => {
  await registry?.destroy();
  await pgServer?.close();
});

it('runs generator, CDC and payments as connectors on the embedded database', async () => {
  const runtime = new ConnectorRuntime({
    log: registry.log,
    registryUrl: registry.url,
    kmsSecret: TEST_LOCAL_SECRET,
    embeddedPostgres: async () => pgServer.server.connectionString,
  });
  await runtime.open();
  const generator = await runtime.create({ name: 'commerce-datagen', type: 'commerce-datagen', config: { embedded: true, seed: 3, ordersPerSecond: 40, productDeleteProbability: 0.3, productInsertProbability: 0.3 } });
  assert.equal(generator.state, 'RUNNING', JSON.stringify(generator.lastError));
  const cdc = await runtime.create({
    name: 'postgres-cdc',
    type: 'postgres-cdc',
    config: { embedded: true, tables: ['public.customers', 'public.products', 'public.orders', 'public.order_items'], transforms: { mask: { customers: ['email'] } }, statusIntervalMs: 200 },
  });
  assert.equal(cdc.state, 'RUNNING', JSON.stringify(cdc.lastError));
  const payments = await runtime.create({ name: 'payments', type: 'payments', config: { embedded: true, rate: 40, seed: 3 } });
  assert.equal(payments.state, 'RUNNING', JSON.stringify(payments.lastError));

  await waitUntil(() => Number(runtime.status('payments').metrics.records) >= 30 && Number(runtime.status('commerce-datagen').metrics.productDeletes) >= 1, 30_000, 'payments and a product delete');
  await runtime.pause('payments');
  await runtime.pause('commerce-datagen');
  const produced = runtime.status('postgres-cdc').metrics.rowsByTopic as Record<string, number>;
  assert.deepEqual(Object.keys(produced).sort(), ['shiftleft.public.customers', 'shiftleft.public.order_items', 'shiftleft.public.orders', 'shiftleft.public.products']);

  const decoder = new TopicDecoder(registry.url);
  const paid = new Set((await readTopic(registry.log, 'payments')).map((r) => Number(r.key!.toString())));
  let orderIds = new Set<number>();
  await waitUntil(async () => {
    orderIds = new Set((await decoder.decode(registry.log, 'shiftleft.public.orders')).map((r) => r.value.orderid as number));
    return [...paid].every((id) => orderIds.has(id));
  }, 15_000, 'every paid order in the orders topic');

  const customers = await decoder.decode(registry.log, 'shiftleft.public.customers');
  assert.ok(customers.length >= 50);
  assert.ok(customers.every((c) => c.value.email === '****'), 'emails are masked at the source');
  const products = await decoder.decode(registry.log, 'shiftleft.public.products');
  const deleted = products.filter((p) => p.value.__deleted === 'true');
  assert.ok(deleted.length >= 1, 'a product delete is in the topic');
  assert.ok(deleted.every((p) => typeof p.value.productname === 'string' && p.value.productname !== ''), 'a delete carries the last known row');

  for (const name of ['payments', 'postgres-cdc', 'commerce-datagen']) await runtime.delete(name);
  await runtime.close();
});
