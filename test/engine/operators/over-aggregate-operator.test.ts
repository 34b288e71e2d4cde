import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { OverAggregateOperator, overOptionsFromCalls, type OverAggregateOptions } from '../../../src/engine/operators/over-aggregate-operator.ts';
import { T } from '../../../src/types/sql-type.ts';
import { BIGINT_NN, agg, batchOf, opened, restoredCopy } from './aggregating-operators-harness.ts';

// rows: [key, amount, rowtime]
const over = (frame: OverAggregateOptions['frame'], extra: Partial<OverAggregateOptions> = {}) =>
  new OverAggregateOperator({ partitionKeys: [0], timeIndex: 2, aggregates: [agg('SUM', [1], T.int())], frame, ...extra });

describe('OverAggregateOperator', () => {
  it('ROWS 1 PRECEDING on event time: sorted by rowtime as the watermark passes; late rows dropped', () => {
    const { op, ctx } = opened(over({ kind: 'ROWS', preceding: 1 }));
    op.processBatch(0, batchOf(['a', 1, 1_000], ['a', 2, 3_000], ['a', 4, 2_000], ['b', 10, 1_500]));
    assert.deepEqual(ctx.take(), []);
    op.onWatermark(0, 2_500);
    assert.deepEqual(ctx.take(), ['+I["a",1,1000,1]', '+I["b",10,1500,10]', '+I["a",4,2000,5]']);
    op.onWatermark(0, 5_000);
    assert.deepEqual(ctx.take(), ['+I["a",2,3000,6]']);
    op.processBatch(0, batchOf(['a', 7, 2_500]));
    assert.equal(ctx.metrics.lateRecordsDropped, 1);
  });

  it('RANGE 1 s PRECEDING: peers share a value, older rows slide out', () => {
    const op = over({ kind: 'RANGE', precedingMs: 1_000 }, { aggregates: [agg('COUNT', [], BIGINT_NN)] });
    const { ctx } = opened(op);
    op.processBatch(0, batchOf(['a', 0, 1_000], ['a', 0, 1_500], ['a', 0, 1_500], ['a', 0, 2_600]));
    op.onWatermark(0, 3_000);
    assert.deepEqual(ctx.take(), ['+I["a",0,1000,1]', '+I["a",0,1500,3]', '+I["a",0,1500,3]', '+I["a",0,2600,1]']);
  });

  it('UNBOUNDED PRECEDING on processing time: a running aggregate per partition', () => {
    const { op, ctx } = opened(over({ kind: 'ROWS', preceding: 'UNBOUNDED' }, { timeIndex: undefined }));
    op.processBatch(0, batchOf(['a', 1, 0], ['b', 5, 0], ['a', 2, 0]));
    assert.deepEqual(ctx.take(), ['+I["a",1,0,1]', '+I["b",5,0,5]', '+I["a",2,0,3]']);
  });

  it('snapshot mid-stream and restore continue with identical output', () => {
    const make = () => over({ kind: 'ROWS', preceding: 2 });
    const steps: ((o: OverAggregateOperator) => void)[] = [
      (o) => o.processBatch(0, batchOf(['a', 1, 1_000], ['a', 2, 2_000], ['a', 3, 5_000])),
      (o) => o.onWatermark(0, 2_000),
      (o) => o.processBatch(0, batchOf(['a', 4, 4_000], ['a', 9, 1_500])),
      (o) => o.onWatermark(0, 6_000),
    ];
    const reference = opened(make());
    for (const s of steps) s(reference.op);
    const first = opened(make());
    steps[0]!(first.op);
    steps[1]!(first.op);
    const second = restoredCopy(first.op, make());
    steps[2]!(second.op);
    steps[3]!(second.op);
    assert.deepEqual([...first.ctx.take(), ...second.ctx.take()], reference.ctx.take());
  });
});

describe('overOptionsFromCalls', () => {
  it('maps planned OVER calls to operator options, defaulting to RANGE UNBOUNDED PRECEDING', () => {
    const sum = agg('SUM', [1], T.int());
    const orderBy = [{ index: 2, descending: false, nullsFirst: false }];
    const options = overOptionsFromCalls([0], orderBy, [{ fn: 'SUM', aggregate: sum, frame: undefined, type: T.int(), name: 's' }], 2);
    assert.deepEqual(options, { partitionKeys: [0], timeIndex: 2, aggregates: [sum], frame: { kind: 'RANGE', precedingMs: 'UNBOUNDED' } });
    const rows = overOptionsFromCalls([0], orderBy, [{ fn: 'SUM', aggregate: sum, frame: { units: 'ROWS', preceding: 3 }, type: T.int(), name: 's' }], 2);
    assert.deepEqual(rows.frame, { kind: 'ROWS', preceding: 3 });
    assert.throws(() =>
      overOptionsFromCalls([0], orderBy, [
        { fn: 'SUM', aggregate: sum, frame: { units: 'ROWS', preceding: 3 }, type: T.int(), name: 'a' },
        { fn: 'SUM', aggregate: sum, frame: undefined, type: T.int(), name: 'b' },
      ], 2),
    );
  });
});
