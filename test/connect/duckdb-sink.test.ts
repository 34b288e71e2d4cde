/**
 * The DuckDB sink against a real registry, log and DuckDB file: append, upsert, tombstones,
 * schema evolution, PII kept as ciphertext (or decrypted on request), undecodable records to
 * the error topic, restart without duplicates, and Parquet export.
 */
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { isShiftleftError } from '../../src/common/errors.ts';
import { ContractSerdes } from '../../src/contracts/contract-serdes.ts';
import { duckdbSinkConnectorType, type DuckDbSinkConfig } from '../../src/connect/duckdb-sink/duckdb-sink-connector.ts';
import { DuckDbWarehouse } from '../../src/connect/duckdb-sink/duckdb-warehouse.ts';
import { ERROR_HEADERS } from '../../src/connect/warehouse/error-topic.ts';
import type { WarehouseSinkConnector } from '../../src/connect/warehouse/sink-connector.ts';
import { startRegistry, TEST_LOCAL_SECRET, type RunningRegistry } from '../registry/registry-harness.ts';
import {
  CLICK,
  connectorContext,
  formatCents,
  ORDER_KEY,
  ORDER_V1,
  ORDER_V2,
  OrderProducer,
  readTopic,
  registerSchema,
  waitCaughtUp,
  waitFailure,
  wire,
  type Order,
  type TestContext,
} from './duckdb-sink-support.ts';

const DAY = 86_400_000;

function order(id: number, cents: bigint, customer = `c${id}`): Order {
  return { order_id: id, customer, amount: cents, placed_at: 1_700_000_000_000 + id * 1000, ship_date: Math.floor((1_700_000_000_000 + id * DAY) / DAY), note: id % 2 ? null : `n${id}` };
}

describe('duckdb-sink', () => {
  let server: RunningRegistry;
  let dir: string;

  before(async () => {
    server = await startRegistry();
    dir = mkdtempSync(join(tmpdir(), 'shiftleft-duckdb-sink-'));
  });
  after(async () => {
    await server?.destroy();
    rmSync(dir, { recursive: true, force: true });
  });

  async function run(name: string, config: DuckDbSinkConfig, options: { kmsSecret?: string } = {}): Promise<{ sink: WarehouseSinkConnector; context: TestContext }> {
    const context = connectorContext(name, server, { dataDir: dir, ...options });
    const sink = duckdbSinkConnectorType.create(config, context) as WarehouseSinkConnector;
    await sink.start();
    return { sink, context };
  }

  async function query(sql: string, path = join(dir, 'warehouse', 'warehouse.duckdb')): Promise<Record<string, unknown>[]> {
    const warehouse = new DuckDbWarehouse({ path, readOnly: true });
    await warehouse.open();
    try {
      return (await warehouse.query(sql)).rows;
    } finally {
      await warehouse.close();
    }
  }

  it('upserts keyed topics with faithful types, deletes on tombstones, and evolves on an added nullable field', async () => {
    await server.log.createTopic('shop.orders', { partitions: 2 });
    const keyId = await registerSchema(server, 'shop.orders-key', ORDER_KEY);
    const v1 = await registerSchema(server, 'shop.orders-value', ORDER_V1);
    const producer = new OrderProducer(server.log, 'shop.orders', keyId, v1);
    await producer.send([producer.record(order(1, 12345n)), producer.record(order(2, 100n)), producer.record(order(3, -5n)), producer.record(order(1, 99999n, 'updated'))]);
    await producer.send([producer.tombstone(2), producer.record(order(4, 1n)), producer.tombstone(4)]);

    const { sink, context } = await run('orders-sink', { topics: ['shop.orders'] });
    await waitCaughtUp(sink, context);
    assert.equal(sink.metrics().modes && (sink.metrics().modes as Record<string, string>)['shop.orders'], 'upsert');
    // Evolution: v2 adds a nullable field; its rows bring the column along.
    const v2 = await registerSchema(server, 'shop.orders-value', ORDER_V2);
    const producerV2 = new OrderProducer(server.log, 'shop.orders', keyId, v2, ORDER_V2);
    await producerV2.send([producerV2.record({ ...order(5, 250n), coupon: 'WELCOME' }), producerV2.record({ ...order(3, 7n), coupon: null })]);
    await waitCaughtUp(sink, context);
    await sink.stop();

    const types = Object.fromEntries(
      (await query(`SELECT column_name, data_type, is_nullable FROM information_schema.columns WHERE table_name = 'shop_orders' ORDER BY ordinal_position`)).map((r) => [r.column_name, `${r.data_type}${r.is_nullable === 'NO' ? ' NOT NULL' : ''}`]),
    );
    assert.deepEqual(types, {
      order_id: 'INTEGER NOT NULL',
      customer: 'VARCHAR',
      amount: 'DECIMAL(10,2)',
      placed_at: 'TIMESTAMP WITH TIME ZONE',
      ship_date: 'DATE',
      note: 'VARCHAR',
      coupon: 'VARCHAR',
    });
    const rows = await query(`SELECT order_id, customer, amount::VARCHAR AS amount, epoch_ms(placed_at) AS placed_ms, ship_date::VARCHAR AS ship_date, note, coupon FROM shop_orders ORDER BY order_id`);
    const expected = [order(1, 99999n, 'updated'), { ...order(3, 7n), coupon: null }, { ...order(5, 250n), coupon: 'WELCOME' }];
    assert.deepEqual(
      rows,
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
    const offsets = await query(`SELECT topic, "partition", next_offset FROM _shiftleft_offsets WHERE connector = 'orders-sink' ORDER BY "partition"`);
    const description = await server.log.describeTopic('shop.orders');
    assert.deepEqual(
      offsets.map((o) => Number(o.next_offset)),
      description.partitions.filter((p) => p.highWatermark > 0).map((p) => p.highWatermark),
    );
  });

  it('appends unkeyed topics, sends undecodable records to the error topic and keeps going, and resumes without duplicates', async () => {
    await server.log.createTopic('clicks', { partitions: 1 });
    const id = await registerSchema(server, 'clicks-value', CLICK);
    const click = (n: number) => ({ key: Buffer.from(`user-${n % 3}`), value: wire(id, CLICK, { id: n, page: `/p/${n}` }) });
    await server.log.produce('clicks', [click(1), click(2), { key: null, value: Buffer.from('not avro at all') }, click(2), { key: null, value: wire(99999, CLICK, { id: 0, page: 'x' }) }, click(3)]);
    let { sink, context } = await run('clicks-sink', { topics: ['clicks'], batchSize: 2 });
    await waitCaughtUp(sink, context);
    assert.deepEqual((sink.metrics().modes as Record<string, string>).clicks, 'append');
    await sink.stop();

    // Restarted: resumes from the offsets stored in the warehouse, no duplicates.
    await server.log.produce('clicks', [click(4), click(5)]);
    ({ sink, context } = await run('clicks-sink', { topics: ['clicks'], batchSize: 2 }));
    await waitCaughtUp(sink, context);
    await sink.stop();
    const rows = await query(`SELECT id, page FROM clicks ORDER BY id`);
    assert.deepEqual(
      rows.map((r) => Number(r.id)),
      [1, 2, 2, 3, 4, 5],
      'append keeps duplicates of the topic, adds none',
    );

    const errors = await readTopic(server.log, 'clicks-sink-errors');
    assert.equal(errors.length, 2);
    const headers = errors.map((r) => Object.fromEntries(r.headers.map((h) => [h.key, h.value!.toString()])));
    assert.deepEqual(
      headers.map((h) => [h[ERROR_HEADERS.topic], h[ERROR_HEADERS.partition], h[ERROR_HEADERS.offset]]),
      [
        ['clicks', '0', '2'],
        ['clicks', '0', '4'],
      ],
    );
    assert.match(headers[0]![ERROR_HEADERS.reason]!, /wire format/);
    assert.match(headers[1]![ERROR_HEADERS.reason]!, /schema id 99999/);
    assert.equal(errors[0]!.value!.toString(), 'not avro at all', 'the original bytes are kept');
  });

  it('treats a compacted topic with raw keys as an upsert table keyed by "key"', async () => {
    await server.log.createTopic('profiles', { partitions: 1, config: { 'cleanup.policy': 'compact' } });
    const id = await registerSchema(server, 'profiles-value', CLICK);
    await server.log.produce('profiles', [
      { key: Buffer.from('a'), value: wire(id, CLICK, { id: 1, page: 'one' }) },
      { key: Buffer.from('b'), value: wire(id, CLICK, { id: 2, page: 'two' }) },
      { key: Buffer.from('a'), value: wire(id, CLICK, { id: 3, page: 'three' }) },
      { key: Buffer.from('b'), value: null },
    ]);
    const { sink, context } = await run('profiles-sink', { topics: ['profiles'], tables: { profiles: 'user_profiles' } });
    await waitCaughtUp(sink, context);
    await sink.stop();
    assert.deepEqual(await query(`SELECT key, id::INTEGER AS id, page FROM user_profiles`), [{ key: 'a', id: 3, page: 'three' }]);
  });

  it('keeps encrypted PII as ciphertext by default and decrypts it with decrypt: true', async () => {
    const sale = {
      type: 'record',
      name: 'Sale',
      fields: [
        { name: 'order_id', type: 'int' },
        { name: 'cc_number', type: 'string' },
        { name: 'amount', type: 'double' },
      ],
    };
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
    const outcome = await producer.produce('payments', [
      { key: Buffer.from('1'), value: { order_id: 1, cc_number: '4111-1111-1111-1111', amount: 10.5 } },
      { key: Buffer.from('2'), value: { order_id: 2, cc_number: '5500-0000-0000-0004', amount: 20 } },
    ]);
    assert.equal(outcome.sent.length, 2);
    producer.close();

    const masked = await run('payments-masked', { topics: ['payments'], tables: { payments: 'payments_masked' } }, { kmsSecret: TEST_LOCAL_SECRET });
    await waitCaughtUp(masked.sink, masked.context);
    await masked.sink.stop();
    const clear = await run('payments-clear', { topics: ['payments'], tables: { payments: 'payments_clear' }, decrypt: true }, { kmsSecret: TEST_LOCAL_SECRET });
    await waitCaughtUp(clear.sink, clear.context);
    await clear.sink.stop();

    const maskedRows = await query(`SELECT order_id, cc_number, amount FROM payments_masked ORDER BY order_id`);
    assert.equal(maskedRows.length, 2);
    for (const row of maskedRows) {
      assert.doesNotMatch(String(row.cc_number), /^\d{4}-/, 'no plaintext card number in the warehouse');
      assert.match(String(row.cc_number), /^[A-Za-z0-9+/=]{20,}$/, 'ciphertext (base64)');
    }
    assert.deepEqual(await query(`SELECT order_id, cc_number, amount FROM payments_clear ORDER BY order_id`), [
      { order_id: 1, cc_number: '4111-1111-1111-1111', amount: 10.5 },
      { order_id: 2, cc_number: '5500-0000-0000-0004', amount: 20 },
    ]);
    // decrypt: true without a KMS secret in the runtime is refused with a hint.
    const context = connectorContext('payments-nokey', server, { dataDir: dir });
    const refused = duckdbSinkConnectorType.create({ topics: ['payments'], decrypt: true, path: join(dir, 'other.duckdb') }, context);
    await assert.rejects(refused.start(), (error: unknown) => isShiftleftError(error, 'CONNECTOR_CONFIG_INVALID') && /KMS secret/.test(error.message));
  });

  it('fails clearly, naming the column, on an incompatible change of a column type', async () => {
    await server.log.createTopic('metrics', { partitions: 1 });
    const schema = { type: 'record', name: 'M', fields: [{ name: 'id', type: 'long' }, { name: 'value', type: 'int' }] };
    const changed = { type: 'record', name: 'M', fields: [{ name: 'id', type: 'long' }, { name: 'value', type: 'string' }] };
    const v1 = await registerSchema(server, 'metrics-value', schema);
    await server.log.produce('metrics', [{ value: wire(v1, schema, { id: 1, value: 7 }) }]);
    const { sink, context } = await run('metrics-sink', { topics: ['metrics'] });
    await waitCaughtUp(sink, context);
    const response = await fetch(`${server.url}/config/metrics-value`, { method: 'PUT', headers: { 'Content-Type': 'application/json' }, body: JSON.stringify({ compatibility: 'NONE' }) });
    assert.equal(response.status, 200);
    const v2 = await registerSchema(server, 'metrics-value', changed);
    await server.log.produce('metrics', [{ value: wire(v2, changed, { id: 2, value: 'seven' }) }]);
    const failure = await waitFailure(context);
    assert.ok(isShiftleftError(failure, 'INCOMPATIBLE_SCHEMA'), String(failure));
    assert.match(failure.message, /column "value" of table metrics is INTEGER/);
    await sink.stop();
    assert.deepEqual(await query(`SELECT id::INTEGER AS id, value FROM metrics`), [{ id: 1, value: 7 }], 'the failing batch wrote nothing');
  });

  it('runs two sinks of one process on the same warehouse file side by side', async () => {
    await server.log.createTopic('left', { partitions: 1 });
    await server.log.createTopic('right', { partitions: 1 });
    const left = await registerSchema(server, 'left-value', CLICK);
    const right = await registerSchema(server, 'right-value', CLICK);
    const sinks = await Promise.all([run('left-sink', { topics: ['left'] }), run('right-sink', { topics: ['right'] })]);
    for (let i = 0; i < 5; i++) {
      await server.log.produce('left', [{ value: wire(left, CLICK, { id: i, page: 'l' }) }]);
      await server.log.produce('right', [{ value: wire(right, CLICK, { id: i, page: 'r' }) }]);
    }
    for (const { sink, context } of sinks) await waitCaughtUp(sink, context);
    await sinks[0]!.sink.stop();
    await server.log.produce('right', [{ value: wire(right, CLICK, { id: 5, page: 'r' }) }]);
    await waitCaughtUp(sinks[1]!.sink, sinks[1]!.context);
    await sinks[1]!.sink.stop();
    assert.deepEqual(await query(`SELECT (SELECT count(*) FROM "left")::INTEGER AS l, (SELECT count(*) FROM "right")::INTEGER AS r`), [{ l: 5, r: 6 }]);
  });

  it('exports a table to Parquet with DuckDB COPY (no extension needed)', async () => {
    const path = join(dir, 'warehouse', 'warehouse.duckdb');
    const warehouse = new DuckDbWarehouse({ path });
    await warehouse.open();
    const file = join(dir, 'export', 'orders.parquet');
    const rows = await warehouse.exportParquet({ table: 'shop_orders' }, file);
    assert.equal(rows, 3);
    const back = await warehouse.query(`SELECT order_id, amount::VARCHAR AS amount FROM read_parquet('${file}') ORDER BY order_id`);
    assert.deepEqual(back.rows, [
      { order_id: 1, amount: '999.99' },
      { order_id: 3, amount: '0.07' },
      { order_id: 5, amount: '2.50' },
    ]);
    await warehouse.close();
  });
});
