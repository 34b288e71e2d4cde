import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { isShiftleftError } from '../../../src/common/errors.ts';
import { compileScalar } from '../../../src/engine/expr/compile.ts';
import { bigint, call, col, dbl, dec, evaluate, fn, int, lit, nul, nullOf, str, T, typeOf } from './expr-test-support.ts';

describe('math functions', () => {
  it('ABS, SIGN, CEIL, FLOOR keep exact types', () => {
    assert.equal(call('ABS', int(-3)), 3);
    assert.equal(typeOf(fn('ABS', int(-3))), 'INT NOT NULL');
    assert.equal(call('SIGN', dbl(-2.5)), -1);
    assert.equal(call('CEIL', dec(1.21, 5, 2)), 2);
    assert.equal(typeOf(fn('CEIL', dec(1.21, 5, 2))), 'DECIMAL(4, 0) NOT NULL');
    assert.equal(call('CEILING', dbl(-1.5)), -1);
    assert.equal(call('FLOOR', dbl(-1.5)), -2);
    assert.equal(call('FLOOR', int(7)), 7);
  });

  it('ROUND is HALF_UP, TRUNCATE cuts toward zero', () => {
    assert.equal(call('ROUND', dbl(2.5)), 3);
    assert.equal(call('ROUND', dbl(-2.5)), -3);
    assert.equal(call('ROUND', dbl(1.005), int(2)), 1.01);
    assert.equal(call('ROUND', dec(123.456, 6, 3), int(1)), 123.5);
    assert.equal(typeOf(fn('ROUND', dec(123.456, 6, 3), int(1))), 'DECIMAL(5, 1) NOT NULL');
    assert.equal(call('ROUND', int(1234), int(-2)), 1200);
    assert.equal(call('TRUNCATE', dbl(-1.789), int(2)), -1.78);
    assert.equal(call('TRUNCATE', dbl(1.789)), 1);
  });

  it('transcendental functions return DOUBLE', () => {
    assert.equal(call('POWER', int(2), int(10)), 1024);
    assert.equal(typeOf(fn('POWER', int(2), int(10))), 'DOUBLE NOT NULL');
    assert.equal(call('SQRT', int(16)), 4);
    assert.equal(call('LN', dbl(Math.E)), 1);
    assert.equal(call('LOG10', int(1000)), 3);
    assert.equal(call('LOG', int(2), int(8)), 3);
    assert.equal(call('EXP', int(0)), 1);
    assert.equal(call('PI'), Math.PI);
    assert.equal(evaluate(fn('SQRT', nullOf(T.double()))), null);
  });

  it('RAND is in [0, 1) and RAND(seed) repeats per seed', () => {
    const r = call('RAND') as number;
    assert.ok(r >= 0 && r < 1);
    const a = compileScalar(fn('RAND', int(42)));
    const b = compileScalar(fn('RAND', int(42)));
    assert.deepEqual([a([]), a([])], [b([]), b([])]);
    const n = call('RAND_INTEGER', int(10)) as number;
    assert.ok(Number.isInteger(n) && n >= 0 && n < 10);
  });
});

describe('JSON functions', () => {
  const doc = str('{"a":{"b":[10,{"c":"x"}]},"n":1.5,"t":true,"s":"hi","o":{"k":1}}');
  it('JSON_VALUE returns scalars as STRING, NULL otherwise', () => {
    assert.equal(call('JSON_VALUE', doc, str('$.s')), 'hi');
    assert.equal(call('JSON_VALUE', doc, str('$.a.b[0]')), '10');
    assert.equal(call('JSON_VALUE', doc, str("$.a.b[1]['c']")), 'x');
    assert.equal(call('JSON_VALUE', doc, str('lax $.t')), 'true');
    assert.equal(call('JSON_VALUE', doc, str('$.o')), null);
    assert.equal(call('JSON_VALUE', doc, str('$.missing')), null);
    assert.equal(call('JSON_VALUE', str('not json'), str('$.a')), null);
    assert.equal(typeOf(fn('JSON_VALUE', doc, str('$.s'))), 'STRING');
  });

  it('JSON_VALUE ... RETURNING converts the scalar', () => {
    const expr = fn('JSON_VALUE', doc, str('$.n'), nullOf(T.double()));
    assert.equal(typeOf(expr), 'DOUBLE');
    assert.equal(evaluate(expr), 1.5);
    assert.equal(call('JSON_VALUE', doc, str('$.a.b[0]'), nullOf(T.int())), 10);
    assert.equal(call('JSON_VALUE', doc, str('$.s'), nullOf(T.int())), null);
  });

  it('JSON_EXISTS, JSON_QUERY, JSON_STRING, JSON_OBJECT, JSON_ARRAY', () => {
    assert.equal(call('JSON_EXISTS', doc, str('$.a.b')), true);
    assert.equal(call('JSON_EXISTS', doc, str('$.zz')), false);
    assert.equal(call('JSON_QUERY', doc, str('$.o')), '{"k":1}');
    assert.equal(call('JSON_QUERY', doc, str('$.s')), null);
    assert.equal(call('JSON_STRING', lit([1, 'a'], T.row([{ name: 'x', type: T.int() }, { name: 'y', type: T.string() }], false))), '{"x":1,"y":"a"}');
    assert.equal(call('JSON_OBJECT', str('k'), int(1), str('n'), nul()), '{"k":1,"n":null}');
    assert.equal(call('JSON_ARRAY', int(1), nul(), str('a')), '[1,"a"]');
    assert.equal(evaluate(fn('JSON_VALUE', col(0, T.string()), str('$.a'))), null);
  });

  it('IS [NOT] JSON [shape] tests text, FALSE for NULL', () => {
    assert.equal(call('IS JSON', doc), true);
    assert.equal(call('IS JSON', str('{oops')), false);
    assert.equal(call('IS JSON OBJECT', doc), true);
    assert.equal(call('IS JSON ARRAY', doc), false);
    assert.equal(call('IS JSON SCALAR', str('12')), true);
    assert.equal(call('IS NOT JSON', str('{oops')), true);
    assert.equal(typeOf(fn('IS JSON', col(0, T.string()))), 'BOOLEAN NOT NULL');
    assert.equal(evaluate(fn('IS JSON', col(0, T.string())), [null]), false);
  });

  it('rejects unsupported constant paths at compile time', () => {
    assert.throws(() => fn('JSON_VALUE', doc, str('a.b')), (e) => isShiftleftError(e, 'SQL_VALIDATION_ERROR'));
  });
});

describe('collections', () => {
  const array = fn('ARRAY', int(10), int(20), nul());
  it('constructs arrays, maps and rows', () => {
    assert.equal(typeOf(array), 'ARRAY<INT> NOT NULL');
    assert.deepEqual(evaluate(array), [10, 20, null]);
    const map = fn('MAP', str('a'), int(1), str('b'), bigint(2));
    assert.equal(typeOf(map), 'MAP<CHAR(1) NOT NULL, BIGINT NOT NULL> NOT NULL');
    assert.deepEqual(evaluate(map), new Map([['a', 1], ['b', 2]]));
    assert.deepEqual(evaluate(fn('ROW', int(1), str('x'))), [1, 'x']);
  });

  it('ITEM is 1-based for arrays and NULL when out of range or missing', () => {
    assert.equal(call('ITEM', array, int(1)), 10);
    assert.equal(call('ITEM', array, int(0)), null);
    assert.equal(call('ITEM', array, int(4)), null);
    assert.equal(typeOf(fn('ITEM', array, int(1))), 'INT');
    const map = lit(new Map([['a', 1]]), T.map(T.string(), T.int(), false));
    assert.equal(call('ITEM', map, str('a')), 1);
    assert.equal(call('ITEM', map, str('z')), null);
    assert.throws(() => fn('ITEM', int(1), int(1)), (e) => isShiftleftError(e, 'SQL_TYPE_MISMATCH'));
  });

  it('CARDINALITY, ELEMENT, ARRAY_CONTAINS, MAP_KEYS', () => {
    assert.equal(call('CARDINALITY', array), 3);
    assert.equal(call('ELEMENT', fn('ARRAY', int(7))), 7);
    assert.throws(() => call('ELEMENT', array), (e) => isShiftleftError(e, 'SQL_RUNTIME_ERROR') && /ELEMENT/.test(e.message));
    assert.equal(call('ARRAY_CONTAINS', array, int(20)), true);
    assert.equal(call('ARRAY_CONTAINS', array, int(30)), null);
    assert.deepEqual(call('MAP_KEYS', fn('MAP', str('a'), int(1))), ['a']);
    assert.equal(evaluate(fn('CARDINALITY', col(0, T.array(T.int())))), null);
  });
});
