/**
 * A tombstone's -D is the deleted row (with that row's rowtime) marked with the tombstone's own
 * time: the temporal join ends the version at the tombstone, while every other operator sees
 * (and retracts) exactly the row it saw before.
 */
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { newMetrics, type Operator, type OperatorContext } from '../../../src/engine/operator.ts';
import { CalcOperator } from '../../../src/engine/operators/calc-operator.ts';
import { DeduplicateOperator } from '../../../src/engine/operators/deduplicate-operator.ts';
import { RegularJoinOperator } from '../../../src/engine/operators/join-operator.ts';
import { equiJoinKey } from '../../../src/engine/operators/join/join-rows.ts';
import { TemporalJoinOperator } from '../../../src/engine/operators/temporal-join-operator.ts';
import { markTombstone, tombstoneTime } from '../../../src/engine/operators/tombstone-time.ts';
import { ROW_KIND_SHORT, RowKind, type ChangeBatch, type Row } from '../../../src/types/row.ts';

function collect(op: Operator): { out: string[]; batches: ChangeBatch[] } {
  const out: string[] = [];
  const batches: ChangeBatch[] = [];
  const context: OperatorContext = {
    metrics: newMetrics(),
    stateTtlMs: 0,
    now: () => 0,
    emit(batch) {
      batches.push(batch);
      batch.rows.forEach((row, i) => out.push(ROW_KIND_SHORT[batch.kinds === null ? 0 : batch.kinds[i]!] + JSON.stringify(row)));
    },
  };
  op.open(context);
  return { out, batches };
}

const changes = (...entries: [RowKind, Row][]): ChangeBatch => ({ rows: entries.map(([, r]) => r), kinds: entries.map(([k]) => k) });

// conversions [cid, currency, ts] JOIN rates FOR SYSTEM_TIME AS OF ts: rates [currency, rate, $rowtime]
const ratesJoin = () =>
  new TemporalJoinOperator({ joinType: 'LEFT', leftArity: 3, rightArity: 3, leftKey: equiJoinKey([1]), rightKey: equiJoinKey([0]), leftTimeIndex: 2, rightTimeIndex: 2 });

describe('tombstone deletes', () => {
  it('a temporal join ends the version at the tombstone, not at the deleted row’s time', () => {
    const eur2: Row = ['EUR', 2, 1000];
    const eur3: Row = ['EUR', 3, 5000];
    const run = (deleted: Row): string[] => {
      const op = ratesJoin();
      const { out } = collect(op);
      op.processBatch(1, changes([RowKind.Insert, eur2], [RowKind.UpdateBefore, eur2], [RowKind.UpdateAfter, eur3], [RowKind.Delete, deleted]));
      op.processBatch(0, { rows: [[1, 'EUR', 2000], [3, 'EUR', 6000], [2, 'EUR', 9000]], kinds: null });
      op.close();
      return out;
    };
    assert.deepEqual(run(markTombstone(eur3.slice(), 8000)), ['+I[1,"EUR",2000,"EUR",2,1000]', '+I[3,"EUR",6000,"EUR",3,5000]', '+I[2,"EUR",9000,null,null,null]']);
    // Unmarked, a -D ends the key at its row's own time: the version from 5000 vanishes.
    assert.deepEqual(run(eur3), ['+I[1,"EUR",2000,"EUR",2,1000]', '+I[3,"EUR",6000,null,null,null]', '+I[2,"EUR",9000,null,null,null]']);
  });

  it('a key deleted and inserted again: the deletion lasts from the tombstone to the new version', () => {
    const op = ratesJoin();
    const { out } = collect(op);
    const eur2: Row = ['EUR', 2, 1000];
    op.processBatch(1, changes([RowKind.Insert, eur2], [RowKind.Delete, markTombstone(eur2.slice(), 3000)], [RowKind.Insert, ['EUR', 5, 4000]]));
    op.processBatch(0, { rows: [[1, 'EUR', 2000], [2, 'EUR', 3500], [3, 'EUR', 5000]], kinds: null });
    op.close();
    assert.deepEqual(out, ['+I[1,"EUR",2000,"EUR",2,1000]', '+I[2,"EUR",3500,null,null,null]', '+I[3,"EUR",5000,"EUR",5,4000]']);
  });

  it('the tombstone time survives a snapshot through JSON', () => {
    const first = ratesJoin();
    collect(first);
    const eur3: Row = ['EUR', 3, 5000];
    first.processBatch(1, changes([RowKind.Insert, eur3], [RowKind.Delete, markTombstone(eur3.slice(), 8000)]));
    const stored = JSON.parse(JSON.stringify(first.snapshotState())) as unknown;
    const second = ratesJoin();
    second.restoreState(stored);
    const { out } = collect(second);
    second.processBatch(0, { rows: [[3, 'EUR', 6000], [4, 'EUR', 8000]], kinds: null });
    second.close();
    assert.deepEqual(out, ['+I[3,"EUR",6000,"EUR",3,5000]', '+I[4,"EUR",8000,null,null,null]']);
  });

  it('a regular join retracts the marked -D row exactly as it joined it', () => {
    const op = new RegularJoinOperator({ joinType: 'INNER', leftArity: 3, rightArity: 2, leftKey: equiJoinKey([1]), rightKey: equiJoinKey([0]) });
    const { out } = collect(op);
    op.processBatch(0, { rows: [[1, 'EUR', 2000]], kinds: null });
    const eur3: Row = ['EUR', 3];
    op.processBatch(1, { rows: [eur3], kinds: null });
    op.processBatch(1, changes([RowKind.Delete, markTombstone(eur3.slice(), 8000)]));
    assert.deepEqual(out, ['+I[1,"EUR",2000,"EUR",3]', '-D[1,"EUR",2000,"EUR",3]']);
    assert.deepEqual(op.stateSize(), { left: 1, right: 0 });
  });

  it('Calc and Deduplicate carry the mark to the -D rows they derive, and only to tombstones', () => {
    const calc = new CalcOperator({ filter: (row) => row[0] !== 'skip', project: (row) => [row[0], row[2]] });
    const { batches } = collect(calc);
    const tombstone = markTombstone(['EUR', 3, 5000], 8000);
    calc.processBatch(0, changes([RowKind.Delete, ['skip', 1, 1]], [RowKind.Delete, tombstone], [RowKind.Delete, ['USD', 1, 1000]], [RowKind.Insert, ['GBP', 1, 1000]]));
    const rows = batches.flatMap((b) => b.rows);
    assert.deepEqual(rows, [['EUR', 5000], ['USD', 1000], ['GBP', 1000]]);
    assert.deepEqual(rows.map(tombstoneTime), [8000, undefined, undefined]);
    // Projection without a filter takes another path.
    const project = new CalcOperator({ project: (row) => [row[1]] });
    const projected = collect(project);
    project.processBatch(0, changes([RowKind.Delete, markTombstone(['EUR', 3, 5000], 9000)]));
    assert.equal(tombstoneTime(projected.batches[0]!.rows[0]!), 9000);

    const dedup = new DeduplicateOperator({ keys: [0], keepLast: true, timeIndex: 2, generateUpdateBefore: true, appendRowNumber: false });
    const deduped = collect(dedup);
    const kept: Row = ['EUR', 3, 5000];
    dedup.processBatch(0, { rows: [kept], kinds: null });
    dedup.processBatch(0, changes([RowKind.Delete, markTombstone(kept.slice(), 8000)]));
    const deleted = deduped.batches[1]!.rows[0]!;
    assert.deepEqual(deleted, kept);
    assert.notEqual(deleted, kept, 'the row emitted as +I is not marked itself');
    assert.equal(tombstoneTime(deleted), 8000);
    assert.equal(tombstoneTime(kept), undefined);
  });
});
