/**
 * Durable statements on a real platform: an INSERT is stored and checkpointed, its output is
 * visible to read_committed readers only once a checkpoint commits, it resumes after a restart
 * of the platform from its last checkpoint (no duplicates, no losses), and it can be described,
 * stopped, resumed and deleted through REST. Bad inputs: unknown statements, a changed SQL
 * under the same name, a plan that no longer fits the checkpoint, a corrupt checkpoint file.
 */
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startPlatform, type RunningPlatform } from '../../src/platform.ts';
import { call } from '../registry/registry-harness.ts';

const INTERVAL = { 'execution.checkpointing.interval': '200 ms' };

async function withPlatform<T>(dir: string, fn: (p: RunningPlatform) => Promise<T>): Promise<T> {
  const platform = await startPlatform({ dataDir: dir, port: 0, registryPort: 0, runStatements: true });
  try {
    return await fn(platform);
  } finally {
    await platform.close();
  }
}

const sql = (p: RunningPlatform, statement: string, properties: Record<string, string> = {}) => call(p.urls.platform, 'POST', '/v1/statements', { sql: statement, properties });

async function until<T>(what: string, probe: () => Promise<T | undefined>, timeoutMs = 20_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await probe();
    if (value !== undefined) return value;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

/** The committed values of a topic, decoded by the SQL engine (a bounded SELECT reads read_committed). */
async function committedRows(p: RunningPlatform, table: string): Promise<string[]> {
  const r = await call(p.urls.platform, 'POST', '/v1/statements', { sql: `SELECT * FROM ${table}`, bounded: true });
  assert.equal(r.status, 200, JSON.stringify(r.body));
  // Apply the changelog: an upsert table reads as +I/-U/+U/-D.
  const rows: string[] = [];
  for (const c of r.body.results[0].changes as { op: string; row: Record<string, unknown> }[]) {
    const row = JSON.stringify(Object.values(c.row));
    if (c.op === '+I' || c.op === '+U') rows.push(row);
    else rows.splice(rows.indexOf(row), 1);
  }
  return rows.sort();
}

async function insertEvents(p: RunningPlatform, from: number, to: number): Promise<void> {
  const values = [];
  for (let i = from; i < to; i++) values.push(`(${i}, 'u${i % 3}')`);
  const r = await sql(p, `INSERT INTO events VALUES ${values.join(', ')}`);
  assert.equal(r.status, 200, JSON.stringify(r.body));
  const name = r.body.results[0].name as string;
  await until(`${name} to complete`, async () => ((await call(p.urls.platform, 'GET', `/v1/statements/${name}`)).body.status === 'COMPLETED' ? true : undefined));
}

describe('durable statements', () => {
  it('checkpoints, commits output at checkpoints, and resumes after a restart without duplicates', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'shiftleft-durable-'));
    try {
      await withPlatform(dir, async (p) => {
        assert.equal((await sql(p, 'CREATE TABLE events (id INT, usr STRING); CREATE TABLE copied (id INT, usr STRING); CREATE TABLE counts (usr STRING NOT NULL, n BIGINT, PRIMARY KEY (usr) NOT ENFORCED)')).status, 200);
        await insertEvents(p, 0, 30);
        let r = await sql(p, 'INSERT INTO copied SELECT id, usr FROM events', { ...INTERVAL, 'client.statement-name': 'copy' });
        assert.equal(r.status, 200, JSON.stringify(r.body));
        r = await sql(p, 'INSERT INTO counts SELECT usr, COUNT(*) FROM events GROUP BY usr', { ...INTERVAL, 'client.statement-name': 'count' });
        assert.equal(r.status, 200, JSON.stringify(r.body));
        await until('30 copied rows', async () => ((await committedRows(p, 'copied')).length === 30 ? true : undefined));

        const d = await call(p.urls.platform, 'GET', '/v1/statements/count');
        assert.equal(d.status, 200);
        assert.equal(d.body.status, 'RUNNING');
        assert.equal(d.body.delivery, 'exactly-once');
        assert.match(d.body.plan, /GroupAggregate/);
        assert.ok(d.body.operators.some((o: { name: string; recordsIn: number }) => o.name === 'GroupAggregate' && o.recordsIn === 30), JSON.stringify(d.body.operators));
        assert.deepEqual(d.body.sources.map((s: { topic: string; lag: number }) => [s.topic, s.lag]), [['events', 0]]);
        await until('a checkpoint of count', async () => ((await call(p.urls.platform, 'GET', '/v1/statements/count')).body.checkpoints.completed > 0 ? true : undefined));
      });

      // Input written while the platform is down is picked up from the checkpoint's offsets.
      await withPlatform(dir, async (p) => {
        await until('copy to resume', async () => ((await call(p.urls.platform, 'GET', '/v1/statements/copy')).body.status === 'RUNNING' ? true : undefined));
        await insertEvents(p, 30, 45);
        await until('45 copied rows', async () => ((await committedRows(p, 'copied')).length >= 45 ? true : undefined));
        const copied = await committedRows(p, 'copied');
        assert.equal(copied.length, 45, 'no row copied twice');
        assert.equal(new Set(copied).size, 45);
        await until('counts of 45 events', async () => {
          const counts = await committedRows(p, 'counts');
          return counts.join() === ['["u0",15]', '["u1",15]', '["u2",15]'].join() ? true : undefined;
        });
      });
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });

  it('stops, resumes and deletes statements through REST, with clear errors', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'shiftleft-durable-'));
    try {
      await withPlatform(dir, async (p) => {
        await sql(p, 'CREATE TABLE events (id INT, usr STRING); CREATE TABLE copied (id INT, usr STRING)');
        await insertEvents(p, 0, 5);
        assert.equal((await sql(p, 'INSERT INTO copied SELECT id, usr FROM events', { ...INTERVAL, 'client.statement-name': 'copy' })).status, 200);
        await until('5 copied rows', async () => ((await committedRows(p, 'copied')).length === 5 ? true : undefined));

        let r = await call(p.urls.platform, 'POST', '/v1/statements/copy/stop');
        assert.equal(r.status, 200);
        assert.equal(r.body.status, 'STOPPED');
        await insertEvents(p, 5, 8);
        r = await call(p.urls.platform, 'GET', '/v1/statements/copy');
        assert.equal(r.body.status, 'STOPPED');

        // Another SQL under the same name would put the old state under a new query.
        r = await sql(p, 'INSERT INTO copied SELECT id + 100, usr FROM events', { 'client.statement-name': 'copy' });
        assert.equal(r.status, 409);
        assert.equal(r.body.code, 'STATEMENT_ALREADY_EXISTS');
        assert.match(r.body.hint, /statement delete copy/);

        r = await call(p.urls.platform, 'POST', '/v1/statements/copy/resume');
        assert.equal(r.status, 200, JSON.stringify(r.body));
        assert.equal(r.body.status, 'RUNNING');
        await until('8 copied rows', async () => ((await committedRows(p, 'copied')).length === 8 ? true : undefined));
        r = await call(p.urls.platform, 'POST', '/v1/statements/copy/resume');
        assert.equal(r.status, 409, 'already running');

        for (const [method, path] of [['GET', '/v1/statements/nope'], ['POST', '/v1/statements/nope/stop'], ['POST', '/v1/statements/nope/resume'], ['DELETE', '/v1/statements/nope']] as const) {
          r = await call(p.urls.platform, method, path);
          assert.equal(r.status, 404, `${method} ${path}`);
          assert.equal(r.body.code, 'STATEMENT_NOT_FOUND');
        }
        r = await call(p.urls.platform, 'POST', '/v1/statements/copy/resume', { fromCheckpoint: 'x' });
        assert.equal(r.status, 422);

        r = await call(p.urls.platform, 'DELETE', '/v1/statements/copy');
        assert.equal(r.status, 200);
        assert.equal((await call(p.urls.platform, 'GET', '/v1/statements/copy')).status, 404);
        // The name is free again, for any SQL.
        r = await sql(p, 'INSERT INTO copied SELECT id + 100, usr FROM events', { ...INTERVAL, 'client.statement-name': 'copy' });
        assert.equal(r.status, 200, JSON.stringify(r.body));
      });
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });

  it('refuses to resume from a corrupt checkpoint, offers the previous one, and never starts from scratch silently', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'shiftleft-durable-'));
    try {
      let checkpointFile = '';
      await withPlatform(dir, async (p) => {
        await sql(p, 'CREATE TABLE events (id INT, usr STRING); CREATE TABLE copied (id INT, usr STRING)');
        await insertEvents(p, 0, 5);
        await sql(p, 'INSERT INTO copied SELECT * FROM events', { ...INTERVAL, 'client.statement-name': 'copy' });
        await until('5 copied rows', async () => ((await committedRows(p, 'copied')).length === 5 ? true : undefined));
        const last = (await call(p.urls.platform, 'GET', '/v1/statements/copy')).body.lastCheckpoint;
        assert.ok(last?.id >= 1, JSON.stringify(last));
      });
      // The platform stopped with a final checkpoint: damage it.
      await withPlatform(dir, async (p) => {
        const stored = (await call(p.urls.platform, 'GET', '/v1/statements/copy')).body;
        await call(p.urls.platform, 'POST', '/v1/statements/copy/stop');
        checkpointFile = join(p.statementStore.checkpoints('copy').fileOf((await call(p.urls.platform, 'GET', '/v1/statements/copy')).body.lastCheckpoint?.id ?? stored.lastCheckpoint.id));
      });
      await writeFile(checkpointFile, 'not a checkpoint');
      await withPlatform(dir, async (p) => {
        const r = await call(p.urls.platform, 'POST', '/v1/statements/copy/resume');
        assert.equal(r.status, 409, JSON.stringify(r.body));
        assert.equal(r.body.code, 'CHECKPOINT_CORRUPT');
        assert.match(r.body.message, /chk-\d+\.bin/);
        assert.match(r.body.hint, /--from-checkpoint \d+|delete the statement/);
        assert.equal((await call(p.urls.platform, 'GET', '/v1/statements/copy')).body.status, 'FAILED');
        assert.equal((await committedRows(p, 'copied')).length, 5, 'nothing was recomputed');

        // The user's explicit choice: the previous checkpoint, which the hint names.
        const previous = Number(/--from-checkpoint (\d+)/.exec(r.body.hint)?.[1]);
        assert.ok(previous >= 1, r.body.hint);
        const resumed = await call(p.urls.platform, 'POST', '/v1/statements/copy/resume', { fromCheckpoint: previous });
        assert.equal(resumed.status, 200, JSON.stringify(resumed.body));
        assert.equal(resumed.body.status, 'RUNNING');
      });
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });
});
