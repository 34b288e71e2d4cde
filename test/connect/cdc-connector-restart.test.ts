/**
 * The delivery guarantee of the postgres-cdc connector: at-least-once across a failure between
 * "records produced" and "offset stored", and across a runtime restart, while a writer keeps
 * committing. Every committed row must be in the topic; a record may repeat only when its
 * transaction had not been acknowledged (its LSN beyond every stored offset).
 * Also: a table without a primary key.
 */
import assert from 'node:assert/strict';
import { after, before, it } from 'node:test';
import type pg from 'pg';
import { ConnectorRuntime } from '../../src/connect/framework/connector-runtime.ts';
import { CONNECTOR_OFFSETS_TOPIC } from '../../src/connect/framework/connector-store.ts';
import { compareLsn } from '../../src/connect/postgres/cdc-lsn.ts';
import { LSN_HEADER } from '../../src/connect/postgres-cdc/cdc-log-writer.ts';
import type { LogClient, ProduceRecord } from '../../src/log/log-client.ts';
import { startRegistry, type RunningRegistry } from '../registry/registry-harness.ts';
import { startTestServer, type TestServer } from './postgres-test-support.ts';
import { TopicDecoder, waitUntil } from './cdc-connector-support.ts';

let pgServer: TestServer;
let registry: RunningRegistry;
let url: string;
let db: pg.Client;

before(async () => {
  [pgServer, registry] = await Promise.all([startTestServer('cdc-restart'), startRegistry()]);
  url = await pgServer.createDatabase('restart');
  db = await pgServer.connect(url);
  await db.query('CREATE TABLE items (id INT PRIMARY KEY, n INT NOT NULL)');
  await db.query('CREATE TABLE nopk (a INT NOT NULL, b TEXT)');
});
after(async () => {
  await registry?.destroy();
  await pgServer?.close();
});

/**
 * The real log, watched: it can fail the next offset write (a crash after the records were
 * produced), and it checks on every produce that no acknowledged transaction is written again.
 */
function watchedLog(log: LogClient, topic: string) {
  const state = { failOffsetWrites: 0, failAfterWrite: 0, maxStoredLsn: '0/0', violations: [] as string[] };
  const produce = async (target: string, records: ProduceRecord[]) => {
    if (target === CONNECTOR_OFFSETS_TOPIC && records[0]?.value) {
      if (state.failOffsetWrites > 0) {
        state.failOffsetWrites--;
        throw new Error('simulated crash before the offset was stored');
      }
      const result = await log.produce(target, records);
      const offset = JSON.parse(records[0].value.toString()) as { lsn?: string; snapshotCompleted?: boolean };
      if (offset.lsn && offset.snapshotCompleted && compareLsn(offset.lsn, state.maxStoredLsn) > 0) state.maxStoredLsn = offset.lsn;
      return result;
    }
    if (target === topic) {
      for (const record of records) {
        const lsn = record.headers?.find((h) => h.key === LSN_HEADER)?.value?.toString() ?? '';
        if (compareLsn(lsn, state.maxStoredLsn) <= 0) state.violations.push(`${lsn} written again after offset ${state.maxStoredLsn}`);
      }
      if (state.failAfterWrite > 0) {
        // The records are in the log, but the connector dies before it could acknowledge them.
        state.failAfterWrite--;
        await log.produce(target, records);
        throw new Error('simulated crash after the records were written');
      }
    }
    return log.produce(target, records);
  };
  const proxy = new Proxy(log, {
    get(target, property, receiver) {
      if (property === 'produce') return produce;
      const value = Reflect.get(target, property, receiver) as unknown;
      return typeof value === 'function' ? (value as (...args: unknown[]) => unknown).bind(target) : value;
    },
  });
  return { log: proxy, state };
}

it('loses nothing across crashes (after the write, before the offset write) and a runtime restart (at-least-once)', async () => {
  const topic = 'shiftleft.public.items';
  const { log, state } = watchedLog(registry.log, topic);
  const open = async () => {
    const runtime = new ConnectorRuntime({ log, registryUrl: registry.url, retry: { initialMs: 100, maxMs: 400 } });
    await runtime.open();
    return runtime;
  };
  let runtime = await open();
  const created = await runtime.create({ name: 'items-cdc', type: 'postgres-cdc', config: { connection: url, tables: ['items'], slotName: 'items_slot', publicationName: 'items_pub', statusIntervalMs: 100 } });
  assert.equal(created.state, 'RUNNING', JSON.stringify(created.lastError));

  const total = 240;
  const writer = await pgServer.connect(url);
  let committed = 0;
  const writing = (async () => {
    for (let id = 1; id <= total; id++) {
      await writer.query('INSERT INTO items VALUES ($1, $2)', [id, id * 10]);
      committed = id;
      await new Promise((resolve) => setTimeout(resolve, 5));
    }
  })();

  await waitUntil(() => committed >= 60, 20_000, 'writes');
  state.failOffsetWrites = 1;
  await waitUntil(() => runtime.status('items-cdc').lastError?.message === 'simulated crash before the offset was stored', 10_000, 'the simulated crash');
  await waitUntil(() => runtime.status('items-cdc').state === 'RUNNING', 10_000, 'the restart after the crash');

  await waitUntil(() => committed >= 100, 20_000, 'more writes');
  state.failAfterWrite = 1;
  await waitUntil(() => runtime.status('items-cdc').lastError?.message === 'simulated crash after the records were written', 10_000, 'the second simulated crash');
  await waitUntil(() => runtime.status('items-cdc').state === 'RUNNING', 10_000, 'the restart after the second crash');

  await waitUntil(() => committed >= 150, 20_000, 'more writes');
  await runtime.close();
  await new Promise((resolve) => setTimeout(resolve, 300)); // rows committed while no connector runs
  runtime = await open();
  assert.equal(runtime.status('items-cdc').state, 'RUNNING', JSON.stringify(runtime.status('items-cdc').lastError));
  await writing;

  const decoder = new TopicDecoder(registry.url);
  let ids: number[] = [];
  await waitUntil(async () => {
    ids = (await decoder.decode(registry.log, topic)).map((r) => r.value.id as number);
    return new Set(ids).size >= total;
  }, 20_000, 'every committed row');
  const distinct = new Set(ids);
  for (let id = 1; id <= total; id++) assert.ok(distinct.has(id), `row ${id} is missing`);
  assert.deepEqual(state.violations, [], 'no acknowledged transaction was written again');
  // Order per key is kept: the first occurrence of the ids is ascending (one insert per transaction).
  const firsts = ids.filter((id, index) => ids.indexOf(id) === index);
  assert.deepEqual(firsts, [...firsts].sort((a, b) => a - b));
  // The transaction written but never acknowledged came again: at-least-once, not at-most-once.
  assert.ok(ids.length > distinct.size, 'the unacknowledged transaction was re-delivered');
  console.log(`records ${ids.length} for ${total} rows: ${ids.length - distinct.size} duplicates (unacknowledged transactions re-delivered)`);
  await runtime.delete('items-cdc');
  await runtime.close();
});

it('refuses a table without a primary key until it has REPLICA IDENTITY FULL; then keys are null and deletes carry the row', async () => {
  const runtime = new ConnectorRuntime({ log: registry.log, registryUrl: registry.url, retry: { initialMs: 60_000 } });
  await runtime.open();
  const failed = await runtime.create({ name: 'nopk-cdc', type: 'postgres-cdc', config: { connection: url, tables: ['nopk'], slotName: 'nopk_slot', publicationName: 'nopk_pub', statusIntervalMs: 100 } });
  assert.equal(failed.state, 'FAILED');
  assert.equal(failed.lastError?.code, 'SOURCE_MISCONFIGURED', JSON.stringify(failed.lastError));
  assert.match(failed.lastError?.message ?? '', /nopk/);
  assert.match(failed.lastError?.hint ?? '', /REPLICA IDENTITY/);

  await db.query('ALTER TABLE nopk REPLICA IDENTITY FULL');
  assert.equal((await runtime.resume('nopk-cdc')).state, 'RUNNING');
  await db.query(`INSERT INTO nopk VALUES (1, 'one'), (2, 'two')`);
  await db.query('DELETE FROM nopk WHERE a = 2');
  const decoder = new TopicDecoder(registry.url);
  let records = await decoder.decode(registry.log, 'shiftleft.public.nopk');
  await waitUntil(async () => (records = await decoder.decode(registry.log, 'shiftleft.public.nopk')).length >= 3, 10_000, 'nopk records');
  assert.deepEqual(
    records.map((r) => [r.key, { ...r.value }]),
    [
      [null, { a: 1, b: 'one', __deleted: 'false' }],
      [null, { a: 2, b: 'two', __deleted: 'false' }],
      [null, { a: 2, b: 'two', __deleted: 'true' }],
    ],
  );
  await runtime.delete('nopk-cdc');
  await runtime.close();
});
