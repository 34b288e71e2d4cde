/**
 * No gap, no overlap: the commerce generator writes while the reader takes its snapshot and
 * streams; folding every event by key must give exactly the tables' final content.
 */
import assert from 'node:assert/strict';
import { after, before, it } from 'node:test';
import type pg from 'pg';
import { CommerceGenerator, COMMERCE_TABLES, createCommerceSchema, seedCommerce } from '../../src/connect/commerce/index.ts';
import { maskFields } from '../../src/connect/postgres/cdc-mask-fields.ts';
import { compareLsn } from '../../src/connect/postgres/cdc-lsn.ts';
import { PostgresCdcReader } from '../../src/connect/postgres/cdc-reader.ts';
import { decimalText } from '../../src/connect/postgres/cdc-type-mapping.ts';
import type { ChangeEvent } from '../../src/connect/postgres/cdc-types.ts';
import { RecordingHandler } from './postgres-cdc-support.ts';
import { startTestServer, type TestServer } from './postgres-test-support.ts';

let testServer: TestServer;
let url: string;
let db: pg.Client;

before(async () => {
  testServer = await startTestServer('cdc-commerce');
  url = await testServer.createDatabase('commerce');
  db = await testServer.connect(url);
  await createCommerceSchema(db);
  await seedCommerce(db, { seed: 11 });
});
after(async () => {
  await testServer.close();
});

it('snapshot + stream under concurrent writes equals the final tables, with masked emails', async () => {
  const writer = await testServer.connect(url);
  const generator = new CommerceGenerator(writer, { seed: 11, ordersPerSecond: 300, productUpdateProbability: 0.5, productDeleteProbability: 0.1, productInsertProbability: 0.1 });
  await generator.start();
  await new Promise((resolve) => setTimeout(resolve, 200));

  const handler = new RecordingHandler();
  const cdc = new PostgresCdcReader({ connectionString: url, tables: [...COMMERCE_TABLES], snapshotFetchSize: 64, statusIntervalMs: 200 }, handler);
  handler.reader = cdc;
  const started = performance.now();
  await cdc.start();
  const startMs = performance.now() - started;
  await new Promise((resolve) => setTimeout(resolve, 1000));
  await generator.stop();
  const endLsn = (await db.query('SELECT pg_current_wal_lsn()::text AS lsn')).rows[0].lsn as string;
  await handler.waitFor(() => {
    const confirmed = cdc.status.confirmedLsn;
    return confirmed !== undefined && compareLsn(confirmed, endLsn) >= 0;
  });
  await cdc.stop();
  const stats = generator.stats;
  assert.ok(stats.orders > 20, JSON.stringify(stats));
  console.log(`reader start with snapshot under load: ${Math.round(startMs)} ms; ${handler.transactions.length} transactions streamed; generator ${JSON.stringify(stats)}`);

  const rules = { customers: ['email'] };
  const events = handler.batches.flatMap((b) => b.events).map((event) => maskFields(event, rules));
  for (const table of COMMERCE_TABLES) {
    const folded = new Map<string, Record<string, unknown>>();
    for (const event of events.filter((e) => e.table.name === table)) applyEvent(folded, event);
    const pk = (await db.query(`SELECT a.attname FROM pg_index i JOIN pg_attribute a ON a.attrelid = i.indrelid AND a.attnum = i.indkey[0] WHERE i.indrelid = '${table}'::regclass AND i.indisprimary`)).rows[0].attname as string;
    const rows = (await db.query(`SELECT * FROM ${table} ORDER BY 1`)).rows as Array<Record<string, unknown>>;
    assert.deepEqual([...folded.keys()].sort(), rows.map((row) => JSON.stringify({ [pk]: row[pk] })).sort(), `${table}: same keys`);
    if (table === 'products') {
      for (const row of rows) {
        const captured = folded.get(JSON.stringify({ productid: row.productid }));
        assert.equal(decimalText(captured?.price as Buffer, 2), row.price);
        assert.equal(captured?.stock, row.stock);
      }
    }
    if (table === 'customers') assert.ok([...folded.values()].every((row) => row.email === '****'));
  }
});

function applyEvent(rows: Map<string, Record<string, unknown>>, event: ChangeEvent): void {
  const key = JSON.stringify(event.key);
  const exists = rows.has(key);
  if (event.op === 'r' || event.op === 'c') {
    // An insert for a key we already hold would be an overlap between snapshot and stream.
    assert.equal(exists, false, `overlap: ${event.op} for existing ${event.table.name} ${key}`);
    rows.set(key, event.after ?? {});
  } else {
    // An update or delete for a key we never saw would be a gap.
    assert.equal(exists, true, `gap: ${event.op} for unknown ${event.table.name} ${key}`);
    if (event.op === 'd') rows.delete(key);
    else rows.set(key, { ...rows.get(key), ...event.after });
  }
}
