/**
 * Keeps the commerce database alive: one order (with 1-5 items) per tick, and now and then a
 * product price/stock update or a product delete, so the temporal join ("the product as it was
 * when the order was placed") and the `__deleted` flag have something to show.
 *
 * Determinism: each tick draws from its own random stream, seeded by (seed, order id). The same
 * seed on the same seeded database therefore writes the same rows, also across a restart of the
 * generator. Update and delete rates are probabilities per tick (not per second) for the same
 * reason: wall-clock jitter must not change what is written.
 *
 * Product deletes respect the faithful DDL (order_items → products is ON DELETE NO ACTION): only
 * products that no order item refers to are deleted, and a deleted product is never used again.
 */
import { makeProduct, pickStatus, repricedText, utcTimestampText } from './commerce-rows.ts';
import { RANDOM_STREAMS } from './commerce-seed.ts';
import { SeededRandom } from './seeded-random.ts';
import { inTransaction, type SqlRunner } from './sql-runner.ts';

export interface CommerceGeneratorOptions {
  seed: number;
  /** Orders written per second (default 1, like the original). */
  ordersPerSecond?: number;
  /** Probability per tick of updating one product's price and stock (default 0.2). */
  productUpdateProbability?: number;
  /** Probability per tick of deleting one unreferenced product (default 0.02). */
  productDeleteProbability?: number;
  /** Probability per tick of adding a new product (default 0.02), so deletes do not drain the catalog. */
  productInsertProbability?: number;
  /** Clock for order dates (UTC wall-clock time in the TIMESTAMP column). */
  now?: () => Date;
  /** Called after each committed order (the payments service follows orders this way). */
  onOrder?: (order: GeneratedOrder) => void;
  /** Called when a tick fails; the generator keeps going. */
  onError?: (error: unknown) => void;
}

export interface GeneratedOrderItem {
  orderitemid: number;
  productid: number;
  quantity: number;
  /** The product's price when the order was written (exact decimal text). */
  price: string;
}

export interface GeneratedOrder {
  orderid: number;
  customerid: number;
  orderdate: string;
  status: string;
  items: GeneratedOrderItem[];
}

export interface CommerceGeneratorStats {
  orders: number;
  orderItems: number;
  productUpdates: number;
  productInserts: number;
  productDeletes: number;
  errors: number;
  lastError: string | undefined;
  running: boolean;
}

const RECENT_ORDERS_KEPT = 1000;

export class CommerceGenerator {
  private readonly options: Required<Omit<CommerceGeneratorOptions, 'onOrder' | 'onError'>> & Pick<CommerceGeneratorOptions, 'onOrder' | 'onError'>;
  private customerIds: number[] = [];
  /** Live products and their current price. */
  private readonly prices = new Map<number, string>();
  /** Products some order item refers to: the foreign key forbids deleting them. */
  private readonly referenced = new Set<number>();
  private nextOrderId = 1;
  private nextItemId = 1;
  private nextProductId = 1;
  private loaded = false;
  private timer: NodeJS.Timeout | undefined;
  private inFlight: Promise<void> | undefined;
  private readonly recent: GeneratedOrder[] = [];
  private readonly counters = { orders: 0, orderItems: 0, productUpdates: 0, productInserts: 0, productDeletes: 0, errors: 0 };
  private lastError: string | undefined;
  private serial: Promise<unknown> = Promise.resolve();

  constructor(
    private readonly pg: SqlRunner,
    options: CommerceGeneratorOptions,
  ) {
    this.options = {
      ordersPerSecond: 1,
      productUpdateProbability: 0.2,
      productDeleteProbability: 0.02,
      productInsertProbability: 0.02,
      now: () => new Date(),
      ...options,
    };
    if (!(this.options.ordersPerSecond > 0)) throw new RangeError('ordersPerSecond must be positive');
  }

  get stats(): CommerceGeneratorStats {
    return { ...this.counters, lastError: this.lastError, running: this.timer !== undefined };
  }

  /** The last orders written (newest last), for services that must refer to existing orders. */
  recentOrders(limit = 100): GeneratedOrder[] {
    return this.recent.slice(-limit);
  }

  /** Starts writing at the configured rate (loads ids and products from the database first). */
  async start(): Promise<void> {
    if (this.timer) return;
    await this.load();
    const intervalMs = 1000 / this.options.ordersPerSecond;
    let due = performance.now() + intervalMs;
    const schedule = (): void => {
      this.timer = setTimeout(() => {
        this.inFlight = this.tick()
          .then(
            () => undefined,
            (error: unknown) => this.recordError(error),
          )
          .finally(() => {
            this.inFlight = undefined;
            if (!this.timer) return;
            // Fixed rate without drift; after a slow tick, carry on from now rather than burst.
            due = Math.max(due + intervalMs, performance.now());
            schedule();
          });
      }, Math.max(0, due - performance.now()));
    };
    schedule();
  }

  /** Stops after the tick in progress, if any, has committed. */
  async stop(): Promise<void> {
    if (this.timer) clearTimeout(this.timer);
    this.timer = undefined;
    await this.inFlight;
  }

  /**
   * Writes one tick now: an order with its items, maybe a product change. Ticks never overlap
   * (a manual tick waits for the timer's), so ids and the random streams stay in order.
   */
  tick(): Promise<GeneratedOrder> {
    const next = this.serial.then(() => this.writeTick());
    this.serial = next.catch(() => undefined);
    return next;
  }

  private async writeTick(): Promise<GeneratedOrder> {
    if (!this.loaded) await this.load();
    const orderid = this.nextOrderId;
    const random = new SeededRandom(this.options.seed, RANDOM_STREAMS.ticks, orderid);
    const order = this.draftOrder(random, orderid);
    await inTransaction(this.pg, async () => {
      await this.pg.query('INSERT INTO orders (orderid, customerid, orderdate, status) VALUES ($1, $2, $3, $4)', [
        order.orderid, order.customerid, order.orderdate, order.status,
      ]);
      for (const item of order.items) {
        await this.pg.query('INSERT INTO order_items (orderitemid, orderid, productid, quantity) VALUES ($1, $2, $3, $4)', [
          item.orderitemid, orderid, item.productid, item.quantity,
        ]);
      }
    });
    this.nextOrderId++;
    this.nextItemId += order.items.length;
    for (const item of order.items) this.referenced.add(item.productid);
    this.counters.orders++;
    this.counters.orderItems += order.items.length;
    this.recent.push(order);
    if (this.recent.length > RECENT_ORDERS_KEPT) this.recent.shift();
    this.options.onOrder?.(order);

    if (random.chance(this.options.productUpdateProbability)) await this.updateProduct(random);
    if (random.chance(this.options.productInsertProbability)) await this.insertProduct(random);
    if (random.chance(this.options.productDeleteProbability)) await this.deleteProduct(random);
    return order;
  }

  private draftOrder(random: SeededRandom, orderid: number): GeneratedOrder {
    const live = [...this.prices.keys()];
    if (live.length === 0 || this.customerIds.length === 0) throw new Error('no customers or products to order: seed the database first');
    const items: GeneratedOrderItem[] = [];
    const count = random.int(1, 5);
    for (let k = 0; k < count; k++) {
      const productid = random.pick(live);
      items.push({ orderitemid: this.nextItemId + k, productid, quantity: random.int(1, 10), price: this.prices.get(productid) ?? '0.00' });
    }
    return {
      orderid,
      customerid: random.pick(this.customerIds),
      orderdate: utcTimestampText(this.options.now()),
      status: pickStatus(random),
      items,
    };
  }

  private async updateProduct(random: SeededRandom): Promise<void> {
    const productid = random.pick([...this.prices.keys()]);
    const price = repricedText(random, this.prices.get(productid) ?? '1.00');
    const stock = random.int(0, 500);
    await this.pg.query('UPDATE products SET price = $2, stock = $3 WHERE productid = $1', [productid, price, stock]);
    this.prices.set(productid, price);
    this.counters.productUpdates++;
  }

  private async insertProduct(random: SeededRandom): Promise<void> {
    const product = makeProduct(random, this.nextProductId);
    await this.pg.query(
      `INSERT INTO products (productid, brand, productname, category, description, color, size, price, stock)
       VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)`,
      [product.productid, product.brand, product.productname, product.category, product.description, product.color, product.size, product.price, product.stock],
    );
    this.prices.set(product.productid, product.price);
    this.nextProductId++;
    this.counters.productInserts++;
  }

  private async deleteProduct(random: SeededRandom): Promise<void> {
    const candidates = [...this.prices.keys()].filter((id) => !this.referenced.has(id));
    // Keep a catalog to sell from: never delete below a handful of live products.
    if (candidates.length === 0 || this.prices.size <= 10) return;
    const productid = random.pick(candidates);
    // The NOT EXISTS guard also covers items written by someone else than this generator.
    const result = await this.pg.query(
      'DELETE FROM products WHERE productid = $1 AND NOT EXISTS (SELECT 1 FROM order_items WHERE productid = $1)',
      [productid],
    );
    if (result.rowCount === 0) {
      this.referenced.add(productid);
      return;
    }
    this.prices.delete(productid);
    this.counters.productDeletes++;
  }

  /** Reads what the generator must know from the database, so it continues any seeded state. */
  private async load(): Promise<void> {
    const customers = await this.pg.query<{ customerid: number }>('SELECT customerid FROM customers ORDER BY customerid');
    this.customerIds = customers.rows.map((row) => row.customerid);
    const products = await this.pg.query<{ productid: number; price: string }>('SELECT productid, price::text AS price FROM products ORDER BY productid');
    this.prices.clear();
    for (const row of products.rows) this.prices.set(row.productid, row.price);
    const referenced = await this.pg.query<{ productid: number }>('SELECT DISTINCT productid FROM order_items');
    this.referenced.clear();
    for (const row of referenced.rows) this.referenced.add(row.productid);
    const next = await this.pg.query<{ orderid: number; orderitemid: number; productid: number }>(`SELECT
      (SELECT coalesce(max(orderid), 0)::int + 1 FROM orders) AS orderid,
      (SELECT coalesce(max(orderitemid), 0)::int + 1 FROM order_items) AS orderitemid,
      (SELECT coalesce(max(productid), 0)::int + 1 FROM products) AS productid`);
    this.nextOrderId = next.rows[0]?.orderid ?? 1;
    this.nextItemId = next.rows[0]?.orderitemid ?? 1;
    this.nextProductId = next.rows[0]?.productid ?? 1;
    this.loaded = true;
  }

  private recordError(error: unknown): void {
    this.counters.errors++;
    this.lastError = error instanceof Error ? error.message : String(error);
    this.options.onError?.(error);
    // The in-memory view may be off after a failed write: reload before the next tick.
    this.loaded = false;
  }
}

/** Recent orders straight from the database, for a process that does not run the generator. */
export async function queryRecentOrders(pg: SqlRunner, limit = 100): Promise<GeneratedOrder[]> {
  const result = await pg.query<{ orderid: number; customerid: number; orderdate: string; status: string; items: GeneratedOrderItem[] }>(
    `SELECT o.orderid, o.customerid, to_char(o.orderdate, 'YYYY-MM-DD HH24:MI:SS.MS') AS orderdate, o.status,
            coalesce(json_agg(json_build_object('orderitemid', oi.orderitemid, 'productid', oi.productid,
              'quantity', oi.quantity, 'price', p.price::text) ORDER BY oi.orderitemid)
              FILTER (WHERE oi.orderitemid IS NOT NULL), '[]') AS items
       FROM (SELECT * FROM orders ORDER BY orderid DESC LIMIT $1) o
       LEFT JOIN order_items oi ON oi.orderid = o.orderid
       LEFT JOIN products p ON p.productid = oi.productid
      GROUP BY o.orderid, o.customerid, o.orderdate, o.status
      ORDER BY o.orderid`,
    [limit],
  );
  return result.rows;
}
