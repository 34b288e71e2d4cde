import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { RankOperator, type RankOptions } from '../../../src/engine/operators/rank-operator.ts';
import { CollectingContext, batchOf, foldChangelog, opened, randomInts, restoredCopy } from './aggregating-operators-harness.ts';

// rows: [category, item, sales]
const topN = (options: Partial<RankOptions> = {}) =>
  new RankOperator({
    partitionKeys: [0],
    orderBy: [{ index: 2, descending: true, nullsFirst: false }],
    limit: 2,
    rankFunction: 'ROW_NUMBER',
    outputRankNumber: true,
    generateUpdateBefore: true,
    ...options,
  });

describe('RankOperator', () => {
  it('Top-2 by sales with the rank column: updates per rank, retractions from a changelog', () => {
    const { op, ctx } = opened(topN());
    op.processBatch(0, batchOf(['c', 'a', 10]));
    assert.deepEqual(ctx.take(), ['+I["c","a",10,1]']);
    op.processBatch(0, batchOf(['c', 'b', 20], ['c', 'd', 5], ['k', 'z', 1]));
    assert.deepEqual(ctx.take(), ['-U["c","a",10,1]', '+U["c","b",20,1]', '+I["c","a",10,2]', '+I["k","z",1,1]']);
    // b's sales drop from 20 to 3: b leaves, a moves up, d enters
    op.processBatch(0, batchOf(['-U', ['c', 'b', 20]], ['+U', ['c', 'b', 3]]));
    assert.deepEqual(ctx.take(), ['-U["c","b",20,1]', '+U["c","a",10,1]', '-U["c","a",10,2]', '+U["c","d",5,2]']);
    op.processBatch(0, batchOf(['-D', ['k', 'z', 1]], ['-D', ['k', 'nope', 1]]));
    assert.deepEqual(ctx.take(), ['-D["k","z",1,1]']);
  });

  it('without the rank column rows enter (+I) and leave (-D)', () => {
    const { op, ctx } = opened(topN({ outputRankNumber: false }));
    op.processBatch(0, batchOf(['c', 'a', 10], ['c', 'b', 20], ['c', 'd', 5], ['-D', ['c', 'b', 20]]));
    assert.deepEqual(ctx.take(), ['+I["c","a",10]', '+I["c","b",20]', '-D["c","b",20]', '+I["c","d",5]']);
  });

  it('RANK keeps ties; offset skips the first ranks', () => {
    const { op, ctx } = opened(topN({ rankFunction: 'RANK' }));
    op.processBatch(0, batchOf(['c', 'x', 10], ['c', 'y', 10], ['c', 'z', 5]));
    assert.deepEqual(ctx.take(), ['+I["c","x",10,1]', '+I["c","y",10,1]']);
    op.processBatch(0, batchOf(['c', 'w', 20]));
    assert.deepEqual(ctx.take(), ['-U["c","x",10,1]', '+U["c","w",20,1]', '-D["c","y",10,1]', '+I["c","x",10,2]', '+I["c","y",10,2]']);
    const dense = opened(topN({ rankFunction: 'DENSE_RANK', limit: 3, offset: 1 }));
    dense.op.processBatch(0, batchOf(['c', 'x', 10], ['c', 'y', 10], ['c', 'z', 5], ['c', 'v', 1]));
    assert.deepEqual(dense.ctx.take(), ['+I["c","z",5,2]', '+I["c","v",1,3]']);
  });

  it('append-only input keeps only rows that can still rank', () => {
    const { op, ctx } = opened(topN({ appendOnlyInput: true, generateUpdateBefore: false }));
    op.processBatch(0, batchOf(['c', 'a', 1], ['c', 'b', 2], ['c', 'c', 3]));
    assert.deepEqual(ctx.take(), ['+I["c","a",1,1]', '+U["c","b",2,1]', '+I["c","a",1,2]', '+U["c","c",3,1]', '+U["c","b",2,2]']);
    const snapshot = op.snapshotState() as { entries: [string, { rows: unknown[] }, number][] };
    assert.equal(snapshot.entries[0]![1].rows.length, 2);
  });

  it('state TTL drops idle partitions and counts them', () => {
    const { op, ctx } = opened(topN(), new CollectingContext(10));
    op.processBatch(0, batchOf(['c', 'a', 1]));
    ctx.time = 11;
    op.processBatch(0, batchOf(['c', 'b', 0]));
    assert.equal(ctx.metrics.stateExpired, 1);
    assert.deepEqual(ctx.take(), ['+I["c","a",1,1]', '+I["c","b",0,1]']);
  });

  it('snapshot mid-stream and restore continue with identical output', () => {
    const batches = [batchOf(['c', 'a', 10], ['c', 'b', 20]), batchOf(['c', 'd', 30], ['-D', ['c', 'b', 20]], ['c', 'e', 15])];
    const reference = opened(topN());
    for (const b of batches) reference.op.processBatch(0, b);
    const first = opened(topN());
    first.op.processBatch(0, batches[0]!);
    const second = restoredCopy(first.op, topN());
    second.op.processBatch(0, batches[1]!);
    assert.deepEqual([...first.ctx.take(), ...second.ctx.take()], reference.ctx.take());
  });
});

describe('RankOperator against a batch computation', () => {
  it('random changelogs fold to the batch Top-N (RANK, 20 seeds)', () => {
    for (let seed = 1; seed <= 20; seed++) {
      const random = randomInts(seed);
      const op = topN({ rankFunction: 'RANK', limit: 3, generateUpdateBefore: true });
      const { ctx } = opened(op);
      const live: [string, string, number][] = [];
      for (let b = 0; b < 40; b++) {
        const items: ([string, [string, string, number]] | [string, string, number])[] = [];
        for (let i = random(5); i >= 0; i--) {
          if (live.length > 0 && random(3) === 0) items.push(['-D', live.splice(random(live.length), 1)[0]!]);
          else {
            const row: [string, string, number] = [`p${random(3)}`, `i${random(5)}`, random(8)];
            live.push(row);
            items.push(row);
          }
        }
        op.processBatch(0, batchOf(...items));
      }
      const wanted: string[] = [];
      for (const [p, item, sales] of live) {
        const rank = 1 + live.filter(([q, , s]) => q === p && s > sales).length;
        if (rank <= 3) wanted.push(JSON.stringify([p, item, sales, rank]));
      }
      assert.deepEqual(foldChangelog(ctx.take()), wanted.sort(), `seed ${seed}`);
    }
  });
});
