/**
 * Unbounded statements with a quiet input: a table loaded once (customers, products) must not
 * stall event time for the joins that read it (Flink's idle timeout), while a watermark that
 * really lags still holds results back.
 */
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { SqlSession } from '../../src/engine/sql-session.ts';
import { SqlHarness } from './sql-harness.ts';

async function until<T>(probe: () => Promise<T | undefined>, timeoutMs: number): Promise<T | undefined> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    const value = await probe();
    if (value !== undefined) return value;
    await new Promise((r) => setTimeout(r, 100));
  }
  return undefined;
}

describe('idle inputs in unbounded statements', () => {
  let h: SqlHarness;
  let live: SqlSession;

  before(async () => {
    h = await SqlHarness.start();
    live = new SqlSession({ log: h.server.log, schemas: h.schemas, catalog: h.catalog, idleTimeoutMs: 300, statements: h.session.statements });
    await h.run(`
      CREATE TABLE products (productid INT NOT NULL, price INT NOT NULL, PRIMARY KEY (productid) NOT ENFORCED);
      CREATE TABLE orders (orderid INT NOT NULL, productid INT NOT NULL, orderdate TIMESTAMP_LTZ(3) NOT NULL, WATERMARK FOR orderdate AS orderdate);
      CREATE TABLE priced (orderid INT NOT NULL, price INT NOT NULL);
    `);
  });

  after(async () => {
    await h?.close();
  });

  it('joins against a versioned table that went quiet, driven by the other input', async () => {
    await h.produce('products', [[1, 10], [2, 20]], [1_000, 1_000]);
    const [started] = await live.execute(`
      INSERT INTO priced SELECT o.orderid, p.price FROM orders o
      JOIN products FOR SYSTEM_TIME AS OF o.orderdate AS p ON p.productid = o.productid`);
    assert.equal(started!.kind, 'statement');
    // Orders keep coming; products never change again.
    await h.produce('orders', [[100, 1, 5_000]], [5_000]);
    await new Promise((r) => setTimeout(r, 600));
    await h.produce('orders', [[101, 2, 9_000]], [9_000]);
    const rows = await until(async () => {
      const table = await h.table('SELECT orderid, price FROM priced');
      return table.length >= 1 ? table : undefined;
    }, 15_000);
    assert.ok(rows, 'the temporal join emitted while the versioned side was idle');
    // Order 100 is behind the orders watermark (9 000), so it was joined; 101 is not yet.
    assert.deepEqual(rows.find((r) => r.orderid === 100), { orderid: 100, price: 10 });
    assert.equal(rows.find((r) => r.orderid === 101), undefined, 'order 101 waits for the watermark to pass 9 000');
    if (started!.kind === 'statement') await started!.job.stop();
  });
});
