import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { isShiftleftError } from '../../../src/common/errors.ts';
import { castType } from '../../../src/engine/functions/function-catalog.ts';
import { bool, col, dbl, dec, evaluate, int, lit, nul, str, T, typeOf, ts } from './expr-test-support.ts';
import type { ScalarExpr } from '../../../src/sql/plan/scalar-expr.ts';
import type { SqlType } from '../../../src/types/sql-type.ts';

const cast = (expr: ScalarExpr, type: SqlType, row: unknown[] = []): unknown => evaluate(castType(expr, type), row);
const tryCast = (expr: ScalarExpr, type: SqlType): unknown => evaluate(castType(expr, type, true));

describe('CAST', () => {
  it('converts strings to numbers, trimming blanks', () => {
    assert.equal(cast(str(' 42 '), T.int()), 42);
    assert.equal(cast(str('1.9'), T.int()), 1);
    assert.equal(cast(str('-12.345'), T.decimal(10, 2)), -12.35);
    assert.equal(cast(str('1e3'), T.double()), 1000);
    assert.equal(cast(str('true'), T.boolean()), true);
    assert.equal(cast(str('N'), T.boolean()), false);
  });

  it("fails on 'abc' AS INT while TRY_CAST gives NULL", () => {
    assert.throws(() => cast(str('abc'), T.int()), (e) => isShiftleftError(e, 'SQL_RUNTIME_ERROR') && /cannot cast 'abc' to INT/.test(e.message) && /TRY_CAST/.test(e.hint ?? ''));
    assert.equal(tryCast(str('abc'), T.int()), null);
    assert.equal(typeOf(castType(str('abc'), T.int(false), true)), 'INT');
    assert.equal(tryCast(str('99999999999'), T.int()), null);
    assert.equal(tryCast(str('2024-13-01'), T.date()), null);
  });

  it('narrows numbers like Java and rounds DECIMAL HALF_UP', () => {
    assert.equal(cast(dec(12.99, 10, 2), T.int()), 12);
    assert.equal(cast(dec(-12.99, 10, 2), T.int()), -12);
    assert.equal(cast(dbl(1e10), T.int()), 2147483647);
    assert.equal(cast(lit(300, T.int(false)), T.tinyint()), 44);
    assert.equal(cast(dbl(2.345), T.decimal(5, 2)), 2.35);
    assert.equal(cast(dbl(-2.345), T.decimal(5, 2)), -2.35);
    assert.equal(cast(dbl(1.005), T.decimal(5, 2)), 1.01);
    assert.equal(cast(dbl(12345.6), T.decimal(4, 1)), null);
    assert.equal(typeOf(castType(dbl(1), T.decimal(4, 1, false))), 'DECIMAL(4, 1)');
    assert.equal(typeOf(castType(col(0, T.decimal(10, 2, false)), T.int(false))), 'INT NOT NULL');
  });

  it('writes values as Flink prints them', () => {
    assert.equal(cast(dbl(1), T.string()), '1.0');
    assert.equal(cast(dbl(1.5e10), T.string()), '1.5E10');
    assert.equal(cast(dbl(0.0001), T.string()), '1.0E-4');
    assert.equal(cast(lit(0.1, T.float(false)), T.string()), '0.1');
    assert.equal(cast(dec(5, 10, 2), T.string()), '5.00');
    assert.equal(cast(bool(true), T.string()), 'TRUE');
    assert.equal(cast(lit(19723, T.date(false)), T.string()), '2024-01-01');
    assert.equal(cast(lit(ts('2024-01-01 12:34:56.789'), T.timestamp(3, false)), T.string()), '2024-01-01 12:34:56.789');
    assert.equal(cast(lit(ts('2024-01-01 12:34:56.789'), T.timestamp(0, false)), T.string()), '2024-01-01 12:34:56');
    assert.equal(cast(lit(45296000, T.time(0, false)), T.string()), '12:34:56');
    assert.equal(cast(lit([1, null], T.array(T.int(), false)), T.string()), '[1, NULL]');
    assert.equal(cast(str('abcdef'), T.varchar(3)), 'abc');
    assert.equal(cast(str('ab'), T.char(4)), 'ab  ');
  });

  it('parses and converts dates and timestamps (UTC session)', () => {
    assert.equal(cast(str('2024-01-01 12:00:00'), T.timestamp(3)), ts('2024-01-01 12:00:00'));
    assert.equal(cast(str('2024-01-01T12:00:00.5'), T.timestamp(3)), ts('2024-01-01 12:00:00.500'));
    assert.equal(cast(str('2024-01-01'), T.date()), 19723);
    assert.equal(cast(str('12:34:56'), T.time(0)), 45296000);
    const stamp = ts('2024-01-01 12:34:56.789');
    assert.equal(cast(lit(stamp, T.timestamp(3, false)), T.timestampLtz(3)), stamp);
    assert.equal(cast(lit(stamp, T.timestampLtz(3, false)), T.timestamp(0)), ts('2024-01-01 12:34:56'));
    assert.equal(cast(lit(stamp, T.timestamp(3, false)), T.date()), 19723);
    assert.equal(cast(lit(19723, T.date(false)), T.timestamp(3)), ts('2024-01-01 00:00:00'));
    assert.equal(cast(lit(stamp, T.timestamp(3, false)), T.time(3)), 45296789);
  });

  it('keeps NULL and types NULL literals', () => {
    assert.equal(cast(col(0, T.string()), T.int(), [null]), null);
    const typed = castType(nul(), T.int());
    assert.equal(typeOf(typed), 'INT');
    assert.equal(evaluate(typed), null);
  });

  it('rejects casts Flink does not allow', () => {
    assert.throws(() => castType(lit(1, T.int(false)), T.timestamp(3)), (e) => isShiftleftError(e, 'SQL_TYPE_MISMATCH') && /TO_TIMESTAMP_LTZ/.test(e.hint ?? ''));
    assert.throws(() => castType(lit(true, T.boolean(false)), T.date()), (e) => isShiftleftError(e, 'SQL_TYPE_MISMATCH'));
    assert.throws(() => castType(lit([1], T.array(T.int(), false)), T.int()), (e) => isShiftleftError(e, 'SQL_TYPE_MISMATCH'));
  });

  it('casts arrays element-wise', () => {
    assert.deepEqual(cast(lit(['1', null, '3'], T.array(T.string(), false)), T.array(T.int())), [1, null, 3]);
    assert.equal(cast(int(0), T.boolean()), false);
  });
});
