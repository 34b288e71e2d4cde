/**
 * The Nexmark benchmark's Flink SQL (nexmark/nexmark, nexmark-flink/src/main/resources/queries,
 * Apache-2.0), kept verbatim in fixtures/nexmark: every script parses and round-trips.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { Insert, Statement } from '../../../src/sql/ast.ts';
import { parseStatements } from '../../../src/sql/parser/index.ts';
import { printExpression } from '../../../src/sql/printer.ts';
import { assertRoundTrip, loadFixtures } from './helpers.ts';

/** Nexmark substitutes these placeholders before submitting; the DDL views reference the source table through one. */
function substitute(sql: string): string {
  return sql.replaceAll('${NEXMARK_TABLE}', 'datagen');
}

const fixtures = loadFixtures('nexmark').map((f) => ({ ...f, sql: substitute(f.sql) }));

function kinds(statements: Statement[]): string[] {
  return statements.map((s) => s.kind);
}

describe('Nexmark queries', () => {
  it('covers q0 to q22 and the DDL', () => {
    const names = fixtures.map((f) => f.name);
    for (let i = 0; i <= 22; i++) assert.ok(names.includes(`q${i}`), `q${i}`);
    assert.ok(names.includes('ddl_gen') && names.includes('ddl_views'));
  });

  for (const fixture of fixtures) {
    it(`${fixture.name} parses and round-trips`, () => {
      const statements = parseStatements(fixture.sql);
      assert.ok(statements.length >= 1);
      if (fixture.name.startsWith('q')) assert.equal(statements.at(-1)?.kind, 'Insert');
      assertRoundTrip(fixture.sql);
    });
  }

  const byName = new Map(fixtures.map((f) => [f.name, parseStatements(f.sql)]));
  const insertOf = (name: string): Insert => byName.get(name)!.at(-1) as Insert;

  it('ddl_gen: ROW<...> columns, a computed CASE column and a watermark', () => {
    const [table] = byName.get('ddl_gen')!;
    assert.ok(table?.kind === 'CreateTable');
    const person = table.columns[1]!;
    assert.ok(person.kind === 'PhysicalColumn' && person.type.kind === 'RowType');
    assert.equal(person.type.fields.length, 8);
    const dateTime = table.columns[4]!;
    assert.ok(dateTime.kind === 'ComputedColumn');
    assert.equal(dateTime.expression.kind, 'Case');
    assert.equal(printExpression(table.watermark!.expression), "`dateTime` - INTERVAL '4' SECOND");
  });

  it('q10: PARTITIONED BY and options keeping ${...} placeholders', () => {
    const [table] = byName.get('q10')!;
    assert.ok(table?.kind === 'CreateTable');
    assert.deepEqual(table.partitionedBy.map((c) => c.value), ['dt', 'hm']);
    assert.equal(table.options.find((o) => o.key === 'partition.time-extractor.timestamp-pattern')?.value, '$dt $hm:00');
  });

  it('q12/q14: CREATE VIEW and CREATE FUNCTION', () => {
    assert.deepEqual(kinds(byName.get('q12')!), ['CreateTable', 'CreateView', 'Insert']);
    const [fn] = byName.get('q14')!;
    assert.ok(fn?.kind === 'CreateFunction');
    assert.equal(fn.className, 'com.github.nexmark.flink.udf.CountChar');
  });

  it('q13: temporal join on a processing-time attribute of a derived table', () => {
    const select = insertOf('q13').source.body;
    assert.ok(select.kind === 'Select' && select.from?.kind === 'Join');
    const right = select.from.right;
    assert.ok(right.kind === 'TableName');
    assert.equal(printExpression(right.systemTime!), 'B.p_time');
    assert.equal(right.alias?.name.value, 'S');
  });

  it('q15: aggregate FILTER (WHERE ...) and COUNT(DISTINCT ...)', () => {
    const select = insertOf('q15').source.body;
    assert.ok(select.kind === 'Select');
    const rank2 = select.items[3]!.expression;
    assert.ok(rank2.kind === 'FunctionCall');
    assert.equal(printExpression(rank2.filter!), 'price >= 10000 AND price < 1000000');
    const bidders = select.items[6]!.expression;
    assert.ok(bidders.kind === 'FunctionCall' && bidders.distinct);
  });

  it('q6: OVER with ROWS BETWEEN frame', () => {
    const select = insertOf('q6').source.body;
    assert.ok(select.kind === 'Select');
    const avg = select.items[1]!.expression;
    assert.ok(avg.kind === 'FunctionCall' && avg.over?.kind === 'WindowSpec');
    assert.equal(avg.over.frame?.units, 'ROWS');
    assert.equal(avg.over.frame?.start.bound, 'PRECEDING');
    assert.equal(avg.over.frame?.end?.bound, 'CURRENT ROW');
  });

  it('q21: IS NOT NULL OR ... IN (list)', () => {
    const select = insertOf('q21').source.body;
    assert.ok(select.kind === 'Select');
    const where = select.where!;
    assert.ok(where.kind === 'Binary' && where.operator === 'OR');
    assert.equal(where.left.kind, 'Is');
    assert.equal(where.right.kind, 'InList');
  });
});

describe('Nexmark CEP queries (MATCH_RECOGNIZE)', () => {
  const cep = loadFixtures('nexmark-cep');

  it('has q0 to q3', () => {
    assert.deepEqual(cep.map((f) => f.name), ['q0', 'q1', 'q2', 'q3']);
  });

  for (const fixture of cep) {
    it(`${fixture.name} parses and round-trips`, () => {
      const insert = parseStatements(fixture.sql).at(-1);
      assert.ok(insert?.kind === 'Insert' && insert.source.body.kind === 'Select');
      assert.equal(insert.source.body.from?.kind, 'MatchRecognize');
      assertRoundTrip(fixture.sql);
    });
  }

  it('reads measures, skip strategy, pattern, WITHIN and DEFINE', () => {
    const byName = new Map(cep.map((f) => [f.name, parseStatements(f.sql).at(-1) as Insert]));
    const matchOf = (name: string) => {
      const from = byName.get(name)!.source.body;
      assert.ok(from.kind === 'Select' && from.from?.kind === 'MatchRecognize');
      return from.from;
    };
    const q0 = matchOf('q0');
    assert.deepEqual(q0.measures.map((m) => m.alias?.value), ['start_tstamp', 'bottom_tstamp', 'end_tstamp']);
    assert.deepEqual([q0.afterMatch?.to, q0.afterMatch?.variable?.value], ['LAST', 'PRICE_UP']);
    assert.ok(q0.pattern.kind === 'PatternSequence');
    const priceDown = q0.pattern.items[1];
    assert.ok(priceDown?.kind === 'PatternVariable');
    assert.deepEqual([priceDown.quantifier?.min, priceDown.quantifier?.max], [1, undefined]);
    assert.equal(q0.define.length, 2);
    assert.equal(matchOf('q1').afterMatch?.to, 'PAST LAST ROW');
    assert.equal(matchOf('q2').afterMatch?.to, 'NEXT ROW');
    const q3 = matchOf('q3');
    assert.equal(printExpression(q3.within!), "INTERVAL '5' SECOND");
    assert.equal(q3.rowsPerMatch, 'ONE ROW PER MATCH');
  });
});
