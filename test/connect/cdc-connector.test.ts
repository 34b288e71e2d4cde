/**
 * The postgres-cdc connector end to end on real parts: embedded PostgreSQL, the registry over
 * HTTP, the embedded log. Snapshot then streaming of inserts, updates, deletes, a primary-key
 * change and ALTER TABLE ADD COLUMN, decoded with Confluent's AvroDeserializer.
 */
import assert from 'node:assert/strict';
import { after, before, it } from 'node:test';
import type pg from 'pg';
import { ConnectorRuntime } from '../../src/connect/framework/connector-runtime.ts';
import { startRegistry, type RunningRegistry } from '../registry/registry-harness.ts';
import { startTestServer, type TestServer } from './postgres-test-support.ts';
import { TopicDecoder, waitUntil, type Decoded } from './cdc-connector-support.ts';

let pgServer: TestServer;
let registry: RunningRegistry;
let url: string;
let db: pg.Client;

before(async () => {
  [pgServer, registry] = await Promise.all([startTestServer('cdc-connector'), startRegistry()]);
  url = await pgServer.createDatabase('shop');
  db = await pgServer.connect(url);
  await db.query(`CREATE TABLE customers (customerid INT PRIMARY KEY, customername VARCHAR(255) NOT NULL, email VARCHAR(255) NOT NULL,
                    balance DECIMAL(10,2), since TIMESTAMP)`);
  await db.query(`CREATE TABLE orders (orderid INT PRIMARY KEY, customerid INT NOT NULL, status VARCHAR(50) NOT NULL)`);
  await db.query(`INSERT INTO customers VALUES (1, 'Ann', 'ann@example.com', 12.50, '2024-01-02 03:04:05.678'), (2, 'Bob', 'bob@example.com', NULL, NULL)`);
  await db.query(`INSERT INTO orders VALUES (1, 1, 'Pending')`);
});
after(async () => {
  await registry?.destroy();
  await pgServer?.close();
});

/** Decoded records as plain, comparable objects. */
function normalize(record: Decoded): { key: unknown; value: Record<string, unknown> } {
  const value: Record<string, unknown> = {};
  // timestamp-millis arrives as epoch millis; decimals as their two's-complement bytes.
  for (const [field, v] of Object.entries(record.value)) value[field] = field === 'since' && typeof v === 'number' ? new Date(v).toISOString() : Buffer.isBuffer(v) ? `0x${v.toString('hex')}` : v;
  return { key: record.key ? { ...record.key } : null, value };
}

it('snapshots, then streams inserts, updates, deletes, key changes and schema changes with masked emails', async () => {
  const runtime = new ConnectorRuntime({ log: registry.log, registryUrl: registry.url });
  await runtime.open();
  const status = await runtime.create({
    name: 'shop-cdc',
    type: 'postgres-cdc',
    config: {
      connection: url,
      tables: ['public.customers', 'public.orders'],
      topicPrefix: 'shiftleft',
      slotName: 'shop_slot',
      publicationName: 'shop_pub',
      statusIntervalMs: 200,
      transforms: { mask: { customers: ['email'] } },
    },
  });
  assert.equal(status.state, 'RUNNING', JSON.stringify(status.lastError));
  assert.match(String(status.config.connection), /^postgresql:\/\/[^:]*:\*\*\*\*@/, 'the password is not shown');

  const before = Date.now();
  await db.query(`INSERT INTO customers VALUES (3, 'Cid', 'cid@example.com', -0.01, '2025-06-30 23:59:59')`);
  await db.query(`UPDATE customers SET customername = 'Ann B.' WHERE customerid = 1`);
  await db.query(`DELETE FROM customers WHERE customerid = 2`);
  await db.query(`UPDATE orders SET orderid = 10, status = 'Completed' WHERE orderid = 1`);
  await db.query(`ALTER TABLE customers ADD COLUMN tier VARCHAR(20)`);
  await db.query(`INSERT INTO customers VALUES (4, 'Dee', 'dee@example.com', 1000.00, NULL, 'gold')`);
  const afterWrites = Date.now();

  const decoder = new TopicDecoder(registry.url);
  let customers: Decoded[] = [];
  let orders: Decoded[] = [];
  await waitUntil(async () => {
    customers = await decoder.decode(registry.log, 'shiftleft.public.customers');
    orders = await decoder.decode(registry.log, 'shiftleft.public.orders');
    return customers.length >= 6 && orders.length >= 3;
  }, 15_000, 'CDC records');

  const row = (id: number, name: string, balance: string | null, since: string | null, deleted: boolean, tier?: string | null) => ({
    key: { customerid: id },
    value: { customerid: id, customername: name, email: '****', balance, since, ...(tier !== undefined && { tier }), __deleted: deleted ? 'true' : 'false' },
  });
  const dec = (hex: string) => `0x${hex}`;
  assert.deepEqual(customers.map(normalize), [
    row(1, 'Ann', dec('04e2'), '2024-01-02T03:04:05.678Z', false),
    row(2, 'Bob', null, null, false),
    row(3, 'Cid', dec('ff'), '2025-06-30T23:59:59.000Z', false),
    row(1, 'Ann B.', dec('04e2'), '2024-01-02T03:04:05.678Z', false),
    // A delete carries the last known row (masked), flagged.
    row(2, 'Bob', null, null, true),
    row(4, 'Dee', dec('0186a0'), null, false, 'gold'),
  ]);
  assert.deepEqual(orders.map(normalize), [
    { key: { orderid: 1 }, value: { orderid: 1, customerid: 1, status: 'Pending', __deleted: 'false' } },
    // A primary-key change is a delete of the old key and an insert of the new one.
    { key: { orderid: 1 }, value: { orderid: 1, customerid: 1, status: 'Pending', __deleted: 'true' } },
    { key: { orderid: 10 }, value: { orderid: 10, customerid: 1, status: 'Completed', __deleted: 'false' } },
  ]);

  // Record timestamps are commit times: the snapshot's start for reads, the commit for changes.
  for (const record of customers.slice(2)) assert.ok(record.timestamp >= before - 1000 && record.timestamp <= afterWrites + 1000, `${record.timestamp} in [${before}, ${afterWrites}]`);
  assert.ok(customers[0]!.headers['shiftleft.source.lsn'], 'the source LSN travels as a header');

  // Key and value schemas are registered under TopicNameStrategy subjects; the value evolved.
  const subjects = (await decoder.client.getAllSubjects()).sort();
  assert.deepEqual(subjects, ['shiftleft.public.customers-key', 'shiftleft.public.customers-value', 'shiftleft.public.orders-key', 'shiftleft.public.orders-value']);
  assert.deepEqual(await decoder.client.getAllVersions('shiftleft.public.customers-value'), [1, 2]);
  const latest = JSON.parse((await decoder.client.getLatestSchemaMetadata('shiftleft.public.customers-value')).schema) as { fields: { name: string; type: unknown }[] };
  assert.deepEqual(latest.fields.map((f) => f.name), ['customerid', 'customername', 'email', 'balance', 'since', 'tier', '__deleted']);
  assert.deepEqual(latest.fields[3]!.type, ['null', { type: 'bytes', logicalType: 'decimal', precision: 10, scale: 2 }]);
  assert.deepEqual(latest.fields[4]!.type, ['null', { type: 'long', logicalType: 'timestamp-millis' }]);

  const metrics = runtime.status('shop-cdc').metrics;
  assert.deepEqual(metrics.rowsByTopic, { 'shiftleft.public.customers': 6, 'shiftleft.public.orders': 3 });
  assert.equal(metrics.snapshotRows, 3);
  assert.equal(metrics.deletes, 2);

  // Deleting the connector releases the replication slot, so no WAL stays pinned.
  await runtime.delete('shop-cdc');
  const slots = await db.query(`SELECT slot_name FROM pg_replication_slots WHERE slot_name = 'shop_slot'`);
  assert.equal(slots.rowCount, 0);
  await runtime.close();
});

it('reports an unreachable database as FAILED with the reason, and keeps retrying', async () => {
  const runtime = new ConnectorRuntime({ log: registry.log, registryUrl: registry.url, retry: { initialMs: 50, maxMs: 200 } });
  await runtime.open();
  const status = await runtime.create({
    name: 'nowhere',
    type: 'postgres-cdc',
    config: { connection: 'postgresql://postgres:secret@127.0.0.1:1/shop', tables: ['orders'], slotName: 'nowhere_slot' },
  });
  assert.equal(status.state, 'FAILED');
  assert.equal(status.lastError?.code, 'SOURCE_UNREACHABLE', JSON.stringify(status.lastError));
  await waitUntil(() => runtime.status('nowhere').failures >= 2, 5_000, 'a retry');
  await runtime.delete('nowhere').catch(() => undefined);
  await runtime.close();
});

it('fills unchanged TOASTed values from the rows it wrote, and fails with a hint when it never saw the row', async () => {
  await db.query('CREATE TABLE docs (id INT PRIMARY KEY, title VARCHAR(50) NOT NULL, body TEXT)');
  // About 64 KB of incompressible text: stored out of line (TOASTed), so an UPDATE that does not
  // touch it sends it as "unchanged" without REPLICA IDENTITY FULL.
  const big = "(SELECT string_agg(md5(i::text || $1), '') FROM generate_series(1, 2000) i)";
  await db.query(`INSERT INTO docs VALUES (1, 'first', ${big})`, ['a']);
  const body = (await db.query<{ body: string }>('SELECT body FROM docs WHERE id = 1')).rows[0]!.body;

  const config = { connection: url, tables: ['docs'], slotName: 'docs_slot', publicationName: 'docs_pub', statusIntervalMs: 200 };
  const runtime = new ConnectorRuntime({ log: registry.log, registryUrl: registry.url, retry: { initialMs: 60_000 } });
  await runtime.open();
  assert.equal((await runtime.create({ name: 'docs-cdc', type: 'postgres-cdc', config })).state, 'RUNNING');
  assert.ok(runtime.status('docs-cdc').warnings.some((w) => /TOAST|REPLICA IDENTITY FULL/.test(w)), JSON.stringify(runtime.status('docs-cdc').warnings));
  await db.query(`UPDATE docs SET title = 'renamed' WHERE id = 1`);
  const decoder = new TopicDecoder(registry.url);
  let records: Decoded[] = [];
  await waitUntil(async () => (records = await decoder.decode(registry.log, 'shiftleft.public.docs')).length >= 2, 10_000, 'docs records');
  assert.deepEqual(records.map((r) => [r.value.title, r.value.body === body]), [['first', true], ['renamed', true]], 'the unchanged body is kept, never null');

  // After a restart the connector no longer remembers the row: it refuses to write NULL over it.
  await runtime.close();
  await db.query(`UPDATE docs SET title = 'again' WHERE id = 1`);
  const again = new ConnectorRuntime({ log: registry.log, registryUrl: registry.url, retry: { initialMs: 60_000 } });
  await again.open();
  await waitUntil(() => again.status('docs-cdc').state === 'FAILED', 10_000, 'the failure');
  const failed = again.status('docs-cdc');
  assert.match(failed.lastError?.message ?? '', /unchanged TOASTed column\(s\) body/);
  assert.match(failed.lastError?.hint ?? '', /REPLICA IDENTITY FULL/);
  assert.equal((await decoder.decode(registry.log, 'shiftleft.public.docs')).length, 2, 'nothing was written for the update');
  await again.delete('docs-cdc');
  await again.close();
});
