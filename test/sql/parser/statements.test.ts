import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { Statement } from '../../../src/sql/ast.ts';
import { parseDataType, parseStatement, parseStatements } from '../../../src/sql/parser/index.ts';
import { printDataType, printExpression } from '../../../src/sql/printer.ts';
import { withoutSpans } from './helpers.ts';

function statement<K extends Statement['kind']>(sql: string, kind: K): Extract<Statement, { kind: K }> {
  const parsed = parseStatement(sql);
  assert.equal(parsed.kind, kind, sql);
  return parsed as Extract<Statement, { kind: K }>;
}

describe('CREATE TABLE', () => {
  it('reads physical, computed and metadata columns', () => {
    const table = statement(
      `CREATE TABLE t (
         id BIGINT NOT NULL COMMENT 'key',
         doubled AS id * 2,
         ts TIMESTAMP_LTZ(3) METADATA FROM 'timestamp',
         off BIGINT METADATA VIRTUAL
       )`,
      'CreateTable',
    );
    assert.deepEqual(table.columns.map((c) => c.kind), ['PhysicalColumn', 'ComputedColumn', 'MetadataColumn', 'MetadataColumn']);
    const [id, doubled, ts, off] = table.columns;
    assert.ok(id?.kind === 'PhysicalColumn' && doubled?.kind === 'ComputedColumn' && ts?.kind === 'MetadataColumn' && off?.kind === 'MetadataColumn');
    assert.equal(id.comment, 'key');
    assert.equal(printExpression(doubled.expression), 'id * 2');
    assert.deepEqual([ts.metadataKey, ts.virtual], ['timestamp', false]);
    assert.deepEqual([off.metadataKey, off.virtual], [undefined, true]);
  });

  it('lifts an inline primary key into the table constraint', () => {
    const table = statement('CREATE TABLE t (id INT PRIMARY KEY NOT ENFORCED, v STRING)', 'CreateTable');
    assert.deepEqual(table.primaryKey?.columns.map((c) => c.value), ['id']);
    assert.equal(table.columns.length, 2);
  });

  it('reads the trailing clauses in any order', () => {
    const table = statement(
      "CREATE TABLE IF NOT EXISTS c.d.t (a INT) WITH ('k' = 'v') PARTITIONED BY (a) DISTRIBUTED BY HASH(a) INTO 3 BUCKETS COMMENT 'c'",
      'CreateTable',
    );
    assert.equal(table.ifNotExists, true);
    assert.deepEqual(table.name.parts.map((p) => p.value), ['c', 'd', 't']);
    assert.deepEqual(withoutSpans(table.options), [{ kind: 'Property', key: 'k', value: 'v' }]);
    assert.deepEqual([table.distribution?.algorithm, table.distribution?.buckets], ['HASH', 3]);
    assert.equal(table.comment, 'c');
    assert.deepEqual(table.partitionedBy.map((c) => c.value), ['a']);
  });

  it('reads CREATE TABLE AS SELECT with a primary key and no columns', () => {
    const table = statement(
      "CREATE TABLE d (PRIMARY KEY (a, b) NOT ENFORCED) DISTRIBUTED BY HASH(a, b) WITH ('changelog.mode' = 'append') AS SELECT a, b FROM s",
      'CreateTable',
    );
    assert.equal(table.columns.length, 0);
    assert.deepEqual(table.primaryKey?.columns.map((c) => c.value), ['a', 'b']);
    assert.equal(table.asQuery?.body.kind, 'Select');
  });

  it('reads CREATE OR REPLACE TABLE ... AS', () => {
    const table = statement('CREATE OR REPLACE TABLE t AS SELECT 1 AS a', 'CreateTable');
    assert.deepEqual([table.orReplace, table.asQuery?.body.kind], [true, 'Select']);
  });

  it('reads CREATE TABLE LIKE', () => {
    const table = statement('CREATE TABLE t2 LIKE t1 (EXCLUDING OPTIONS)', 'CreateTable');
    assert.deepEqual(table.like?.options, ['EXCLUDING', 'OPTIONS']);
  });

  it('reads CREATE VIEW and CREATE FUNCTION', () => {
    const view = statement('CREATE TEMPORARY VIEW v (x) AS SELECT 1', 'CreateView');
    assert.deepEqual([view.temporary, view.columns.length], [true, 1]);
    const fn = statement("CREATE FUNCTION f AS 'a.B' LANGUAGE PYTHON", 'CreateFunction');
    assert.deepEqual([fn.className, fn.language], ['a.B', 'PYTHON']);
  });
});

describe('data types', () => {
  const canonical: [string, string][] = [
    ['INTEGER', 'INT'],
    ['int not null', 'INT NOT NULL'],
    ['STRING NULL', 'STRING'],
    ['DEC(10,2)', 'DECIMAL(10, 2)'],
    ['NUMERIC', 'DECIMAL'],
    ['DOUBLE PRECISION', 'DOUBLE'],
    ['CHARACTER VARYING(3)', 'VARCHAR(3)'],
    ['TIMESTAMP(3) WITH LOCAL TIME ZONE', 'TIMESTAMP_LTZ(3)'],
    ['TIMESTAMP WITHOUT TIME ZONE', 'TIMESTAMP'],
    ['TIME(0) WITHOUT TIME ZONE', 'TIME(0)'],
    ['INT ARRAY', 'ARRAY<INT>'],
    ['STRING MULTISET NOT NULL', 'MULTISET<STRING> NOT NULL'],
    ['MAP<STRING, ARRAY<ROW<a INT>>>', 'MAP<STRING, ARRAY<ROW<a INT>>>'],
    ["ROW(a INT NOT NULL, `b c` STRING COMMENT 'x')", "ROW<a INT NOT NULL, `b c` STRING COMMENT 'x'>"],
    ['INTERVAL DAY(2) TO SECOND(3)', 'INTERVAL DAY(2) TO SECOND(3)'],
    ['INTERVAL YEAR(2) TO MONTH', 'INTERVAL YEAR(2) TO MONTH'],
    ['INTERVAL SECOND(3, 6)', 'INTERVAL SECOND(3, 6)'],
    ['BINARY(4)', 'BINARY(4)'],
    ['VARBINARY', 'VARBINARY'],
    ['BYTES', 'BYTES'],
    ['BOOLEAN', 'BOOLEAN'],
    ['TINYINT', 'TINYINT'],
    ['SMALLINT', 'SMALLINT'],
    ['BIGINT', 'BIGINT'],
    ['FLOAT', 'FLOAT'],
    ['DATE', 'DATE'],
  ];
  for (const [input, expected] of canonical) {
    it(`${input} → ${expected}`, () => {
      assert.equal(printDataType(parseDataType(input)), expected);
    });
  }
});

describe('ALTER, DROP, SET, RESET', () => {
  it('reads MODIFY WATERMARK and SET options', () => {
    const modify = statement('ALTER TABLE t MODIFY WATERMARK FOR ts AS ts - INTERVAL \'1\' SECOND', 'AlterTable');
    assert.ok(modify.action.kind === 'AlterTableAddOrModify');
    assert.deepEqual([modify.action.operation, modify.action.parenthesized, modify.action.elements[0]?.kind], ['MODIFY', false, 'Watermark']);
    const set = statement("ALTER TABLE t SET ('changelog.mode' = 'append')", 'AlterTable');
    assert.ok(set.action.kind === 'AlterTableSetOptions');
    assert.equal(set.action.options[0]?.value, 'append');
  });

  it('reads ADD/MODIFY/DROP/RENAME', () => {
    const add = statement('ALTER TABLE t ADD (a INT, b STRING)', 'AlterTable');
    assert.ok(add.action.kind === 'AlterTableAddOrModify');
    assert.equal(add.action.elements.length, 2);
    const positioned = statement('ALTER TABLE t ADD (a INT FIRST, b INT AFTER a, WATERMARK FOR ts AS ts)', 'AlterTable');
    assert.ok(positioned.action.kind === 'AlterTableAddOrModify');
    assert.deepEqual(
      positioned.action.positions.map((p) => [p?.placement, p?.reference?.value]),
      [['FIRST', undefined], ['AFTER', 'a'], [undefined, undefined]],
    );
    const drop = statement('ALTER TABLE IF EXISTS t DROP (a, b)', 'AlterTable');
    assert.ok(drop.ifExists && drop.action.kind === 'AlterTableDropColumns');
    assert.equal(drop.action.columns.length, 2);
    const dropKey = statement('ALTER TABLE t DROP PRIMARY KEY', 'AlterTable');
    assert.ok(dropKey.action.kind === 'AlterTableDropConstraint');
    assert.equal(dropKey.action.target, 'PRIMARY KEY');
    const rename = statement('ALTER TABLE t RENAME a TO b', 'AlterTable');
    assert.ok(rename.action.kind === 'AlterTableRenameColumn');
    assert.deepEqual([rename.action.from.value, rename.action.to.value], ['a', 'b']);
  });

  it('reads DROP statements', () => {
    const drop = statement('DROP TABLE IF EXISTS `a`.b', 'Drop');
    assert.deepEqual([drop.objectType, drop.ifExists, drop.name.parts.length], ['TABLE', true, 2]);
    assert.equal(statement('DROP TEMPORARY VIEW v', 'Drop').temporary, true);
  });

  it('reads SET and RESET with and without a key', () => {
    assert.deepEqual(withoutSpans(statement("SET 'sql.state-ttl' = '7 DAYS'", 'SetOption')), {
      kind: 'SetOption',
      key: 'sql.state-ttl',
      value: '7 DAYS',
    });
    assert.equal(statement('SET', 'SetOption').key, undefined);
    assert.equal(statement('SET;', 'SetOption').key, undefined);
    assert.equal(statement("RESET 'a'", 'ResetOption').key, 'a');
    assert.equal(statement('RESET', 'ResetOption').key, undefined);
  });
});

describe('INSERT and statement sets', () => {
  it('reads column lists, VALUES and OVERWRITE', () => {
    const insert = statement('INSERT INTO t (a, b) VALUES (1, 2), (3, 4)', 'Insert');
    assert.deepEqual(insert.columns.map((c) => c.value), ['a', 'b']);
    assert.ok(insert.source.body.kind === 'Values');
    assert.equal(insert.source.body.rows.length, 2);
    assert.equal(statement('INSERT OVERWRITE t SELECT 1', 'Insert').overwrite, true);
    const parenthesized = statement('INSERT INTO t (SELECT 1)', 'Insert');
    assert.equal(parenthesized.columns.length, 0);
  });

  it('reads EXECUTE STATEMENT SET and STATEMENT SET', () => {
    const set = statement('EXECUTE STATEMENT SET BEGIN INSERT INTO a SELECT 1; INSERT INTO b SELECT 2; END', 'StatementSet');
    assert.deepEqual([set.execute, set.inserts.length], [true, 2]);
    assert.equal(statement('STATEMENT SET BEGIN INSERT INTO a SELECT 1; END;', 'StatementSet').execute, false);
  });

  it('splits a script at semicolons, also inside a statement set', () => {
    const statements = parseStatements(";;SET 'a' = 'b';\nSTATEMENT SET BEGIN INSERT INTO a SELECT 1; END;\nSELECT 1;;");
    assert.deepEqual(statements.map((s) => s.kind), ['SetOption', 'StatementSet', 'Query']);
    assert.deepEqual(parseStatements('  -- nothing\n'), []);
  });
});

describe('SHOW, DESCRIBE, EXPLAIN, USE', () => {
  it('reads SHOW variants', () => {
    const tables = statement("SHOW TABLES LIKE 'ord%'", 'Show');
    assert.deepEqual([tables.object, tables.like?.pattern, tables.like?.negated], ['TABLES', 'ord%', false]);
    assert.equal(statement('SHOW FUNCTIONS', 'Show').object, 'FUNCTIONS');
    assert.equal(statement('SHOW STATEMENTS', 'Show').object, 'STATEMENTS');
    assert.equal(statement('SHOW TABLES IN db', 'Show').from?.parts[0]?.value, 'db');
    assert.equal(statement('SHOW CREATE TABLE c.d.t', 'ShowCreate').name.parts.length, 3);
  });

  it('reads DESCRIBE and DESC [EXTENDED]', () => {
    assert.equal(statement('DESCRIBE t', 'Describe').extended, false);
    assert.equal(statement('DESC EXTENDED t', 'Describe').extended, true);
  });

  it('reads EXPLAIN [PLAN FOR] around any statement', () => {
    const explain = statement('EXPLAIN PLAN FOR INSERT INTO t SELECT 1', 'Explain');
    assert.deepEqual([explain.planFor, explain.statement.kind], [true, 'Insert']);
    const detailed = statement('EXPLAIN CHANGELOG_MODE SELECT 1', 'Explain');
    assert.deepEqual(detailed.details, ['CHANGELOG_MODE']);
    assert.equal(statement('EXPLAIN SELECT 1', 'Explain').statement.kind, 'Query');
  });

  it('reads USE and USE CATALOG', () => {
    const catalog = statement('USE CATALOG `my catalog`', 'Use');
    assert.deepEqual([catalog.catalog, catalog.name.parts[0]?.value], [true, 'my catalog']);
    const database = statement('USE cat.db', 'Use');
    assert.deepEqual([database.catalog, database.name.parts.length], [false, 2]);
    // a database that happens to be called `catalog`
    assert.equal(statement('USE catalog', 'Use').catalog, false);
  });
});

describe('source spans', () => {
  it('spans statements without their semicolon, on the right line', () => {
    const sql = "SET 'a' = 'b';\n\nCREATE TABLE t (\n  id INT,\n  name STRING\n);";
    const [set, table] = parseStatements(sql);
    assert.deepEqual(set?.span, { start: 0, end: 13, line: 1, column: 1 });
    assert.ok(table?.kind === 'CreateTable');
    assert.equal(sql.slice(table.span.start, table.span.end), 'CREATE TABLE t (\n  id INT,\n  name STRING\n)');
    const name = table.columns[1]!;
    assert.deepEqual([name.span.line, name.span.column], [5, 3]);
    assert.equal(sql.slice(name.span.start, name.span.end), 'name STRING');
  });

  it('spans nested nodes exactly', () => {
    const sql = 'SELECT a + 1 AS b FROM t JOIN u ON t.k = u.k WHERE x > 0';
    const query = parseStatement(sql);
    assert.ok(query.kind === 'Query' && query.body.kind === 'Select');
    const text = (node: { span: { start: number; end: number } }): string => sql.slice(node.span.start, node.span.end);
    assert.equal(text(query.body.items[0]!), 'a + 1 AS b');
    assert.equal(text(query.body.from!), 't JOIN u ON t.k = u.k');
    assert.equal(text(query.body.where!), 'x > 0');
  });
});
