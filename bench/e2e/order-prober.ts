/**
 * Writes the bench's own orders into the commerce database at a steady rate, each one order
 * with one item, and remembers when each commit was acknowledged.
 *
 * Ids are negative (-1, -2, ...): the commerce generator keeps writing positive ids (max + 1)
 * next to them and the payments service pays the highest ids, so neither collides with nor pays
 * the bench's orders, and the warehouse tells them apart by sign. Customer and product are real
 * rows, so the orders data product (4-way join + temporal join on the product) keeps them.
 */
import pg from 'pg';
import { utcTimestampText } from '../../src/connect/commerce/commerce-rows.ts';
import { ShiftleftError } from '../../src/common/errors.ts';

export interface ProbeOrder {
  orderid: number;
  /** performance.timeOrigin-based epoch ms when COMMIT was acknowledged. */
  committedAt: number;
}

const epochNow = (): number => performance.timeOrigin + performance.now();

export class OrderProber {
  private constructor(
    private readonly client: pg.Client,
    private readonly customerId: number,
    private readonly productIds: number[],
  ) {}

  private next = 1;

  static async open(connectionString: string): Promise<OrderProber> {
    const client = new pg.Client({ connectionString, application_name: 'shiftleft-bench-e2e' });
    await client.connect();
    const customer = await client.query<{ customerid: number }>('SELECT customerid FROM customers ORDER BY customerid LIMIT 1');
    // Products the data product keeps (productname <> '' AND price > 0); an order item refers to
    // them, so the generator never deletes them.
    const products = await client.query<{ productid: number }>("SELECT productid FROM products WHERE productname <> '' AND price >= 1 ORDER BY productid LIMIT 20");
    if (customer.rows.length === 0 || products.rows.length === 0) {
      await client.end();
      throw new ShiftleftError('SOURCE_MISCONFIGURED', 'the commerce database has no customers or products to order', { hint: 'the commerce-datagen connector seeds them; wait for it to start' });
    }
    return new OrderProber(client, customer.rows[0]!.customerid, products.rows.map((r) => r.productid));
  }

  /** One order and its item, in one transaction and one round trip. */
  async write(): Promise<ProbeOrder> {
    const n = this.next++;
    const orderid = -n;
    const productid = this.productIds[n % this.productIds.length]!;
    const orderdate = utcTimestampText(new Date());
    await this.client.query(
      `BEGIN;
       INSERT INTO orders (orderid, customerid, orderdate, status) VALUES (${orderid}, ${this.customerId}, '${orderdate}', 'PENDING');
       INSERT INTO order_items (orderitemid, orderid, productid, quantity) VALUES (${orderid}, ${orderid}, ${productid}, 1);
       COMMIT;`,
    );
    return { orderid, committedAt: epochNow() };
  }

  close(): Promise<void> {
    return this.client.end();
  }
}
