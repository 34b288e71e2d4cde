import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { IntervalJoinOperator } from '../../../src/engine/operators/interval-join-operator.ts';
import { equiJoinKey, type JoinType } from '../../../src/engine/operators/join/join-rows.ts';
import { isShiftleftError } from '../../../src/common/errors.ts';
import { changes, formatRow, inserts, random, run, snapshotEquivalence, start, type Step } from './join-harness.ts';
import type { Row } from '../../../src/types/row.ts';

// The walkthrough's sales, scaled down: FROM payments pymt, orders ord
//   WHERE pymt.order_id = ord.orderid AND orderdate BETWEEN pymt.ts - INTERVAL '100' ms AND pymt.ts
// payments (left) [order_id, amount, ts]; orders (right) [orderid, brand, orderdate]
// → right time in [left time - 100, left time + 0].
function paymentsJoinOrders(joinType: JoinType): IntervalJoinOperator {
  return new IntervalJoinOperator({
    joinType,
    leftArity: 3,
    rightArity: 3,
    leftKey: equiJoinKey([0]),
    rightKey: equiJoinKey([0]),
    leftTimeIndex: 2,
    rightTimeIndex: 2,
    lowerBoundMs: -100,
    upperBoundMs: 0,
  });
}

const L = 0;
const R = 1;

const SCRIPT: Step[] = [
  /* 0 */ { input: L, batch: inserts([1, 9.5, 1000]) },
  /* 1 */ { input: R, batch: inserts([1, 'acme', 900]) }, // lower bound, inclusive
  /* 2 */ { input: R, batch: inserts([1, 'bolt', 1000]) }, // upper bound, inclusive
  /* 3 */ { input: R, batch: inserts([1, 'cork', 899], [1, 'dome', 1001]) }, // just outside
  /* 4 */ { input: L, batch: inserts([1, 5, 1100]) }, // meets bolt and dome
  /* 5 */ { input: L, watermark: 1050 }, // right rows before 950 can meet no more left rows: cork, acme
  /* 6 */ { input: L, batch: inserts([1, 7, 1040]) }, // late on the left: dropped
  /* 7 */ { input: R, watermark: 1200 }, // left rows before 1200 can meet no more right rows
  /* 8 */ { input: R, batch: inserts([2, 'echo', 1300]) },
  /* 9 */ { input: L, watermark: 1500 }, // right rows before 1400: bolt, dome, echo
  /* 10 */ { input: L, batch: inserts([3, 1, 1600]) },
  /* 11 */ { input: R, batch: inserts([2, 'fig', 1100]) }, // late on the right: dropped
  /* 12 */ { input: R, watermark: 1700 }, // left row 3 is done, unmatched
  /* 13 */ { input: L, batch: inserts([4, 2, 1650]) }, // not late, but no right row can come: done at once
];

function stepwise(type: JoinType): string[][] {
  const { op, ctx } = start(paymentsJoinOrders(type));
  return SCRIPT.map((step) => {
    run(op, ctx, [step]);
    return ctx.drain();
  });
}

describe('IntervalJoinOperator', () => {
  it('INNER: inclusive bounds, late rows dropped and counted, buffers emptied by watermarks', () => {
    const { op, ctx } = start(paymentsJoinOrders('INNER'));
    const out = SCRIPT.map((step) => {
      run(op, ctx, [step]);
      return ctx.drain();
    });
    assert.deepEqual(out, [
      [],
      ['+I[1, 9.5, 1000, 1, acme, 900]'],
      ['+I[1, 9.5, 1000, 1, bolt, 1000]'],
      [],
      ['+I[1, 5, 1100, 1, bolt, 1000]', '+I[1, 5, 1100, 1, dome, 1001]'],
      [],
      [],
      [],
      [],
      [],
      [],
      [],
      [],
      [],
    ]);
    assert.equal(ctx.metrics.lateRecordsDropped, 2);
    assert.equal(ctx.metrics.recordsIn, 11);
    assert.deepEqual(op.stateSize(), { left: 0, right: 0 });
  });

  it('LEFT: unmatched left rows come out padded once the right watermark passes their interval', () => {
    const out = stepwise('LEFT');
    assert.deepEqual(out[7], []); // both left rows matched
    assert.deepEqual(out[12], ['+I[3, 1, 1600, null, null, null]']);
    assert.deepEqual(out[13], ['+I[4, 2, 1650, null, null, null]']);
    assert.equal(out.flat().length, 6);
  });

  it('RIGHT: unmatched right rows come out padded once the left watermark passes their interval', () => {
    const out = stepwise('RIGHT');
    assert.deepEqual(out[5], ['+I[null, null, null, 1, cork, 899]']); // acme matched
    assert.deepEqual(out[9], ['+I[null, null, null, 2, echo, 1300]']);
    assert.equal(out.flat().length, 6);
  });

  it('FULL: both', () => {
    const out = stepwise('FULL');
    assert.deepEqual(out[5], ['+I[null, null, null, 1, cork, 899]']);
    assert.deepEqual(out[9], ['+I[null, null, null, 2, echo, 1300]']);
    assert.deepEqual(out[12], ['+I[3, 1, 1600, null, null, null]']);
    assert.deepEqual(out[13], ['+I[4, 2, 1650, null, null, null]']);
    assert.equal(out.flat().length, 8);
  });

  it('a condition filters matches; NULL keys and times match nothing', () => {
    const op = new IntervalJoinOperator({
      joinType: 'LEFT',
      leftArity: 2,
      rightArity: 2,
      leftKey: equiJoinKey([0]),
      rightKey: equiJoinKey([0]),
      leftTimeIndex: 1,
      rightTimeIndex: 1,
      lowerBoundMs: -10,
      upperBoundMs: 10,
      condition: (j) => (j[3] as number) !== (j[1] as number),
    });
    const { ctx } = start(op);
    run(op, ctx, [
      { input: R, batch: inserts([1, 100], [1, 105]) },
      { input: L, batch: inserts([1, 100], [null, 100], [1, null]) },
      { input: R, watermark: 1000 },
    ]);
    assert.deepEqual(ctx.all(), ['+I[1, 100, 1, 105]', '+I[null, 100, null, null]', '+I[1, null, null, null]']);
  });

  it('rejects updating input with a clear error', () => {
    const { op } = start(paymentsJoinOrders('INNER'));
    assert.throws(
      () => op.processBatch(L, changes(['-D', [1, 2, 3]])),
      (e) => isShiftleftError(e, 'SQL_RUNTIME_ERROR') && /append-only/.test(e.message),
    );
  });

  it('close (end of input) pads what is still buffered', () => {
    const { op, ctx } = start(paymentsJoinOrders('FULL'));
    run(op, ctx, [{ input: L, batch: inserts([1, 1, 10]) }, { input: R, batch: inserts([2, 'x', 10]) }]);
    op.close();
    assert.deepEqual(ctx.all(), ['+I[1, 1, 10, null, null, null]', '+I[null, null, null, 2, x, 10]']);
  });

  it('snapshot mid-stream, restored into a fresh operator, continues identically', () => {
    for (const type of ['INNER', 'LEFT', 'RIGHT', 'FULL'] as const) {
      for (const cut of [1, 4, 5, 8, 11]) {
        const { whole, resumed } = snapshotEquivalence(() => paymentsJoinOrders(type), SCRIPT, cut);
        assert.deepEqual(resumed, whole, `${type} cut at ${cut}`);
      }
    }
  });

  it('randomized: equals the nested-loop join when no row is late', () => {
    for (let seed = 1; seed <= 20; seed++) {
      const next = random(seed);
      const type = (['INNER', 'LEFT', 'RIGHT', 'FULL'] as const)[seed % 4]!;
      const { op, ctx } = start(paymentsJoinOrders(type));
      const tables: [Row[], Row[]] = [[], []];
      const marks = [-Infinity, -Infinity];
      const newest = [0, 0];
      for (let step = 0; step < 200; step++) {
        const side = next() < 0.5 ? 0 : 1;
        const time = Math.max(marks[side]!, newest[side]! - 50) + Math.floor(next() * 80);
        newest[side] = Math.max(newest[side]!, time);
        const row = [Math.floor(next() * 3), step, time];
        tables[side].push(row);
        op.processBatch(side, inserts(row));
        if (next() < 0.3) {
          marks[side] = Math.max(marks[side]!, newest[side]! - 60);
          op.onWatermark(side, marks[side]!);
        }
      }
      op.close();
      const expected: string[] = [];
      const rightMatched = new Set<Row>();
      for (const l of tables[0]) {
        let matched = false;
        for (const r of tables[1]) {
          const lt = l[2] as number;
          const rt = r[2] as number;
          if (l[0] === r[0] && lt - 100 <= rt && rt <= lt) {
            expected.push(formatRow([...l, ...r]));
            matched = true;
            rightMatched.add(r);
          }
        }
        if (!matched && (type === 'LEFT' || type === 'FULL')) expected.push(formatRow([...l, null, null, null]));
      }
      if (type === 'RIGHT' || type === 'FULL') for (const r of tables[1]) if (!rightMatched.has(r)) expected.push(formatRow([null, null, null, ...r]));
      assert.deepEqual(ctx.all().sort(), expected.sort(), `${type} seed ${seed}`);
      assert.equal(ctx.metrics.lateRecordsDropped, 0);
    }
  });
});
