/**
 * Every Flink statement of the shift-left walkthrough (fixtures/walkthrough, copied verbatim from
 * the seed document) must parse unchanged, mean what the walkthrough means, and print back.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { AlterTable, CreateTable, Insert, Query, Select, SetOption, Statement, TableName } from '../../../src/sql/ast.ts';
import { parseStatements } from '../../../src/sql/parser/index.ts';
import { printExpression } from '../../../src/sql/printer.ts';
import { assertRoundTrip, loadFixtures } from './helpers.ts';

const fixtures = new Map(loadFixtures('walkthrough').map((f) => [f.name, f.sql]));

function parseFixture(name: string): Statement[] {
  const sql = fixtures.get(name);
  assert.ok(sql !== undefined, `missing fixture ${name}`);
  return parseStatements(sql);
}

function only<K extends Statement['kind']>(statements: Statement[], kind: K, index = 0): Extract<Statement, { kind: K }> {
  const statement = statements[index];
  assert.equal(statement?.kind, kind);
  return statement as Extract<Statement, { kind: K }>;
}

function selectOf(query: Query): Select {
  assert.equal(query.body.kind, 'Select');
  return query.body as Select;
}

describe('walkthrough statements', () => {
  it('has all twelve statements as fixtures', () => {
    assert.equal(fixtures.size, 12);
  });

  for (const [name, sql] of fixtures) {
    it(`${name} parses and round-trips through the printer`, () => {
      assert.ok(parseStatements(sql).length > 0);
      assertRoundTrip(sql);
    });
  }

  it('reads `shiftleft.public.orders` as one backticked identifier', () => {
    const query = only(parseFixture('01-select-raw-orders'), 'Query');
    const select = selectOf(query);
    assert.equal(select.items[0]?.expression.kind, 'Star');
    const from = select.from as TableName;
    assert.equal(from.kind, 'TableName');
    assert.deepEqual(
      from.name.parts.map((p) => [p.value, p.quoted]),
      [['shiftleft.public.orders', true]],
    );
  });

  it('reads a three-part name and MODIFY WATERMARK', () => {
    const alter: AlterTable = only(parseFixture('02-raw-orders-watermark'), 'AlterTable');
    assert.deepEqual(
      alter.name.parts.map((p) => p.value),
      ['<CONFLUENT_ENVIRONEMNT_NAME>', '<CONFLUENT_CLUSTER_NAME>', 'shiftleft.public.orders'],
    );
    assert.equal(alter.action.kind, 'AlterTableAddOrModify');
    if (alter.action.kind !== 'AlterTableAddOrModify') return;
    assert.equal(alter.action.operation, 'MODIFY');
    const watermark = alter.action.elements[0];
    assert.equal(watermark?.kind, 'Watermark');
    if (watermark?.kind !== 'Watermark') return;
    assert.equal(watermark.column.parts[0]?.value, 'orderdate');
    assert.equal(printExpression(watermark.expression), '`orderdate`');
  });

  it('reads the products_with_pk table with its primary key', () => {
    const table: CreateTable = only(parseFixture('03-create-products-with-pk'), 'CreateTable');
    assert.equal(table.name.parts[0]?.value, 'products_with_pk');
    assert.equal(table.columns.length, 9);
    const productId = table.columns[0]!;
    assert.equal(productId.kind, 'PhysicalColumn');
    if (productId.kind === 'PhysicalColumn') {
      assert.deepEqual([productId.type.kind, productId.type.notNull], ['ScalarType', true]);
    }
    const brand = table.columns[1]!;
    if (brand.kind === 'PhysicalColumn' && brand.type.kind === 'ScalarType') {
      assert.deepEqual([brand.type.name, brand.type.precision], ['VARCHAR', 2147483647]);
    } else assert.fail('brand should be a VARCHAR column');
    assert.deepEqual(table.primaryKey?.columns.map((c) => c.value), ['productid']);
    assert.deepEqual(table.options, []);
  });

  it('names the next statement with SET and inserts with a CAST', () => {
    const statements = parseFixture('04-materialize-products-with-pk');
    const set: SetOption = only(statements, 'SetOption');
    assert.deepEqual([set.key, set.value], ['client.statement-name', 'products-with-pk-materializer']);
    const insert: Insert = only(statements, 'Insert', 1);
    const select = selectOf(insert.source);
    assert.equal(select.items.length, 9);
    assert.equal(select.items[7]?.expression.kind, 'Cast');
    assert.equal(select.items[7]?.alias?.value, 'price');
  });

  it('reads TIMESTAMP_LTZ(3) NOT NULL', () => {
    const table = only(parseFixture('05-create-orders'), 'CreateTable');
    const orderdate = table.columns[0]!;
    assert.ok(orderdate.kind === 'PhysicalColumn' && orderdate.type.kind === 'ScalarType');
    assert.deepEqual([orderdate.type.name, orderdate.type.precision, orderdate.type.notNull], ['TIMESTAMP_LTZ', 3, true]);
  });

  it('reads the four-way join with a temporal join on products_with_pk', () => {
    const statements = parseFixture('07-materialize-orders');
    assert.deepEqual(statements.map((s) => s.kind), ['SetOption', 'SetOption', 'Insert']);
    assert.equal((statements[0] as SetOption).value, '7 DAYS');
    const select = selectOf((statements[2] as Insert).source);
    const from = select.from!;
    assert.equal(from.kind, 'Join');
    if (from.kind !== 'Join') return;
    // ((orders JOIN order_items) JOIN customers) JOIN products_with_pk
    assert.equal(from.left.kind, 'Join');
    const temporal = from.right as TableName;
    assert.equal(temporal.kind, 'TableName');
    assert.equal(temporal.alias?.name.value, 'p');
    assert.equal(printExpression(temporal.systemTime!), 'o.orderdate');
    assert.equal(from.criteria?.kind, 'JoinOn');
    assert.equal(printExpression(select.where!), "p.productname <> '' AND p.price > 0");
    assert.equal(select.items[10]?.alias?.value, 'total_amount');
  });

  it('reads the duplicate finder: a derived table without alias and count(*)', () => {
    const query = only(parseFixture('08-find-duplicate-payments'), 'Query');
    const outer = selectOf(query);
    assert.equal(outer.from?.kind, 'DerivedTable');
    if (outer.from?.kind !== 'DerivedTable') return;
    assert.equal(outer.from.alias, undefined);
    const inner = selectOf(outer.from.query);
    assert.equal(inner.items[2]?.alias?.value, 'total');
    assert.equal(printExpression(inner.items[2]!.expression), 'count(*)');
    assert.equal(inner.groupBy.length, 2);
  });

  it('reads the sales table watermark with an interval', () => {
    const table = only(parseFixture('09-create-sales'), 'CreateTable');
    assert.equal(table.columns.length, 6);
    assert.equal(table.watermark?.column.parts[0]?.value, 'ts');
    assert.equal(printExpression(table.watermark!.expression), "ts - INTERVAL '5' SECOND");
  });

  it('reads the sales join: comma join and BETWEEN with interval arithmetic', () => {
    const insert = only(parseFixture('10-materialize-sales'), 'Insert', 1);
    const select = selectOf(insert.source);
    assert.equal(select.from?.kind, 'Join');
    if (select.from?.kind === 'Join') assert.equal(select.from.joinType, 'COMMA');
    assert.equal(
      printExpression(select.where!),
      "pymt.order_id = ord.orderid AND orderdate BETWEEN pymt.ts - INTERVAL '96' HOUR AND pymt.ts",
    );
  });

  it('reads DECIMAL without precision', () => {
    const table = only(parseFixture('11-create-incremental-revenue'), 'CreateTable');
    const revenue = table.columns[2]!;
    assert.ok(revenue.kind === 'PhysicalColumn' && revenue.type.kind === 'ScalarType');
    assert.deepEqual([revenue.type.name, revenue.type.precision, revenue.type.notNull], ['DECIMAL', undefined, true]);
  });

  it("reads the TUMBLE window TVF and INTERVAL '10' SECONDS", () => {
    const insert = only(parseFixture('12-materialize-incremental-revenue'), 'Insert', 1);
    const select = selectOf(insert.source);
    assert.equal(select.from?.kind, 'TableFunction');
    if (select.from?.kind !== 'TableFunction') return;
    const call = select.from.call;
    assert.equal(call.name.parts[0]?.value, 'TUMBLE');
    assert.deepEqual(call.args.map((a) => a.kind), ['TableArgument', 'Descriptor', 'IntervalLiteral']);
    const interval = call.args[2]!;
    assert.ok(interval.kind === 'IntervalLiteral');
    assert.deepEqual([interval.value, interval.qualifier.start], ['10', 'SECOND']);
  });

  it('also parses the warehouse preview queries (double-quoted identifiers)', () => {
    for (const fixture of loadFixtures('warehouse')) {
      const query = only(parseStatements(fixture.sql), 'Query');
      const from = selectOf(query).from as TableName;
      assert.equal(from.name.parts.length, 3);
      assertRoundTrip(fixture.sql);
    }
  });
});
