/**
 * Exactly-once under kill -9 (PostgreSQL): as the DuckDB test, against a real PostgreSQL. The
 * rows and the offsets are committed in one PostgreSQL transaction, so a killed sink leaves
 * either both or neither, and the restarted sink resumes exactly after the last commit.
 */
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startTestServer, type TestServer } from './postgres-test-support.ts';
import { CRASH_CLICKS, expectedOrders, killRestartCatchUp, prepareCrashTopics } from './duckdb-sink-crash-support.ts';

describe('postgres-sink under kill -9', () => {
  let dir: string;
  let postgres: TestServer;

  before(async () => {
    dir = mkdtempSync(join(tmpdir(), 'shiftleft-pgsink-crash-'));
    [postgres] = await Promise.all([startTestServer('pgsink-crash'), prepareCrashTopics(dir)]);
  });
  after(async () => {
    await postgres?.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it('holds exactly the folded topics after random kills and restarts', async () => {
    const url = await postgres.createDatabase('dwh');
    await killRestartCatchUp(dir, url, 3);
    const expected = await expectedOrders(dir);
    const db = await postgres.connect(url);
    const orders = await db.query(`SELECT order_id, customer, amount::text AS amount, (extract(epoch FROM placed_at) * 1000)::float8 AS placed_at, note FROM crash_orders ORDER BY order_id`);
    assert.deepEqual(orders.rows, expected, 'the upsert table equals the topic folded by key');
    const clicks = await db.query(`SELECT count(*)::int AS n, count(DISTINCT id)::int AS ids, min(id)::int AS lo, max(id)::int AS hi FROM crash_clicks`);
    assert.deepEqual(clicks.rows[0], { n: CRASH_CLICKS, ids: CRASH_CLICKS, lo: 0, hi: CRASH_CLICKS - 1 }, 'every click exactly once');
  });
});
