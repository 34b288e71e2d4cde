/**
 * The walkthrough's joins, wired by hand the way the planner will wire them:
 *   orders ⋈ order_items ⋈ customers (regular joins, state TTL 7 days)
 *     ⋈ products_with_pk FOR SYSTEM_TIME AS OF o.orderdate (temporal join)
 *   then sales: payments ⋈ orders ON order id AND orderdate BETWEEN ts - 96 h AND ts (interval join)
 */
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { RegularJoinOperator } from '../../../src/engine/operators/join-operator.ts';
import { TemporalJoinOperator } from '../../../src/engine/operators/temporal-join-operator.ts';
import { IntervalJoinOperator } from '../../../src/engine/operators/interval-join-operator.ts';
import { equiJoinKey } from '../../../src/engine/operators/join/join-rows.ts';
import { newMetrics, type Operator, type OperatorContext } from '../../../src/engine/operator.ts';
import { changes, CollectingContext, inserts } from './join-harness.ts';
import type { ChangeBatch, Row } from '../../../src/types/row.ts';

const DAY = 24 * 3600 * 1000;
const HOUR = 3600 * 1000;

/** A context that hands every emitted batch to input `input` of the next operator. */
function feeding(next: Operator, input: number): OperatorContext {
  return { metrics: newMetrics(), stateTtlMs: 7 * DAY, now: () => 0, emit: (batch: ChangeBatch) => next.processBatch(input, batch) };
}

describe('walkthrough joins', () => {
  it('orders data product (4-way join) and sales (interval join)', () => {
    // orders [orderid, customerid, orderdate, status]; order_items [orderitemid, orderid, productid, quantity]
    const ordersItems = new RegularJoinOperator({ joinType: 'INNER', leftArity: 4, rightArity: 4, leftKey: equiJoinKey([0]), rightKey: equiJoinKey([1]) });
    // + customers [customerid, customername] on o.customerid (column 1)
    const withCustomers = new RegularJoinOperator({ joinType: 'INNER', leftArity: 8, rightArity: 2, leftKey: equiJoinKey([1]), rightKey: equiJoinKey([0]) });
    // + products_with_pk [productid, brand, productname, price, updated_at] as of o.orderdate (2), on oi.productid (6)
    const withProducts = new TemporalJoinOperator({
      joinType: 'INNER',
      leftArity: 10,
      rightArity: 5,
      leftKey: equiJoinKey([6]),
      rightKey: equiJoinKey([0]),
      leftTimeIndex: 2,
      rightTimeIndex: 4,
      condition: (j) => j[12] !== '' && (j[13] as number) > 0, // WHERE p.productname <> '' AND p.price > 0
    });
    const orders = new CollectingContext();
    ordersItems.open(feeding(withCustomers, 0));
    withCustomers.open(feeding(withProducts, 0));
    withProducts.open(orders);

    withProducts.processBatch(1, inserts([100, 'acme', 'anvil', 10, 0], [200, 'bolt', 'bolt', 5, 0], [300, 'cork', '', 7, 0]));
    withCustomers.processBatch(1, inserts([1, 'ann'], [2, 'bob']));
    ordersItems.processBatch(0, inserts([1, 1, 1000, 'Completed'], [2, 2, 2000, 'Pending']));
    ordersItems.processBatch(1, inserts([10, 1, 100, 2], [11, 1, 200, 1], [12, 2, 100, 3], [13, 2, 300, 1]));
    withProducts.processBatch(1, changes(['+U', [100, 'acme', 'anvil', 12, 1500]]));
    withProducts.onWatermark(0, 2500);
    withProducts.onWatermark(1, 2500);

    // SELECT o.orderdate, o.orderid, cu.customername, p.productid, oi.orderitemid, p.brand, p.price, oi.quantity, oi.quantity * p.price
    const project = (j: Row): Row => [j[2], j[0], j[9], j[10], j[4], j[11], j[13], j[7], (j[7] as number) * (j[13] as number)];
    const ordersRows = orders.batches.flatMap((b) => b.rows.map(project));
    assert.deepEqual(ordersRows, [
      [1000, 1, 'ann', 100, 10, 'acme', 10, 2, 20],
      [1000, 1, 'ann', 200, 11, 'bolt', 5, 1, 5],
      [2000, 2, 'bob', 100, 12, 'acme', 12, 3, 36], // the price valid at the order's time
    ]);

    // sales: payments [order_id, amount, ts] ⋈ orders (projected as above) on order id,
    // orderdate (column 0) between ts - 96 h and ts
    const sales = new IntervalJoinOperator({
      joinType: 'INNER',
      leftArity: 3,
      rightArity: 9,
      leftKey: equiJoinKey([0]),
      rightKey: equiJoinKey([1]),
      leftTimeIndex: 2,
      rightTimeIndex: 0,
      lowerBoundMs: -96 * HOUR,
      upperBoundMs: 0,
    });
    const salesOut = new CollectingContext();
    sales.open(salesOut);
    sales.processBatch(1, inserts(...ordersRows));
    sales.onWatermark(1, 2000);
    sales.processBatch(0, inserts([1, 25.5, 1000 + HOUR], [2, 36, 2000 + 97 * HOUR]));
    // SELECT pymt.order_id, ord.brand, ord.productname..., pymt.amount, pymt.ts
    assert.deepEqual(
      salesOut.batches.flatMap((b) => b.rows.map((j) => [j[0], j[8], j[1], j[2]])),
      [
        [1, 'acme', 25.5, 1000 + HOUR],
        [1, 'bolt', 25.5, 1000 + HOUR],
      ], // payment 2 comes 97 h after its order: outside the interval
    );
  });
});
