import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { RegularJoinOperator, type RegularJoinOptions } from '../../../src/engine/operators/join-operator.ts';
import { equiJoinKey, type JoinType } from '../../../src/engine/operators/join/join-rows.ts';
import type { Row } from '../../../src/types/row.ts';
import { changes, fold, formatRow, inserts, random, snapshotEquivalence, start, type Step } from './join-harness.ts';

// Left: orders [orderid, customerid]; right: customers [customerid, name]; ON o.customerid = c.customerid.
function ordersJoinCustomers(joinType: JoinType, extra: Partial<RegularJoinOptions> = {}): RegularJoinOperator {
  return new RegularJoinOperator({
    joinType,
    leftArity: 2,
    rightArity: 2,
    leftKey: equiJoinKey([1]),
    rightKey: equiJoinKey([0]),
    ...extra,
  });
}

const L = 0;
const R = 1;

describe('RegularJoinOperator', () => {
  it('INNER: forwards updates and deletes of both sides with their kinds', () => {
    const { op, ctx } = start(ordersJoinCustomers('INNER'));
    op.processBatch(L, inserts([1, 10]));
    assert.deepEqual(ctx.drain(), []);
    op.processBatch(R, inserts([10, 'ann']));
    assert.deepEqual(ctx.drain(), ['+I[1, 10, 10, ann]']);
    op.processBatch(L, inserts([2, 10]));
    assert.deepEqual(ctx.drain(), ['+I[2, 10, 10, ann]']);
    op.processBatch(R, changes(['-U', [10, 'ann']], ['+U', [10, 'bob']]));
    assert.deepEqual(ctx.drain(), ['-U[1, 10, 10, ann]', '-U[2, 10, 10, ann]', '+U[1, 10, 10, bob]', '+U[2, 10, 10, bob]']);
    op.processBatch(L, changes(['-D', [1, 10]]));
    assert.deepEqual(ctx.drain(), ['-D[1, 10, 10, bob]']);
    op.processBatch(R, changes(['-D', [10, 'bob']]));
    assert.deepEqual(ctx.drain(), ['-D[2, 10, 10, bob]']);
    op.processBatch(L, inserts([3, 10]));
    assert.deepEqual(ctx.drain(), []);
    assert.equal(ctx.metrics.recordsIn, 8);
    assert.equal(ctx.metrics.recordsOut, 8);
  });

  it('LEFT: the padded row is retracted at the first match and restored after the last', () => {
    const { op, ctx } = start(ordersJoinCustomers('LEFT'));
    op.processBatch(L, inserts([1, 10]));
    assert.deepEqual(ctx.drain(), ['+I[1, 10, null, null]']);
    op.processBatch(R, inserts([10, 'ann']));
    assert.deepEqual(ctx.drain(), ['-D[1, 10, null, null]', '+I[1, 10, 10, ann]']);
    op.processBatch(R, inserts([10, 'amy']));
    assert.deepEqual(ctx.drain(), ['+I[1, 10, 10, amy]']);
    // A retraction on the inner (right) side keeps its kind.
    op.processBatch(R, changes(['-D', [10, 'ann']]));
    assert.deepEqual(ctx.drain(), ['-D[1, 10, 10, ann]']);
    op.processBatch(R, changes(['-U', [10, 'amy']]));
    assert.deepEqual(ctx.drain(), ['-U[1, 10, 10, amy]', '+I[1, 10, null, null]']);
    op.processBatch(R, changes(['+U', [10, 'zoe']]));
    assert.deepEqual(ctx.drain(), ['-D[1, 10, null, null]', '+I[1, 10, 10, zoe]']);
    // The outer (left) side's own update becomes -D/+I.
    op.processBatch(L, changes(['-U', [1, 10]], ['+U', [1, 11]]));
    assert.deepEqual(ctx.drain(), ['-D[1, 10, 10, zoe]', '+I[1, 11, null, null]']);
    // A NULL key matches nothing (even a NULL on the other side) but is kept padded.
    op.processBatch(L, inserts([4, null]));
    op.processBatch(R, inserts([null, 'nobody']));
    assert.deepEqual(ctx.drain(), ['+I[4, null, null, null]']);
    op.processBatch(L, changes(['-D', [4, null]]));
    assert.deepEqual(ctx.drain(), ['-D[4, null, null, null]']);
  });

  it('RIGHT: mirror image of LEFT', () => {
    const { op, ctx } = start(ordersJoinCustomers('RIGHT'));
    op.processBatch(R, inserts([10, 'ann']));
    assert.deepEqual(ctx.drain(), ['+I[null, null, 10, ann]']);
    op.processBatch(L, inserts([1, 10]));
    assert.deepEqual(ctx.drain(), ['-D[null, null, 10, ann]', '+I[1, 10, 10, ann]']);
    op.processBatch(L, changes(['-D', [1, 10]]));
    assert.deepEqual(ctx.drain(), ['-D[1, 10, 10, ann]', '+I[null, null, 10, ann]']);
    op.processBatch(R, changes(['-U', [10, 'ann']], ['+U', [10, 'anne']]));
    assert.deepEqual(ctx.drain(), ['-D[null, null, 10, ann]', '+I[null, null, 10, anne]']);
    op.processBatch(L, inserts([2, 99]));
    assert.deepEqual(ctx.drain(), []);
  });

  it('FULL: both sides padded, counts of duplicate rows respected', () => {
    const { op, ctx } = start(ordersJoinCustomers('FULL'));
    op.processBatch(L, inserts([1, 10]));
    op.processBatch(R, inserts([20, 'bea']));
    assert.deepEqual(ctx.drain(), ['+I[1, 10, null, null]', '+I[null, null, 20, bea]']);
    op.processBatch(R, inserts([10, 'ann']));
    assert.deepEqual(ctx.drain(), ['-D[1, 10, null, null]', '+I[1, 10, 10, ann]']);
    op.processBatch(L, inserts([2, 10]));
    assert.deepEqual(ctx.drain(), ['+I[2, 10, 10, ann]']);
    op.processBatch(L, changes(['-D', [1, 10]]));
    assert.deepEqual(ctx.drain(), ['-D[1, 10, 10, ann]']);
    op.processBatch(L, changes(['-D', [2, 10]]));
    assert.deepEqual(ctx.drain(), ['-D[2, 10, 10, ann]', '+I[null, null, 10, ann]']);
    op.processBatch(R, changes(['-D', [10, 'ann']]));
    assert.deepEqual(ctx.drain(), ['-D[null, null, 10, ann]']);
    // The same left row twice: one padded row retracted, two joined rows.
    op.processBatch(L, inserts([5, 20], [5, 20]));
    assert.deepEqual(ctx.drain(), ['-D[null, null, 20, bea]', '+I[5, 20, 20, bea]', '+I[5, 20, 20, bea]']);
    op.processBatch(L, changes(['-D', [5, 20]]));
    assert.deepEqual(ctx.drain(), ['-D[5, 20, 20, bea]']);
    op.processBatch(R, changes(['-U', [20, 'bea']]));
    assert.deepEqual(ctx.drain(), ['-D[5, 20, 20, bea]', '+I[5, 20, null, null]']);
    op.processBatch(R, changes(['+U', [20, 'bee']]));
    assert.deepEqual(ctx.drain(), ['-D[5, 20, null, null]', '+I[5, 20, 20, bee]']);
    // A multiset entry with count 2, joined by one new row, yields two output rows.
    op.processBatch(R, inserts([20, 'bee']));
    assert.deepEqual(ctx.drain(), ['+I[5, 20, 20, bee]']);
    op.processBatch(L, inserts([6, 20]));
    assert.deepEqual(ctx.drain(), ['+I[6, 20, 20, bee]', '+I[6, 20, 20, bee]']);
  });

  it('keys: NULL never equals NULL under =, but does under IS NOT DISTINCT FROM', () => {
    assert.equal(equiJoinKey([1])([1, null]), null);
    assert.equal(equiJoinKey([0, 1])([1, null]), null);
    assert.equal(equiJoinKey([0, 1])([1, 'a']), equiJoinKey([1, 0])(['a', 1]));
    assert.notEqual(equiJoinKey([0])(['1']), equiJoinKey([0])([1]));
    const { op, ctx } = start(ordersJoinCustomers('INNER', { leftKey: equiJoinKey([1], [true]), rightKey: equiJoinKey([0], [true]) }));
    op.processBatch(L, inserts([1, null]));
    op.processBatch(R, inserts([null, 'nobody']));
    assert.deepEqual(ctx.drain(), ['+I[1, null, null, nobody]']);
  });

  it('a non-equi condition filters matches; LEFT pads what it rejects', () => {
    // ... ON o.customerid = c.customerid AND o.orderid > c.minorder   (customers: [cid, minorder])
    const { op, ctx } = start(ordersJoinCustomers('LEFT', { condition: (j: Row) => (j[0] as number) > (j[3] as number) }));
    op.processBatch(R, inserts([10, 5]));
    op.processBatch(L, inserts([3, 10], [7, 10]));
    assert.deepEqual(ctx.drain(), ['+I[3, 10, null, null]', '+I[7, 10, 10, 5]']);
    op.processBatch(R, inserts([10, 1]));
    assert.deepEqual(ctx.drain(), ['-D[3, 10, null, null]', '+I[3, 10, 10, 1]', '+I[7, 10, 10, 1]']);
    op.processBatch(R, changes(['-D', [10, 1]]));
    assert.deepEqual(ctx.drain(), ['-D[3, 10, 10, 1]', '+I[3, 10, null, null]', '-D[7, 10, 10, 1]']);
  });

  it('state TTL drops idle keys, counted in stateExpired', () => {
    const { op, ctx } = start(ordersJoinCustomers('INNER'), 1000);
    ctx.time = 1;
    op.processBatch(L, inserts([1, 10]));
    ctx.time = 500;
    op.processBatch(R, inserts([10, 'ann']));
    assert.deepEqual(ctx.drain(), ['+I[1, 10, 10, ann]']);
    // At 1200 the left key (written at 1) has been idle 1199 ms > 1000: gone. The right one stays.
    ctx.time = 1200;
    op.processBatch(R, inserts([10, 'bob']));
    assert.deepEqual(ctx.drain(), []);
    assert.equal(ctx.metrics.stateExpired, 1);
    ctx.time = 1300;
    op.processBatch(L, inserts([2, 10]));
    assert.deepEqual(ctx.drain(), ['+I[2, 10, 10, ann]', '+I[2, 10, 10, bob]']);
    // Reading does not refresh: at 2250 the right key, last written at 1200, is 1050 ms idle.
    ctx.time = 2250;
    op.processBatch(L, inserts([3, 10]));
    assert.deepEqual(ctx.drain(), []);
    assert.equal(ctx.metrics.stateExpired, 2);
    assert.deepEqual(op.stateSize(), { left: 1, right: 0 });
  });

  it('snapshot mid-stream, restored into a fresh operator, continues identically', () => {
    const steps: Step[] = [
      { input: L, batch: inserts([1, 10], [2, 20]), now: 10 },
      { input: R, batch: inserts([10, 'ann']), now: 20 },
      { input: R, batch: changes(['-U', [10, 'ann']], ['+U', [10, 'bob']]), now: 30 },
      { input: L, batch: inserts([2, 20]), now: 40 },
      // cut here
      { input: R, batch: inserts([20, 'cy']), now: 50 },
      { input: L, batch: changes(['-D', [2, 20]]), now: 60 },
      { input: R, batch: changes(['-D', [10, 'bob']]), now: 70 },
      { input: L, batch: inserts([3, 30]), now: 900 },
      { input: R, batch: inserts([30, 'di'], [20, 'ed']), now: 1500 },
    ];
    for (const type of ['INNER', 'LEFT', 'RIGHT', 'FULL'] as const) {
      const { whole, resumed } = snapshotEquivalence(() => ordersJoinCustomers(type), steps, 4, 1000);
      assert.deepEqual(resumed, whole, type);
      assert.ok(whole.length > 3);
    }
  });

  it('randomized: the folded changelog equals the batch join of the final tables', () => {
    for (const type of ['INNER', 'LEFT', 'RIGHT', 'FULL'] as const) {
      for (let seed = 1; seed <= 8; seed++) {
        const next = random(seed * 31 + type.length);
        const tables: [Row[], Row[]] = [[], []];
        const { op, ctx } = start(ordersJoinCustomers(type, { condition: (j) => ((j[0] as number) + (j[3] as number)) % 5 !== 0 }));
        for (let step = 0; step < 150; step++) {
          const side = next() < 0.5 ? 0 : 1;
          const table = tables[side];
          const batch: [string, Row][] = [];
          const size = 1 + Math.floor(next() * 3);
          for (let k = 0; k < size; k++) {
            const roll = next();
            if (roll < 0.6 || table.length === 0) {
              const key = Math.floor(next() * 4);
              const value = Math.floor(next() * 6);
              const row = side === 0 ? [value, key] : [key, value];
              table.push(row);
              batch.push(['+I', row]);
            } else {
              const at = Math.floor(next() * table.length);
              const [row] = table.splice(at, 1);
              if (roll < 0.8) {
                // an update: -U of the old row, +U of a new one with the same key
                const updated = side === 0 ? [Math.floor(next() * 6), row![1]] : [row![0], Math.floor(next() * 6)];
                table.push(updated);
                batch.push(['-U', row!], ['+U', updated]);
              } else {
                batch.push(['-D', row!]);
              }
            }
          }
          op.processBatch(side, changes(...batch));
        }
        assert.deepEqual(fold(ctx.all()), batchJoin(type, tables[0], tables[1]), `${type} seed ${seed}`);
      }
    }
  });
});

/** The join computed the obvious way, as formatted +I rows, sorted. */
function batchJoin(type: JoinType, left: Row[], right: Row[]): string[] {
  const out: string[] = [];
  const rightMatched = right.map(() => false);
  for (const l of left) {
    let matched = false;
    right.forEach((r, j) => {
      const joined = [...l, ...r];
      if (l[1] === r[0] && ((joined[0] as number) + (joined[3] as number)) % 5 !== 0) {
        out.push(formatRow(joined).slice(2));
        matched = true;
        rightMatched[j] = true;
      }
    });
    if (!matched && (type === 'LEFT' || type === 'FULL')) out.push(formatRow([...l, null, null]).slice(2));
  }
  if (type === 'RIGHT' || type === 'FULL') right.forEach((r, j) => !rightMatched[j] && out.push(formatRow([null, null, ...r]).slice(2)));
  return out.sort();
}
