/**
 * Exactly-once under kill -9 (DuckDB): the sink runs in a child process killed at random
 * moments (mostly in the middle of a batch: it is always writing one), restarted, and finally
 * left to catch up. The warehouse must then equal the topics exactly: the upsert table = the
 * orders topic folded by key (tombstones deleted), the append table = every click once (ids
 * are unique, so a duplicate or a gap would show).
 */
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DuckDbWarehouse } from '../../src/connect/duckdb-sink/duckdb-warehouse.ts';
import { CRASH_CLICKS, expectedOrders, killRestartCatchUp, prepareCrashTopics } from './duckdb-sink-crash-support.ts';

describe('duckdb-sink under kill -9', () => {
  let dir: string;

  before(async () => {
    dir = mkdtempSync(join(tmpdir(), 'shiftleft-sink-crash-'));
    await prepareCrashTopics(dir);
  });
  after(() => rmSync(dir, { recursive: true, force: true }));

  it('holds exactly the folded topics after random kills and restarts', async () => {
    const path = join(dir, 'warehouse.duckdb');
    await killRestartCatchUp(dir, path, 3);
    const expected = await expectedOrders(dir);
    const warehouse = new DuckDbWarehouse({ path, readOnly: true });
    await warehouse.open();
    const orders = (await warehouse.query(`SELECT order_id, customer, amount::VARCHAR AS amount, epoch_ms(placed_at)::DOUBLE AS placed_at, note FROM crash_orders ORDER BY order_id`)).rows;
    assert.deepEqual(orders, expected, 'the upsert table equals the topic folded by key');
    const clicks = (await warehouse.query(`SELECT count(*)::INTEGER AS n, count(DISTINCT id)::INTEGER AS ids, min(id)::INTEGER AS lo, max(id)::INTEGER AS hi FROM crash_clicks`)).rows[0];
    assert.deepEqual(clicks, { n: CRASH_CLICKS, ids: CRASH_CLICKS, lo: 0, hi: CRASH_CLICKS - 1 }, 'every click exactly once');
    await warehouse.close();
  });
});
