/**
 * The acceptance test of the scenario: run the demo for a while, then check from the topics
 * what the walkthrough promises — and recompute the orders data product independently from the
 * CDC history (the product's version at each order's time).
 */
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { runDemo, type DemoResult } from '../../src/demo/demo.ts';
import { decodeTopic } from '../../src/demo/demo-report.ts';
import { startPlatform, type RunningPlatform } from '../../src/platform.ts';
import { RegistrySchemaStore } from '../../src/sql/catalog/schema-store.ts';

describe('the shift-left scenario end to end (shiftleft demo)', () => {
  let dataDir: string;
  let result: DemoResult;
  const lines: string[] = [];
  let platform: RunningPlatform | undefined;

  before(async () => {
    dataDir = mkdtempSync(join(tmpdir(), 'shiftleft-demo-'));
    result = await runDemo({
      dataDir,
      durationSeconds: 25,
      ordersPerSecond: 4,
      paymentsPerSecond: 4,
      seed: 7,
      port: 0,
      registryPort: 0,
      reset: false,
      progressIntervalMs: 5000,
      out: (line) => lines.push(line),
    });
  });

  after(async () => {
    await platform?.close();
    rmSync(dataDir, { recursive: true, force: true });
  });

  it('passes every check of the final report', () => {
    for (const check of result.checks) assert.ok(check.ok, `${check.name}: ${check.detail}\n${lines.join('\n')}`);
    assert.ok(result.progress.topics.payments! > 20, 'payments flowed');
    assert.ok(result.progress.paymentsRefused > 0, 'the contract refused invalid payments');
    assert.ok(result.progress.statements.length >= 5 && result.progress.statements.every((s) => s.status !== 'FAILED'), JSON.stringify(result.progress.statements));
    assert.ok(result.checks.some((c) => c.name.startsWith('warehouse table orders')), 'the warehouse was checked');
  });

  it('builds every order line from the product version valid at the order time', async () => {
    platform = await startPlatform({ dataDir, port: 0, registryPort: 0 });
    const schemas = new RegistrySchemaStore(platform.urls.registry);
    const read = (topic: string) => decodeTopic(platform!.log, schemas, topic);
    const customers = new Map((await read('shiftleft.public.customers')).map((c) => [c.row.customerid, c.row]));
    const orders = new Map((await read('shiftleft.public.orders')).map((o) => [o.row.orderid, o.row]));
    const items = new Map((await read('shiftleft.public.order_items')).map((i) => [i.row.orderitemid, i.row]));
    const versions = new Map<unknown, { time: number; row: Record<string, unknown> }[]>();
    for (const p of await read('shiftleft.public.products')) {
      const list = versions.get(p.row.productid) ?? [];
      list.push({ time: p.timestamp, row: p.row });
      versions.set(p.row.productid, list);
    }
    const lines = await read('orders');
    assert.ok(lines.length > 20, `order lines were built (${lines.length})`);
    const seen = new Set<unknown>();
    for (const { row } of lines) {
      assert.ok(!seen.has(row.orderitemid), `order item ${String(row.orderitemid)} appears once`);
      seen.add(row.orderitemid);
      const item = items.get(row.orderitemid)!;
      const order = orders.get(item.orderid)!;
      const customer = customers.get(order.customerid)!;
      const orderTime = Number(order.orderdate);
      const valid = (versions.get(item.productid) ?? []).filter((v) => v.time <= orderTime).sort((a, b) => a.time - b.time).at(-1);
      assert.ok(valid && valid.row.__deleted !== 'true', `product ${String(item.productid)} had a version at order ${String(order.orderid)}`);
      const price = Math.trunc(Number(valid.row.price));
      assert.deepEqual(
        { orderid: row.orderid, customername: row.customername, productid: row.productid, brand: row.brand, productname: row.productname, price: row.price, quantity: row.quantity, total_amount: row.total_amount, orderdate: row.orderdate },
        { orderid: order.orderid, customername: customer.customername, productid: item.productid, brand: valid.row.brand, productname: valid.row.productname, price, quantity: item.quantity, total_amount: Number(item.quantity) * price, orderdate: order.orderdate },
      );
    }
  });
});
