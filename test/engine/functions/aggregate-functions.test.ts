import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { createAccumulator, isAggregateFunction, resolveAggregate } from '../../../src/engine/functions/aggregate-functions.ts';
import { formatType, T } from '../../../src/types/sql-type.ts';
import { isShiftleftError } from '../../../src/common/errors.ts';
import { agg } from '../operators/aggregating-operators-harness.ts';

describe('resolveAggregate', () => {
  const cases: [string, ReturnType<typeof T.int>[], string][] = [
    ['COUNT', [], 'BIGINT NOT NULL'],
    ['count', [T.string()], 'BIGINT NOT NULL'],
    ['SUM', [T.int(false)], 'INT'],
    ['SUM', [T.bigint()], 'BIGINT'],
    ['SUM', [T.decimal(10, 2)], 'DECIMAL(38, 2)'],
    ['SUM', [T.double()], 'DOUBLE'],
    ['AVG', [T.int()], 'INT'],
    ['AVG', [T.double()], 'DOUBLE'],
    ['AVG', [T.decimal(10, 2)], 'DECIMAL(38, 6)'],
    ['MIN', [T.string(false)], 'STRING'],
    ['MAX', [T.timestamp(3)], 'TIMESTAMP(3)'],
    ['LISTAGG', [T.string(), T.char(1)], 'STRING'],
    ['FIRST_VALUE', [T.bigint()], 'BIGINT'],
    ['STDDEV_POP', [T.double()], 'DOUBLE'],
  ];
  for (const [fn, args, expected] of cases) {
    it(`${fn}(${args.map(formatType).join(', ')}) -> ${expected}`, () => assert.equal(formatType(resolveAggregate(fn, args, false)), expected));
  }

  it('rejects unknown functions and wrong argument types with stable codes', () => {
    assert.throws(() => resolveAggregate('MEDIAN', [T.int()], false), (e) => isShiftleftError(e, 'SQL_UNKNOWN_FUNCTION'));
    assert.throws(() => resolveAggregate('SUM', [T.string()], false), (e) => isShiftleftError(e, 'SQL_TYPE_MISMATCH'));
    assert.throws(() => resolveAggregate('AVG', [], false), (e) => isShiftleftError(e, 'SQL_TYPE_MISMATCH'));
    assert.throws(() => resolveAggregate('MAX', [T.array(T.int())], false), (e) => isShiftleftError(e, 'SQL_TYPE_MISMATCH'));
  });

  it('knows which names are aggregates', () => {
    assert.equal(isAggregateFunction('sum'), true);
    assert.equal(isAggregateFunction('UPPER'), false);
  });
});

describe('accumulators', () => {
  it('SUM ignores NULLs, is NULL over no values, and is exact for DECIMAL under retraction', () => {
    const sum = createAccumulator(agg('SUM', [0], T.decimal(38, 2)));
    assert.equal(sum.value(), null);
    sum.add([null]);
    assert.equal(sum.value(), null);
    sum.add([0.1]);
    sum.add([0.2]);
    assert.equal(sum.value(), 0.3);
    sum.retract([0.1]);
    sum.retract([0.2]);
    assert.equal(sum.value(), null);
    assert.equal(sum.isEmpty(), false); // the NULL row is still there
    sum.retract([null]);
    assert.equal(sum.isEmpty(), true);
  });

  it('AVG of integers truncates like Flink', () => {
    const avg = createAccumulator(agg('AVG', [0], T.int()));
    for (const v of [1, 2, 2]) avg.add([v]);
    assert.equal(avg.value(), 1); // 5 / 3
    const neg = createAccumulator(agg('AVG', [0], T.int()));
    for (const v of [-1, -2, -2]) neg.add([v]);
    assert.equal(neg.value(), -1); // toward zero
    const dec = createAccumulator(agg('AVG', [0], T.decimal(38, 6)));
    for (const v of [1, 2, 2]) dec.add([v]);
    assert.equal(dec.value(), 1.666667);
  });

  it('MIN/MAX survive retraction of the current extreme', () => {
    const min = createAccumulator(agg('MIN', [0], T.int()));
    const max = createAccumulator(agg('MAX', [0], T.int()));
    for (const v of [5, 3, 3, 9]) {
      min.add([v]);
      max.add([v]);
    }
    assert.deepEqual([min.value(), max.value()], [3, 9]);
    min.retract([3]);
    max.retract([9]);
    assert.deepEqual([min.value(), max.value()], [3, 5]); // one 3 is left
    min.retract([3]);
    assert.equal(min.value(), 5);
    const copy = createAccumulator(agg('MIN', [0], T.int()));
    copy.restore(JSON.parse(JSON.stringify(min.snapshot())));
    copy.retract([5]);
    assert.equal(copy.value(), 9);
  });

  it('COUNT(DISTINCT) counts distinct non-NULL values and retracts', () => {
    const count = createAccumulator(agg('COUNT', [0], T.bigint(false), { distinct: true }));
    for (const v of ['a', 'b', 'a', null]) count.add([v]);
    assert.equal(count.value(), 2);
    count.retract(['a']);
    assert.equal(count.value(), 2);
    count.retract(['a']);
    assert.equal(count.value(), 1);
  });

  it('FILTER (WHERE ...) hides rows unless the filter column is TRUE', () => {
    const count = createAccumulator(agg('COUNT', [], T.bigint(false), { filterArg: 1 }));
    const sum = createAccumulator(agg('SUM', [0], T.int(), { filterArg: 1, distinct: true }));
    for (const row of [[1, true], [1, true], [2, false], [3, null], [4, true]]) {
      count.add(row);
      sum.add(row);
    }
    assert.equal(count.value(), 3);
    assert.equal(sum.value(), 5); // DISTINCT 1, 4
  });

  it('LISTAGG, FIRST_VALUE and LAST_VALUE follow arrival order', () => {
    const list = createAccumulator(agg('LISTAGG', [0], T.string(), { constants: [';'] }));
    const first = createAccumulator(agg('FIRST_VALUE', [0], T.string()));
    const last = createAccumulator(agg('LAST_VALUE', [0], T.string()));
    for (const v of ['x', null, 'y', 'z']) for (const a of [list, first, last]) a.add([v]);
    assert.deepEqual([list.value(), first.value(), last.value()], ['x;y;z', 'x', 'z']);
    for (const a of [list, first, last]) a.retract(['x']);
    assert.deepEqual([list.value(), first.value(), last.value()], ['y;z', 'y', 'z']);
  });

  it('variance family', () => {
    const pop = createAccumulator(agg('VAR_POP', [0], T.double()));
    const samp = createAccumulator(agg('STDDEV_SAMP', [0], T.double()));
    assert.equal(samp.value(), null);
    for (const v of [2, 4, 4, 4, 5, 5, 7, 9]) {
      pop.add([v]);
      samp.add([v]);
    }
    assert.equal(pop.value(), 4);
    assert.ok(Math.abs((samp.value() as number) - Math.sqrt(32 / 7)) < 1e-12);
  });
});

describe('integer overflow', () => {
  it('SUM of INT wraps like Java; BIGINT does not', () => {
    const sumInt = createAccumulator(agg('SUM', [0], T.int()));
    const sumBig = createAccumulator(agg('SUM', [0], T.bigint()));
    for (const v of [2_147_483_647, 1]) {
      sumInt.add([v]);
      sumBig.add([v]);
    }
    assert.equal(sumInt.value(), -2_147_483_648);
    assert.equal(sumBig.value(), 2_147_483_648);
  });
});

describe('LISTAGG separator and COLLECT', () => {
  it('reads the separator from a second argument column, as the binder passes it', () => {
    const list = createAccumulator(agg('LISTAGG', [0, 1], T.string()));
    list.add(['a', '|']);
    list.add(['b', '|']);
    assert.equal(list.value(), 'a|b');
    const copy = createAccumulator(agg('LISTAGG', [0, 1], T.string()));
    copy.restore(JSON.parse(JSON.stringify(list.snapshot())));
    assert.equal(copy.value(), 'a|b');
  });

  it('COLLECT gathers non-NULL values as a multiset', () => {
    assert.equal(formatType(resolveAggregate('COLLECT', [T.int()], false)), 'MULTISET<INT> NOT NULL');
    const collect = createAccumulator(agg('COLLECT', [0], { kind: 'MULTISET', element: T.int(), nullable: false }));
    assert.deepEqual(collect.value(), []);
    for (const v of [1, null, 1, 2]) collect.add([v]);
    collect.retract([1]);
    assert.deepEqual(collect.value(), [1, 2]);
  });
});
