import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { isShiftleftError } from '../../../src/common/errors.ts';
import { bigint, call, col, dbl, dec, evaluate, fn, int, lit, nul, nullOf, T, typeOf, ts } from './expr-test-support.ts';

describe('arithmetic types', () => {
  it('keeps integers integral and widens to the larger type', () => {
    assert.equal(typeOf(fn('+', int(1), int(2))), 'INT NOT NULL');
    assert.equal(typeOf(fn('+', int(1), bigint(2))), 'BIGINT NOT NULL');
    assert.equal(typeOf(fn('/', int(7), int(2))), 'INT NOT NULL');
    assert.equal(typeOf(fn('+', lit(1, T.smallint(false)), lit(1, T.tinyint(false)))), 'SMALLINT NOT NULL');
  });

  it('follows Flink DECIMAL precision rules', () => {
    assert.equal(typeOf(fn('*', col(0, T.bigint(false)), dec(0.908, 4, 3))), 'DECIMAL(23, 3) NOT NULL');
    assert.equal(typeOf(fn('+', dec(1.5, 10, 2), dec(1.25, 5, 3))), 'DECIMAL(12, 3) NOT NULL');
    assert.equal(typeOf(fn('/', dec(1, 10, 2), dec(3, 5, 0))), 'DECIMAL(16, 8) NOT NULL');
    assert.equal(typeOf(fn('*', dec(1, 38, 10), dec(1, 38, 10))), 'DECIMAL(38, 6) NOT NULL');
  });

  it('makes FLOAT/DOUBLE win over exact types', () => {
    assert.equal(typeOf(fn('+', int(1), dbl(0.5))), 'DOUBLE NOT NULL');
    assert.equal(typeOf(fn('+', dec(1, 5, 2), lit(1, T.float(false)))), 'DOUBLE NOT NULL');
    assert.equal(typeOf(fn('*', int(1), lit(1, T.float(false)))), 'FLOAT NOT NULL');
  });

  it('is nullable when an operand is, and types a NULL operand from the other', () => {
    assert.equal(typeOf(fn('+', col(0, T.int()), int(1))), 'INT');
    const withNull = fn('+', nul(), int(1));
    assert.equal(typeOf(withNull), 'INT');
    assert.equal(evaluate(withNull), null);
    assert.equal(evaluate(fn('*', col(0, T.int()), int(3)), [null]), null);
  });
});

describe('arithmetic values', () => {
  it('truncates integer division and wraps INT overflow like Java', () => {
    assert.equal(call('/', int(7), int(2)), 3);
    assert.equal(call('/', int(-7), int(2)), -3);
    assert.equal(call('+', int(2147483647), int(1)), -2147483648);
    assert.equal(call('*', int(65536), int(65536)), 0);
    assert.equal(call('-', int(-2147483648), int(1)), 2147483647);
    assert.equal(call('NEG', int(-2147483648)), -2147483648);
    assert.equal(call('+', lit(127, T.tinyint(false)), lit(1, T.tinyint(false))), -128);
    assert.equal(call('/', bigint(9_000_000_000), bigint(2)), 4_500_000_000);
  });

  it('fails integer and DECIMAL division by zero, but not DOUBLE', () => {
    for (const expr of [fn('/', int(1), col(0, T.int(false))), fn('%', int(1), col(0, T.int(false))), fn('/', dec(1, 5, 2), col(0, T.decimal(5, 2, false)))]) {
      assert.throws(() => evaluate(expr, [0]), (e) => isShiftleftError(e, 'SQL_RUNTIME_ERROR') && /division by zero/.test(e.message));
    }
    assert.equal(call('/', dbl(1), dbl(0)), Infinity);
    assert.ok(Number.isNaN(call('/', dbl(0), dbl(0)) as number));
  });

  it('rounds DECIMAL results to their scale, HALF_UP', () => {
    assert.equal(call('+', dec(0.1, 5, 1), dec(0.2, 5, 1)), 0.3);
    assert.equal(call('*', bigint(12345), dec(0.908, 4, 3)), 11209.26);
    assert.equal(call('/', dec(1, 5, 0), dec(3, 5, 0)), 0.333333);
    assert.equal(call('/', dec(2, 5, 0), dec(3, 5, 0)), 0.666667);
  });

  it('computes MOD with the sign of the dividend', () => {
    assert.equal(call('MOD', int(-7), int(3)), -1);
    assert.equal(call('%', bigint(10), int(4)), 2);
    assert.equal(typeOf(fn('MOD', bigint(10), int(4))), 'INT NOT NULL');
  });
});

describe('datetime and interval arithmetic', () => {
  const stamp = col(0, T.timestamp(3, false));
  it('adds day-time intervals as milliseconds', () => {
    const plus = fn('+', stamp, lit(5000, T.intervalDayTime(false)));
    assert.equal(typeOf(plus), 'TIMESTAMP(3) NOT NULL');
    assert.equal(evaluate(plus, [ts('2024-01-01 00:00:00')]), ts('2024-01-01 00:00:05'));
    const minus = fn('-', col(0, T.timestampLtz(3, false)), lit(96 * 3600_000, T.intervalDayTime(false)));
    assert.equal(evaluate(minus, [ts('2024-01-05 00:00:00')]), ts('2024-01-01 00:00:00'));
  });

  it('adds year-month intervals with calendar arithmetic', () => {
    const plus = fn('+', stamp, lit(1, T.intervalYearMonth(false)));
    assert.equal(evaluate(plus, [ts('2024-01-31 10:00:00')]), ts('2024-02-29 10:00:00'));
    assert.equal(evaluate(fn('-', stamp, lit(12, T.intervalYearMonth(false))), [ts('2024-02-29 00:00:00')]), ts('2023-02-28 00:00:00'));
    const date = fn('+', lit(0, T.date(false)), lit(86_400_000 * 2, T.intervalDayTime(false)));
    assert.equal(typeOf(date), 'DATE NOT NULL');
    assert.equal(evaluate(date), 2);
  });

  it('rejects timestamp - timestamp with a hint to TIMESTAMPDIFF', () => {
    assert.throws(() => fn('-', stamp, stamp), (e) => isShiftleftError(e, 'SQL_TYPE_MISMATCH') && /TIMESTAMPDIFF/.test(e.hint ?? ''));
  });

  it('propagates NULL through interval arithmetic', () => {
    assert.equal(evaluate(fn('+', col(0, T.timestamp(3)), nullOf(T.intervalDayTime())), [ts('2024-01-01 00:00:00')]), null);
  });
});
