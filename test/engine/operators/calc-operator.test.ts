import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { CalcOperator } from '../../../src/engine/operators/calc-operator.ts';
import { batchOf, opened } from './aggregating-operators-harness.ts';

describe('CalcOperator', () => {
  it('filters and projects, keeping each row kind', () => {
    const { op, ctx } = opened(new CalcOperator({ filter: (r) => (r[1] as number) > 1, project: (r) => [r[0], (r[1] as number) * 10] }));
    op.processBatch(0, batchOf(['a', 1], ['b', 2], ['-U', ['b', 2]], ['+U', ['b', 3]], ['-D', ['a', 1]]));
    assert.deepEqual(ctx.take(), ['+I["b",20]', '-U["b",20]', '+U["b",30]']);
    assert.deepEqual([ctx.metrics.recordsIn, ctx.metrics.recordsOut], [5, 3]);
  });

  it('projection only keeps the batch shape; no-op passes the batch through; empty output emits nothing', () => {
    const { op, ctx } = opened(new CalcOperator({ project: (r) => [r[1]] }));
    op.processBatch(0, batchOf(['a', 1], ['-D', ['a', 1]]));
    assert.deepEqual(ctx.take(), ['+I[1]', '-D[1]']);
    const pass = opened(new CalcOperator({}));
    const batch = batchOf(['x']);
    pass.op.processBatch(0, batch);
    assert.equal(pass.ctx.batches[0], batch);
    const none = opened(new CalcOperator({ filter: () => false }));
    none.op.processBatch(0, batchOf(['x']));
    assert.equal(none.ctx.batches.length, 0);
  });
});
