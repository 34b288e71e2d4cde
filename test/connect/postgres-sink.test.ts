/**
 * The PostgreSQL sink against a real (embedded) PostgreSQL, registry and log: upsert with
 * faithful types, tombstones, evolution, append with an undecodable record, resume without
 * duplicates, PII ciphertext by default. Only Redshift-compatible SQL is used by the sink.
 */
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import type pg from 'pg';
import { postgresSinkConnectorType, type PostgresSinkConfig } from '../../src/connect/postgres-sink/postgres-sink-connector.ts';
import { PostgresWarehouse } from '../../src/connect/postgres-sink/postgres-warehouse.ts';
import { WarehouseSinkConnector } from '../../src/connect/warehouse/sink-connector.ts';
import { ContractSerdes } from '../../src/contracts/contract-serdes.ts';
import { startRegistry, TEST_LOCAL_SECRET, type RunningRegistry } from '../registry/registry-harness.ts';
import { startTestServer, type TestServer } from './postgres-test-support.ts';
import { CLICK, connectorContext, formatCents, ORDER_KEY, ORDER_V1, ORDER_V2, OrderProducer, readTopic, registerSchema, waitCaughtUp, wire, type Order, type TestContext } from './duckdb-sink-support.ts';

const DAY = 86_400_000;

function order(id: number, cents: bigint, customer = `c${id}`): Order {
  return { order_id: id, customer, amount: cents, placed_at: 1_700_000_000_123 + id * 1000, ship_date: 19_700 + id, note: id % 2 ? null : `n${id}` };
}

describe('postgres-sink', () => {
  let server: RunningRegistry;
  let postgres: TestServer;
  let url: string;
  let db: pg.Client;

  before(async () => {
    [server, postgres] = await Promise.all([startRegistry(), startTestServer('pgsink')]);
    url = await postgres.createDatabase('dwh');
    db = await postgres.connect(url);
  });
  after(async () => {
    await server?.destroy();
    await postgres?.close();
  });

  async function run(name: string, config: Omit<PostgresSinkConfig, 'connection'>, options: { kmsSecret?: string } = {}): Promise<{ sink: WarehouseSinkConnector; context: TestContext }> {
    const context = connectorContext(name, server, options);
    const full = { ...config, connection: url };
    postgresSinkConnectorType.validate!(full);
    const sink = postgresSinkConnectorType.create(full, context) as WarehouseSinkConnector;
    await sink.start();
    return { sink, context };
  }

  it('upserts with faithful types, deletes on tombstones, and evolves on an added nullable field', async () => {
    await server.log.createTopic('shop.orders', { partitions: 2 });
    const keyId = await registerSchema(server, 'shop.orders-key', ORDER_KEY);
    const v1 = await registerSchema(server, 'shop.orders-value', ORDER_V1);
    const producer = new OrderProducer(server.log, 'shop.orders', keyId, v1);
    await producer.send([producer.record(order(1, 12345n)), producer.record(order(2, 100n)), producer.record(order(3, -5n)), producer.record(order(1, 99999n, 'updated'))]);
    await producer.send([producer.tombstone(2), producer.record(order(4, 1n)), producer.tombstone(4)]);
    const { sink, context } = await run('orders-sink', { topics: ['shop.orders'] });
    await waitCaughtUp(sink, context);
    const v2 = await registerSchema(server, 'shop.orders-value', ORDER_V2);
    const producerV2 = new OrderProducer(server.log, 'shop.orders', keyId, v2, ORDER_V2);
    await producerV2.send([producerV2.record({ ...order(5, 250n), coupon: 'WELCOME' }), producerV2.record({ ...order(3, 7n), coupon: null })]);
    await waitCaughtUp(sink, context);
    await sink.stop();

    const columns = await db.query(`SELECT a.attname AS name, format_type(a.atttypid, a.atttypmod) AS type FROM pg_attribute a WHERE a.attrelid = 'shop_orders'::regclass AND a.attnum > 0 ORDER BY a.attnum`);
    assert.deepEqual(Object.fromEntries(columns.rows.map((r: { name: string; type: string }) => [r.name, r.type])), {
      order_id: 'integer',
      customer: 'text',
      amount: 'numeric(10,2)',
      placed_at: 'timestamp with time zone',
      ship_date: 'date',
      note: 'text',
      coupon: 'text',
    });
    const rows = await db.query(`SELECT order_id, customer, amount::text AS amount, (extract(epoch FROM placed_at) * 1000)::bigint::text AS placed_ms, ship_date::text AS ship_date, note, coupon FROM shop_orders ORDER BY order_id`);
    const expected = [order(1, 99999n, 'updated'), { ...order(3, 7n), coupon: null }, { ...order(5, 250n), coupon: 'WELCOME' }];
    assert.deepEqual(
      rows.rows,
      expected.map((o) => ({
        order_id: o.order_id,
        customer: o.customer,
        amount: formatCents(o.amount),
        placed_ms: String(o.placed_at),
        ship_date: new Date(o.ship_date * DAY).toISOString().slice(0, 10),
        note: o.note,
        coupon: o.coupon ?? null,
      })),
    );
    const offsets = await db.query(`SELECT "partition", next_offset::int AS next FROM _shiftleft_offsets WHERE connector = 'orders-sink' ORDER BY "partition"`);
    const description = await server.log.describeTopic('shop.orders');
    assert.deepEqual(
      offsets.rows.map((o: { next: number }) => o.next),
      description.partitions.filter((p) => p.highWatermark > 0).map((p) => p.highWatermark),
    );
  });

  it('appends, sends undecodable records to the error topic, and resumes without duplicates', async () => {
    await server.log.createTopic('clicks', { partitions: 1 });
    const id = await registerSchema(server, 'clicks-value', CLICK);
    const weird = `quotes "q" 'a' {a,b} back\\slash NULL é`;
    const click = (n: number) => ({ key: null, value: wire(id, CLICK, { id: n, page: n === 3 ? weird : `/p/${n}` }) });
    await server.log.produce('clicks', [click(1), click(2), { key: null, value: Buffer.from([0, 0, 0]) }, click(2), click(3)]);
    let { sink, context } = await run('clicks-sink', { topics: ['clicks'], batchSize: 2 });
    await waitCaughtUp(sink, context);
    await sink.stop();
    await server.log.produce('clicks', [click(4)]);
    ({ sink, context } = await run('clicks-sink', { topics: ['clicks'], batchSize: 2 }));
    await waitCaughtUp(sink, context);
    await sink.stop();
    const rows = await db.query(`SELECT id::int AS id FROM clicks ORDER BY id`);
    assert.deepEqual(
      rows.rows.map((r: { id: number }) => r.id),
      [1, 2, 2, 3, 4],
    );
    assert.deepEqual((await db.query(`SELECT page FROM clicks WHERE id = 3`)).rows, [{ page: weird }], 'text survives the array parameters');
    const errors = await readTopic(server.log, 'clicks-sink-errors');
    assert.equal(errors.length, 1);
    assert.equal(errors[0]!.headers.find((h) => h.key === '__sink.offset')!.value!.toString(), '2');
  });

  it('writes the same rows with the Redshift-compatible statements (VALUES, IN, OR-ed keys)', async () => {
    await server.log.createTopic('portable', { partitions: 1 });
    const keySchema = { type: 'record', name: 'K', fields: [{ name: 'a', type: 'int' }, { name: 'b', type: 'string' }] };
    const keyId = await registerSchema(server, 'portable-key', keySchema);
    const valueId = await registerSchema(server, 'portable-value', CLICK);
    const record = (a: number, b: string, page: string | null) => ({ key: wire(keyId, keySchema, { a, b }), value: page === null ? null : wire(valueId, CLICK, { id: a, page }) });
    await server.log.produce('portable', [record(1, 'x', 'one'), record(1, 'y', 'two'), record(2, 'x', 'three'), record(1, 'x', 'uno'), record(2, 'x', null)]);
    const context = connectorContext('portable-sink', server);
    const warehouse = new PostgresWarehouse(url, { portableStatements: true });
    const sink = new WarehouseSinkConnector({ topics: ['portable'], batchSize: 3 }, context, async () => warehouse);
    await sink.start();
    await waitCaughtUp(sink, context);
    await sink.stop();
    assert.deepEqual((await db.query(`SELECT a, b, page FROM portable ORDER BY a, b`)).rows, [
      { a: 1, b: 'x', page: 'uno' },
      { a: 1, b: 'y', page: 'two' },
    ]);
  });

  it('keeps encrypted PII as ciphertext by default and decrypts it with decrypt: true', async () => {
    const sale = { type: 'record', name: 'Sale', fields: [{ name: 'order_id', type: 'int' }, { name: 'cc_number', type: 'string' }] };
    await server.log.createTopic('payments', { partitions: 1 });
    await registerSchema(server, 'payments-value', sale, {
      metadata: { tags: { 'Sale.cc_number': ['PII'] } },
      ruleSet: {
        domainRules: [
          {
            name: 'Encrypt_PII',
            kind: 'TRANSFORM',
            type: 'ENCRYPT',
            mode: 'WRITEREAD',
            tags: ['PII'],
            params: { 'encrypt.kek.name': 'CSFLE_Key', 'encrypt.kms.type': 'local-kms', 'encrypt.kms.key.id': 'CSFLE_Key' },
            onFailure: 'ERROR,NONE',
          },
        ],
      },
    });
    const producer = new ContractSerdes({ registryUrl: server.url, log: server.log, kmsSecret: TEST_LOCAL_SECRET });
    await producer.produce('payments', [{ key: Buffer.from('1'), value: { order_id: 1, cc_number: '4111-1111-1111-1111' } }]);
    producer.close();
    for (const [name, decrypt] of [['payments_masked', false], ['payments_clear', true]] as const) {
      const { sink, context } = await run(name, { topics: ['payments'], tables: { payments: name }, decrypt }, { kmsSecret: TEST_LOCAL_SECRET });
      await waitCaughtUp(sink, context);
      await sink.stop();
    }
    const masked = (await db.query(`SELECT cc_number FROM payments_masked`)).rows[0] as { cc_number: string };
    assert.match(masked.cc_number, /^[A-Za-z0-9+/=]{20,}$/);
    assert.deepEqual((await db.query(`SELECT order_id, cc_number FROM payments_clear`)).rows, [{ order_id: 1, cc_number: '4111-1111-1111-1111' }]);
  });
});
