import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { Expression } from '../../../src/sql/ast.ts';
import { parseExpression } from '../../../src/sql/parser/index.ts';
import { printExpression } from '../../../src/sql/printer.ts';
import { shape, withoutSpans } from './helpers.ts';

function expectShape(sql: string, expected: string): void {
  assert.equal(shape(parseExpression(sql)), expected, sql);
}

function only<K extends Expression['kind']>(sql: string, kind: K): Extract<Expression, { kind: K }> {
  const expression = parseExpression(sql);
  assert.equal(expression.kind, kind, sql);
  return expression as Extract<Expression, { kind: K }>;
}

describe('expression precedence', () => {
  it('OR < AND < NOT', () => {
    expectShape('a OR b AND c', '(OR a (AND b c))');
    expectShape('a AND b OR c', '(OR (AND a b) c)');
    expectShape('NOT a AND b', '(AND (NOT a) b)');
    expectShape('NOT a OR NOT b', '(OR (NOT a) (NOT b))');
  });

  it('NOT < comparison', () => {
    expectShape('NOT a = b', '(NOT (= a b))');
    expectShape('NOT a IS NULL', '(NOT (IS NULL a))');
  });

  it('comparison < additive < multiplicative', () => {
    expectShape('a + b * c = d - e / f', '(= (+ a (* b c)) (- d (/ e f)))');
    expectShape('a * b % c', '(% (* a b) c)');
    expectShape('a < b AND c >= d', '(AND (< a b) (>= c d))');
  });

  it('|| binds like + and -', () => {
    expectShape("a || 'x' || b", "(|| (|| a 'x') b)");
    expectShape("a || b + c", '(+ (|| a b) c)');
    expectShape("a || b * c", '(|| a (* b c))');
    expectShape("a || b = c", '(= (|| a b) c)');
  });

  it('binary operators are left-associative', () => {
    expectShape('a - b - c', '(- (- a b) c)');
    expectShape('a / b / c', '(/ (/ a b) c)');
    expectShape('a - (b - c)', '(- a (- b c))');
  });

  it('unary minus binds tighter than multiplication, looser than postfix', () => {
    expectShape('-a * b', '(* (- a) b)');
    expectShape('-a::INT', '(- (CAST a INT))');
    expectShape('- -a', '(- (- a))');
    expectShape('-a[1]', '(- ([] a 1))');
  });

  it('BETWEEN bounds stop at AND', () => {
    expectShape('a BETWEEN b AND c AND d', '(AND (BETWEEN a b c) d)');
    expectShape('a BETWEEN b - 1 AND c + 1', '(BETWEEN a (- b 1) (+ c 1))');
    expectShape('a NOT BETWEEN b AND c OR d', '(OR (NOT BETWEEN a b c) d)');
  });

  it('BETWEEN, IN, LIKE, SIMILAR bind tighter than = and IS, as in Calcite', () => {
    expectShape('a = b LIKE c', '(= a (LIKE b c))');
    expectShape('a = x NOT IN (y, z) = b', '(= (= a (NOT IN x y z)) b)');
    expectShape('a LIKE b IS NULL', '(IS NULL (LIKE a b))');
    expectShape('a = x IS NULL', '(IS NULL (= a x))');
    expectShape('a <> b BETWEEN 1 AND 2', '(<> a (BETWEEN b 1 2))');
  });

  it('IS, IN, LIKE stay above NOT and below arithmetic', () => {
    expectShape('a + 1 IS NOT NULL', '(IS NOT NULL (+ a 1))');
    expectShape('a IN (1, 2) AND b NOT IN (3)', '(AND (IN a 1 2) (NOT IN b 3))');
    expectShape("a || 'x' LIKE 'y%' OR b NOT LIKE 'z'", "(OR (LIKE (|| a 'x') 'y%') (NOT LIKE b 'z'))");
    expectShape('a IS TRUE = b', '(= (IS TRUE a) b)');
  });

  it('postfix operators chain', () => {
    expectShape('a[1].f', '(. ([] a 1) f)');
    expectShape("m['k'][2]", "([] ([] m 'k') 2)");
    expectShape('x::BIGINT::STRING', '(CAST (CAST x BIGINT) STRING)');
    expectShape('f(x).y', '(. f(x) y)');
  });
});

describe('expression forms', () => {
  it('literals', () => {
    assert.equal(only('0.908', 'NumberLiteral').text, '0.908');
    assert.equal(only("'it''s'", 'StringLiteral').value, "it's");
    assert.equal(only('TRUE', 'BooleanLiteral').value, true);
    assert.equal(only('null', 'NullLiteral').kind, 'NullLiteral');
    assert.deepEqual(withoutSpans(only("DATE '2024-01-31'", 'TypedLiteral')), { kind: 'TypedLiteral', type: 'DATE', value: '2024-01-31' });
    assert.equal(only("TIMESTAMP '2024-01-31 10:00:00'", 'TypedLiteral').type, 'TIMESTAMP');
    assert.equal(only("TIME '10:00:00'", 'TypedLiteral').type, 'TIME');
    assert.equal(only("X'FF'", 'BinaryStringLiteral').hex, 'FF');
  });

  it('interval literals, plural units normalized', () => {
    const seconds = only("INTERVAL '10' SECONDS", 'IntervalLiteral');
    assert.deepEqual([seconds.value, seconds.qualifier.start, seconds.negative], ['10', 'SECOND', false]);
    assert.equal(only("INTERVAL '96' HOUR", 'IntervalLiteral').qualifier.start, 'HOUR');
    const dayToHour = only("INTERVAL '1 2' DAY TO HOUR", 'IntervalLiteral');
    assert.deepEqual([dayToHour.qualifier.start, dayToHour.qualifier.end], ['DAY', 'HOUR']);
    const precise = only("INTERVAL '1 02:03:04.567' DAY(2) TO SECOND(3)", 'IntervalLiteral').qualifier;
    assert.deepEqual([precise.startPrecision, precise.fractionalPrecision], [2, 3]);
    assert.equal(only("INTERVAL -'7' DAYS", 'IntervalLiteral').negative, true);
    for (const unit of ['YEAR', 'MONTH', 'DAY', 'MINUTE', 'MINUTES', 'MONTHS', 'YEARS']) {
      assert.equal(only(`INTERVAL '1' ${unit}`, 'IntervalLiteral').qualifier.start, unit.replace(/S$/, ''));
    }
  });

  it('column references, quoted and qualified', () => {
    const ref = only('`t`.`a`', 'ColumnRef');
    assert.deepEqual(ref.parts.map((p) => [p.value, p.quoted]), [['t', true], ['a', true]]);
    assert.deepEqual(only('`$rowtime`', 'ColumnRef').parts[0]?.value, '$rowtime');
    assert.equal(only('c.db.t.col', 'ColumnRef').parts.length, 4);
    assert.deepEqual(only('t.*', 'Star').qualifier.map((p) => p.value), ['t']);
    // Flink's reserved words need backticks in every part of a path; its non-reserved keywords do not
    assert.deepEqual(only('t.`value`', 'ColumnRef').parts.map((p) => p.value), ['t', 'value']);
    assert.deepEqual(only('t.key', 'ColumnRef').parts.map((p) => p.value), ['t', 'key']);
  });

  it('function calls: COUNT(*), DISTINCT, FILTER, OVER', () => {
    const count = only('COUNT(*)', 'FunctionCall');
    assert.equal(count.args[0]?.kind, 'Star');
    assert.equal(only('count(DISTINCT bidder)', 'FunctionCall').distinct, true);
    const filtered = only('count(*) FILTER (WHERE price < 10)', 'FunctionCall');
    assert.equal(printExpression(filtered.filter!), 'price < 10');
    const ranked = only('ROW_NUMBER() OVER (PARTITION BY a, b ORDER BY `$rowtime` ASC NULLS LAST)', 'FunctionCall');
    assert.ok(ranked.over?.kind === 'WindowSpec');
    assert.equal(ranked.over.partitionBy.length, 2);
    assert.deepEqual([ranked.over.orderBy[0]?.direction, ranked.over.orderBy[0]?.nulls], ['ASC', 'LAST']);
    const named = only('SUM(x) OVER w', 'FunctionCall');
    assert.equal(named.over?.kind, 'Identifier');
    const range = only("SUM(x) OVER (ORDER BY ts RANGE BETWEEN INTERVAL '1' HOUR PRECEDING AND CURRENT ROW)", 'FunctionCall');
    assert.ok(range.over?.kind === 'WindowSpec');
    assert.deepEqual([range.over.frame?.units, range.over.frame?.start.offset?.kind], ['RANGE', 'IntervalLiteral']);
    const unbounded = only('SUM(x) OVER (ORDER BY ts ROWS UNBOUNDED PRECEDING)', 'FunctionCall');
    assert.ok(unbounded.over?.kind === 'WindowSpec');
    assert.equal(unbounded.over.frame?.start.bound, 'UNBOUNDED PRECEDING');
    assert.deepEqual(only('cat.db.f(1)', 'FunctionCall').name.parts.map((p) => p.value), ['cat', 'db', 'f']);
    assert.equal(only('PROCTIME()', 'FunctionCall').args.length, 0);
    assert.equal(printExpression(only('LEFT(s, 3)', 'FunctionCall')), 'LEFT(s, 3)');
    assert.equal(only('IF(a > 1, a, 0)', 'FunctionCall').args.length, 3);
  });

  it('niladic functions without parentheses', () => {
    for (const name of ['CURRENT_TIMESTAMP', 'CURRENT_DATE', 'CURRENT_TIME', 'LOCALTIMESTAMP', 'LOCALTIME']) {
      assert.equal(only(name.toLowerCase(), 'NiladicCall').name, name);
    }
  });

  it('CAST, TRY_CAST and ::', () => {
    const cast = only('CAST(price AS DECIMAL(10, 2))', 'Cast');
    assert.ok(cast.type.kind === 'ScalarType');
    assert.deepEqual([cast.type.name, cast.type.precision, cast.type.scale, cast.safe], ['DECIMAL', 10, 2, false]);
    assert.equal(only("TRY_CAST('1' AS INT)", 'Cast').safe, true);
    assert.equal(printExpression(parseExpression('a::INT')), 'CAST(a AS INT)');
  });

  it('CASE, simple and searched', () => {
    const searched = only("CASE WHEN a > 1 THEN 'x' WHEN a > 0 THEN 'y' ELSE 'z' END", 'Case');
    assert.deepEqual([searched.operand, searched.whens.length, searched.otherwise?.kind], [undefined, 2, 'StringLiteral']);
    const simple = only('CASE a WHEN 1 THEN 2 END', 'Case');
    assert.equal(simple.operand?.kind, 'ColumnRef');
    assert.equal(simple.otherwise, undefined);
  });

  it('predicates', () => {
    assert.equal(only('a BETWEEN SYMMETRIC 1 AND 2', 'Between').symmetric, true);
    assert.equal(only('a IN (SELECT b FROM t)', 'InSubquery').negated, false);
    assert.equal(only('a NOT IN (SELECT b FROM t)', 'InSubquery').negated, true);
    assert.equal(only('EXISTS (SELECT 1 FROM t)', 'Exists').query.body.kind, 'Select');
    assert.equal(only('(SELECT max(a) FROM t)', 'ScalarSubquery').kind, 'ScalarSubquery');
    const like = only("a LIKE 'x!%' ESCAPE '!'", 'Like');
    assert.equal(like.escape?.kind, 'StringLiteral');
    assert.equal(only("a SIMILAR TO '[a-z]+'", 'Like').operator, 'SIMILAR TO');
    assert.equal(only('a NOT SIMILAR TO b', 'Like').negated, true);
    for (const test of ['NULL', 'TRUE', 'FALSE', 'UNKNOWN'] as const) {
      assert.deepEqual([only(`a IS NOT ${test}`, 'Is').test, only(`a IS ${test}`, 'Is').negated], [test, false]);
    }
    assert.equal(only('a IS NOT DISTINCT FROM b', 'IsDistinctFrom').negated, true);
    assert.equal(only('a != b', 'Binary').operator, '<>');
  });

  it('constructors and access', () => {
    assert.equal(only('ARRAY[1, 2, 3]', 'ArrayConstructor').elements.length, 3);
    assert.equal(only("MAP['a', 1, 'b', 2]", 'MapConstructor').entries.length, 2);
    assert.equal(only("ROW(1, 'a')", 'RowConstructor').fields.length, 2);
    assert.equal(only('(a, b)', 'RowConstructor').fields.length, 2);
    assert.equal(only('arr[1]', 'Subscript').index.kind, 'NumberLiteral');
  });

  it('special-syntax functions', () => {
    const extract = only('EXTRACT(HOUR FROM ts)', 'Extract');
    assert.equal(extract.unit, 'HOUR');
    assert.equal(only('EXTRACT(DOW FROM ts)', 'Extract').unit, 'DOW');
    const add = only('TIMESTAMPADD(HOURS, 1, ts)', 'FunctionCall');
    assert.deepEqual(withoutSpans(add.args[0]), { kind: 'TimeUnitArgument', unit: 'HOUR' });
    assert.equal(only('TIMESTAMPDIFF(DAY, a, b)', 'FunctionCall').args.length, 3);
    assert.equal(only("POSITION('a' IN s)", 'Position').haystack.kind, 'ColumnRef');
    assert.equal(only('POSITION(a, b)', 'FunctionCall').args.length, 2);
    const trim = only("TRIM(LEADING 'x' FROM s)", 'Trim');
    assert.deepEqual([trim.side, trim.characters?.kind], ['LEADING', 'StringLiteral']);
    assert.equal(only('TRIM(BOTH FROM s)', 'Trim').characters, undefined);
    assert.equal(only('TRIM(s)', 'Trim').side, undefined);
    const substring = only('SUBSTRING(s FROM 2 FOR 3)', 'Substring');
    assert.equal(substring.length?.kind, 'NumberLiteral');
    assert.equal(only('SUBSTRING(s, 2, 3)', 'FunctionCall').args.length, 3);
    assert.equal(only("OVERLAY(s PLACING 'x' FROM 2 FOR 1)", 'Overlay').replacement.kind, 'StringLiteral');
    const json = only("JSON_VALUE(payload, '$.amount' RETURNING DOUBLE)", 'FunctionCall');
    assert.ok(json.returning?.kind === 'ScalarType' && json.returning.name === 'DOUBLE');
    assert.deepEqual(only('DESCRIPTOR(`ts`)', 'Descriptor').columns.map((c) => c.value), ['ts']);
    const fallback = only("JSON_VALUE(p, '$.a' RETURNING INT DEFAULT 0 ON EMPTY NULL ON ERROR)", 'FunctionCall');
    assert.deepEqual(
      fallback.clauses.map((c) => (c.kind === 'JsonOnClause' ? [c.behavior, c.defaultValue?.kind, c.on] : [c.wrapper])),
      [['DEFAULT', 'NumberLiteral', 'EMPTY'], ['NULL', undefined, 'ERROR']],
    );
    const wrapped = only("JSON_QUERY(p, '$.a' WITH WRAPPER)", 'FunctionCall');
    assert.deepEqual(wrapped.clauses.map((c) => c.kind === 'JsonWrapperClause' && c.wrapper), ['WITH UNCONDITIONAL']);
    const object = only("JSON_OBJECT(KEY 'a' VALUE 1, key VALUE 2 ABSENT ON NULL)", 'FunctionCall');
    assert.deepEqual(object.args.map(printExpression), ["'a'", '1', 'key', '2']);
    assert.equal(printExpression(object), "JSON_OBJECT(KEY 'a' VALUE 1, KEY key VALUE 2 ABSENT ON NULL)");
    assert.equal(only('JSON_ARRAY(NULL ON NULL)', 'FunctionCall').args.length, 0);
    assert.equal(only('p IS NOT JSON ARRAY', 'Is').test, 'JSON ARRAY');
    // reserved words stay usable as function names; as column names they need backticks, as in Flink
    assert.equal(only('HOUR(`dateTime`)', 'FunctionCall').args.length, 1);
    assert.equal(only('`hour`', 'ColumnRef').parts[0]?.value, 'hour');
    const floor = only('FLOOR(ts TO HOUR)', 'FunctionCall');
    assert.deepEqual(floor.args.map((a) => a.kind), ['ColumnRef', 'TimeUnitArgument']);
    assert.equal(printExpression(floor), 'FLOOR(ts TO HOUR)');
    assert.equal(only('CEIL(2.5)', 'FunctionCall').args.length, 1);
  });

  it('table-valued function arguments', () => {
    const tumble = only("TUMBLE(DATA => TABLE bid, TIMECOL => DESCRIPTOR(`dateTime`), SIZE => INTERVAL '10' MINUTES)", 'FunctionCall');
    assert.deepEqual(tumble.args.map((a) => a.kind), ['NamedArgument', 'NamedArgument', 'NamedArgument']);
    const session = only("SESSION(TABLE bid PARTITION BY bidder, DESCRIPTOR(ts), INTERVAL '5' MINUTE)", 'FunctionCall');
    const table = session.args[0]!;
    assert.ok(table.kind === 'TableArgument');
    assert.deepEqual(table.partitionBy.map(printExpression), ['bidder']);
    assert.equal(session.args.length, 3);
    const several = only("SESSION(TABLE bid PARTITION BY (bidder, auction) ORDER BY ts, DESCRIPTOR(ts), INTERVAL '5' MINUTE)", 'FunctionCall');
    const severalTable = several.args[0]!;
    assert.ok(severalTable.kind === 'TableArgument');
    assert.deepEqual([severalTable.partitionBy.length, severalTable.orderBy.length, several.args.length], [2, 1, 3]);
  });

  it('keeps spans on nodes', () => {
    const expression = only('a +\n  b * c', 'Binary');
    assert.deepEqual(expression.span, { start: 0, end: 11, line: 1, column: 1 });
    assert.deepEqual([expression.right.span.line, expression.right.span.column], [2, 3]);
  });
});
