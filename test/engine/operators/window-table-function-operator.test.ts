import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { WindowTableFunctionOperator } from '../../../src/engine/operators/window-table-function-operator.ts';
import { batchOf, opened, restoredCopy } from './aggregating-operators-harness.ts';

describe('WindowTableFunctionOperator', () => {
  it('appends window_start, window_end, window_time; one row per HOP window', () => {
    const { op, ctx } = opened(new WindowTableFunctionOperator({ window: { kind: 'HOP', sizeMs: 10_000, slideMs: 5_000 }, timeIndex: 1 }));
    op.processBatch(0, batchOf(['a', 6_000]));
    assert.deepEqual(ctx.take(), ['+I["a",6000,0,10000,9999]', '+I["a",6000,5000,15000,14999]']);
    op.onWatermark(0, 9_999);
    op.processBatch(0, batchOf(['b', 7_000], ['c', 1_000]));
    assert.deepEqual(ctx.take(), ['+I["b",7000,5000,15000,14999]']); // [0,10000) fired; c has no window left
    assert.equal(ctx.metrics.lateRecordsDropped, 1);
    const copy = restoredCopy(op, new WindowTableFunctionOperator({ window: { kind: 'TUMBLE', sizeMs: 10_000 }, timeIndex: 1 }));
    copy.op.processBatch(0, batchOf(['d', 9_000], ['e', 10_000]));
    assert.deepEqual(copy.ctx.take(), ['+I["e",10000,10000,20000,19999]']);
  });
});
