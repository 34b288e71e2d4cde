import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { TemporalJoinOperator } from '../../../src/engine/operators/temporal-join-operator.ts';
import { equiJoinKey } from '../../../src/engine/operators/join/join-rows.ts';
import type { Row } from '../../../src/types/row.ts';
import { changes, formatRow, inserts, random, run, snapshotEquivalence, start, type Step } from './join-harness.ts';

// orders [orderid, productid, orderdate]
//   JOIN products_with_pk FOR SYSTEM_TIME AS OF o.orderdate AS p ON p.productid = o.productid
// products [productid, price, updated_at]
function ordersJoinProducts(joinType: 'INNER' | 'LEFT', condition?: (joined: Row) => boolean): TemporalJoinOperator {
  return new TemporalJoinOperator({
    joinType,
    leftArity: 3,
    rightArity: 3,
    leftKey: equiJoinKey([1]),
    rightKey: equiJoinKey([0]),
    leftTimeIndex: 2,
    rightTimeIndex: 2,
    condition,
  });
}

const L = 0;
const R = 1;

/** Product 1 changes price at 2000 and 3200, product 2 is deleted at 2200, product 3 never exists. */
const SCRIPT: Step[] = [
  { input: R, batch: inserts([1, 100, 1000], [2, 50, 1000]) },
  // out of order, and one (13) before any version of its product
  { input: L, batch: inserts([10, 1, 1500], [11, 1, 2500], [12, 2, 1200], [13, 1, 900]) },
  // -U is ignored: the +U's time is when the old version ends
  { input: R, batch: changes(['-U', [1, 100, 1000]], ['+U', [1, 120, 2000]]) },
  { input: L, watermark: 3000 }, // the right side has no watermark yet: nothing is complete
  { input: R, watermark: 1600 }, // complete below 1600
  { input: L, batch: inserts([15, 2, 2300], [16, 2, 2100], [17, 3, 2000]) },
  { input: R, batch: changes(['-D', [2, 50, 2200]]) },
  { input: R, watermark: 2400 },
  { input: R, watermark: 5000 }, // combined: min(3000, 5000)
  { input: L, batch: inserts([18, 1, 2800]) }, // behind the watermark: joined at once
  { input: R, batch: changes(['+U', [1, 130, 3200]]) },
  { input: L, batch: inserts([19, 1, 3300], [20, 1, 3100]) },
  { input: L, watermark: 4000 },
];

describe('TemporalJoinOperator', () => {
  it('INNER: joins each order with the product version valid at its time, in time order', () => {
    const { op, ctx } = start(ordersJoinProducts('INNER'));
    const out: string[][] = [];
    for (const step of SCRIPT) {
      run(op, ctx, [step]);
      out.push(ctx.drain());
    }
    assert.deepEqual(out, [
      [],
      [],
      [],
      [], // watermark of the left only: the combined watermark is still the right's (none)
      ['+I[12, 2, 1200, 2, 50, 1000]', '+I[10, 1, 1500, 1, 100, 1000]'], // 13 (at 900) has no version yet
      [],
      [],
      ['+I[16, 2, 2100, 2, 50, 1000]'], // 17: no product 3; 15: product 2 deleted at 2200
      ['+I[11, 1, 2500, 1, 120, 2000]'],
      ['+I[18, 1, 2800, 1, 120, 2000]'],
      [],
      [],
      ['+I[20, 1, 3100, 1, 120, 2000]', '+I[19, 1, 3300, 1, 130, 3200]'],
    ]);
    assert.equal(ctx.metrics.recordsIn, 16);
    assert.equal(ctx.metrics.recordsOut, 7);
    // Product 1 keeps only its version at 3200 (the latest at or before 4000); product 2 is gone.
    assert.deepEqual(op.stateSize(), { pendingLeft: 0, versionedKeys: 1 });
  });

  it('LEFT: pads orders without a valid version', () => {
    const { op, ctx } = start(ordersJoinProducts('LEFT'));
    run(op, ctx, SCRIPT);
    assert.deepEqual(ctx.all(), [
      '+I[13, 1, 900, null, null, null]',
      '+I[12, 2, 1200, 2, 50, 1000]',
      '+I[10, 1, 1500, 1, 100, 1000]',
      '+I[17, 3, 2000, null, null, null]',
      '+I[16, 2, 2100, 2, 50, 1000]',
      '+I[15, 2, 2300, null, null, null]',
      '+I[11, 1, 2500, 1, 120, 2000]',
      '+I[18, 1, 2800, 1, 120, 2000]',
      '+I[20, 1, 3100, 1, 120, 2000]',
      '+I[19, 1, 3300, 1, 130, 3200]',
    ]);
  });

  it('LEFT: a version failing the condition pads the row', () => {
    // ... AND p.price > 0
    const { op, ctx } = start(ordersJoinProducts('LEFT', (j) => (j[4] as number) > 0));
    run(op, ctx, [
      { input: R, batch: inserts([1, 0, 100], [1, 5, 200]) },
      { input: L, batch: inserts([1, 1, 150], [2, 1, 250], [3, null, 250]) },
      { input: L, watermark: 1000 },
      { input: R, watermark: 1000 },
    ]);
    assert.deepEqual(ctx.all(), ['+I[1, 1, 150, null, null, null]', '+I[2, 1, 250, 1, 5, 200]', '+I[3, null, 250, null, null, null]']);
  });

  it('a row exactly at the watermark waits until the watermark passes it', () => {
    const { op, ctx } = start(ordersJoinProducts('INNER'));
    run(op, ctx, [
      { input: R, batch: inserts([1, 100, 1000]) },
      { input: L, batch: inserts([1, 1, 2000]) },
      { input: L, watermark: 2000 },
      { input: R, watermark: 2000 },
    ]);
    assert.deepEqual(ctx.drain(), []);
    // a new version at 2000 still arrives in time (it is not late) and is the one chosen
    run(op, ctx, [{ input: R, batch: changes(['+U', [1, 110, 2000]]) }, { input: L, watermark: 2001 }, { input: R, watermark: 2001 }]);
    assert.deepEqual(ctx.drain(), ['+I[1, 1, 2000, 1, 110, 2000]']);
  });

  it('state TTL expires versions of keys not looked up, counted in stateExpired', () => {
    const { op, ctx } = start(ordersJoinProducts('INNER'), 1000);
    run(op, ctx, [
      { input: R, batch: inserts([1, 100, 0]), now: 10 },
      { input: L, batch: inserts([10, 1, 100]), now: 500 }, // the lookup refreshes product 1
      { input: L, batch: inserts([11, 1, 200]), now: 1400 }, // 900 ms after the last access: alive
      { input: L, watermark: 1000 },
      { input: R, watermark: 1000 },
    ]);
    assert.deepEqual(ctx.drain(), ['+I[10, 1, 100, 1, 100, 0]', '+I[11, 1, 200, 1, 100, 0]']);
    run(op, ctx, [
      { input: L, batch: inserts([12, 1, 1100]), now: 2500 }, // 1100 ms idle: expired first
      { input: L, watermark: 2000 },
      { input: R, watermark: 2000 },
    ]);
    assert.deepEqual(ctx.drain(), []);
    assert.equal(ctx.metrics.stateExpired, 1);
  });

  it('a watermark of +Infinity (end of input) flushes every buffered row', () => {
    const { op, ctx } = start(ordersJoinProducts('LEFT'));
    run(op, ctx, [
      { input: R, batch: inserts([1, 100, 1000]) },
      { input: L, batch: inserts([1, 1, 5000], [2, 1, 999]) },
      { input: L, watermark: Infinity },
      { input: R, watermark: Infinity },
    ]);
    assert.deepEqual(ctx.all(), ['+I[2, 1, 999, null, null, null]', '+I[1, 1, 5000, 1, 100, 1000]']);
  });

  it('snapshot mid-stream, restored into a fresh operator, continues identically', () => {
    for (const type of ['INNER', 'LEFT'] as const) {
      for (const cut of [2, 6, 8, 10]) {
        const { whole, resumed } = snapshotEquivalence(() => ordersJoinProducts(type), SCRIPT, cut);
        assert.deepEqual(resumed, whole, `${type} cut at ${cut}`);
      }
    }
  });

  it('randomized: equals the as-of lookup over the whole versioned table when no row is late', () => {
    for (let seed = 1; seed <= 20; seed++) {
      const next = random(seed);
      const type = seed % 2 === 0 ? 'INNER' : 'LEFT';
      const { op, ctx } = start(ordersJoinProducts(type));
      const versions: { key: number; time: number; row: Row | null; seq: number }[] = [];
      const orders: Row[] = [];
      const marks = [-Infinity, -Infinity];
      const newest = [0, 0];
      for (let step = 0; step < 200; step++) {
        const side = next() < 0.5 ? 0 : 1;
        // not late: at or after the input's watermark, up to 50 ms out of order
        const time = Math.max(marks[side]!, newest[side]! - 50) + Math.floor(next() * 80);
        newest[side] = Math.max(newest[side]!, time);
        const key = Math.floor(next() * 4);
        if (side === 0) {
          const row = [step, key, time];
          orders.push(row);
          op.processBatch(L, inserts(row));
        } else {
          const deleted = next() < 0.2;
          const row = [key, step, time];
          versions.push({ key, time, row: deleted ? null : row, seq: step });
          op.processBatch(R, changes([deleted ? '-D' : '+U', row]));
        }
        if (next() < 0.3) {
          marks[side] = Math.max(marks[side]!, newest[side]! - 60);
          op.onWatermark(side, marks[side]!);
        }
      }
      op.onWatermark(L, Infinity);
      op.onWatermark(R, Infinity);
      const expected: string[] = [];
      for (const order of orders) {
        const valid = versions
          .filter((v) => v.key === order[1] && v.time <= (order[2] as number))
          .sort((a, b) => a.time - b.time || a.seq - b.seq)
          .at(-1);
        if (valid?.row) expected.push(formatRow([...order, ...valid.row]));
        else if (type === 'LEFT') expected.push(formatRow([...order, null, null, null]));
      }
      assert.deepEqual(ctx.all().sort(), expected.sort(), `seed ${seed}`);
      const times = ctx.all().map((r) => Number(r.slice(2, -1).split(', ')[2]));
      assert.deepEqual(times, [...times].sort((a, b) => a - b), `seed ${seed}: emitted in left time order`);
    }
  });
});
