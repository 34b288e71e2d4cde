import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import type pg from 'pg';
import { isShiftleftError } from '../../src/common/errors.ts';
import { PostgresCdcReader } from '../../src/connect/postgres/cdc-reader.ts';
import { decimalBytes } from '../../src/connect/postgres/cdc-type-mapping.ts';
import type { PostgresCdcConfig } from '../../src/connect/postgres/cdc-config.ts';
import { plain, RecordingHandler } from './postgres-cdc-support.ts';
import { startTestServer, type TestServer } from './postgres-test-support.ts';

let testServer: TestServer;
let url: string;
let db: pg.Client;
const readers: PostgresCdcReader[] = [];

before(async () => {
  testServer = await startTestServer('cdc');
  url = await testServer.createDatabase('cdc');
  db = await testServer.connect(url);
});
after(async () => {
  await Promise.all(readers.map((reader) => reader.stop()));
  await testServer.close();
});

function reader(config: Omit<PostgresCdcConfig, 'connectionString'>, handler: RecordingHandler): PostgresCdcReader {
  const created = new PostgresCdcReader({ connectionString: url, statusIntervalMs: 200, ...config }, handler);
  handler.reader = created;
  readers.push(created);
  return created;
}

async function slotConfirmedLsn(slot: string): Promise<string> {
  const result = await db.query('SELECT confirmed_flush_lsn::text AS lsn FROM pg_replication_slots WHERE slot_name = $1', [slot]);
  return result.rows[0].lsn;
}

async function lsnAtLeast(a: string, b: string): Promise<boolean> {
  const result = await db.query('SELECT $1::pg_lsn >= $2::pg_lsn AS ok', [a, b]);
  return result.rows[0].ok;
}

const DAY = 86_400_000;

describe('PostgreSQL CDC reader', () => {
  it('delivers a consistent snapshot, then inserts, updates and deletes per transaction, with faithful values', async () => {
    await db.query(`CREATE TABLE typed (
      id int PRIMARY KEY, small int2, big int8 NOT NULL, amount numeric(10,2), free numeric, ratio float8, r4 float4,
      flag bool, label varchar(20), note text, fixed char(3), ts timestamp, tstz timestamptz, day date, at time,
      uid uuid, doc jsonb, raw bytea)`);
    await db.query(`INSERT INTO typed VALUES (1, 7, 9007199254740993, 12345678.90, 3.14159265358979323846, 0.1, 1.5, true,
      'héllo', 'note', 'ab', '2026-01-15 12:34:56.789123', '2026-01-15 12:34:56.789+02', '2026-01-15', '13:14:15.5',
      'a0eebc99-9c0b-4ef8-bb6d-6bb9bd380a11', '{"b": 1, "a": [1,2]}', '\\xdeadbeef')`);
    await db.query('INSERT INTO typed (id, big) VALUES (2, 5)');
    const handler = new RecordingHandler();
    const cdc = reader({ tables: ['public.typed'], slotName: 'typed_slot', publicationName: 'typed_pub' }, handler);
    await cdc.start();

    const [schema] = handler.schemas;
    assert.deepEqual(schema?.keySchema, { type: 'record', name: 'Key', namespace: 'shiftleft.public.typed', fields: [{ name: 'id', type: 'int' }] });
    assert.equal(schema?.valueSchema.name, 'Value');
    assert.equal(schema?.valueSchema.namespace, 'shiftleft.public.typed');
    assert.deepEqual(Object.fromEntries(schema?.valueSchema.fields.map((f) => [f.name, f.type]) ?? []), {
      id: 'int', small: ['null', 'int'], big: 'long',
      amount: ['null', { type: 'bytes', logicalType: 'decimal', precision: 10, scale: 2 }], free: ['null', 'string'],
      ratio: ['null', 'double'], r4: ['null', 'float'], flag: ['null', 'boolean'], label: ['null', 'string'], note: ['null', 'string'],
      fixed: ['null', 'string'], ts: ['null', { type: 'long', logicalType: 'timestamp-millis' }],
      tstz: ['null', { type: 'long', logicalType: 'timestamp-millis' }], day: ['null', { type: 'int', logicalType: 'date' }],
      at: ['null', { type: 'long', logicalType: 'time-micros' }], uid: ['null', { type: 'string', logicalType: 'uuid' }],
      doc: ['null', 'string'], raw: ['null', 'bytes'], __deleted: ['null', 'string'],
    });
    assert.ok(schema?.valueSchema.fields.filter((f) => Array.isArray(f.type)).every((f) => f.default === null));

    const snapshot = handler.batches;
    assert.equal(snapshot.length, 1);
    assert.equal(snapshot[0]?.kind === 'snapshot' && snapshot[0].last, true);
    assert.deepEqual(snapshot[0]?.offset.snapshotCompleted, true);
    const full = {
      id: 1, small: 7, big: 9007199254740993n, amount: decimalBytes('12345678.90', 2), free: '3.14159265358979323846',
      ratio: 0.1, r4: 1.5, flag: true, label: 'héllo', note: 'note', fixed: 'ab ', ts: Date.UTC(2026, 0, 15, 12, 34, 56, 789),
      tstz: Date.UTC(2026, 0, 15, 10, 34, 56, 789), day: Date.UTC(2026, 0, 15) / DAY, at: (13 * 3600 + 14 * 60 + 15) * 1e6 + 500_000,
      uid: 'a0eebc99-9c0b-4ef8-bb6d-6bb9bd380a11', doc: '{"a": [1, 2], "b": 1}', raw: Buffer.from('deadbeef', 'hex'),
    };
    const nulls = { small: null, amount: null, free: null, ratio: null, r4: null, flag: null, label: null, note: null, fixed: null, ts: null, tstz: null, day: null, at: null, uid: null, doc: null, raw: null };
    assert.deepEqual(snapshot[0]?.events.map(plain), [
      { table: { schema: 'public', name: 'typed' }, op: 'r', key: { id: 1 }, after: full },
      { table: { schema: 'public', name: 'typed' }, op: 'r', key: { id: 2 }, after: { id: 2, big: 5, ...nulls } },
    ]);

    // One transaction with an insert, an update and a delete → one batch, in statement order.
    await db.query('BEGIN');
    await db.query("INSERT INTO typed (id, big, amount, ts) VALUES (3, -1, -0.05, '1969-12-31 23:59:59.999')");
    await db.query('UPDATE typed SET amount = 0.10, note = NULL WHERE id = 1');
    await db.query('DELETE FROM typed WHERE id = 2');
    await db.query('COMMIT');
    // A primary-key change: a delete of the old key and an insert of the new one.
    await db.query('UPDATE typed SET id = 30 WHERE id = 3');
    await handler.waitFor(() => handler.transactions.length >= 2);
    const [tx1, tx2] = handler.transactions;
    assert.ok(tx1 && tx2);
    assert.deepEqual(tx1.events.map(plain), [
      { table: { schema: 'public', name: 'typed' }, op: 'c', key: { id: 3 }, after: { id: 3, big: -1, ...nulls, amount: decimalBytes('-0.05', 2), ts: -1 } },
      { table: { schema: 'public', name: 'typed' }, op: 'u', key: { id: 1 }, after: { ...full, amount: Buffer.from([0x0a]), note: null } },
      { table: { schema: 'public', name: 'typed' }, op: 'd', key: { id: 2 }, after: null, before: { id: 2 } },
    ]);
    assert.ok(tx1.events.every((e) => e.lsn === tx1.offset.lsn));
    assert.ok(Math.abs(tx1.commitTime - Date.now()) < 60_000);
    assert.deepEqual(tx2.events.map((e) => [e.op, e.key, e.after?.id ?? null]), [['d', { id: 3 }, null], ['c', { id: 30 }, 30]]);
    assert.ok(await lsnAtLeast(tx2.offset.lsn, tx1.offset.lsn));
    // Acknowledged batches are confirmed to the server.
    await handler.waitFor(() => cdc.status.confirmedLsn === tx2.offset.lsn);
    await new Promise((resolve) => setTimeout(resolve, 150));
    assert.equal(await slotConfirmedLsn('typed_slot'), tx2.offset.lsn);
    await cdc.stop();
  });

  it('resumes after a restart from the acknowledged LSN: unacknowledged transactions come again, nothing is lost', async () => {
    await db.query('CREATE TABLE counter (id int PRIMARY KEY, v text)');
    const first = new RecordingHandler(false);
    const cdcA = reader({ tables: ['counter'], slotName: 'restart_slot', publicationName: 'restart_pub' }, first);
    await cdcA.start();
    const snapshotEnd = first.batches.at(-1);
    assert.ok(snapshotEnd?.kind === 'snapshot' && snapshotEnd.last && snapshotEnd.events.length === 0);
    for (const id of [1, 2, 3]) await db.query('INSERT INTO counter VALUES ($1, $2)', [id, `v${id}`]);
    await first.waitFor(() => first.transactions.length === 3);
    const [t1, t2, t3] = first.transactions;
    assert.ok(t1 && t2 && t3);
    cdcA.acknowledge(t1.offset);
    cdcA.acknowledge(t2.offset.lsn);
    await first.waitFor(() => cdcA.status.confirmedLsn === t2.offset.lsn);
    await cdcA.stop();
    assert.equal(await slotConfirmedLsn('restart_slot'), t2.offset.lsn);

    await db.query("INSERT INTO counter VALUES (4, 'while down')");
    const second = new RecordingHandler();
    const cdcB = reader({ tables: ['counter'], slotName: 'restart_slot', publicationName: 'restart_pub' }, second);
    await cdcB.start(t2.offset);
    await second.waitFor(() => second.transactions.length === 2);
    assert.equal(second.batches.filter((b) => b.kind === 'snapshot').length, 0, 'no snapshot on resume');
    assert.deepEqual(second.transactions.map((t) => t.events.map((e) => e.key)), [[{ id: 3 }], [{ id: 4 }]]);
    assert.equal(second.transactions[0]?.offset.lsn, t3.offset.lsn, 'the unacknowledged transaction is redelivered as it was');
    await cdcB.stop();

    // Offsets lost (or never stored) while the slot exists: start over with a fresh snapshot.
    const third = new RecordingHandler();
    const cdcC = reader({ tables: ['counter'], slotName: 'restart_slot', publicationName: 'restart_pub', heartbeatIntervalMs: 50 }, third);
    await cdcC.start();
    assert.ok(third.warnings.some((w) => /exists but no offset was stored: recreating it and taking a snapshot/.test(w)));
    assert.deepEqual(third.batches.flatMap((b) => b.events.map((e) => `${e.op}${e.key?.id}`)), ['r1', 'r2', 'r3', 'r4']);
    await new Promise((resolve) => setTimeout(resolve, 200));
    assert.ok(!third.warnings.some((w) => /heartbeat failed/.test(w)));
    assert.equal(cdcC.status.phase, 'streaming');
    await cdcC.stop();
    assert.equal(cdcC.status.phase, 'stopped');
  });

  it('reports a lost replication connection through onError and can be resumed by a new reader', async () => {
    await db.query('CREATE TABLE fragile (id int PRIMARY KEY)');
    const handler = new RecordingHandler();
    const cdc = reader({ tables: ['fragile'], slotName: 'fragile_slot', publicationName: 'fragile_pub' }, handler);
    await cdc.start();
    await db.query('INSERT INTO fragile VALUES (1)');
    await handler.waitFor(() => handler.transactions.length === 1);
    await db.query("SELECT pg_terminate_backend(active_pid) FROM pg_replication_slots WHERE slot_name = 'fragile_slot'");
    await handler.waitFor(() => handler.errors.length > 0).catch(() => undefined);
    assert.equal(handler.errors.length, 1);
    assert.equal(handler.errors[0]?.name, 'ShiftleftError');
    assert.equal(cdc.status.phase, 'failed');
    await db.query('INSERT INTO fragile VALUES (2)');
    // The slot may still look active for a moment after its connection died: the reader waits.
    const resumed = new RecordingHandler();
    const again = reader({ tables: ['fragile'], slotName: 'fragile_slot', publicationName: 'fragile_pub' }, resumed);
    await again.start(handler.transactions[0]?.offset);
    await resumed.waitFor(() => resumed.transactions.length === 1);
    assert.deepEqual(resumed.transactions[0]?.events.map((e) => e.key), [{ id: 2 }]);
    await again.stop();
  });

  it('evolves the schema on ALTER TABLE ADD COLUMN before the first row that has the column', async () => {
    await db.query('CREATE TABLE evolving (id int PRIMARY KEY, name text NOT NULL)');
    const handler = new RecordingHandler();
    const cdc = reader({ tables: ['evolving'], slotName: 'evolve_slot', publicationName: 'evolve_pub' }, handler);
    await cdc.start();
    await db.query("INSERT INTO evolving VALUES (1, 'one')");
    await db.query('ALTER TABLE evolving ADD COLUMN score numeric(5,1)');
    await db.query("INSERT INTO evolving VALUES (2, 'two', 4.5)");
    await handler.waitFor(() => handler.transactions.length === 2);
    const order = handler.log.map((entry) => (entry.kind === 'schema' ? `schema v${entry.schema.version}` : `${entry.batch.kind} ${entry.batch.events.length}`));
    assert.deepEqual(order, ['schema v1', 'snapshot 0', 'transaction 1', 'schema v2', 'transaction 1']);
    const v2 = handler.schemas[1];
    assert.deepEqual(v2?.valueSchema.fields.map((f) => f.name), ['id', 'name', 'score', '__deleted']);
    assert.deepEqual(v2?.valueSchema.fields[2], { name: 'score', type: ['null', { type: 'bytes', logicalType: 'decimal', precision: 5, scale: 1 }], default: null });
    const [, added] = handler.transactions;
    assert.equal(added?.events[0]?.schema, v2);
    assert.deepEqual(added?.events[0]?.after, { id: 2, name: 'two', score: decimalBytes('4.5', 1) });
    await cdc.stop();
  });

  it('refuses a table without a primary key until it has REPLICA IDENTITY FULL, then sends null keys', async () => {
    await db.query('CREATE TABLE nokey (a int, b text)');
    const handler = new RecordingHandler();
    await assert.rejects(reader({ tables: ['nokey'], slotName: 'nokey_slot', publicationName: 'nokey_pub' }, handler).start(), (error: unknown) => {
      assert.ok(isShiftleftError(error, 'SOURCE_MISCONFIGURED'));
      assert.match(error.message, /public\.nokey has no replica identity \(no primary key\).*UPDATE and DELETE statements would fail/);
      assert.match(error.hint ?? '', /REPLICA IDENTITY FULL/);
      return true;
    });
    await db.query('ALTER TABLE nokey REPLICA IDENTITY FULL');
    const cdc = reader({ tables: ['nokey'], slotName: 'nokey_slot', publicationName: 'nokey_pub' }, handler);
    await cdc.start();
    assert.ok(handler.warnings.some((w) => /nokey has no primary key: its events have a null key/.test(w)));
    assert.equal(handler.schemas[0]?.keySchema, null);
    await db.query("INSERT INTO nokey VALUES (1, 'x')");
    await db.query("UPDATE nokey SET b = 'y' WHERE a = 1");
    await db.query('DELETE FROM nokey WHERE a = 1');
    await handler.waitFor(() => handler.transactions.length === 3);
    assert.deepEqual(handler.transactions.flatMap((t) => t.events.map(plain)), [
      { table: { schema: 'public', name: 'nokey' }, op: 'c', key: null, after: { a: 1, b: 'x' } },
      { table: { schema: 'public', name: 'nokey' }, op: 'u', key: null, after: { a: 1, b: 'y' }, before: { a: 1, b: 'x' } },
      { table: { schema: 'public', name: 'nokey' }, op: 'd', key: null, after: null, before: { a: 1, b: 'y' } },
    ]);
    await cdc.stop();
  });

  it('maps domains to their base type, enums and arrays to text, and captures partitioned tables under the parent', async () => {
    await db.query('CREATE DOMAIN money2 AS numeric(8,2)');
    await db.query("CREATE TYPE mood AS ENUM ('happy', 'sad')");
    await db.query('CREATE TABLE part (id int, region text, price money2, feeling mood, tags int[], PRIMARY KEY (id, region)) PARTITION BY LIST (region)');
    await db.query("CREATE TABLE part_eu PARTITION OF part FOR VALUES IN ('eu')");
    await db.query("CREATE TABLE part_us PARTITION OF part FOR VALUES IN ('us')");
    await db.query("INSERT INTO part VALUES (1, 'eu', 9.99, 'happy', '{1,2}')");
    const handler = new RecordingHandler();
    const cdc = reader({ tables: ['part'], slotName: 'part_slot', publicationName: 'part_pub' }, handler);
    await cdc.start();
    const types = Object.fromEntries(handler.schemas[0]?.valueSchema.fields.map((f) => [f.name, f.type]) ?? []);
    assert.deepEqual(types.price, ['null', { type: 'bytes', logicalType: 'decimal', precision: 8, scale: 2 }]);
    assert.deepEqual([types.feeling, types.tags], [['null', 'string'], ['null', 'string']]);
    assert.deepEqual(handler.schemas[0]?.keySchema?.fields.map((f) => f.name), ['id', 'region']);
    await db.query("INSERT INTO part VALUES (2, 'us', 0.5, 'sad', '{}')");
    await handler.waitFor(() => handler.transactions.length === 1);
    const expected = (id: number, region: string, price: string, feeling: string, tags: string) =>
      ({ key: { id, region }, after: { id, region, price: decimalBytes(price, 2), feeling, tags } });
    assert.deepEqual(handler.batches.flatMap((b) => b.events.map((e) => ({ table: e.table.name, key: e.key, after: e.after }))), [
      { table: 'part', ...expected(1, 'eu', '9.99', 'happy', '{1,2}') },
      { table: 'part', ...expected(2, 'us', '0.50', 'sad', '{}') },
    ]);
    assert.equal(handler.schemas.length, 1, 'the stream\'s Relation message describes the same schema as the catalog');
    await cdc.stop();
  });

  it('never turns an unchanged TOASTed value into NULL', async () => {
    await db.query('CREATE TABLE docs (id int PRIMARY KEY, body text, n int)');
    const handler = new RecordingHandler();
    const cdc = reader({ tables: ['docs'], slotName: 'docs_slot', publicationName: 'docs_pub' }, handler);
    await cdc.start();
    assert.ok(handler.warnings.some((w) => /docs: unchanged large values of body.*REPLICA IDENTITY FULL/.test(w)));
    await db.query("INSERT INTO docs SELECT 1, string_agg(md5(i::text), ''), 1 FROM generate_series(1, 2000) i");
    await db.query('UPDATE docs SET n = 2 WHERE id = 1');
    await handler.waitFor(() => handler.transactions.length === 2);
    const update = handler.transactions[1]?.events[0];
    assert.equal(update?.op, 'u');
    assert.deepEqual(update?.after, { id: 1, n: 2 });
    assert.deepEqual(update?.unchangedColumns, ['body']);
    assert.equal((handler.transactions[0]?.events[0]?.after?.body as string).length, 64_000);
    await cdc.stop();
  });

  it('advances a quiet slot past WAL it has nothing to send for', async () => {
    await db.query('CREATE TABLE quiet (id int PRIMARY KEY)');
    await db.query('CREATE TABLE noise (id serial PRIMARY KEY, v int)');
    const handler = new RecordingHandler();
    const cdc = reader({ tables: ['quiet'], slotName: 'quiet_slot', publicationName: 'quiet_pub' }, handler);
    await cdc.start();
    const before = (await db.query('SELECT pg_current_wal_lsn()::text AS lsn')).rows[0].lsn as string;
    for (let i = 0; i < 20; i++) await db.query('INSERT INTO noise (v) VALUES ($1)', [i]);
    const deadline = Date.now() + 5000;
    while (!(await lsnAtLeast(await slotConfirmedLsn('quiet_slot'), before)) || (await slotConfirmedLsn('quiet_slot')) === before) {
      assert.ok(Date.now() < deadline, 'the slot did not advance while idle');
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
    assert.equal(handler.transactions.length, 0);
    const lag = await cdc.slotLag();
    assert.ok(lag && lag.walStatus === 'reserved');
    await cdc.stop();
  });

  it('gives clear errors for malformed configs, unreachable databases and missing prerequisites', async () => {
    const handler = new RecordingHandler();
    for (const [connectionString, pattern] of [
      ['not a url', /connectionString is not a valid PostgreSQL connection string: it is not a URL/],
      ['mysql://u:p@127.0.0.1/db', /the scheme is "mysql", expected postgresql/],
      ['postgresql://u:p@127.0.0.1:5432/', /the database name is missing/],
      ['', /it is empty/],
    ] as const) {
      assert.throws(() => new PostgresCdcReader({ connectionString, tables: ['t'] }, handler), (error: unknown) => {
        assert.ok(isShiftleftError(error, 'CONNECTOR_CONFIG_INVALID'));
        assert.match(error.message, pattern);
        assert.equal(error.details.field, 'connectionString');
        return true;
      });
    }
    assert.throws(() => new PostgresCdcReader({ connectionString: url, tables: [] }, handler), /tables must list at least one table/);
    assert.throws(() => new PostgresCdcReader({ connectionString: url, tables: ['t'], slotName: 'Bad-Name' }, handler), /slotName "Bad-Name" is not a valid slot name/);

    const { findFreePort } = await import('../../src/connect/postgres/embedded-postgres.ts');
    const closedPort = await findFreePort();
    const unreachable = new PostgresCdcReader({ connectionString: `postgresql://postgres:secret@127.0.0.1:${closedPort}/cdc`, tables: ['t'] }, handler);
    await assert.rejects(unreachable.start(), (error: unknown) => {
      assert.ok(isShiftleftError(error, 'SOURCE_UNREACHABLE'));
      assert.match(error.message, new RegExp(`cannot connect to PostgreSQL at 127.0.0.1:${closedPort}/cdc`));
      assert.doesNotMatch(error.message, /secret/);
      assert.match(error.hint ?? '', /listens on that host and port/);
      return true;
    });
    const badPassword = new PostgresCdcReader({ connectionString: url.replace(/:[^:@/]+@/, ':wrong@'), tables: ['t'] }, handler);
    await assert.rejects(badPassword.start(), /refused user "postgres"/);
    const missingTable = new PostgresCdcReader({ connectionString: url, tables: ['public.nope', 'typed'] }, handler);
    await assert.rejects(missingTable.start(), (error: unknown) => isShiftleftError(error, 'CONNECTOR_CONFIG_INVALID') && /table not found in .*: public\.nope/.test(error.message));

    await db.query("CREATE ROLE plain LOGIN PASSWORD 'plain'");
    const plainUser = new PostgresCdcReader({ connectionString: url.replace(/\/\/[^@]+@/, '//plain:plain@'), tables: ['typed'] }, handler);
    await assert.rejects(plainUser.start(), (error: unknown) =>
      isShiftleftError(error, 'SOURCE_MISCONFIGURED') && /may not use replication/.test(error.message) && /WITH REPLICATION/.test(error.hint ?? ''));
  });
});
