import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { GroupAggregateOperator } from '../../../src/engine/operators/group-aggregate-operator.ts';
import { T } from '../../../src/types/sql-type.ts';
import { BIGINT_NN, CollectingContext, agg, batchOf, foldChangelog, foldUpsertChangelog, opened, randomInts, restoredCopy } from './aggregating-operators-harness.ts';

// Input rows: [product STRING, amount INT]
const countAndSum = () =>
  new GroupAggregateOperator({ groupKeys: [0], aggregates: [agg('COUNT', [], BIGINT_NN), agg('SUM', [1], T.int())], generateUpdateBefore: true });

describe('GroupAggregateOperator', () => {
  it('emits +I, then -U/+U per changed key, folded per batch', () => {
    const { op, ctx } = opened(countAndSum());
    op.processBatch(0, batchOf(['a', 10], ['b', 5], ['a', 1]));
    assert.deepEqual(ctx.take(), ['+I["a",2,11]', '+I["b",1,5]']);
    op.processBatch(0, batchOf(['a', 4]));
    assert.deepEqual(ctx.take(), ['-U["a",2,11]', '+U["a",3,15]']);
  });

  it('applies retractions (updates and deletes) and deletes empty groups', () => {
    const { op, ctx } = opened(countAndSum());
    op.processBatch(0, batchOf(['a', 10], ['b', 5]));
    ctx.take();
    // an upstream update of a row from a=10 to b=7, then b=5 deleted
    op.processBatch(0, batchOf(['-U', ['a', 10]], ['+U', ['b', 7]], ['-D', ['b', 5]]));
    assert.deepEqual(ctx.take(), ['-D["a",1,10]', '-U["b",1,5]', '+U["b",1,7]']);
    // retraction of an unknown key is ignored
    op.processBatch(0, batchOf(['-D', ['zz', 1]]));
    assert.deepEqual(ctx.take(), []);
  });

  it('emits nothing when the result does not change, and only +U in upsert mode', () => {
    const op = new GroupAggregateOperator({ groupKeys: [0], aggregates: [agg('MAX', [1], T.int())], generateUpdateBefore: false });
    const { ctx } = opened(op);
    op.processBatch(0, batchOf(['a', 10]));
    op.processBatch(0, batchOf(['a', 3]));
    op.processBatch(0, batchOf(['a', 12]));
    assert.deepEqual(ctx.take(), ['+I["a",10]', '+U["a",12]']);
  });

  it('MIN/MAX retraction of the current extreme across batches', () => {
    const op = new GroupAggregateOperator({ groupKeys: [0], aggregates: [agg('MIN', [1], T.int()), agg('MAX', [1], T.int())], generateUpdateBefore: true });
    const { ctx } = opened(op);
    op.processBatch(0, batchOf(['k', 5], ['k', 1], ['k', 9]));
    op.processBatch(0, batchOf(['-D', ['k', 1]]));
    op.processBatch(0, batchOf(['-D', ['k', 9]]));
    assert.deepEqual(ctx.take(), ['+I["k",1,9]', '-U["k",1,9]', '+U["k",5,9]', '-U["k",5,9]', '+U["k",5,5]']);
  });

  it('COUNT DISTINCT, AVG of integers (truncated) and FILTER', () => {
    // [user, page, ms, isMobile]
    const op = new GroupAggregateOperator({
      groupKeys: [0],
      aggregates: [agg('COUNT', [1], BIGINT_NN, { distinct: true }), agg('AVG', [2], T.int()), agg('COUNT', [], BIGINT_NN, { filterArg: 3 })],
      generateUpdateBefore: true,
    });
    const { ctx } = opened(op);
    op.processBatch(0, batchOf(['u', 'p1', 1, true], ['u', 'p1', 2, false], ['u', 'p2', 2, null]));
    assert.deepEqual(ctx.take(), ['+I["u",2,1,1]']);
  });

  it('global aggregate (no keys)', () => {
    const op = new GroupAggregateOperator({ groupKeys: [], aggregates: [agg('SUM', [1], T.int())], generateUpdateBefore: true });
    const { ctx } = opened(op);
    op.processBatch(0, batchOf(['a', 1], ['b', 2]));
    op.processBatch(0, batchOf(['-D', ['a', 1]], ['-D', ['b', 2]]));
    assert.deepEqual(ctx.take(), ['+I[3]', '-D[3]']);
  });

  it('expires idle groups with the state TTL and counts them', () => {
    const { op, ctx } = opened(countAndSum(), new CollectingContext(1000));
    ctx.time = 0;
    op.processBatch(0, batchOf(['a', 1]));
    ctx.time = 500;
    op.processBatch(0, batchOf(['b', 1]));
    ctx.time = 1200; // a idle 1200 ms > TTL, b idle 700 ms
    op.processBatch(0, batchOf(['a', 2], ['b', 2]));
    assert.equal(ctx.metrics.stateExpired, 1);
    assert.deepEqual(ctx.take(), ['+I["a",1,1]', '+I["b",1,1]', '+I["a",1,2]', '-U["b",1,1]', '+U["b",2,3]']);
  });

  it('snapshot mid-stream and restore continue with identical output', () => {
    const input = [batchOf(['a', 1], ['b', 2]), batchOf(['a', 3], ['-D', ['b', 2]]), batchOf(['b', 4], ['a', 1]), batchOf(['-U', ['a', 1]], ['+U', ['a', 9]])];
    const reference = opened(countAndSum());
    for (const b of input) reference.op.processBatch(0, b);
    const expected = reference.ctx.take().slice();

    const first = opened(countAndSum());
    first.op.processBatch(0, input[0]!);
    first.op.processBatch(0, input[1]!);
    const before = first.ctx.take();
    const second = restoredCopy(first.op, countAndSum());
    second.op.processBatch(0, input[2]!);
    second.op.processBatch(0, input[3]!);
    assert.deepEqual([...before, ...second.ctx.take()], expected);
  });
});

describe('GroupAggregateOperator against a batch computation', () => {
  it('random changelogs fold to the batch answer (20 seeds)', () => {
    for (let seed = 1; seed <= 20; seed++) {
      const random = randomInts(seed);
      const op = new GroupAggregateOperator({
        groupKeys: [0],
        aggregates: [agg('COUNT', [], BIGINT_NN), agg('SUM', [1], T.int()), agg('MIN', [1], T.int()), agg('MAX', [1], T.int()), agg('COUNT', [1], BIGINT_NN, { distinct: true })],
        generateUpdateBefore: seed % 2 === 0,
      });
      const { ctx } = opened(op);
      const live: [string, number | null][] = [];
      for (let b = 0; b < 30; b++) {
        const items: ([string, [string, number | null]] | [string, number | null])[] = [];
        for (let i = random(8); i >= 0; i--) {
          if (live.length > 0 && random(3) === 0) {
            const [row] = live.splice(random(live.length), 1);
            items.push([random(2) === 0 ? '-D' : '-U', row!]);
          } else {
            const row: [string, number | null] = [`k${random(4)}`, random(10) === 0 ? null : random(20)];
            live.push(row);
            items.push(random(2) === 0 ? row : ['+U', row]);
          }
        }
        op.processBatch(0, batchOf(...items));
      }
      const expected = new Map<string, (number | null)[]>();
      for (const key of new Set(live.map(([k]) => k))) {
        const values = live.filter(([k]) => k === key).map(([, v]) => v);
        const nonNull = values.filter((v): v is number => v !== null);
        expected.set(key, [
          values.length,
          nonNull.length ? nonNull.reduce((a, v) => a + v, 0) : null,
          nonNull.length ? Math.min(...nonNull) : null,
          nonNull.length ? Math.max(...nonNull) : null,
          new Set(nonNull).size,
        ]);
      }
      const wanted = [...expected].map(([k, v]) => JSON.stringify([k, ...v])).sort();
      const changelog = ctx.take();
      const folded = seed % 2 === 0 ? foldChangelog(changelog) : foldUpsertChangelog(changelog, (row) => String(row[0]));
      assert.deepEqual(folded, wanted, `seed ${seed}`);
    }
  });
});
