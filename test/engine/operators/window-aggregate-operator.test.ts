import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { WindowAggregateOperator, type WindowAggregateOptions } from '../../../src/engine/operators/window-aggregate-operator.ts';
import { assignWindows } from '../../../src/engine/operators/windows/window-assigner.ts';
import { T } from '../../../src/types/sql-type.ts';
import { isShiftleftError } from '../../../src/common/errors.ts';
import { BIGINT_NN, agg, batchOf, opened, randomInts, restoredCopy } from './aggregating-operators-harness.ts';

// Input rows: [key STRING, amount DOUBLE, rowtime]
const windowed = (window: WindowAggregateOptions['window'], groupKeys: number[] = [], extra: Partial<WindowAggregateOptions> = {}) =>
  new WindowAggregateOperator({ window, timeIndex: 2, groupKeys, aggregates: [agg('SUM', [1], T.double()), agg('COUNT', [], BIGINT_NN)], ...extra });

describe('assignWindows', () => {
  it('aligns to the epoch (plus offset) like Flink', () => {
    assert.deepEqual(assignWindows(12_345, { kind: 'TUMBLE', sizeMs: 10_000 }), [[10_000, 20_000]]);
    assert.deepEqual(assignWindows(-1, { kind: 'TUMBLE', sizeMs: 10_000 }), [[-10_000, 0]]);
    assert.deepEqual(assignWindows(12_345, { kind: 'TUMBLE', sizeMs: 10_000 }, 3_000), [[3_000, 13_000]]);
    assert.deepEqual(assignWindows(6_000, { kind: 'HOP', sizeMs: 10_000, slideMs: 5_000 }), [[0, 10_000], [5_000, 15_000]]);
    assert.deepEqual(assignWindows(3_000, { kind: 'CUMULATE', maxSizeMs: 6_000, stepMs: 2_000 }), [[0, 4_000], [0, 6_000]]);
  });

  it('rejects a HOP size that is not a multiple of the slide', () => {
    assert.throws(() => windowed({ kind: 'HOP', sizeMs: 10_000, slideMs: 3_000 }), (e) => isShiftleftError(e, 'SQL_VALIDATION_ERROR'));
  });
});

describe('WindowAggregateOperator', () => {
  it('TUMBLE 10 s SUM(amount): the revenue query shape, out-of-order rows, late rows dropped and counted', () => {
    const { op, ctx } = opened(windowed({ kind: 'TUMBLE', sizeMs: 10_000 }));
    op.processBatch(0, batchOf(['p', 10, 1_000], ['p', 20, 5_000], ['p', 5, 12_000], ['p', 1, 3_000]));
    op.onWatermark(0, 9_998);
    assert.deepEqual(ctx.take(), []);
    op.onWatermark(0, 9_999); // window_end - 1 <= watermark
    assert.deepEqual(ctx.take(), ['+I[0,10000,9999,31,3]']);
    assert.equal(op.liveWindows, 1);
    op.processBatch(0, batchOf(['p', 100, 4_000], ['p', 7, 15_000]));
    assert.equal(ctx.metrics.lateRecordsDropped, 1);
    op.onWatermark(0, 25_000);
    assert.deepEqual(ctx.take(), ['+I[10000,20000,19999,12,2]']);
    assert.equal(op.liveWindows, 0);
  });

  it('TUMBLE with group keys emits each window in key arrival order', () => {
    const { op, ctx } = opened(windowed({ kind: 'TUMBLE', sizeMs: 10_000 }, [0]));
    op.processBatch(0, batchOf(['b', 1, 1_000], ['a', 2, 2_000], ['b', 3, 11_000], ['b', 4, 9_000]));
    op.onWatermark(0, 20_000);
    assert.deepEqual(ctx.take(), ['+I["b",0,10000,9999,5,2]', '+I["a",0,10000,9999,2,1]', '+I["b",10000,20000,19999,3,1]']);
  });

  it('HOP 10 s / 5 s: every row in two windows; a row whose first window fired is late', () => {
    const { op, ctx } = opened(windowed({ kind: 'HOP', sizeMs: 10_000, slideMs: 5_000 }));
    op.processBatch(0, batchOf(['x', 1, 1_000], ['x', 2, 6_000], ['x', 4, 11_000]));
    op.onWatermark(0, 4_999);
    assert.deepEqual(ctx.take(), ['+I[-5000,5000,4999,1,1]']);
    op.processBatch(0, batchOf(['x', 100, 3_000]));
    assert.equal(ctx.metrics.lateRecordsDropped, 1);
    op.onWatermark(0, 30_000);
    assert.deepEqual(ctx.take(), ['+I[0,10000,9999,3,2]', '+I[5000,15000,14999,6,2]', '+I[10000,20000,19999,4,1]']);
  });

  it('CUMULATE step 2 s, max 6 s', () => {
    const { op, ctx } = opened(windowed({ kind: 'CUMULATE', maxSizeMs: 6_000, stepMs: 2_000 }));
    op.processBatch(0, batchOf(['x', 1, 1_000], ['x', 2, 3_000], ['x', 3, 5_500], ['x', 4, 6_500]));
    op.onWatermark(0, 3_999);
    assert.deepEqual(ctx.take(), ['+I[0,2000,1999,1,1]', '+I[0,4000,3999,3,2]']);
    op.onWatermark(0, 12_000);
    assert.deepEqual(ctx.take(), ['+I[0,6000,5999,6,3]', '+I[6000,8000,7999,4,1]', '+I[6000,10000,9999,4,1]', '+I[6000,12000,11999,4,1]']);
  });

  it('SESSION gap 5 s merges per key; late rows dropped', () => {
    const { op, ctx } = opened(windowed({ kind: 'SESSION', gapMs: 5_000 }, [0]));
    op.processBatch(0, batchOf(['a', 1, 1_000], ['b', 10, 2_000], ['a', 2, 4_000], ['a', 4, 12_000]));
    op.onWatermark(0, 8_999);
    assert.deepEqual(ctx.take(), ['+I["b",2000,7000,6999,10,1]', '+I["a",1000,9000,8999,3,2]']);
    op.processBatch(0, batchOf(['a', 50, 3_000], ['a', 8, 9_500]));
    assert.equal(ctx.metrics.lateRecordsDropped, 1);
    op.onWatermark(0, 20_000);
    assert.deepEqual(ctx.take(), ['+I["a",9500,17000,16999,12,2]']);
  });

  it('snapshot mid-stream and restore continue with identical output', () => {
    const make = () => windowed({ kind: 'HOP', sizeMs: 10_000, slideMs: 5_000 }, [0]);
    const steps: ((op: WindowAggregateOperator) => void)[] = [
      (op) => op.processBatch(0, batchOf(['a', 1, 1_000], ['b', 2, 7_000])),
      (op) => op.onWatermark(0, 5_000),
      (op) => op.processBatch(0, batchOf(['a', 3, 2_000], ['a', 4, 9_000])), // the first is late
      (op) => op.onWatermark(0, 30_000),
    ];
    const reference = opened(make());
    for (const step of steps) step(reference.op);
    const expected = reference.ctx.take();

    const first = opened(make());
    steps[0]!(first.op);
    steps[1]!(first.op);
    const before = first.ctx.take();
    const second = restoredCopy(first.op, make());
    steps[2]!(second.op);
    steps[3]!(second.op);
    assert.deepEqual([...before, ...second.ctx.take()], expected);
    assert.equal(second.ctx.metrics.lateRecordsDropped, 1);

    const sessions = () => windowed({ kind: 'SESSION', gapMs: 3_000 }, [0]);
    const s1 = opened(sessions());
    s1.op.processBatch(0, batchOf(['a', 1, 1_000]));
    const s2 = restoredCopy(s1.op, sessions());
    s2.op.processBatch(0, batchOf(['a', 2, 3_000]));
    s2.op.onWatermark(0, 10_000);
    assert.deepEqual(s2.ctx.take(), ['+I["a",1000,6000,5999,3,2]']);
  });
});

describe('WindowAggregateOperator against a batch computation', () => {
  it('random out-of-order rows and watermarks: windows equal the batch answer over on-time rows (HOP and CUMULATE, 10 seeds)', () => {
    const specs: WindowAggregateOptions['window'][] = [
      { kind: 'HOP', sizeMs: 6_000, slideMs: 2_000 },
      { kind: 'CUMULATE', maxSizeMs: 6_000, stepMs: 2_000 },
      { kind: 'TUMBLE', sizeMs: 3_000 },
    ];
    // With COUNT(DISTINCT) the operator cannot slice and updates each window instead: test both.
    for (const spec of specs) {
      for (let seed = 1; seed <= 10; seed++) {
        const random = randomInts(seed);
        const withDistinct = seed % 2 === 0;
        const aggregates = [agg('SUM', [1], T.double()), agg('COUNT', [], BIGINT_NN)];
        if (withDistinct) aggregates.push(agg('COUNT', [1], BIGINT_NN, { distinct: true }));
        const { op, ctx } = opened(windowed(spec, [0], { aggregates }));
        const accepted: [string, number, number][] = [];
        let watermark = -Infinity;
        let clock = 0;
        for (let b = 0; b < 40; b++) {
          const rows: [string, number, number][] = [];
          for (let i = random(6); i >= 0; i--) rows.push([`k${random(3)}`, random(10), clock + random(4_000) - 2_000]);
          clock += random(1_000);
          op.processBatch(0, batchOf(...rows));
          for (const row of rows) {
            const firstEnd = assignWindows(row[2], spec).map(([, end]) => end).reduce((a, e) => Math.min(a, e));
            if (firstEnd - 1 > watermark) accepted.push(row);
          }
          if (random(3) === 0) {
            watermark = Math.max(watermark, clock - 2_500);
            op.onWatermark(0, watermark);
          }
        }
        op.onWatermark(0, Number.MAX_SAFE_INTEGER);
        const expected = new Map<string, [string, number, number, number, number, number, Set<number>]>();
        for (const [key, amount, time] of accepted) {
          for (const [start, end] of assignWindows(time, spec)) {
            const id = `${key}|${start}|${end}`;
            const entry = expected.get(id) ?? [key, start, end, end - 1, 0, 0, new Set<number>()];
            entry[4] += amount;
            entry[5] += 1;
            entry[6].add(amount);
            expected.set(id, entry);
          }
        }
        const wanted = [...expected.values()].map(([...r]) => '+I' + JSON.stringify(withDistinct ? [...r.slice(0, 6), (r[6] as Set<number>).size] : r.slice(0, 6))).sort();
        assert.deepEqual(ctx.take().sort(), wanted, `${spec.kind} seed ${seed}`);
        assert.equal(ctx.metrics.lateRecordsDropped + accepted.length, ctx.metrics.recordsIn);
      }
    }
  });
});

describe('SESSION windows against a batch computation', () => {
  it('random rows (none late): sessions equal the gap-split batch answer, with and without DISTINCT (10 seeds)', () => {
    const gap = 1_500;
    for (let seed = 1; seed <= 10; seed++) {
      const random = randomInts(seed);
      const withDistinct = seed % 2 === 0;
      const aggregates = [agg('SUM', [1], T.double()), agg('COUNT', [], BIGINT_NN), agg('MAX', [1], T.double())];
      if (withDistinct) aggregates.push(agg('COUNT', [1], BIGINT_NN, { distinct: true }));
      const { op, ctx } = opened(windowed({ kind: 'SESSION', gapMs: gap }, [0], { aggregates }));
      const all: [string, number, number][] = [];
      let clock = 10_000;
      for (let b = 0; b < 60; b++) {
        const rows: [string, number, number][] = [];
        for (let i = random(4); i >= 0; i--) rows.push([`k${random(3)}`, random(10), clock - random(2_000)]);
        all.push(...rows);
        op.processBatch(0, batchOf(...rows));
        clock += random(1_200);
        if (random(2) === 0) op.onWatermark(0, clock - 10_000); // lags more than disorder + gap: nothing late
      }
      op.onWatermark(0, Number.MAX_SAFE_INTEGER);
      assert.equal(ctx.metrics.lateRecordsDropped, 0);
      const wanted: string[] = [];
      for (const key of new Set(all.map(([k]) => k))) {
        const rows = all.filter(([k]) => k === key).sort((a, b) => a[2] - b[2]);
        let session: [string, number, number][] = [];
        const flush = (): void => {
          const start = session[0]![2];
          const end = session[session.length - 1]![2] + gap;
          const amounts = session.map(([, a]) => a);
          const row = [key, start, end, end - 1, amounts.reduce((a, v) => a + v, 0), amounts.length, Math.max(...amounts)];
          if (withDistinct) row.push(new Set(amounts).size);
          wanted.push('+I' + JSON.stringify(row));
        };
        for (const row of rows) {
          if (session.length > 0 && row[2] > session[session.length - 1]![2] + gap) {
            flush();
            session = [];
          }
          session.push(row);
        }
        flush();
      }
      assert.deepEqual(ctx.take().sort(), wanted.sort(), `seed ${seed}`);
    }
  });
});
