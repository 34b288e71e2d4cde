/**
 * The printer: canonical Flink output, quoting, parentheses from precedence, and the round-trip
 * property parse(print(parse(x))) = parse(x) over a corpus and over random expression trees.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { BinaryOperator, CreateTable, Expression, Identifier, Query, Span } from '../../../src/sql/ast.ts';
import { parseExpression, parseStatement, parseStatements } from '../../../src/sql/parser/index.ts';
import { printExpression, printIdentifier, printStatement, printStatements } from '../../../src/sql/printer.ts';
import { assertRoundTrip, loadFixtures, withoutSpans } from './helpers.ts';

function reprint(sql: string): string {
  return printExpression(parseExpression(sql));
}

describe('printer round trips', () => {
  const features = loadFixtures('.').find((f) => f.name === 'features');
  assert.ok(features !== undefined);
  const statements = parseStatements(features.sql);

  it('covers the feature corpus', () => {
    assert.ok(statements.length >= 100, `only ${statements.length} statements`);
  });

  statements.forEach((statement, index) => {
    const firstLine = printStatement(statement).split('\n')[0]!.slice(0, 70);
    it(`feature #${index}: ${firstLine}`, () => {
      assertRoundTrip(printStatement(statement));
      // and from the original text, not just from printed text
      assert.deepEqual(withoutSpans(parseStatements(printStatement(statement))), withoutSpans([statement]));
    });
  });

  it('prints a whole script that parses back to the same statements', () => {
    const printed = assertRoundTrip(features.sql);
    assert.ok(printed.endsWith(';'));
  });
});

describe('printer output', () => {
  it('quotes identifiers only when they were quoted, are not plain, or are reserved', () => {
    const id = (value: string, quoted = false): Identifier => ({ kind: 'Identifier', value, quoted, span: { start: 0, end: 0, line: 1, column: 1 } });
    assert.equal(printIdentifier(id('orders')), 'orders');
    assert.equal(printIdentifier(id('orders', true)), '`orders`');
    assert.equal(printIdentifier(id('$rowtime')), '`$rowtime`');
    assert.equal(printIdentifier(id('shiftleft.public.orders')), '`shiftleft.public.orders`');
    assert.equal(printIdentifier(id('order')), '`order`');
    assert.equal(printIdentifier(id('a`b')), '`a``b`');
    assert.equal(printIdentifier(id('1st')), '`1st`');
    // reserved in Flink (Calcite's list), so a real cluster needs the quotes too
    assert.equal(printIdentifier(id('value')), '`value`');
    assert.equal(printIdentifier(id('year')), '`year`');
    // Flink keywords that are not reserved stay bare
    assert.equal(printIdentifier(id('key')), 'key');
    assert.equal(printIdentifier(id('watermark')), 'watermark');
  });

  it('writes canonical Flink spellings', () => {
    assert.equal(reprint('a::INT'), 'CAST(a AS INT)');
    assert.equal(reprint('a != b'), 'a <> b');
    assert.equal(reprint("INTERVAL '10' SECONDS"), "INTERVAL '10' SECOND");
    assert.equal(reprint('cast(x as integer)'), 'CAST(x AS INT)');
    assert.equal(reprint("'it''s'"), "'it''s'");
    assert.equal(reprint('current_timestamp'), 'CURRENT_TIMESTAMP');
    assert.equal(reprint('x is not null and not y'), 'x IS NOT NULL AND NOT y');
  });

  it('adds exactly the parentheses precedence needs', () => {
    assert.equal(reprint('(a + b) * c'), '(a + b) * c');
    assert.equal(reprint('a + (b * c)'), 'a + b * c');
    assert.equal(reprint('(a - b) - c'), 'a - b - c');
    assert.equal(reprint('a - (b - c)'), 'a - (b - c)');
    assert.equal(reprint('(a OR b) AND c'), '(a OR b) AND c');
    assert.equal(reprint('NOT (a AND b)'), 'NOT (a AND b)');
    assert.equal(reprint('NOT (a = b)'), 'NOT a = b');
    assert.equal(reprint('-(a + b)'), '-(a + b)');
    assert.equal(reprint('- (-a)'), '-(-a)');
    assert.equal(reprint('(a = b) IS TRUE'), 'a = b IS TRUE');
    assert.equal(reprint('a BETWEEN (b AND c) AND d'), 'a BETWEEN (b AND c) AND d');
    assert.equal(reprint('(a + b)[1]'), '(a + b)[1]');
    assert.equal(reprint('(a).b'), '(a).b');
  });

  it('prints the walkthrough statements as readable, multi-line SQL', () => {
    const [insert] = parseStatements(loadFixtures('walkthrough').find((f) => f.name === '12-materialize-incremental-revenue')!.sql).slice(1);
    assert.equal(
      printStatement(insert!),
      [
        'INSERT INTO incremental_revenue',
        'SELECT window_start, window_end, SUM(amount) AS total_revenue',
        "FROM TABLE(TUMBLE(TABLE sales, DESCRIPTOR(`ts`), INTERVAL '10' SECOND))",
        'GROUP BY window_start, window_end',
      ].join('\n'),
    );
  });

  it('prints a Deduplicate-topic statement built from an AST', () => {
    // What the "Deduplicate topic" action needs: parse a template query, then fill in names.
    const fields = ['order_id', 'product_id', 'amount'];
    const template = parseStatement(
      "CREATE TABLE t (PRIMARY KEY (k) NOT ENFORCED) WITH ('changelog.mode' = 'append') AS SELECT * FROM (SELECT *, ROW_NUMBER() OVER (PARTITION BY k ORDER BY `$rowtime` ASC) AS row_num FROM s) WHERE row_num = 1",
    ) as CreateTable;
    const span: Span = { start: 0, end: 0, line: 1, column: 1 };
    const ident = (value: string): Identifier => ({ kind: 'Identifier', value, quoted: false, span });
    const table: CreateTable = {
      ...template,
      name: { kind: 'ObjectName', parts: [ident('payments_deduplicate')], span },
      primaryKey: { ...template.primaryKey!, columns: fields.map(ident) },
    };
    const outer = (table.asQuery as Query).body;
    assert.ok(outer.kind === 'Select' && outer.from?.kind === 'DerivedTable');
    const inner = outer.from.query.body;
    assert.ok(inner.kind === 'Select' && inner.from?.kind === 'TableName');
    inner.from.name = { kind: 'ObjectName', parts: [ident('payments')], span };
    const rowNumber = inner.items[1]!.expression;
    assert.ok(rowNumber.kind === 'FunctionCall' && rowNumber.over?.kind === 'WindowSpec');
    rowNumber.over.partitionBy = fields.map((field) => ({ kind: 'ColumnRef', parts: [ident(field)], span }));
    const sql = printStatement(table);
    assert.equal(
      sql,
      [
        'CREATE TABLE payments_deduplicate (',
        '  PRIMARY KEY (order_id, product_id, amount) NOT ENFORCED',
        ')',
        'WITH (',
        "  'changelog.mode' = 'append'",
        ')',
        'AS',
        'SELECT *',
        'FROM (',
        '  SELECT *, ROW_NUMBER() OVER (PARTITION BY order_id, product_id, amount ORDER BY `$rowtime` ASC) AS row_num',
        '  FROM payments',
        ')',
        'WHERE row_num = 1',
      ].join('\n'),
    );
    assert.deepEqual(withoutSpans(parseStatement(sql)), withoutSpans(table));
  });

  it('terminates every statement of a script with a semicolon', () => {
    assert.equal(printStatements(parseStatements("SET 'a' = 'b'; SHOW TABLES")), "SET 'a' = 'b';\n\nSHOW TABLES;");
  });
});

describe('printer round trips of random expression trees', () => {
  // A small deterministic PRNG (mulberry32) so failures reproduce.
  function random(seed: number): () => number {
    let state = seed;
    return () => {
      state = (state + 0x6d2b79f5) | 0;
      let t = Math.imul(state ^ (state >>> 15), 1 | state);
      t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
      return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
    };
  }
  const span: Span = { start: 0, end: 0, line: 1, column: 1 };
  const operators: BinaryOperator[] = ['OR', 'AND', '=', '<>', '<', '>=', '||', '+', '-', '*', '/', '%'];

  function tree(next: () => number, depth: number): Expression {
    const pick = <T>(items: T[]): T => items[Math.floor(next() * items.length)]!;
    if (depth === 0 || next() < 0.2) {
      return next() < 0.5
        ? { kind: 'ColumnRef', parts: [{ kind: 'Identifier', value: pick(['a', 'b', 'c']), quoted: false, span }], span }
        : { kind: 'NumberLiteral', text: String(Math.floor(next() * 10)), span };
    }
    const sub = (): Expression => tree(next, depth - 1);
    switch (pick(['binary', 'binary', 'binary', 'unary', 'not', 'is', 'between', 'in', 'like', 'cast', 'subscript'])) {
      case 'binary':
        return { kind: 'Binary', operator: pick(operators), left: sub(), right: sub(), span };
      case 'unary':
        return { kind: 'Unary', operator: pick(['-', '+'] as const), operand: sub(), span };
      case 'not':
        return { kind: 'Unary', operator: 'NOT', operand: sub(), span };
      case 'is':
        return { kind: 'Is', operand: sub(), negated: next() < 0.5, test: pick(['NULL', 'TRUE'] as const), span };
      case 'between':
        return { kind: 'Between', operand: sub(), low: sub(), high: sub(), negated: next() < 0.5, symmetric: false, span };
      case 'in':
        return { kind: 'InList', operand: sub(), list: [sub(), sub()], negated: next() < 0.5, span };
      case 'like':
        return { kind: 'Like', operator: 'LIKE', operand: sub(), pattern: sub(), escape: undefined, negated: next() < 0.5, span };
      case 'cast':
        return { kind: 'Cast', operand: sub(), type: { kind: 'ScalarType', name: 'INT', precision: undefined, scale: undefined, notNull: false, span }, safe: false, span };
      default:
        return { kind: 'Subscript', target: sub(), index: sub(), span };
    }
  }

  it('parse(print(tree)) = tree for 600 random trees', () => {
    for (let seed = 1; seed <= 600; seed++) {
      const expression = tree(random(seed), 5);
      const printed = printExpression(expression);
      let reparsed: Expression;
      try {
        reparsed = parseExpression(printed);
      } catch (error) {
        assert.fail(`seed ${seed}: ${printed} does not parse: ${(error as Error).message}`);
      }
      assert.deepEqual(withoutSpans(reparsed), withoutSpans(expression), `seed ${seed}: ${printed}`);
    }
  });
});
