/**
 * Bad input: every SQL error names its code, where it is (line:column, in the message and in
 * details) and how to fix it (a hint); a record that cannot be decoded goes to the statement's
 * error topic with the reason, and the statement keeps going.
 */
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { isShiftleftError, type ShiftleftError } from '../../src/common/errors.ts';
import { SqlHarness } from './sql-harness.ts';

/** [sql, code, line, column, pattern the message matches] */
const CASES: [string, string, number, number, RegExp][] = [
  // syntax
  ['SELEC a FROM t', 'SQL_PARSE_ERROR', 1, 1, /expected a statement/],
  ['SELECT a\nFROM t\nWHERE', 'SQL_PARSE_ERROR', 3, 6, /expected an expression but found end of input/],
  ['SELECT a, FROM t', 'SQL_PARSE_ERROR', 1, 11, /expected a select item/],
  ["SELECT 'abc FROM t", 'SQL_PARSE_ERROR', 1, 8, /unterminated string/],
  ['SELECT a FROM t GROUP a', 'SQL_PARSE_ERROR', 1, 23, /expected BY/],
  ['CREATE TABLE x (a INT,)', 'SQL_PARSE_ERROR', 1, 23, /expected a column name/],
  ['SELECT a FROM t;\nSELECT (a FROM t', 'SQL_PARSE_ERROR', 2, 11, /expected/],
  // unknown names
  ['SELECT * FROM nope', 'SQL_UNKNOWN_TABLE', 1, 15, /table 'nope' does not exist/],
  ['SELECT * FROM other.db.t', 'SQL_UNKNOWN_TABLE', 1, 1, /unknown catalog or database/],
  ['SELECT a,\n       zz\nFROM t', 'SQL_UNKNOWN_COLUMN', 2, 8, /unknown column 'zz'/],
  ['SELECT t.bb FROM t', 'SQL_UNKNOWN_COLUMN', 1, 8, /unknown column 't.bb'/],
  ['SELECT FOO(a) FROM t', 'SQL_UNKNOWN_FUNCTION', 1, 8, /unknown function 'FOO'/],
  ['DROP VIEW v', 'SQL_UNKNOWN_TABLE', 1, 1, /view 'v' does not exist/],
  // types
  ['SELECT UPPER(a, b) FROM t', 'SQL_TYPE_MISMATCH', 1, 8, /takes 1 argument but got 2/],
  ["SELECT a + 'x' FROM t", 'SQL_TYPE_MISMATCH', 1, 8, /cannot apply '\+' to INT and CHAR/],
  ['SELECT a FROM t WHERE b', 'SQL_TYPE_MISMATCH', 1, 23, /WHERE needs a BOOLEAN condition/],
  ['SELECT CAST(ts AS BOOLEAN) FROM t', 'SQL_TYPE_MISMATCH', 1, 8, /cannot cast TIMESTAMP_LTZ\(3\) to BOOLEAN/],
  ['SELECT SUM(b) FROM t', 'SQL_TYPE_MISMATCH', 1, 8, /SUM expects a numeric argument/],
  ['INSERT INTO u SELECT b, 1.5 FROM t', 'SQL_TYPE_MISMATCH', 1, 1, /cannot write STRING .* into column 'a' INT/],
  // invalid or unsupported constructs
  ['SELECT a, COUNT(*) FROM t', 'SQL_VALIDATION_ERROR', 1, 8, /must appear in GROUP BY/],
  ['SELECT a FROM t JOIN u ON t.a = u.a', 'SQL_VALIDATION_ERROR', 1, 8, /ambiguous/],
  ['INSERT INTO t SELECT a FROM t', 'SQL_VALIDATION_ERROR', 1, 1, /produces 1 columns but table 't' takes 3/],
  ["SELECT * FROM TABLE(TUMBLE(TABLE t, DESCRIPTOR(b), INTERVAL '1' MINUTE))", 'SQL_VALIDATION_ERROR', 1, 37, /not a time attribute/],
  ['CREATE TABLE t (a INT)', 'SQL_VALIDATION_ERROR', 1, 1, /already exists/],
  ["SET 'sql.state-ttl' = 'forever'", 'SQL_VALIDATION_ERROR', 1, 1, /invalid duration/],
  ['SELECT a FROM t WHERE a IN (SELECT a FROM u)', 'SQL_UNSUPPORTED', 1, 23, /subqueries inside expressions/],
  ['SELECT a FROM t INTERSECT SELECT a FROM u', 'SQL_UNSUPPORTED', 1, 1, /INTERSECT/],
  ['SELECT * FROM t, LATERAL (SELECT 1)', 'SQL_UNSUPPORTED', 1, 18, /LATERAL/],
  ['SELECT a FROM t GROUP BY ROLLUP (a)', 'SQL_UNSUPPORTED', 1, 26, /ROLLUP/],
  ['SELECT * FROM t MATCH_RECOGNIZE (PATTERN (A) DEFINE A AS a > 1)', 'SQL_UNSUPPORTED', 1, 15, /MATCH_RECOGNIZE/],
  // plans that cannot run on streams
  ['SELECT a FROM t ORDER BY a', 'SQL_PLAN_ERROR', 1, 1, /ORDER BY is not supported/],
  ['SELECT a, ROW_NUMBER() OVER (ORDER BY ts) FROM t', 'SQL_PLAN_ERROR', 1, 1, /need a filter/],
  ['\n  INSERT INTO t SELECT COUNT(*), b, MAX(ts) FROM t GROUP BY b', 'SQL_PLAN_ERROR', 2, 3, /append-only/],
];

describe('SQL errors: code, line:column and hint', () => {
  let h: SqlHarness;
  before(async () => {
    h = await SqlHarness.start();
    await h.run(`CREATE TABLE t (a INT, b STRING, ts TIMESTAMP_LTZ(3), WATERMARK FOR ts AS ts);
      CREATE TABLE u (a INT NOT NULL, c DOUBLE, PRIMARY KEY (a) NOT ENFORCED)`);
  });
  after(async () => {
    await h?.close();
  });

  for (const [sql, code, line, column, pattern] of CASES) {
    it(`${code}: ${sql.replace(/\s+/g, ' ').trim()}`, async () => {
      let error: ShiftleftError | undefined;
      try {
        await h.session.execute(sql);
      } catch (thrown) {
        if (!isShiftleftError(thrown)) throw thrown;
        error = thrown;
      }
      assert.ok(error, 'the statement must fail');
      assert.equal(error.code, code, error.message);
      assert.match(error.message, pattern);
      assert.ok(error.message.startsWith(`line ${line}, column ${column}: `), `position in: ${error.message}`);
      assert.deepEqual([error.details.line, error.details.column], [line, column]);
      assert.ok(error.hint && error.hint.length > 10, `a hint for: ${error.message}`);
    });
  }

  it('sends an undecodable record to the error topic and keeps going', async () => {
    await h.run('CREATE TABLE readings (id INT, v DOUBLE); CREATE TABLE kept (id INT, v DOUBLE)');
    await h.produce('readings', [[1, 1.5]], [1000]);
    await h.server.log.produce('readings', [{ key: Buffer.from('k'), value: Buffer.from('definitely not avro'), timestamp: 2000 }]);
    await h.server.log.produce('readings', [{ key: null, value: Buffer.from([0, 0, 0, 0x7f, 0x7f, 1, 2]), timestamp: 2500 }]);
    await h.produce('readings', [[2, 2.5]], [3000]);

    const [, result] = await h.run("SET 'client.statement-name' = 'keep-readings'; INSERT INTO kept SELECT * FROM readings");
    assert.equal(result!.kind, 'statement');
    const rows = await h.table('SELECT id, v FROM kept');
    assert.deepEqual(rows, [
      { id: 1, v: 1.5 },
      { id: 2, v: 2.5 },
    ]);

    const errors = await h.server.log.fetch({ topic: '_statement-errors-keep-readings', partition: 0 }, 0);
    assert.equal(errors.records.length, 2);
    const [first, second] = errors.records;
    const header = (r: typeof first, key: string) => r!.headers.find((x) => x.key === key)?.value?.toString();
    assert.equal(first!.value!.toString(), 'definitely not avro', 'the original bytes are kept');
    assert.equal(first!.key!.toString(), 'k');
    assert.equal(header(first, '__error.topic'), 'readings');
    assert.equal(header(first, '__error.offset'), '1');
    assert.match(header(first, '__error.reason')!, /not in the Confluent wire format/);
    assert.match(header(second, '__error.reason')!, /schema id|unknown/i);
  });
});
