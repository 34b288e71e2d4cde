import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { WindowJoinOperator } from '../../../src/engine/operators/window-join-operator.ts';
import { equiJoinKey, type JoinType } from '../../../src/engine/operators/join/join-rows.ts';
import { formatRow, inserts, random, run, snapshotEquivalence, start, type Step } from './join-harness.ts';
import type { Row } from '../../../src/types/row.ts';

// Two TUMBLE(..., 10 ms) inputs: left [key, v, window_start, window_end], right [key, w, window_start, window_end]
//   ON l.key = r.key AND l.window_start = r.window_start AND l.window_end = r.window_end
function tumbleJoin(joinType: JoinType): WindowJoinOperator {
  return new WindowJoinOperator({
    joinType,
    leftArity: 4,
    rightArity: 4,
    leftKey: equiJoinKey([0]),
    rightKey: equiJoinKey([0]),
    leftWindowStartIndex: 2,
    leftWindowEndIndex: 3,
    rightWindowStartIndex: 2,
    rightWindowEndIndex: 3,
  });
}

const L = 0;
const R = 1;

const SCRIPT: Step[] = [
  /* 0 */ { input: L, batch: inserts(['a', 1, 0, 10], ['b', 2, 0, 10]) },
  /* 1 */ { input: R, batch: inserts(['a', 'x', 0, 10], ['c', 'y', 0, 10], ['a', 'z', 10, 20]) },
  /* 2 */ { input: L, watermark: 10 }, // the right side has no watermark: nothing fires
  /* 3 */ { input: R, watermark: 9 }, // window [0, 10) is complete only at 10
  /* 4 */ { input: R, watermark: 10 },
  /* 5 */ { input: L, batch: inserts(['a', 3, 0, 10], ['a', 4, 10, 20]) }, // the first one is late
  /* 6 */ { input: R, watermark: 25 },
  /* 7 */ { input: L, watermark: 25 },
];

function stepwise(type: JoinType): string[][] {
  const { op, ctx } = start(tumbleJoin(type));
  return SCRIPT.map((step) => {
    run(op, ctx, [step]);
    return ctx.drain();
  });
}

describe('WindowJoinOperator', () => {
  it('INNER: a window fires once the combined watermark reaches window_end', () => {
    const { op, ctx } = start(tumbleJoin('INNER'));
    const out = SCRIPT.map((step) => {
      run(op, ctx, [step]);
      return ctx.drain();
    });
    assert.deepEqual(out, [[], [], [], [], ['+I[a, 1, 0, 10, a, x, 0, 10]'], [], [], ['+I[a, 4, 10, 20, a, z, 10, 20]']]);
    assert.equal(ctx.metrics.lateRecordsDropped, 1);
    assert.equal(ctx.metrics.recordsIn, 7);
    assert.deepEqual(op.stateSize(), { windows: 0 });
  });

  it('LEFT, RIGHT, FULL: unmatched rows padded when the window fires', () => {
    assert.deepEqual(stepwise('LEFT')[4], ['+I[a, 1, 0, 10, a, x, 0, 10]', '+I[b, 2, 0, 10, null, null, null, null]']);
    assert.deepEqual(stepwise('RIGHT')[4], ['+I[a, 1, 0, 10, a, x, 0, 10]', '+I[null, null, null, null, c, y, 0, 10]']);
    assert.deepEqual(stepwise('FULL')[4], [
      '+I[a, 1, 0, 10, a, x, 0, 10]',
      '+I[b, 2, 0, 10, null, null, null, null]',
      '+I[null, null, null, null, c, y, 0, 10]',
    ]);
    assert.deepEqual(stepwise('FULL')[7], ['+I[a, 4, 10, 20, a, z, 10, 20]']);
  });

  it('windows with the same end but different starts (CUMULATE, HOP) do not mix', () => {
    const { op, ctx } = start(tumbleJoin('FULL'));
    run(op, ctx, [
      { input: L, batch: inserts(['a', 1, 0, 20]) },
      { input: R, batch: inserts(['a', 'x', 10, 20], [null, 'n', 10, 20]) },
      { input: L, watermark: 20 },
      { input: R, watermark: 20 },
    ]);
    assert.deepEqual(ctx.all(), [
      '+I[a, 1, 0, 20, null, null, null, null]',
      '+I[null, null, null, null, a, x, 10, 20]',
      '+I[null, null, null, null, null, n, 10, 20]',
    ]);
  });

  it('snapshot mid-stream, restored into a fresh operator, continues identically', () => {
    for (const type of ['INNER', 'LEFT', 'RIGHT', 'FULL'] as const) {
      for (const cut of [1, 2, 3, 5, 6]) {
        const { whole, resumed } = snapshotEquivalence(() => tumbleJoin(type), SCRIPT, cut);
        assert.deepEqual(resumed, whole, `${type} cut at ${cut}`);
      }
    }
  });

  it('randomized: equals the per-window nested-loop join when no row is late', () => {
    for (let seed = 1; seed <= 20; seed++) {
      const next = random(seed);
      const type = (['INNER', 'LEFT', 'RIGHT', 'FULL'] as const)[seed % 4]!;
      const { op, ctx } = start(tumbleJoin(type));
      const tables: [Row[], Row[]] = [[], []];
      const marks = [-Infinity, -Infinity];
      const newest = [0, 0];
      for (let step = 0; step < 150; step++) {
        const side = next() < 0.5 ? 0 : 1;
        const time = Math.max(marks[side]!, newest[side]! - 15) + Math.floor(next() * 20);
        newest[side] = Math.max(newest[side]!, time);
        const start = Math.floor(time / 10) * 10;
        const row = [['a', 'b', 'c'][Math.floor(next() * 3)]!, step, start, start + 10];
        tables[side].push(row);
        op.processBatch(side, inserts(row));
        if (next() < 0.3) {
          marks[side] = Math.max(marks[side]!, newest[side]! - 12);
          op.onWatermark(side, marks[side]!);
        }
      }
      op.onWatermark(L, Infinity);
      op.onWatermark(R, Infinity);
      const expected: string[] = [];
      const rightMatched = new Set<Row>();
      for (const l of tables[0]) {
        let matched = false;
        for (const r of tables[1]) {
          if (l[0] === r[0] && l[2] === r[2] && l[3] === r[3]) {
            expected.push(formatRow([...l, ...r]));
            matched = true;
            rightMatched.add(r);
          }
        }
        if (!matched && (type === 'LEFT' || type === 'FULL')) expected.push(formatRow([...l, null, null, null, null]));
      }
      if (type === 'RIGHT' || type === 'FULL') for (const r of tables[1]) if (!rightMatched.has(r)) expected.push(formatRow([null, null, null, null, ...r]));
      assert.deepEqual(ctx.all().sort(), expected.sort(), `${type} seed ${seed}`);
      assert.equal(ctx.metrics.lateRecordsDropped, 0);
    }
  });
});
