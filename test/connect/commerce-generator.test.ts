import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import type pg from 'pg';
import {
  COMMERCE_TABLES, CommerceGenerator, countCommerceRows, createCommerceSchema, queryRecentOrders, seedCommerce,
} from '../../src/connect/commerce/index.ts';
import { startTestServer, type TestServer } from './postgres-test-support.ts';

const fixedNow = () => new Date('2026-01-15T12:00:00.000Z');
let testServer: TestServer;
let dbA: pg.Client;
let dbB: pg.Client;

before(async () => {
  testServer = await startTestServer('commerce');
  dbA = await testServer.connect(await testServer.createDatabase('commerce_a'));
  dbB = await testServer.connect(await testServer.createDatabase('commerce_b'));
});
after(async () => {
  await testServer.close();
});

async function dump(client: pg.Client): Promise<Record<string, unknown[]>> {
  const tables: Record<string, unknown[]> = {};
  for (const table of COMMERCE_TABLES) {
    const result = await client.query(`SELECT * FROM ${table} ORDER BY 1`);
    tables[table] = result.rows;
  }
  return tables;
}

describe('commerce generator', () => {
  it('creates the four tables exactly as the reference DDL', async () => {
    await createCommerceSchema(dbA);
    await createCommerceSchema(dbA); // idempotent
    const columns = await dbA.query(`SELECT table_name, column_name, data_type, character_maximum_length AS len,
        numeric_precision AS p, numeric_scale AS s, is_nullable, column_default
      FROM information_schema.columns WHERE table_schema = 'public' ORDER BY table_name, ordinal_position`);
    const described = columns.rows.map((c) =>
      `${c.table_name}.${c.column_name} ${c.data_type}${c.len ? `(${c.len})` : ''}${c.data_type === 'numeric' ? `(${c.p},${c.s})` : ''}` +
      `${c.is_nullable === 'NO' ? ' NOT NULL' : ''}${c.column_default ? ` DEFAULT ${c.column_default}` : ''}`);
    assert.deepEqual(described, [
      'customers.customerid integer NOT NULL',
      'customers.customername character varying(255) NOT NULL',
      'customers.email character varying(255) NOT NULL',
      'customers.segment character varying(50) NOT NULL',
      'customers.address character varying(255) NOT NULL',
      'order_items.orderitemid integer NOT NULL',
      'order_items.orderid integer NOT NULL',
      'order_items.productid integer NOT NULL',
      'order_items.quantity integer NOT NULL',
      'orders.orderid integer NOT NULL',
      'orders.customerid integer NOT NULL',
      'orders.orderdate timestamp without time zone DEFAULT now()',
      'orders.status character varying(50) NOT NULL',
      'products.productid integer NOT NULL',
      'products.brand character varying(255) NOT NULL',
      'products.productname character varying(255) NOT NULL',
      'products.category character varying(100) NOT NULL',
      'products.description text',
      'products.color character varying(50)',
      'products.size character varying(50)',
      'products.price numeric(10,2) NOT NULL',
      'products.stock integer NOT NULL',
    ]);
    const constraints = await dbA.query(`SELECT conrelid::regclass::text AS tbl, contype, pg_get_constraintdef(oid) AS def
      FROM pg_constraint WHERE connamespace = 'public'::regnamespace AND contype <> 'n' ORDER BY 1, 2, 3`);
    assert.deepEqual(constraints.rows.map((c) => `${c.tbl} ${c.contype} ${c.def}`), [
      'customers p PRIMARY KEY (customerid)',
      'customers u UNIQUE (email)',
      'order_items f FOREIGN KEY (orderid) REFERENCES orders(orderid)',
      'order_items f FOREIGN KEY (productid) REFERENCES products(productid)',
      'order_items p PRIMARY KEY (orderitemid)',
      'orders f FOREIGN KEY (customerid) REFERENCES customers(customerid)',
      'orders p PRIMARY KEY (orderid)',
      'products p PRIMARY KEY (productid)',
    ]);
  });

  it('seeds the original counts with realistic values, and only once', async () => {
    const result = await seedCommerce(dbA, { seed: 42, now: fixedNow });
    assert.deepEqual(result, { seeded: true, customers: 50, products: 300, orders: 50, orderItems: 150 });
    assert.deepEqual(await seedCommerce(dbA, { seed: 42, now: fixedNow }), { ...result, seeded: false });
    const perOrder = await dbA.query('SELECT min(n)::int AS lo, max(n)::int AS hi FROM (SELECT count(*) n FROM order_items GROUP BY orderid) t');
    assert.deepEqual(perOrder.rows[0], { lo: 1, hi: 5 });
    const product = await dbA.query('SELECT price::text AS price, category FROM products WHERE productid = 1');
    assert.match(product.rows[0].price, /^\d+\.\d\d$/);
    const customer = await dbA.query('SELECT email, segment, address FROM customers WHERE customerid = 7');
    assert.match(customer.rows[0].email, /^[a-z.]+7@[a-z.]+$/);
    assert.ok(['Consumer', 'Corporate', 'Home Office'].includes(customer.rows[0].segment));
    const dates = await dbA.query("SELECT min(orderdate)::text AS lo, max(orderdate)::text AS hi FROM orders");
    assert.ok(dates.rows[0].lo >= '2025-12-16' && dates.rows[0].hi < '2026-01-15 12:00:00', JSON.stringify(dates.rows[0]));
  });

  it('is deterministic: same seed and clock → identical rows, ticks included', async () => {
    await createCommerceSchema(dbB);
    await seedCommerce(dbB, { seed: 42, now: fixedNow });
    const options = { seed: 42, now: fixedNow, productUpdateProbability: 0.5, productDeleteProbability: 0.3, productInsertProbability: 0.2 };
    const genA = new CommerceGenerator(dbA, options);
    const genB = new CommerceGenerator(dbB, options);
    for (let i = 0; i < 40; i++) {
      await genA.tick();
      await genB.tick();
    }
    assert.deepEqual(await dump(dbA), await dump(dbB));
    const stats = genA.stats;
    assert.equal(stats.orders, 40);
    assert.ok(stats.productUpdates > 5 && stats.productDeletes > 0 && stats.productInserts > 0, JSON.stringify(stats));
    assert.deepEqual(await countCommerceRows(dbA), { customers: 50, products: 300 + stats.productInserts - stats.productDeletes, orders: 90, orderItems: 150 + stats.orderItems });
    // A deleted product never shows up in a later order (the FK would refuse anyway).
    const orphans = await dbA.query('SELECT count(*)::int AS n FROM order_items oi LEFT JOIN products p USING (productid) WHERE p.productid IS NULL');
    assert.equal(orphans.rows[0].n, 0);
    // Another seed writes other data.
    const other = await testServer.connect(await testServer.createDatabase('commerce_c'));
    await createCommerceSchema(other);
    await seedCommerce(other, { seed: 7, now: fixedNow });
    assert.notDeepEqual((await dump(other)).customers, (await dump(dbB)).customers);
  });

  it('writes at the configured rate and exposes recent orders for the payments service', async () => {
    const seen: number[] = [];
    const generator = new CommerceGenerator(dbA, { seed: 42, ordersPerSecond: 50, onOrder: (order) => seen.push(order.orderid) });
    await generator.start();
    await new Promise((resolve) => setTimeout(resolve, 500));
    await generator.stop();
    const { orders, errors, running } = generator.stats;
    assert.equal(running, false);
    assert.equal(errors, 0);
    // Never faster than the rate; slower only when the machine is busy.
    assert.ok(orders >= 3 && orders <= 27, `orders written in 0.5 s at 50/s: ${orders}`);
    assert.deepEqual(generator.recentOrders(1000).map((o) => o.orderid), seen);
    const fromDb = await queryRecentOrders(dbA, 5);
    assert.deepEqual(fromDb.map((o) => o.orderid), seen.slice(-5));
    const last = generator.recentOrders(1)[0];
    assert.deepEqual(fromDb.at(-1)?.items.map((i) => i.productid), last?.items.map((i) => i.productid));
    assert.equal(fromDb.at(-1)?.customerid, last?.customerid);
  });
});
