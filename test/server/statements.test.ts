/**
 * POST /v1/statements and GET /v1/statements on a real platform (startPlatform, ports 0):
 * DDL answers messages, SELECT its changelog (bounded, maxRows, timeoutMs), INSERT its name
 * while it keeps running, and SQL errors map to 400/404/422 with code, position and hint.
 */
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startPlatform, type RunningPlatform } from '../../src/platform.ts';
import { call } from '../registry/registry-harness.ts';

describe('REST /v1/statements', () => {
  let platform: RunningPlatform;
  let dir: string;
  const sql = (body: Record<string, unknown>) => call(platform.urls.platform, 'POST', '/v1/statements', body);

  before(async () => {
    dir = await mkdtemp(join(tmpdir(), 'shiftleft-statements-'));
    platform = await startPlatform({ dataDir: dir, port: 0, registryPort: 0 });
  });
  after(async () => {
    await platform?.close();
    await rm(dir, { recursive: true, force: true });
  });

  it('runs DDL, INSERT ... VALUES and a bounded SELECT', async () => {
    let r = await sql({ sql: 'CREATE TABLE clicks (usr STRING, n INT, ts TIMESTAMP_LTZ(3)); SHOW TABLES' });
    assert.equal(r.status, 200, JSON.stringify(r.body));
    assert.deepEqual(r.body.results[0], { kind: 'message', message: 'created table clicks' });
    assert.deepEqual(r.body.results[1].rows, [['clicks']]);

    r = await sql({ sql: "INSERT INTO clicks VALUES ('ann', 1, TO_TIMESTAMP_LTZ(1000, 3)), ('bob', 2, TO_TIMESTAMP_LTZ(2000, 3)), ('ann', 3, TO_TIMESTAMP_LTZ(3000, 3))", properties: { 'client.statement-name': 'load-clicks' } });
    assert.equal(r.status, 200, JSON.stringify(r.body));
    assert.equal(r.body.results[0].kind, 'statement');
    assert.equal(r.body.results[0].name, 'load-clicks');
    await waitForStatus('load-clicks', 'COMPLETED');

    r = await sql({ sql: 'SELECT usr, SUM(n) AS total, MAX(ts) AS last_at FROM clicks GROUP BY usr', bounded: true });
    assert.equal(r.status, 200, JSON.stringify(r.body));
    const query = r.body.results[0];
    assert.equal(query.kind, 'query');
    assert.deepEqual(query.columns.map((c: { name: string }) => c.name), ['usr', 'total', 'last_at']);
    assert.equal(query.status, 'COMPLETED');
    // One batch: the aggregate emits the net result per user, timestamps as ISO-8601.
    assert.deepEqual(
      query.changes.sort((a: { row: { usr: string } }, b: { row: { usr: string } }) => a.row.usr.localeCompare(b.row.usr)),
      [
        { op: '+I', row: { usr: 'ann', total: 4, last_at: '1970-01-01T00:00:03.000Z' } },
        { op: '+I', row: { usr: 'bob', total: 2, last_at: '1970-01-01T00:00:02.000Z' } },
      ],
    );
  });

  it('bounds a SELECT by maxRows and by timeoutMs', async () => {
    let r = await sql({ sql: 'SELECT usr FROM clicks', maxRows: 2 });
    assert.equal(r.status, 200, JSON.stringify(r.body));
    assert.equal(r.body.results[0].changes.length, 2);
    assert.equal(r.body.results[0].truncated, true);
    assert.equal(r.body.results[0].status, 'STOPPED');

    const started = Date.now();
    r = await sql({ sql: 'SELECT usr FROM clicks', timeoutMs: 300 });
    assert.equal(r.status, 200);
    assert.equal(r.body.results[0].changes.length, 3, 'an unbounded query returns what arrived before the timeout');
    assert.ok(Date.now() - started < 5000);
  });

  it('lists running statements and stops them', async () => {
    await sql({ sql: 'CREATE TABLE copies (usr STRING, n INT, ts TIMESTAMP_LTZ(3))' });
    const r = await sql({ sql: "SET 'client.statement-name' = 'copy-clicks'; INSERT INTO copies SELECT * FROM clicks" });
    assert.equal(r.status, 200, JSON.stringify(r.body));
    assert.deepEqual(r.body.results[1], { kind: 'statement', name: 'copy-clicks', status: 'RUNNING' });
    const list = await call(platform.urls.platform, 'GET', '/v1/statements');
    const copy = list.body.find((s: { name: string }) => s.name === 'copy-clicks');
    assert.equal(copy.status, 'RUNNING');
    assert.match(copy.sql, /INSERT INTO/);
    const copied = await sql({ sql: 'SELECT usr FROM copies', bounded: true });
    assert.ok(copied.body.results[0].changes.length <= 3);

    const again = await sql({ sql: 'INSERT INTO copies SELECT * FROM clicks', properties: { 'client.statement-name': 'copy-clicks' } });
    assert.equal(again.status, 409);
    assert.equal(again.body.code, 'STATEMENT_ALREADY_EXISTS');

    const stopped = await call(platform.urls.platform, 'POST', '/v1/statements/copy-clicks/stop');
    assert.equal(stopped.body.status, 'STOPPED');
    assert.equal((await call(platform.urls.platform, 'GET', '/v1/statements/nope')).status, 404);
  });

  it('maps SQL errors to HTTP statuses with code, position and hint', async () => {
    const cases: [Record<string, unknown>, number, string, RegExp][] = [
      [{ sql: 'SELEC 1' }, 400, 'SQL_PARSE_ERROR', /line 1, column 1/],
      [{ sql: 'SELECT nope FROM clicks' }, 400, 'SQL_UNKNOWN_COLUMN', /line 1, column 8/],
      [{ sql: 'SELECT * FROM missing' }, 404, 'SQL_UNKNOWN_TABLE', /missing/],
      [{ sql: 'INSERT INTO clicks SELECT usr, COUNT(*), MAX(ts) FROM clicks GROUP BY usr' }, 422, 'SQL_PLAN_ERROR', /append-only/],
      [{ sql: '' }, 422, 'INVALID_ARGUMENT', /sql/],
      [{ sql: 'SELECT 1', maxRows: -1 }, 422, 'INVALID_ARGUMENT', /maxRows/],
    ];
    for (const [body, status, code, message] of cases) {
      const r = await sql(body);
      assert.equal(r.status, status, `${JSON.stringify(body)}: ${JSON.stringify(r.body)}`);
      assert.equal(r.body.code, code);
      assert.match(r.body.message, message);
    }
    const r = await sql({ sql: 'SELECT nope FROM clicks' });
    assert.deepEqual([r.body.details.line, r.body.details.column], [1, 8]);
    assert.ok(r.body.hint, 'a hint');
  });

  async function waitForStatus(name: string, status: string): Promise<void> {
    for (let i = 0; i < 100; i++) {
      const r = await call(platform.urls.platform, 'GET', `/v1/statements/${name}`);
      if (r.body.status === status) return;
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
    assert.fail(`statement ${name} never reached ${status}`);
  }
});
