import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { isShiftleftError } from '../../../src/common/errors.ts';
import { compilePredicate, compileScalar } from '../../../src/engine/expr/compile.ts';
import { bool, call, col, dbl, evaluate, fn, int, lit, nul, nullOf, str, T, typeOf, ts } from './expr-test-support.ts';

const B = (i: number) => col(i, T.boolean());
const truth = [true, false, null] as const;

describe('three-valued logic', () => {
  it('AND, OR, NOT follow SQL truth tables', () => {
    const and = compileScalar(fn('AND', B(0), B(1)));
    const or = compileScalar(fn('OR', B(0), B(1)));
    const not = compileScalar(fn('NOT', B(0)));
    for (const a of truth) {
      for (const b of truth) {
        const expectedAnd = a === false || b === false ? false : a === null || b === null ? null : true;
        const expectedOr = a === true || b === true ? true : a === null || b === null ? null : false;
        assert.equal(and([a, b]), expectedAnd, `${a} AND ${b}`);
        assert.equal(or([a, b]), expectedOr, `${a} OR ${b}`);
      }
      assert.equal(not([a, null]), a === null ? null : !a);
    }
  });

  it('types AND as NOT NULL only when every operand is', () => {
    assert.equal(typeOf(fn('AND', bool(true), bool(false))), 'BOOLEAN NOT NULL');
    assert.equal(typeOf(fn('OR', B(0), bool(false))), 'BOOLEAN');
    assert.equal(call('AND', bool(true), bool(true), bool(false)), false);
  });

  it('IS tests never return NULL', () => {
    const row = [null];
    for (const [op, expected] of [['IS NULL', true], ['IS NOT NULL', false], ['IS TRUE', false], ['IS NOT TRUE', true], ['IS FALSE', false], ['IS NOT FALSE', true]] as const) {
      const expr = fn(op, B(0));
      assert.equal(typeOf(expr), 'BOOLEAN NOT NULL');
      assert.equal(evaluate(expr, row), expected, op);
    }
    assert.equal(evaluate(fn('IS TRUE', B(0)), [true]), true);
  });

  it('compilePredicate treats NULL as false', () => {
    const p = compilePredicate(fn('>', col(0, T.int()), int(100)));
    assert.equal(p([150]), true);
    assert.equal(p([50]), false);
    assert.equal(p([null]), false);
  });
});

describe('comparisons', () => {
  it('compares numbers across types and strings by code units', () => {
    assert.equal(call('<', int(1), dbl(1.5)), true);
    assert.equal(call('=', int(3), lit(3, T.bigint(false))), true);
    assert.equal(call('<', str('Zebra'), str('apple')), true);
    assert.equal(call('<>', str('a'), str('b')), true);
  });

  it('gives NULL when an operand is NULL', () => {
    assert.equal(call('=', nul(), int(1)), null);
    assert.equal(typeOf(fn('=', col(0, T.int()), int(1))), 'BOOLEAN');
    assert.equal(evaluate(fn('<=', col(0, T.string()), str('x')), [null]), null);
  });

  it('compares DATE with TIMESTAMP and TIMESTAMP with TIMESTAMP_LTZ via implicit casts', () => {
    const dateVsTs = fn('<', col(0, T.date(false)), col(1, T.timestamp(3, false)));
    assert.equal(evaluate(dateVsTs, [19723, ts('2024-01-01 00:00:01')]), true);
    const mixed = fn('=', col(0, T.timestamp(3, false)), col(1, T.timestampLtz(3, false)));
    assert.equal(evaluate(mixed, [ts('2024-01-01 00:00:00'), ts('2024-01-01 00:00:00')]), true);
  });

  it('rejects comparing unrelated types', () => {
    assert.throws(() => fn('=', str('1'), int(1)), (e) => isShiftleftError(e, 'SQL_TYPE_MISMATCH') && /'='/.test(e.message));
  });

  it('IS [NOT] DISTINCT FROM treats NULLs as equal', () => {
    const distinct = compileScalar(fn('IS DISTINCT FROM', col(0, T.int()), col(1, T.int())));
    assert.equal(distinct([null, null]), false);
    assert.equal(distinct([1, null]), true);
    assert.equal(distinct([1, 1]), false);
    assert.equal(evaluate(fn('IS NOT DISTINCT FROM', col(0, T.int()), col(1, T.int())), [null, null]), true);
  });

  it('compares arrays by content', () => {
    const a = lit([1, 2], T.array(T.int(), false));
    assert.equal(call('=', a, lit([1, 2], T.array(T.int(), false))), true);
    assert.equal(call('<>', a, lit([1, 3], T.array(T.int(), false))), true);
  });
});

describe('IN', () => {
  it('finds values in a constant list, with NULL semantics', () => {
    const state = col(0, T.string());
    const inList = compileScalar(fn('IN', state, str('OR'), str('ID'), str('CA')));
    assert.equal(inList(['ID']), true);
    assert.equal(inList(['WA']), false);
    assert.equal(inList([null]), null);
    const withNull = compileScalar(fn('IN', state, str('OR'), nul()));
    assert.equal(withNull(['OR']), true);
    assert.equal(withNull(['WA']), null);
    const notIn = compileScalar(fn('NOT IN', state, str('OR'), str('ID')));
    assert.equal(notIn(['WA']), true);
    assert.equal(notIn(['OR']), false);
    assert.equal(notIn([null]), null);
  });

  it('handles long lists, widening and non-constant items', () => {
    const many = Array.from({ length: 20 }, (_, i) => int(i * 10));
    assert.equal(evaluate(fn('IN', col(0, T.bigint(false)), ...many), [190]), true);
    const dynamic = compileScalar(fn('IN', col(0, T.int(false)), col(1, T.int()), int(5)));
    assert.equal(dynamic([5, null]), true);
    assert.equal(dynamic([6, null]), null);
    assert.equal(dynamic([6, 6]), true);
  });
});

describe('LIKE and SIMILAR TO', () => {
  const like = (value: string | null, pattern: string, escape?: string): unknown =>
    evaluate(fn('LIKE', col(0, T.string()), str(pattern), ...(escape === undefined ? [] : [str(escape)])), [value]);

  it('matches % and _ wildcards, with fast paths for prefixes and suffixes', () => {
    assert.equal(like('apple', 'app%'), true);
    assert.equal(like('apple', '%ple'), true);
    assert.equal(like('apple', '%ppl%'), true);
    assert.equal(like('apple', 'a_ple'), true);
    assert.equal(like('apple', 'apple'), true);
    assert.equal(like('apple', 'b%'), false);
    assert.equal(like('a\nb', 'a%b'), true);
    assert.equal(like(null, '%'), null);
  });

  it('honours escape characters (backslash by default)', () => {
    assert.equal(like('50%', '50\\%'), true);
    assert.equal(like('500', '50\\%'), false);
    assert.equal(like('a_b', 'a!_b', '!'), true);
    assert.equal(like('axb', 'a!_b', '!'), false);
  });

  it('NOT LIKE, patterns from columns, and SIMILAR TO', () => {
    assert.equal(call('NOT LIKE', str('abc'), str('a%')), false);
    const dynamic = compileScalar(fn('LIKE', col(0, T.string()), col(1, T.string())));
    assert.equal(dynamic(['abc', 'a_c']), true);
    assert.equal(dynamic(['abc', null]), null);
    assert.equal(call('SIMILAR TO', str('abc'), str('(a|x)b%')), true);
    assert.equal(call('SIMILAR TO', str('a.c'), str('a.c')), true);
    assert.equal(call('SIMILAR TO', str('abc'), str('a.c')), false);
    assert.equal(call('NOT SIMILAR TO', str('abc'), str('[a-c]+')), false);
  });
});

describe('conditional expressions', () => {
  it('CASE picks the first true branch, treating NULL conditions as false', () => {
    const hour = col(0, T.bigint());
    const expr = fn('CASE', fn('>=', hour, int(8)), str('dayTime'), fn('<', hour, int(8)), str('nightTime'), str('other'));
    assert.equal(typeOf(expr), 'VARCHAR(9) NOT NULL');
    assert.equal(evaluate(expr, [10]), 'dayTime');
    assert.equal(evaluate(expr, [3]), 'nightTime');
    assert.equal(evaluate(expr, [null]), 'other');
  });

  it('CASE without ELSE is nullable and unifies branch types', () => {
    const expr = fn('CASE', B(0), int(1), nul());
    assert.equal(typeOf(expr), 'INT');
    assert.equal(evaluate(expr, [false]), null);
    const widened = fn('CASE', B(0), int(1), dbl(2.5));
    assert.equal(typeOf(widened), 'DOUBLE NOT NULL');
    assert.throws(() => fn('CASE', B(0), int(1), str('x')), (e) => isShiftleftError(e, 'SQL_TYPE_MISMATCH'));
  });

  it('COALESCE, IFNULL, NULLIF, IF', () => {
    const coalesce = fn('COALESCE', col(0, T.int()), col(1, T.int()), int(0));
    assert.equal(typeOf(coalesce), 'INT NOT NULL');
    assert.equal(evaluate(coalesce, [null, 7]), 7);
    assert.equal(evaluate(coalesce, [null, null]), 0);
    assert.equal(typeOf(fn('COALESCE', col(0, T.int()), col(1, T.int()))), 'INT');
    assert.equal(evaluate(fn('IFNULL', col(0, T.string()), str('n/a')), [null]), 'n/a');
    assert.equal(call('NULLIF', int(1), int(1)), null);
    assert.equal(call('NULLIF', int(1), int(2)), 1);
    assert.equal(typeOf(fn('NULLIF', int(1), int(2))), 'INT');
    assert.equal(evaluate(fn('IF', B(0), str('yes'), str('no')), [null]), 'no');
  });

  it('GREATEST and LEAST are NULL when any argument is', () => {
    assert.equal(call('GREATEST', int(1), int(5), int(3)), 5);
    assert.equal(call('LEAST', int(4), dbl(2.5)), 2.5);
    assert.equal(call('GREATEST', str('b'), str('a')), 'b');
    assert.equal(evaluate(fn('GREATEST', int(1), nullOf(T.int()))), null);
  });
});
