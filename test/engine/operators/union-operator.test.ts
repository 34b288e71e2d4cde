import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { UnionOperator } from '../../../src/engine/operators/union-operator.ts';
import { batchOf, opened } from './aggregating-operators-harness.ts';

describe('UnionOperator', () => {
  it('merges every input, kinds preserved', () => {
    const { op, ctx } = opened(new UnionOperator(2));
    op.processBatch(0, batchOf(['a']));
    op.processBatch(1, batchOf(['-D', ['b']]));
    op.processBatch(0, batchOf(['+U', ['c']]));
    assert.deepEqual(ctx.take(), ['+I["a"]', '-D["b"]', '+U["c"]']);
  });
});
