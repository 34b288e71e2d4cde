/**
 * Bad input: every error is a SQL_PARSE_ERROR that points at the offending token, says what was
 * expected and what was found, and hints at the fix for the common slips.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { parseExpression, parseStatement, parseStatements } from '../../../src/sql/parser/index.ts';
import { assertParseError } from './helpers.ts';

function script(sql: string): () => unknown {
  return () => parseStatements(sql);
}

describe('parse errors', () => {
  it('carries line, column, expected and found in details', () => {
    const error = assertParseError(script('SELECT a,\n       b\nFROM t WHERE (a = 1'), 3, 20, "expected ')' but found end of input");
    assert.deepEqual(error.details, { line: 3, column: 20, offset: 38, expected: "')'", found: 'end of input' });
    assert.equal(error.hint, 'a parenthesis is not closed');
    assert.equal(error.code, 'SQL_PARSE_ERROR');
  });

  it('reports a missing closing parenthesis at the token found instead', () => {
    assertParseError(script('SELECT (a + b FROM t'), 1, 15, "expected ')' but found 'FROM'");
  });

  it('reports an extra closing parenthesis', () => {
    const error = assertParseError(script('SELECT a FROM t)'), 1, 16, "unexpected ')'");
    assert.match(error.hint ?? '', /balanced/);
  });

  it('reports a missing comma between select items', () => {
    const error = assertParseError(script('SELECT a b c FROM t'), 1, 12, "expected ';' or end of statement but found 'c'");
    assert.match(error.hint ?? '', /comma/);
  });

  it('reports a missing comma between column definitions', () => {
    const error = assertParseError(script('CREATE TABLE t (\n  a INT\n  b INT\n)'), 3, 3, "expected ')' but found 'b'");
    assert.match(error.hint ?? '', /comma/);
  });

  it('reports a trailing comma in the select list', () => {
    const error = assertParseError(script('SELECT a, FROM t'), 1, 11, "expected a select item but found 'FROM'");
    assert.match(error.hint ?? '', /ends with a comma/);
  });

  it('suggests the keyword a misspelled word stands for', () => {
    assert.equal(assertParseError(script('SELEC * FROM t'), 1, 1, "found 'SELEC'").hint, 'did you mean SELECT?');
    assert.equal(assertParseError(script('SELECT a FORM t'), 1, 15, "found 't'").hint, "'FORM' looks like a misspelled FROM");
    assert.equal(assertParseError(script('CREATE TABLE t (a INTEGR)'), 1, 19, 'expected a data type').hint, 'did you mean INTEGER?');
    assertParseError(script('SELECT a FROM t ORDER a'), 1, 23, "expected BY but found 'a'");
    assertParseError(script('SELECT * FROM t FOR SYSTEM TIME AS OF x'), 1, 21, "expected SYSTEM_TIME but found 'SYSTEM'");
  });

  it('tells to quote reserved words used as names', () => {
    const column = assertParseError(script('CREATE TABLE t (order INT)'), 1, 17, "expected a column name but found 'order'");
    assert.match(column.hint ?? '', /reserved word.*backticks: `order`/);
    const expression = assertParseError(() => parseExpression('t.a + select'), 1, 7, "expected an expression but found 'select'");
    assert.match(expression.hint ?? '', /`select`/);
    const flinkReserved = assertParseError(script('SELECT value FROM t'), 1, 8, "expected an expression but found 'value'");
    assert.match(flinkReserved.hint ?? '', /`value`/);
    assertParseError(script('SELECT t.year FROM t'), 1, 10, "expected a name but found 'year'");
    assertParseError(script('SELECT a AS day FROM t'), 1, 13, "expected an alias but found 'day'");
    // a structural keyword followed by '(' is not a function call (only LEFT and RIGHT are)
    assertParseError(() => parseExpression('a AND AND (b)'), 1, 7, "expected an expression but found 'AND'");
  });

  it('tells to backtick $rowtime', () => {
    const error = assertParseError(script('SELECT * FROM t ORDER BY $rowtime'), 1, 26, "unexpected character '$'");
    assert.match(error.hint ?? '', /`\$rowtime`/);
  });

  it('reports unterminated strings, quoted identifiers and comments', () => {
    assertParseError(script("SELECT * FROM t WHERE a = 'abc"), 1, 27, 'unterminated string literal');
    assertParseError(script('SELECT `abc FROM t'), 1, 8, 'unterminated quoted identifier');
    assertParseError(script('SELECT 1 /* comment'), 1, 10, 'unterminated comment');
  });

  it('reports trailing garbage after a statement', () => {
    assertParseError(script('SELECT a FROM t x y'), 1, 19, "expected ';' or end of statement but found 'y'");
    assertParseError(() => parseStatement('SELECT 1; SELECT 2'), 1, 11, 'expected end of input');
    assertParseError(() => parseExpression('a + b c'), 1, 7, "found 'c'");
  });

  it('reports a statement that does not start with a statement keyword', () => {
    assertParseError(script('SELECT 1; garbage'), 1, 11, "expected a statement (SELECT, INSERT, CREATE, ALTER, DROP, SET, SHOW, ...) but found 'garbage'");
    assertParseError(script('42'), 1, 1, "expected a statement");
    assertParseError(() => parseStatement(''), 1, 1, 'expected a statement but found end of input');
  });

  it('explains Flink-specific requirements', () => {
    const key = assertParseError(script('CREATE TABLE t (a INT, PRIMARY KEY (a))'), 1, 39, "expected NOT but found ')'");
    assert.match(key.hint ?? '', /NOT ENFORCED/);
    const tz = assertParseError(script('CREATE TABLE t (a TIMESTAMP(3) WITH TIME ZONE)'), 1, 32, 'TIMESTAMP WITH TIME ZONE is not supported');
    assert.match(tz.hint ?? '', /TIMESTAMP_LTZ/);
    const interval = assertParseError(script('SELECT INTERVAL 10 SECOND'), 1, 17, "expected a quoted interval value but found '10'");
    assert.equal(interval.hint, "put the value in quotes: INTERVAL '10' SECOND");
    const unit = assertParseError(script("SELECT INTERVAL '10' SECS"), 1, 22, 'expected an interval unit');
    assert.equal(unit.details['found'], "'SECS'");
    const set = assertParseError(script('SET client.statement-name = x'), 1, 5, 'expected an option key in single quotes');
    assert.match(set.hint ?? '', /SET 'key' = 'value'/);
    const option = assertParseError(script("CREATE TABLE t (a INT) WITH ('k' 'v')"), 1, 34, "expected '=' but found string 'v'");
    assert.match(option.hint ?? '', /'key' = 'value'/);
  });

  it('reports incomplete constructs', () => {
    assertParseError(script('SELECT a FROM t WHERE'), 1, 22, 'expected an expression but found end of input');
    assertParseError(script('SELECT CASE WHEN a THEN b FROM t'), 1, 27, "expected END but found 'FROM'");
    assertParseError(script('SELECT CAST(a INT) FROM t'), 1, 15, "expected AS but found 'INT'");
    assertParseError(script('SELECT a FROM t WHERE b BETWEEN 1'), 1, 34, 'expected AND but found end of input');
    assertParseError(script('SELECT x FROM t WHERE a IN 1, 2'), 1, 28, "expected '(' but found '1'");
    assertParseError(script('SELECT * FROM a JOIN b'), 1, 23, 'expected ON or USING but found end of input');
    assertParseError(script('SELECT * FROM a LEFT b ON x'), 1, 22, "expected JOIN or OUTER JOIN after LEFT but found 'b'");
    assertParseError(script('INSERT t SELECT 1'), 1, 8, "expected INTO but found 't'");
    assertParseError(script('INSERT INTO t'), 1, 14, 'expected SELECT, VALUES or WITH but found end of input');
    assertParseError(script('ALTER TABLE t MODIFY WATERMARK FOR ts'), 1, 38, 'expected AS but found end of input');
    assertParseError(script('CREATE TABLE t (a)'), 1, 18, 'expected a data type for column a');
    assertParseError(script('EXECUTE STATEMENT SET BEGIN INSERT INTO a SELECT 1; SELECT 2; END'), 1, 53, 'expected INSERT or END');
    assertParseError(script('EXECUTE STATEMENT SET BEGIN INSERT INTO a SELECT 1 END'), 1, 52, "expected ';' but found 'END'");
    assertParseError(script("SELECT MAP['a']"), 1, 8, 'MAP[...] needs an even number of elements');
  });

  it('reports MATCH_RECOGNIZE mistakes', () => {
    assertParseError(script('SELECT * FROM t MATCH_RECOGNIZE (ORDER BY ts MEASURES A.x PATTERN (A) DEFINE A AS TRUE)'), 1, 59, "expected AS but found 'PATTERN'");
    assertParseError(script('SELECT * FROM t MATCH_RECOGNIZE (ORDER BY ts PATTERN (A{3,1}) DEFINE A AS TRUE)'), 1, 56, 'maximum repetition 1 is below the minimum 3');
    assertParseError(script('SELECT * FROM t MATCH_RECOGNIZE (ORDER BY ts PATTERN (A))'), 1, 57, "expected DEFINE but found ')'");
    assertParseError(script('CREATE OR REPLACE TABLE t (a INT)'), 1, 34, 'expected AS SELECT ...');
  });

  it('says where optimizer hints may go', () => {
    const error = assertParseError(script('SELECT * FROM t WHERE /*+ x */ a = 1'), 1, 23, "expected an expression but found '/*+'");
    assert.match(error.hint ?? '', /after SELECT, after a table name/);
  });

  it('rejects clauses given twice', () => {
    assertParseError(script("CREATE TABLE t (a INT) WITH ('a' = 'b') WITH ('c' = 'd')"), 1, 41, 'WITH appears twice');
    assertParseError(script('CREATE TABLE t (a INT PRIMARY KEY NOT ENFORCED, PRIMARY KEY (a) NOT ENFORCED)'), 1, 49, 'only one PRIMARY KEY');
  });

  it('says that double quotes are not string delimiters where a string is required', () => {
    const error = assertParseError(script('SET "a" = "b"'), 1, 5, 'expected an option key in single quotes but found `a`');
    assert.ok(error.hint !== undefined);
  });
});
