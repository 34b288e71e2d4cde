/**
 * Throughput of the aggregating operators (not a test; run by hand):
 *   node --import tsx test/engine/operators/aggregating-operators-bench.ts
 * 1M rows in batches of 1,000, 10K keys: GROUP BY COUNT/SUM, TUMBLE and HOP window aggregates,
 * deduplication and Top-N. Prints rows/s per case.
 */
import type { Operator } from '../../../src/engine/operator.ts';
import { GroupAggregateOperator } from '../../../src/engine/operators/group-aggregate-operator.ts';
import { WindowAggregateOperator } from '../../../src/engine/operators/window-aggregate-operator.ts';
import { DeduplicateOperator } from '../../../src/engine/operators/deduplicate-operator.ts';
import { RankOperator } from '../../../src/engine/operators/rank-operator.ts';
import { CalcOperator } from '../../../src/engine/operators/calc-operator.ts';
import { insertBatch, type ChangeBatch, type Row } from '../../../src/types/row.ts';
import { T } from '../../../src/types/sql-type.ts';
import { BIGINT_NN, CollectingContext, agg } from './aggregating-operators-harness.ts';

const ROWS = 1_000_000;
const KEYS = 10_000;
const BATCH = 1_000;

/** [key INT, amount BIGINT, rowtime] with rowtime advancing 1 ms per row. */
function makeBatches(): ChangeBatch[] {
  const batches: ChangeBatch[] = [];
  let seed = 42;
  // xorshift32: cheap, and every key shows up
  const next = (): number => {
    seed ^= seed << 13;
    seed ^= seed >>> 17;
    seed ^= seed << 5;
    return seed >>> 0;
  };
  for (let b = 0; b < ROWS / BATCH; b++) {
    const rows: Row[] = [];
    for (let i = 0; i < BATCH; i++) rows.push([next() % KEYS, next() % 1000, b * BATCH + i]);
    batches.push(insertBatch(rows));
  }
  return batches;
}

function measure(name: string, make: () => Operator, batches: ChangeBatch[], watermarks: boolean): void {
  let best = Infinity;
  let out = 0;
  for (let run = 0; run < 3; run++) {
    const op = make();
    const ctx = new CollectingContext();
    ctx.emit = () => {}; // drop output: measure the operator, not the collector
    op.open(ctx);
    const start = process.hrtime.bigint();
    for (const batch of batches) {
      op.processBatch(0, batch);
      if (watermarks) op.onWatermark(0, (batch.rows[batch.rows.length - 1]![2] as number) - 1_000);
    }
    if (watermarks) op.onWatermark(0, Number.MAX_SAFE_INTEGER);
    const seconds = Number(process.hrtime.bigint() - start) / 1e9;
    best = Math.min(best, seconds);
    out = ctx.metrics.recordsOut;
  }
  console.log(`${name.padEnd(44)} ${Math.round(ROWS / best).toLocaleString('en-US').padStart(12)} rows/s  (${out} rows out)`);
}

const batches = makeBatches();
measure('Calc (filter + project)', () => new CalcOperator({ filter: (r) => (r[1] as number) > 100, project: (r) => [r[0], r[1]] }), batches, false);
measure('GroupAggregate COUNT(*), SUM  10K keys', () => new GroupAggregateOperator({ groupKeys: [0], aggregates: [agg('COUNT', [], BIGINT_NN), agg('SUM', [1], T.bigint())], generateUpdateBefore: true }), batches, false);
measure('GroupAggregate MAX (retractable)  10K keys', () => new GroupAggregateOperator({ groupKeys: [0], aggregates: [agg('MAX', [1], T.bigint())], generateUpdateBefore: true }), batches, false);
measure('TUMBLE 10s COUNT, SUM  10K keys', () => new WindowAggregateOperator({ window: { kind: 'TUMBLE', sizeMs: 10_000 }, timeIndex: 2, groupKeys: [0], aggregates: [agg('COUNT', [], BIGINT_NN), agg('SUM', [1], T.bigint())] }), batches, true);
measure('TUMBLE 10s SUM, no keys (revenue shape)', () => new WindowAggregateOperator({ window: { kind: 'TUMBLE', sizeMs: 10_000 }, timeIndex: 2, groupKeys: [], aggregates: [agg('SUM', [1], T.bigint())] }), batches, true);
measure('HOP 10s/2s COUNT  10K keys (q5 shape)', () => new WindowAggregateOperator({ window: { kind: 'HOP', sizeMs: 10_000, slideMs: 2_000 }, timeIndex: 2, groupKeys: [0], aggregates: [agg('COUNT', [], BIGINT_NN)] }), batches, true);
measure('Deduplicate keep first  10K keys', () => new DeduplicateOperator({ keys: [0], keepLast: false, generateUpdateBefore: true, appendRowNumber: false }), batches, false);
measure('Deduplicate keep last  10K keys', () => new DeduplicateOperator({ keys: [0], keepLast: true, generateUpdateBefore: true, appendRowNumber: false }), batches, false);
measure('Top-3 per key (append-only)  10K keys', () => new RankOperator({ partitionKeys: [0], orderBy: [{ index: 1, descending: true, nullsFirst: false }], limit: 3, rankFunction: 'ROW_NUMBER', outputRankNumber: true, generateUpdateBefore: true, appendOnlyInput: true }), batches, false);
