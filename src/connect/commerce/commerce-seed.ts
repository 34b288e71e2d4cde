/**
 * Seeds the commerce tables like the original generator: about 50 customers, 300 products,
 * 50 orders and 150 order items, all derived from one seed (and the injected clock for order
 * dates), so two seeded databases hold identical rows.
 */
import { makeCustomer, makeProduct, pickStatus, utcTimestampText, type CustomerRow, type OrderItemRow, type OrderRow, type ProductRow } from './commerce-rows.ts';
import { SeededRandom } from './seeded-random.ts';
import { inTransaction, type SqlRunner } from './sql-runner.ts';

export interface SeedOptions {
  seed: number;
  customers?: number;
  products?: number;
  orders?: number;
  /** Total order items, spread over the orders with 1 to 5 per order. */
  orderItems?: number;
  /** The clock seeded order dates are relative to (they spread over the 30 days before now). */
  now?: () => Date;
}

export interface SeedResult {
  /** False when the tables already held data and nothing was written. */
  seeded: boolean;
  customers: number;
  products: number;
  orders: number;
  orderItems: number;
}

/** Independent random streams per table, so changing one count does not reshuffle the others. */
export const RANDOM_STREAMS = { customers: 1, products: 2, orders: 3, ticks: 4 } as const;

const DAY_MS = 86_400_000;

export async function seedCommerce(pg: SqlRunner, options: SeedOptions): Promise<SeedResult> {
  const existing = await pg.query<{ n: number }>('SELECT count(*)::int AS n FROM customers');
  if ((existing.rows[0]?.n ?? 0) > 0) return { seeded: false, ...(await countCommerceRows(pg)) };

  const counts = {
    customers: options.customers ?? 50,
    products: options.products ?? 300,
    orders: options.orders ?? 50,
    orderItems: options.orderItems ?? 150,
  };
  if (counts.orderItems < counts.orders || counts.orderItems > counts.orders * 5) {
    throw new RangeError(`orderItems must be between orders (${counts.orders}) and 5 × orders`);
  }
  const customerRandom = new SeededRandom(options.seed, RANDOM_STREAMS.customers);
  const customers: CustomerRow[] = [];
  for (let id = 1; id <= counts.customers; id++) customers.push(makeCustomer(customerRandom, id));

  const productRandom = new SeededRandom(options.seed, RANDOM_STREAMS.products);
  const products: ProductRow[] = [];
  for (let id = 1; id <= counts.products; id++) products.push(makeProduct(productRandom, id));

  const { orders, items } = seedOrders(new SeededRandom(options.seed, RANDOM_STREAMS.orders), counts, (options.now ?? (() => new Date()))());

  await inTransaction(pg, async () => {
    await insertRows(pg, 'customers', customers);
    await insertRows(pg, 'products', products);
    await insertRows(pg, 'orders', orders);
    await insertRows(pg, 'order_items', items);
  });
  return { seeded: true, ...counts };
}

function seedOrders(
  random: SeededRandom,
  counts: { customers: number; products: number; orders: number; orderItems: number },
  now: Date,
): { orders: OrderRow[]; items: OrderItemRow[] } {
  // Every order gets one item, the rest are dealt out randomly with at most five per order.
  const perOrder = new Array<number>(counts.orders).fill(1);
  for (let left = counts.orderItems - counts.orders; left > 0; ) {
    const index = random.int(0, counts.orders - 1);
    if ((perOrder[index] ?? 0) < 5) {
      perOrder[index] = (perOrder[index] ?? 0) + 1;
      left--;
    }
  }
  const orders: OrderRow[] = [];
  const items: OrderItemRow[] = [];
  const spanMs = 30 * DAY_MS;
  for (let i = 0; i < counts.orders; i++) {
    const orderid = i + 1;
    // Dates increase with the order id, like a real order log, spread over the past 30 days.
    const slot = spanMs / counts.orders;
    const at = new Date(now.getTime() - spanMs + i * slot + Math.floor(random.next() * slot));
    orders.push({ orderid, customerid: random.int(1, counts.customers), orderdate: utcTimestampText(at), status: pickStatus(random) });
    for (let k = 0; k < (perOrder[i] ?? 1); k++) {
      items.push({ orderitemid: items.length + 1, orderid, productid: random.int(1, counts.products), quantity: random.int(1, 10) });
    }
  }
  return { orders, items };
}

/** Multi-row INSERT with parameters; column names come from our own row types. */
export async function insertRows(pg: SqlRunner, table: string, rows: readonly object[]): Promise<void> {
  if (rows.length === 0) return;
  const columns = Object.keys(rows[0] as object);
  const values: unknown[] = [];
  const tuples = rows.map((row) => {
    const record = row as Record<string, unknown>;
    const placeholders = columns.map((column) => {
      values.push(record[column]);
      return `$${values.length}`;
    });
    return `(${placeholders.join(', ')})`;
  });
  await pg.query(`INSERT INTO ${table} (${columns.join(', ')}) VALUES ${tuples.join(', ')}`, values);
}

export async function countCommerceRows(pg: SqlRunner): Promise<Omit<SeedResult, 'seeded'>> {
  const result = await pg.query<{ customers: number; products: number; orders: number; order_items: number }>(`SELECT
    (SELECT count(*)::int FROM customers) AS customers, (SELECT count(*)::int FROM products) AS products,
    (SELECT count(*)::int FROM orders) AS orders, (SELECT count(*)::int FROM order_items) AS order_items`);
  const row = result.rows[0];
  return { customers: row?.customers ?? 0, products: row?.products ?? 0, orders: row?.orders ?? 0, orderItems: row?.order_items ?? 0 };
}
