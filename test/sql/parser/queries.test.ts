import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { Join, Query, Select, SetOperation, TableRef } from '../../../src/sql/ast.ts';
import { parseQuery } from '../../../src/sql/parser/index.ts';
import { printExpression } from '../../../src/sql/printer.ts';

function select(sql: string): Select {
  const query = parseQuery(sql);
  assert.equal(query.body.kind, 'Select', sql);
  return query.body as Select;
}

function from(sql: string): TableRef {
  const ref = select(sql).from;
  assert.ok(ref !== undefined);
  return ref;
}

/** `(JOIN-TYPE left right)` with table names, to check join nesting. */
function joinShape(ref: TableRef): string {
  switch (ref.kind) {
    case 'Join':
      return `(${ref.joinType} ${joinShape(ref.left)} ${joinShape(ref.right)})`;
    case 'TableName':
      return ref.alias?.name.value ?? ref.name.parts.map((p) => p.value).join('.');
    case 'ParenthesizedTableRef':
      return joinShape(ref.inner);
    default:
      return ref.kind;
  }
}

describe('SELECT', () => {
  it('reads select items with and without AS, stars and qualified stars', () => {
    const s = select('SELECT a, b AS bee, c cee, *, t.* FROM t');
    assert.deepEqual(s.items.map((i) => i.alias?.value), [undefined, 'bee', 'cee', undefined, undefined]);
    assert.deepEqual(s.items.map((i) => i.expression.kind), ['ColumnRef', 'ColumnRef', 'ColumnRef', 'Star', 'Star']);
  });

  it('reads DISTINCT and ALL', () => {
    assert.equal(select('SELECT DISTINCT a FROM t').quantifier, 'DISTINCT');
    assert.equal(select('SELECT ALL a FROM t').quantifier, 'ALL');
    assert.equal(select('SELECT a FROM t').quantifier, undefined);
  });

  it('reads a SELECT without FROM', () => {
    assert.equal(select('SELECT 1').from, undefined);
  });

  it('reads WHERE, GROUP BY, HAVING and WINDOW', () => {
    const s = select('SELECT a, count(*) FROM t WHERE b > 0 GROUP BY a HAVING count(*) > 1 WINDOW w AS (ORDER BY ts)');
    assert.equal(printExpression(s.where!), 'b > 0');
    assert.equal(s.groupBy.length, 1);
    assert.equal(printExpression(s.having!), 'count(*) > 1');
    assert.equal(s.windows[0]?.name.value, 'w');
  });

  it('reads GROUPING SETS, ROLLUP and CUBE', () => {
    const sets = select('SELECT 1 FROM t GROUP BY GROUPING SETS ((a, b), a, ())').groupBy[0];
    assert.ok(sets?.kind === 'GroupingSets');
    assert.deepEqual(sets.sets.map((set) => set.length), [2, 1, 0]);
    assert.equal(select('SELECT 1 FROM t GROUP BY ROLLUP(a, b)').groupBy[0]?.kind, 'Rollup');
    assert.equal(select('SELECT 1 FROM t GROUP BY CUBE (a)').groupBy[0]?.kind, 'Cube');
  });

  it('reads hints after SELECT', () => {
    const s = select("SELECT /*+ STATE_TTL('o' = '1d') */ * FROM o");
    assert.equal(s.hints[0]?.name.value, 'STATE_TTL');
    assert.equal(s.hints[0]?.options[0]?.value, '1d');
  });
});

describe('FROM', () => {
  it('reads table names of one, two and three parts, each possibly quoted', () => {
    const ref = from('SELECT * FROM `<ENV>`.`<CLUSTER>`.`orders` AS o');
    assert.ok(ref.kind === 'TableName');
    assert.deepEqual(ref.name.parts.map((p) => p.value), ['<ENV>', '<CLUSTER>', 'orders']);
    assert.equal(ref.alias?.name.value, 'o');
    const bare = from('SELECT * FROM db.orders o');
    assert.ok(bare.kind === 'TableName');
    assert.equal(bare.alias?.name.value, 'o');
  });

  it('nests joins to the left; commas bind looser than JOIN', () => {
    assert.equal(joinShape(from('SELECT * FROM a JOIN b ON x LEFT JOIN c ON y')), '(LEFT (INNER a b) c)');
    assert.equal(joinShape(from('SELECT * FROM a, b JOIN c ON x')), '(COMMA a (INNER b c))');
    assert.equal(joinShape(from('SELECT * FROM a JOIN (b JOIN c ON x) ON y')), '(INNER a (INNER b c))');
  });

  it('reads every join type', () => {
    const cases: [string, Join['joinType']][] = [
      ['JOIN', 'INNER'],
      ['INNER JOIN', 'INNER'],
      ['LEFT JOIN', 'LEFT'],
      ['LEFT OUTER JOIN', 'LEFT'],
      ['RIGHT JOIN', 'RIGHT'],
      ['RIGHT OUTER JOIN', 'RIGHT'],
      ['FULL JOIN', 'FULL'],
      ['FULL OUTER JOIN', 'FULL'],
    ];
    for (const [words, joinType] of cases) {
      const ref = from(`SELECT * FROM a ${words} b ON a.id = b.id`);
      assert.ok(ref.kind === 'Join');
      assert.equal(ref.joinType, joinType, words);
      assert.equal(ref.criteria?.kind, 'JoinOn');
    }
    const cross = from('SELECT * FROM a CROSS JOIN b');
    assert.ok(cross.kind === 'Join' && cross.joinType === 'CROSS' && cross.criteria === undefined);
    const using = from('SELECT * FROM a JOIN b USING (id, k)');
    assert.ok(using.kind === 'Join' && using.criteria?.kind === 'JoinUsing');
    assert.equal(using.criteria.columns.length, 2);
  });

  it('reads FOR SYSTEM_TIME AS OF before the alias', () => {
    const ref = from('SELECT * FROM o JOIN p FOR SYSTEM_TIME AS OF o.ts AS p ON o.k = p.k');
    assert.ok(ref.kind === 'Join' && ref.right.kind === 'TableName');
    assert.equal(printExpression(ref.right.systemTime!), 'o.ts');
    assert.equal(ref.right.alias?.name.value, 'p');
  });

  it('reads table hints', () => {
    const ref = from("SELECT * FROM kafka_table /*+ OPTIONS('scan.startup.mode' = 'earliest-offset') */ k");
    assert.ok(ref.kind === 'TableName');
    assert.equal(ref.hints[0]?.options[0]?.key, 'scan.startup.mode');
    assert.equal(ref.alias?.name.value, 'k');
  });

  it('reads derived tables with and without alias, LATERAL, UNNEST and table functions', () => {
    const derived = from('SELECT * FROM (SELECT 1 AS x) AS d (y)');
    assert.ok(derived.kind === 'DerivedTable');
    assert.deepEqual(derived.alias?.columns.map((c) => c.value), ['y']);
    const anonymous = from('SELECT * FROM (SELECT 1)');
    assert.ok(anonymous.kind === 'DerivedTable' && anonymous.alias === undefined);
    const lateral = from('SELECT * FROM t, LATERAL TABLE(split(t.s)) AS x(part)');
    assert.ok(lateral.kind === 'Join' && lateral.right.kind === 'TableFunction');
    assert.equal(lateral.right.lateral, true);
    const unnest = from('SELECT * FROM t CROSS JOIN UNNEST(t.arr) AS u (v)');
    assert.ok(unnest.kind === 'Join' && unnest.right.kind === 'Unnest');
    const window = from("SELECT * FROM TABLE(HOP(TABLE bid, DESCRIPTOR(ts), INTERVAL '2' SECOND, INTERVAL '10' SECOND))");
    assert.ok(window.kind === 'TableFunction' && !window.lateral);
    assert.equal(window.call.args.length, 4);
  });
});

describe('set operations and query clauses', () => {
  function body(sql: string): Query['body'] {
    return parseQuery(sql).body;
  }

  it('INTERSECT binds tighter than UNION and EXCEPT, all left-associative', () => {
    const union = body('SELECT 1 UNION SELECT 2 INTERSECT SELECT 3') as SetOperation;
    assert.deepEqual([union.operator, union.right.kind], ['UNION', 'SetOperation']);
    assert.equal((union.right as SetOperation).operator, 'INTERSECT');
    const chain = body('SELECT 1 UNION ALL SELECT 2 EXCEPT SELECT 3') as SetOperation;
    assert.deepEqual([chain.operator, chain.left.kind, chain.all], ['EXCEPT', 'SetOperation', false]);
    assert.equal((chain.left as SetOperation).all, true);
  });

  it('parentheses change grouping and may carry their own ORDER BY / LIMIT', () => {
    const grouped = body('SELECT 1 EXCEPT (SELECT 2 EXCEPT SELECT 3)') as SetOperation;
    assert.equal(grouped.right.kind, 'SetOperation');
    const limited = body('(SELECT a FROM t ORDER BY a LIMIT 1) UNION ALL SELECT b FROM u') as SetOperation;
    assert.equal(limited.left.kind, 'Query');
  });

  it('ORDER BY, LIMIT and OFFSET apply to the whole query', () => {
    const query = parseQuery('SELECT a FROM t UNION SELECT b FROM u ORDER BY 1 DESC NULLS LAST LIMIT 10 OFFSET 2');
    assert.equal(query.body.kind, 'SetOperation');
    assert.deepEqual([query.orderBy[0]?.direction, query.orderBy[0]?.nulls], ['DESC', 'LAST']);
    assert.equal(printExpression(query.limit!), '10');
    assert.equal(printExpression(query.offset!), '2');
  });

  it('reads WITH and VALUES', () => {
    const query = parseQuery('WITH a AS (SELECT 1 AS x), b (y) AS (VALUES (2)) SELECT * FROM a, b');
    assert.deepEqual(query.with.map((c) => c.name.value), ['a', 'b']);
    assert.deepEqual(query.with[1]?.columns.map((c) => c.value), ['y']);
    assert.equal(query.with[1]?.query.body.kind, 'Values');
  });

  it('tells a parenthesized query from a parenthesized expression', () => {
    const s = select('SELECT ((SELECT 1) + 1), ((SELECT 1) UNION (SELECT 2))');
    assert.equal(s.items[0]?.expression.kind, 'Binary');
    const subquery = s.items[1]?.expression;
    assert.ok(subquery?.kind === 'ScalarSubquery');
    assert.equal(subquery.query.body.kind, 'SetOperation');
  });
});

describe('MATCH_RECOGNIZE patterns', () => {
  function patternOf(pattern: string) {
    const ref = from(`SELECT * FROM t MATCH_RECOGNIZE (ORDER BY ts MEASURES A.x AS x PATTERN (${pattern}) DEFINE A AS TRUE)`);
    assert.ok(ref.kind === 'MatchRecognize');
    return ref.pattern;
  }

  it('concatenation binds tighter than alternation', () => {
    const pattern = patternOf('A B | C');
    assert.ok(pattern.kind === 'PatternAlternation');
    assert.deepEqual(pattern.alternatives.map((p) => p.kind), ['PatternSequence', 'PatternVariable']);
  });

  it('reads every quantifier form', () => {
    const pattern = patternOf('A* B+ C? D{2} E{2,} F{,3} G{1,3}? (H I)+?');
    assert.ok(pattern.kind === 'PatternSequence');
    const quantifiers = pattern.items.map((item) => {
      assert.ok(item.kind === 'PatternVariable' || item.kind === 'PatternGroup');
      return [item.quantifier?.min, item.quantifier?.max, item.quantifier?.reluctant];
    });
    assert.deepEqual(quantifiers, [
      [0, undefined, false],
      [1, undefined, false],
      [0, 1, false],
      [2, 2, false],
      [2, undefined, false],
      [0, 3, false],
      [1, 3, true],
      [1, undefined, true],
    ]);
  });

  it('applies to its table and takes an alias', () => {
    const ref = from('SELECT * FROM t AS s MATCH_RECOGNIZE (ORDER BY ts MEASURES A.x AS x PATTERN (A) DEFINE A AS TRUE) AS m');
    assert.ok(ref.kind === 'MatchRecognize' && ref.input.kind === 'TableName');
    assert.deepEqual([ref.input.alias?.name.value, ref.alias?.name.value], ['s', 'm']);
  });
});
