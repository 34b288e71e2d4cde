import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { DeduplicateOperator, type DeduplicateOptions } from '../../../src/engine/operators/deduplicate-operator.ts';
import { CollectingContext, batchOf, opened, restoredCopy } from './aggregating-operators-harness.ts';

// payments rows: [order_id, product_id, amount, confirmation_code, $rowtime]
const dedup = (options: Partial<DeduplicateOptions> = {}) =>
  new DeduplicateOperator({ keys: [0, 1, 2], keepLast: false, timeIndex: 4, generateUpdateBefore: true, appendRowNumber: false, ...options });

describe('DeduplicateOperator', () => {
  it('payments_deduplicate: keep first by $rowtime ASC drops exact duplicates, insert-only', () => {
    const { op, ctx } = opened(dedup());
    op.processBatch(0, batchOf([1, 7, 10.5, 'AAAA1111', 1_000], [1, 7, 10.5, 'AAAA1111', 1_000], [2, 3, 99, 'BBBB2222', 2_000]));
    op.processBatch(0, batchOf([2, 3, 99, 'BBBB2222', 2_000], [1, 7, 10.5, 'AAAA1111', 3_000]));
    assert.deepEqual(ctx.take(), ['+I[1,7,10.5,"AAAA1111",1000]', '+I[2,3,99,"BBBB2222",2000]']);
  });

  it('keep first on event time: an earlier rowtime arriving late replaces the kept row (-U/+U)', () => {
    const { op, ctx } = opened(dedup({ keys: [0] }));
    op.processBatch(0, batchOf([1, 0, 0, 'late', 5_000], [1, 0, 0, 'tie', 5_000], [1, 0, 0, 'early', 4_000]));
    assert.deepEqual(ctx.take(), ['+I[1,0,0,"late",5000]', '-U[1,0,0,"late",5000]', '+U[1,0,0,"early",4000]']);
  });

  it('keep first on processing time with the row number selected', () => {
    const { op, ctx } = opened(dedup({ keys: [0], timeIndex: undefined, appendRowNumber: true }));
    op.processBatch(0, batchOf([1, 0, 0, 'a', 9], [1, 0, 0, 'b', 1]));
    assert.deepEqual(ctx.take(), ['+I[1,0,0,"a",9,1]']);
  });

  it('keep last (DESC) emits updates; upsert mode omits -U', () => {
    const { op, ctx } = opened(dedup({ keys: [0], keepLast: true, timeIndex: undefined }));
    op.processBatch(0, batchOf([1, 0, 0, 'a', 0], [2, 0, 0, 'x', 0], [1, 0, 0, 'b', 0]));
    assert.deepEqual(ctx.take(), ['+I[1,0,0,"a",0]', '+I[2,0,0,"x",0]', '-U[1,0,0,"a",0]', '+U[1,0,0,"b",0]']);
    const upsert = opened(dedup({ keys: [0], keepLast: true, generateUpdateBefore: false }));
    upsert.op.processBatch(0, batchOf([1, 0, 0, 'a', 5], [1, 0, 0, 'older', 4], [1, 0, 0, 'b', 6]));
    assert.deepEqual(upsert.ctx.take(), ['+I[1,0,0,"a",5]', '+U[1,0,0,"b",6]']);
  });

  it('state TTL forgets idle keys and counts them', () => {
    const { op, ctx } = opened(dedup({ keys: [0] }), new CollectingContext(100));
    op.processBatch(0, batchOf([1, 0, 0, 'a', 1]));
    ctx.time = 101;
    op.processBatch(0, batchOf([1, 0, 0, 'a', 1]));
    assert.equal(ctx.metrics.stateExpired, 1);
    assert.deepEqual(ctx.take(), ['+I[1,0,0,"a",1]', '+I[1,0,0,"a",1]']);
  });

  it('snapshot mid-stream and restore continue with identical output', () => {
    const make = () => dedup({ keys: [0], keepLast: true });
    const batches = [batchOf([1, 0, 0, 'a', 1], [2, 0, 0, 'b', 1]), batchOf([1, 0, 0, 'c', 2], [2, 0, 0, 'old', 0])];
    const reference = opened(make());
    for (const b of batches) reference.op.processBatch(0, b);
    const first = opened(make());
    first.op.processBatch(0, batches[0]!);
    const second = restoredCopy(first.op, make());
    second.op.processBatch(0, batches[1]!);
    assert.deepEqual([...first.ctx.take(), ...second.ctx.take()], reference.ctx.take());
  });
});
