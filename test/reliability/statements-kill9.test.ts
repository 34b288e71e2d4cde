/**
 * The reliability test of durable statements (issue: "kill -9 the platform at 5 random moments").
 *
 * The walkthrough's statements (products_with_pk, the orders 4-way join with its temporal join,
 * payments_deduplicate, sales) run in `shiftleft up` child processes on a steady input, loaded
 * in rounds. One data directory runs without crashes; another is killed with SIGKILL at five
 * random moments while statements are processing, and restarted each time (the statements
 * resume from their checkpoints). The output tables must then hold the same multiset of rows:
 * no duplicates, no losses.
 *
 * Every input carries its event time (as CDC records carry commit times), in order, and every
 * order's product version and customer exist before it: the results depend only on what was
 * read, not on how the input was cut into batches or when the process died.
 */
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { repoRoot, waitForLine } from '../support/child.ts';

const ROUNDS = 10;
const KILLS = 5;
const INTERVAL = { 'execution.checkpointing.interval': '300 ms' };
/**
 * Event times: the same in both runs (results must not depend on the wall clock). Customers and
 * product versions are 10 s older than the first order; orders are a second apart.
 */
const BASE = 1_800_000_000_000;

interface Platform {
  child: ChildProcess;
  url: string;
}

async function up(dataDir: string): Promise<Platform> {
  const child = spawn(process.execPath, [join(repoRoot, 'bin', 'shiftleft.js'), 'up', '--data-dir', dataDir, '--port', '0', '--registry-port', '0'], {
    cwd: repoRoot,
    stdio: ['pipe', 'pipe', 'pipe'],
  });
  const line = await waitForLine(child, /platform API\s+http:\/\//, 60_000);
  return { child, url: /(http:\/\/\S+)/.exec(line)![1]! };
}

async function kill9(p: Platform): Promise<void> {
  const exited = new Promise((resolve) => p.child.once('exit', resolve));
  p.child.kill('SIGKILL');
  await exited;
}

async function stop(p: Platform): Promise<void> {
  const exited = new Promise((resolve) => p.child.once('exit', resolve));
  p.child.kill('SIGTERM');
  await exited;
}

async function post(p: Platform, body: Record<string, unknown>): Promise<{ results: { kind: string; name?: string; changes?: { op: string; row: Record<string, unknown> }[] }[] }> {
  const response = await fetch(`${p.url}/v1/statements`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) });
  const json = (await response.json()) as Record<string, unknown>;
  assert.equal(response.status, 200, `${String(body.sql).slice(0, 120)}: ${JSON.stringify(json)}`);
  return json as never;
}

const sqlFile = async (name: string): Promise<string> => readFile(join(repoRoot, 'examples', 'shift-left', 'sql', name), 'utf8');

/** Tables shaped like the CDC topics and the payments contract, and the walkthrough's statements. */
async function setUp(p: Platform): Promise<void> {
  await post(p, {
    sql: [
      'CREATE TABLE `shiftleft.public.customers` (customerid INT, customername STRING, email STRING, segment STRING, address STRING, ts TIMESTAMP_LTZ(3), WATERMARK FOR ts AS ts)',
      'CREATE TABLE `shiftleft.public.products` (productid INT, brand STRING, productname STRING, category STRING, description STRING, color STRING, size STRING, price DECIMAL(10, 2), stock INT, `__deleted` STRING, ts TIMESTAMP_LTZ(3), WATERMARK FOR ts AS ts)',
      'CREATE TABLE `shiftleft.public.orders` (orderid INT, customerid INT, orderdate TIMESTAMP_LTZ(3), status STRING)',
      'CREATE TABLE `shiftleft.public.order_items` (orderitemid INT, orderid INT, productid INT, quantity INT, ts TIMESTAMP_LTZ(3), WATERMARK FOR ts AS ts)',
      "CREATE TABLE payments (order_id INT, product_id INT, customer_id INT, confirmation_code STRING, cc_number STRING, expiration STRING, amount DOUBLE, ts TIMESTAMP_LTZ(3), WATERMARK FOR ts AS ts - INTERVAL '5' SECOND)",
    ].join(';\n'),
  });
  // Products and customers first: every order finds its product version and its customer.
  const before = `TO_TIMESTAMP_LTZ(${BASE - 10_000}, 3)`;
  const products = Array.from({ length: 4 }, (_, i) => `(${i + 1}, 'brand${i}', 'product${i}', 'cat', NULL, NULL, NULL, ${10 + i}.00, 100, 'false', ${before})`);
  const customers = Array.from({ length: 5 }, (_, i) => `(${i + 1}, 'customer${i}', 'c${i}@example.com', 'retail', 'street ${i}', ${before})`);
  await post(p, { sql: `INSERT INTO \`shiftleft.public.products\` VALUES ${products.join(', ')}; INSERT INTO \`shiftleft.public.customers\` VALUES ${customers.join(', ')}`, bounded: true });
  for (const file of ['01-orders-watermark.sql', '02-products-with-pk.sql', '03-products-with-pk-materializer.sql', '04-orders-table.sql', '05-orders-materializer.sql', '06-payments-deduplicate.sql', '07-sales-table.sql', '08-sales-materializer.sql']) {
    await post(p, { sql: await sqlFile(file), properties: INTERVAL });
  }
}

/** Round r: 5 orders with one item each, their payments, and a duplicate of every other payment. */
function roundSql(r: number): string {
  const orders: string[] = [];
  const items: string[] = [];
  const payments: string[] = [];
  for (let k = 0; k < 5; k++) {
    const id = r * 5 + k + 1;
    const at = BASE + id * 1000;
    orders.push(`(${id}, ${(id % 5) + 1}, TO_TIMESTAMP_LTZ(${at}, 3), 'new')`);
    items.push(`(${id}, ${id}, ${(id % 4) + 1}, ${(id % 3) + 1}, TO_TIMESTAMP_LTZ(${at}, 3))`);
    const payment = (code: string, delay: number) => `(${id}, ${(id % 4) + 1}, ${(id % 5) + 1}, '${code}', '4111', '12/30', ${((id % 3) + 1) * (10 + (id % 4))}.0, TO_TIMESTAMP_LTZ(${at + delay}, 3))`;
    payments.push(payment(`C${String(id).padStart(7, '0')}`, 400));
    if (id % 2 === 0) payments.push(payment(`D${String(id).padStart(7, '0')}`, 600));
  }
  return [
    `INSERT INTO \`shiftleft.public.orders\` VALUES ${orders.join(', ')}`,
    `INSERT INTO \`shiftleft.public.order_items\` VALUES ${items.join(', ')}`,
    `INSERT INTO payments VALUES ${payments.join(', ')}`,
  ].join(';\n');
}

/**
 * Event time moves on only with input: a last order, later than every other and never paid,
 * lets the temporal join emit the orders of the last round (it waits for the watermark).
 */
function flushSql(): string {
  const at = BASE + 1_000_000;
  return `INSERT INTO \`shiftleft.public.orders\` VALUES (999999, 1, TO_TIMESTAMP_LTZ(${at}, 3), 'new'); INSERT INTO \`shiftleft.public.order_items\` VALUES (999999, 999999, 1, 1, TO_TIMESTAMP_LTZ(${at}, 3))`;
}

/** The committed rows of a table, as sorted JSON lines (a bounded SELECT reads read_committed). */
async function rows(p: Platform, table: string): Promise<string[]> {
  const { results } = await post(p, { sql: `SELECT * FROM ${table}`, bounded: true });
  return results[0]!.changes!.map((c) => `${c.op} ${JSON.stringify(c.row)}`).sort();
}

/** Waits until the statements have read everything and their output stopped changing. */
async function settle(p: Platform): Promise<void> {
  const expectedSales = ROUNDS * 5;
  let previous = '';
  let stableSince = Date.now();
  const deadline = Date.now() + 90_000;
  for (;;) {
    const sales = await rows(p, 'sales');
    const snapshot = `${sales.length}/${(await rows(p, 'orders')).length}/${(await rows(p, 'payments_deduplicate')).length}`;
    if (snapshot !== previous) {
      previous = snapshot;
      stableSince = Date.now();
    }
    if (sales.length >= expectedSales && Date.now() - stableSince > 1500) return;
    if (Date.now() > deadline) throw new Error(`statements did not settle: sales/orders/payments_deduplicate = ${snapshot}\n${await statementsReport(p)}`);
    await new Promise((r) => setTimeout(r, 250));
  }
}

/** What each statement is doing, for a failure message. */
async function statementsReport(p: Platform): Promise<string> {
  const list = (await (await fetch(`${p.url}/v1/statements`)).json()) as { name: string }[];
  const lines = [];
  for (const { name } of list) {
    const d = (await (await fetch(`${p.url}/v1/statements/${encodeURIComponent(name)}`)).json()) as Record<string, unknown>;
    lines.push(JSON.stringify({ name, status: d.status, error: d.error, operators: d.operators, sources: d.sources, checkpoints: d.checkpoints }));
  }
  return lines.join('\n');
}

async function outputs(p: Platform): Promise<Record<string, string[]>> {
  return { orders: await rows(p, 'orders'), payments_deduplicate: await rows(p, 'payments_deduplicate'), sales: await rows(p, 'sales') };
}

describe('durable statements under kill -9', { timeout: 240_000 }, () => {
  it('produce the same output with five crashes as without', async () => {
    const calm = await mkdtemp(join(tmpdir(), 'shiftleft-calm-'));
    const crashy = await mkdtemp(join(tmpdir(), 'shiftleft-crashy-'));
    const children: Platform[] = [];
    try {
      // The reference: no crash.
      let p = await up(calm);
      children.push(p);
      await setUp(p);
      for (let r = 0; r < ROUNDS; r++) await post(p, { sql: roundSql(r), bounded: true });
      await post(p, { sql: flushSql(), bounded: true });
      await settle(p);
      const expected = await outputs(p);
      await stop(p);
      assert.equal(expected.sales.length, ROUNDS * 5, 'every order was sold once');
      assert.equal(expected.payments_deduplicate.length, ROUNDS * 5, 'duplicates removed');

      // Five kills at random rounds, at a random moment after the round's input landed.
      const killRounds = new Set<number>();
      while (killRounds.size < KILLS) killRounds.add(Math.floor(Math.random() * ROUNDS));
      p = await up(crashy);
      children.push(p);
      await setUp(p);
      for (let r = 0; r < ROUNDS; r++) {
        await post(p, { sql: roundSql(r), bounded: true });
        if (!killRounds.has(r)) continue;
        await new Promise((resolve) => setTimeout(resolve, 50 + Math.random() * 700));
        await kill9(p);
        p = await up(crashy);
        children.push(p);
      }
      await post(p, { sql: flushSql(), bounded: true });
      await settle(p);
      const actual = await outputs(p);
      await stop(p);
      for (const table of Object.keys(expected)) {
        assert.deepEqual(actual[table], expected[table], `${table}: the same multiset of rows with crashes (kills after rounds ${[...killRounds].sort((a, b) => a - b).join(', ')})`);
      }
    } finally {
      for (const c of children) if (c.child.exitCode === null && c.child.signalCode === null) c.child.kill('SIGKILL');
      await rm(calm, { recursive: true, force: true });
      await rm(crashy, { recursive: true, force: true });
    }
  });
});
