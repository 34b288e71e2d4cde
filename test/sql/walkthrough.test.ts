/**
 * Every SQL statement of the shift-left walkthrough, as written, on tables shaped like the CDC
 * and payments topics of REFERENCE.md §1, with results worked out by hand.
 */
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { repoRoot } from '../support/child.ts';
import { SqlHarness } from './sql-harness.ts';

const SQL_DIR = join(repoRoot, 'examples', 'shift-left', 'sql');
const sqlFile = (prefix: string): string => {
  const file = readdirSync(SQL_DIR).find((f) => f.startsWith(prefix))!;
  return readFileSync(join(SQL_DIR, file), 'utf8');
};

const WALKTHROUGH_SALES = `
SET 'client.statement-name' = 'sales-materializer';
INSERT INTO sales
SELECT
  pymt.order_id,
  ord.brand,
  ord.productname,
  pymt.amount,
  pymt.confirmation_code,
  pymt.ts
FROM payments pymt, \`orders\` ord
WHERE pymt.order_id = ord.orderid
AND orderdate BETWEEN pymt.ts - INTERVAL '96' HOUR AND pymt.ts;`;

// Record timestamps (ms) of the source rows: products change price between the two orders.
const T = { customers: 500, productsV1: 1000, orders100: 3000, productsV2: 5000, orders101: 6000 };

describe('the walkthrough SQL on the embedded engine', () => {
  let h: SqlHarness;

  before(async () => {
    h = await SqlHarness.start();
    // Tables shaped like the CDC connector's output (after-state plus __deleted).
    await h.run(`
      CREATE TABLE \`shiftleft.public.customers\` (customerid INT NOT NULL, customername STRING NOT NULL, email STRING NOT NULL, segment STRING NOT NULL, address STRING NOT NULL, __deleted STRING);
      CREATE TABLE \`shiftleft.public.products\` (productid INT NOT NULL, brand STRING NOT NULL, productname STRING NOT NULL, category STRING NOT NULL, description STRING, color STRING, size STRING, price DECIMAL(10, 2) NOT NULL, stock INT NOT NULL, __deleted STRING);
      CREATE TABLE \`shiftleft.public.orders\` (orderid INT NOT NULL, customerid INT NOT NULL, orderdate TIMESTAMP_LTZ(3) NOT NULL, status STRING NOT NULL, __deleted STRING);
      CREATE TABLE \`shiftleft.public.order_items\` (orderitemid INT NOT NULL, orderid INT NOT NULL, productid INT NOT NULL, quantity INT NOT NULL, __deleted STRING);
      CREATE TABLE payments (order_id INT NOT NULL, product_id INT NOT NULL, customer_id INT NOT NULL, confirmation_code STRING NOT NULL, cc_number STRING NOT NULL, expiration STRING NOT NULL, amount DOUBLE NOT NULL, ts TIMESTAMP_LTZ(3) NOT NULL);
    `);
    await h.produce('shiftleft.public.customers', [
      [1, 'Ann Lee', '****', 'Gold', '1 Main St', 'false'],
      [2, 'Bo Chan', '****', 'Silver', '2 High St', 'false'],
    ], [T.customers, T.customers]);
    await h.produce('shiftleft.public.products', [
      [10, 'Acme', 'Widget', 'Tools', 'A widget', 'red', 'M', 9.99, 5, 'false'],
      [11, 'Bolt', 'Gadget', 'Tools', null, null, null, 20.5, 7, 'false'],
      [10, 'Acme', 'Widget', 'Tools', 'A widget', 'red', 'M', 12.49, 4, 'false'],
    ], [T.productsV1, T.productsV1, T.productsV2]);
    await h.produce('shiftleft.public.orders', [
      [100, 1, T.orders100, 'Completed', 'false'],
      [101, 2, T.orders101, 'Pending', 'false'],
    ], [T.orders100, T.orders101]);
    await h.produce('shiftleft.public.order_items', [
      [1000, 100, 10, 2, 'false'],
      [1001, 100, 11, 1, 'false'],
      [1002, 101, 10, 3, 'false'],
    ], [T.orders100, T.orders100, T.orders101]);
    const payment = (order: number, product: number, customer: number, code: string, amount: number, ts: number) => [order, product, customer, code, 'D123-4567-8901-2345', '09/28', amount, ts];
    await h.produce('payments', [
      payment(100, 10, 1, 'AB12CD34', 20, 7000),
      payment(100, 10, 1, 'AB12CD34', 20, 7000), // an exact duplicate, as the service sends 1 in 10
      payment(101, 10, 2, 'ZZ99YY88', 36.5, 8000),
    ], [7000, 7000, 8000]);
  });

  after(async () => {
    await h?.close();
  });

  it('keeps the fixtures identical to the walkthrough text', () => {
    const seed = join(repoRoot, '..', 'shared', 'seed', 'shift-left-walkthrough.md');
    if (!existsSync(seed)) return; // the seed lives beside the repository, not in it
    const normalize = (s: string) => s.replace(/`<CONFLUENT_ENVIRONEMNT_NAME>`\.`<CONFLUENT_CLUSTER_NAME>`/g, '`shiftleft`.`main`').replace(/\s+/g, ' ').replace(/ ?([(),;=]) ?/g, '$1').trim();
    const walkthrough = normalize(readFileSync(seed, 'utf8'));
    const QUERIES_DIR = join(repoRoot, 'examples', 'shift-left', 'queries');
    const files = [...readdirSync(SQL_DIR).map((f) => join(SQL_DIR, f)), ...readdirSync(QUERIES_DIR).map((f) => join(QUERIES_DIR, f))];
    for (const file of files) {
      const text = readFileSync(file, 'utf8');
      if (text.startsWith('-- generated') || text.startsWith('-- adapted')) continue; // not the walkthrough's own text
      for (const statement of text.split(';').map((s) => s.trim()).filter(Boolean)) {
        assert.ok(walkthrough.includes(normalize(statement)), `${file}: statement not found verbatim in the walkthrough: ${statement.slice(0, 80)}`);
      }
    }
  });

  it('builds the orders data product with a 4-way join and the product version at order time', async () => {
    await h.run(sqlFile('01-'));
    await h.run(sqlFile('02-'));
    await h.run(sqlFile('03-'));
    const versions = await h.table('SELECT productid, price FROM products_with_pk');
    assert.deepEqual(versions.map((r) => [r.productid, r.price]).sort(), [[10, 12], [11, 20]].sort(), 'the latest version per key, prices truncated to INT');
    await h.run(sqlFile('04-'));
    await h.run(sqlFile('05-'));
    const orders = await h.table('SELECT orderid, orderitemid, customername, productid, brand, productname, price, quantity, total_amount, orderdate FROM orders');
    assert.deepEqual(
      orders.sort((a, b) => Number(a.orderitemid) - Number(b.orderitemid)),
      [
        { orderid: 100, orderitemid: 1000, customername: 'Ann Lee', productid: 10, brand: 'Acme', productname: 'Widget', price: 9, quantity: 2, total_amount: 18, orderdate: T.orders100 },
        { orderid: 100, orderitemid: 1001, customername: 'Ann Lee', productid: 11, brand: 'Bolt', productname: 'Gadget', price: 20, quantity: 1, total_amount: 20, orderdate: T.orders100 },
        { orderid: 101, orderitemid: 1002, customername: 'Bo Chan', productid: 10, brand: 'Acme', productname: 'Widget', price: 12, quantity: 3, total_amount: 36, orderdate: T.orders101 },
      ],
    );
  });

  it('finds the duplicate payments', async () => {
    const duplicates = await h.table(readFileSync(join(repoRoot, 'examples', 'shift-left', 'queries', 'payments-duplicates.sql'), 'utf8'));
    assert.deepEqual(duplicates, [{ order_id: 100, amount: 20, total: 2 }]);
  });

  it('deduplicates payments with the SQL the Deduplicate action generates', async () => {
    await h.run(sqlFile('06-'));
    const rows = await h.table('SELECT order_id, amount, row_num FROM payments_deduplicate');
    assert.deepEqual(
      rows.sort((a, b) => Number(a.order_id) - Number(b.order_id)),
      [
        { order_id: 100, amount: 20, row_num: 1 },
        { order_id: 101, amount: 36.5, row_num: 1 },
      ],
    );
  });

  it('joins payments with orders into sales and sums revenue per 10-second window', async () => {
    await h.run(sqlFile('07-'));
    // The walkthrough's statement as written (the scenario files adapt it to read payments_deduplicate).
    await h.run(WALKTHROUGH_SALES);
    const sales = await h.table('SELECT order_id, brand, productname, amount, ts FROM sales');
    // Each payment meets every order row of its order: 2 items of order 100 x 2 copies of its payment, 1 x 1 for order 101.
    assert.equal(sales.length, 5);
    assert.deepEqual(
      sales.filter((s) => s.order_id === 101),
      [{ order_id: 101, brand: 'Acme', productname: 'Widget', amount: 36.5, ts: 8000 }],
    );
    await h.run(sqlFile('09-'));
    await h.run(sqlFile('10-'));
    const revenue = await h.table('SELECT window_start, window_end, total_revenue FROM incremental_revenue');
    // 4 x 20 + 36.5 = 116.5, into DECIMAL(10, 0)
    assert.deepEqual(revenue, [{ window_start: 0, window_end: 10_000, total_revenue: 117 }]);
  });
});
