import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { isShiftleftError } from '../../../src/common/errors.ts';
import { compilePredicate, compileProjection, compileScalar, generatedSource } from '../../../src/engine/expr/compile.ts';
import { commonType, isDeterministic, isKnownFunction, listFunctions, resolveCall } from '../../../src/engine/functions/function-catalog.ts';
import { formatType } from '../../../src/types/sql-type.ts';
import { bool, col, dbl, dec, evaluate, fn, int, lit, nul, str, T, typeOf } from './expr-test-support.ts';

describe('function catalog', () => {
  it('suggests the closest name for an unknown function', () => {
    assert.throws(
      () => resolveCall('UPPPER', [str('a')]),
      (e) => isShiftleftError(e, 'SQL_UNKNOWN_FUNCTION') && e.message === "unknown function 'UPPPER'" && e.hint === 'did you mean UPPER?',
    );
    assert.throws(() => resolveCall('DATEFORMAT', []), (e) => isShiftleftError(e, 'SQL_UNKNOWN_FUNCTION') && e.hint === 'did you mean DATE_FORMAT?');
    assert.throws(() => resolveCall('XYZZYQQ', []), (e) => isShiftleftError(e, 'SQL_UNKNOWN_FUNCTION') && /SHOW FUNCTIONS/.test(e.hint ?? ''));
  });

  it('explains type mismatches and wrong arity', () => {
    assert.throws(
      () => resolveCall('+', [str('a'), int(1)]),
      (e) => isShiftleftError(e, 'SQL_TYPE_MISMATCH') && e.message === "cannot apply '+' to CHAR(1) and INT" && e.hint !== undefined,
    );
    assert.throws(() => resolveCall('UPPER', [str('a'), str('b')]), (e) => isShiftleftError(e, 'SQL_TYPE_MISMATCH') && /UPPER takes 1 argument but got 2/.test(e.message));
    assert.throws(() => resolveCall('AND', [int(1), bool(true)]), (e) => isShiftleftError(e, 'SQL_TYPE_MISMATCH'));
  });

  it('resolves names case-insensitively and through aliases', () => {
    assert.equal(resolveCall('upper', [str('a')]).op, 'UPPER');
    assert.equal(resolveCall('CEILING', [dbl(1.2)]).op, 'CEIL');
    assert.ok(isKnownFunction('json_value'));
    assert.ok(!isKnownFunction('NOPE'));
  });

  it('lists named functions for SHOW FUNCTIONS', () => {
    const names = listFunctions();
    for (const name of ['UPPER', 'DATE_FORMAT', 'SPLIT_INDEX', 'COALESCE', 'JSON_VALUE', 'TIMESTAMPDIFF', 'CHARACTER_LENGTH']) assert.ok(names.includes(name), name);
    assert.ok(!names.includes('+'));
    assert.deepEqual(names, [...names].sort());
  });

  it('marks non-deterministic functions', () => {
    assert.equal(isDeterministic('RAND'), false);
    assert.equal(isDeterministic('CURRENT_TIMESTAMP'), false);
    assert.equal(isDeterministic('UPPER'), true);
  });

  it('computes common types for CASE, UNION, IN and VALUES', () => {
    const show = (t: ReturnType<typeof commonType>) => (t === undefined ? undefined : formatType(t));
    assert.equal(show(commonType([T.int(false), T.bigint(false)])), 'BIGINT NOT NULL');
    assert.equal(show(commonType([T.int(false), T.decimal(10, 2, false)])), 'DECIMAL(12, 2) NOT NULL');
    assert.equal(show(commonType([T.decimal(5, 2, false), T.double()])), 'DOUBLE');
    assert.equal(show(commonType([T.char(3, false), T.varchar(10, false)])), 'VARCHAR(10) NOT NULL');
    assert.equal(show(commonType([T.timestamp(3, false), T.timestampLtz(3, false)])), 'TIMESTAMP_LTZ(3) NOT NULL');
    assert.equal(show(commonType([T.date(false), T.timestamp(0, false)])), 'TIMESTAMP(0) NOT NULL');
    assert.equal(show(commonType([T.null(), T.int(false)])), 'INT');
    assert.equal(show(commonType([T.array(T.int(false), false), T.array(T.bigint(), false)])), 'ARRAY<BIGINT> NOT NULL');
    assert.equal(commonType([T.int(), T.string()]), undefined);
    assert.equal(commonType([T.boolean(), T.date()]), undefined);
  });
});

describe('compiled expressions', () => {
  it('compile to straight-line JavaScript with inlined null checks and hoisted constants', () => {
    const expr = fn('*', col(1, T.bigint(false)), dec(0.908, 4, 3));
    assert.equal(generatedSource(expr), 'k0(row[1] * 0.908, 3)');
    const guarded = fn('+', col(0, T.int()), int(1));
    assert.equal(generatedSource(guarded), '((t0 = row[0]) == null ? null : ((t0 + 1) | 0))');
  });

  it('project several expressions into a new row', () => {
    const project = compileProjection([
      col(0, T.bigint(false)),
      fn('*', col(1, T.bigint(false)), dec(0.908, 4, 3)),
      fn('UPPER', col(2, T.string())),
      fn('>', col(3, T.int()), int(100)),
    ]);
    assert.deepEqual(project([1, 1000, 'abc', 150]), [1, 908, 'ABC', true]);
    assert.deepEqual(project([2, 5, null, null]), [2, 4.54, null, null]);
  });

  it('read nested ROW fields', () => {
    const rowType = T.row([{ name: 'a', type: T.int() }, { name: 'b', type: T.string() }]);
    const access = { kind: 'FieldAccess' as const, target: col(0, rowType), field: 1, type: T.string() };
    const f = compileScalar(access);
    assert.equal(f([[1, 'x']]), 'x');
    assert.equal(f([null]), null);
  });

  it('report runtime failures as SQL_RUNTIME_ERROR naming the function', () => {
    const f = compileScalar(fn('/', col(0, T.int(false)), col(1, T.int(false))));
    assert.throws(() => f([1, 0]), (e) => isShiftleftError(e, 'SQL_RUNTIME_ERROR') && e.message === '/: division by zero');
    const p = compilePredicate(fn('=', fn('/', col(0, T.int(false)), col(1, T.int(false))), int(1)));
    assert.throws(() => p([1, 0]), (e) => isShiftleftError(e, 'SQL_RUNTIME_ERROR'));
  });

  it('keep NULL literal typing consistent', () => {
    assert.equal(typeOf(fn('COALESCE', nul(), int(1))), 'INT NOT NULL');
    assert.equal(evaluate(fn('IS NULL', nul())), true);
    assert.equal(evaluate(lit(null, T.int())), null);
  });
});

describe('implicit casts in resolved calls', () => {
  it('casts TIMESTAMP to TIMESTAMP_LTZ and DATE to TIMESTAMP for comparisons', () => {
    const mixed = resolveCall('<', [col(0, T.timestamp(3, false)), col(1, T.timestampLtz(3))]);
    const first = mixed.args[0]!;
    assert.equal(first.kind === 'Call' && first.op, 'CAST');
    assert.equal(formatType(first.type), 'TIMESTAMP_LTZ(3) NOT NULL');
    assert.equal(formatType(mixed.type), 'BOOLEAN');
    const dated = resolveCall('=', [col(0, T.date(false)), col(1, T.timestamp(3, false))]);
    assert.equal(formatType(dated.args[0]!.type), 'TIMESTAMP(3) NOT NULL');
  });

  it('folds literal conversions and types NULL literals at bind time', () => {
    const inList = resolveCall('IN', [col(0, T.timestamp(3, false)), lit(19723, T.date(false))]);
    assert.deepEqual(inList.args[1], lit(19723 * 86_400_000, T.timestamp(3, false)));
    const withNull = resolveCall('=', [col(0, T.string()), nul()]);
    assert.equal(formatType(withNull.args[1]!.type), 'STRING');
  });

  it('maps IS UNKNOWN to IS NULL', () => {
    assert.equal(resolveCall('IS UNKNOWN', [col(0, T.boolean())]).op, 'IS NULL');
  });
});
