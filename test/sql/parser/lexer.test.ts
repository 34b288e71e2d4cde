import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { tokenize, type Token } from '../../../src/sql/lexer.ts';
import { assertParseError } from './helpers.ts';

function summary(tokens: Token[]): string[] {
  return tokens.map((t) => `${t.type}:${t.value}`);
}

describe('lexer', () => {
  it('splits words, operators, numbers and strings, ending with eof', () => {
    assert.deepEqual(summary(tokenize("SELECT a, 1 FROM t WHERE b = 'x'")), [
      'word:SELECT', 'word:a', 'operator:,', 'number:1', 'word:FROM', 'word:t', 'word:WHERE', 'word:b', 'operator:=', "string:x", 'eof:',
    ]);
  });

  it('keeps the spelling of words and upper-cases them for keyword tests', () => {
    const [word] = tokenize('sElEcT');
    assert.deepEqual([word?.value, word?.upper], ['sElEcT', 'SELECT']);
  });

  it('records offset, line and column of every token', () => {
    const tokens = tokenize('SELECT\n  a,\n\tb');
    assert.deepEqual(tokens[1]?.span, { start: 9, end: 10, line: 2, column: 3 });
    assert.deepEqual(tokens[3]?.span, { start: 13, end: 14, line: 3, column: 2 });
    assert.deepEqual(tokens[4]?.span, { start: 14, end: 14, line: 3, column: 3 });
  });

  it('reads a backticked name with dots as one identifier', () => {
    const [name] = tokenize('`shiftleft.public.orders`');
    assert.deepEqual([name?.type, name?.value], ['quoted_identifier', 'shiftleft.public.orders']);
    assert.deepEqual(summary(tokenize('`$rowtime`')), ['quoted_identifier:$rowtime', 'eof:']);
    assert.deepEqual(summary(tokenize('`a``b`')), ['quoted_identifier:a`b', 'eof:']);
  });

  it('reads double-quoted identifiers', () => {
    assert.deepEqual(summary(tokenize('"mydb"."public"')), ['quoted_identifier:mydb', 'operator:.', 'quoted_identifier:public', 'eof:']);
    assert.deepEqual(summary(tokenize('"a""b"')), ['quoted_identifier:a"b', 'eof:']);
  });

  it("unescapes '' in strings and keeps newlines", () => {
    assert.deepEqual(summary(tokenize("'it''s'")), ["string:it's", 'eof:']);
    assert.deepEqual(summary(tokenize("''")), ['string:', 'eof:']);
    const tokens = tokenize("'a\nb' x");
    assert.equal(tokens[0]?.value, 'a\nb');
    assert.deepEqual([tokens[1]?.span.line, tokens[1]?.span.column], [2, 4]);
  });

  it('reads integers, decimals and exponents', () => {
    assert.deepEqual(summary(tokenize('42 0.908 .5 1e10 2.5E-3 7.')), [
      'number:42', 'number:0.908', 'number:.5', 'number:1e10', 'number:2.5E-3', 'number:7.', 'eof:',
    ]);
  });

  it('reads binary string literals', () => {
    assert.deepEqual(summary(tokenize("X'0aFF'")), ['binary_string:0aFF', 'eof:']);
  });

  it('skips -- and /* */ comments', () => {
    assert.deepEqual(summary(tokenize('a -- comment\n/* block\n comment */ b')), ['word:a', 'word:b', 'eof:']);
    assert.deepEqual(tokenize('a /* x */ b')[1]?.span.column, 11);
  });

  it('reads multi-character operators as one token', () => {
    assert.deepEqual(summary(tokenize('<> != <= >= || :: => < > - * / %')).slice(0, -1), [
      'operator:<>', 'operator:!=', 'operator:<=', 'operator:>=', 'operator:||', 'operator:::', 'operator:=>',
      'operator:<', 'operator:>', 'operator:-', 'operator:*', 'operator:/', 'operator:%',
    ]);
    assert.deepEqual(summary(tokenize('a-1')), ['word:a', 'operator:-', 'number:1', 'eof:']);
  });

  it('delimits optimizer hints', () => {
    assert.deepEqual(summary(tokenize("t /*+ OPTIONS('k'='v') */ x")), [
      'word:t', 'operator:/*+', 'word:OPTIONS', 'operator:(', 'string:k', 'operator:=', 'string:v', 'operator:)', 'operator:*/', 'word:x', 'eof:',
    ]);
  });

  it('allows $ inside, but not at the start of, unquoted names', () => {
    assert.deepEqual(summary(tokenize('a$b')), ['word:a$b', 'eof:']);
    const error = assertParseError(() => tokenize('SELECT $rowtime'), 1, 8, "unexpected character '$'");
    assert.match(error.hint ?? '', /backticks/);
  });

  it('reports unterminated strings, identifiers and comments where they start', () => {
    assertParseError(() => tokenize("SELECT\n  'abc"), 2, 3, 'unterminated string literal');
    assertParseError(() => tokenize('SELECT `abc'), 1, 8, 'unterminated quoted identifier');
    assertParseError(() => tokenize('SELECT "abc'), 1, 8, 'unterminated quoted identifier');
    assertParseError(() => tokenize('a /* never closed'), 1, 3, 'unterminated comment');
    assertParseError(() => tokenize('t /*+ OPTIONS()'), 1, 15, 'unterminated hint');
  });

  it('reports malformed numbers and stray characters', () => {
    assertParseError(() => tokenize('SELECT 12abc'), 1, 8, "malformed number '12abc'");
    assertParseError(() => tokenize('SELECT #'), 1, 8, "unexpected character '#'");
    assertParseError(() => tokenize('``'), 1, 1, 'empty quoted identifier');
  });

  it('lexes half-megabyte inputs and tokens in linear time', () => {
    // Absolute bounds, generous enough for a busy machine: a quadratic step over this much input would
    // take minutes, linear lexing takes tens of milliseconds.
    const size = 1 << 19;
    const row = "SELECT `a`, 'it''s', 1.5e3 FROM t /* c */ WHERE x <> y -- end\n";
    const inputs = {
      script: row.repeat(Math.ceil(size / row.length)),
      'string with escapes': `'${"a''".repeat(size / 4)}'`,
      'quoted identifier': `\`${'x``'.repeat(size / 4)}\``,
      comment: `/*${' '.repeat(size)}*/ x`,
      'line comment': `--${'-'.repeat(size)}\nx`,
      number: '9'.repeat(size),
    };
    for (const [name, text] of Object.entries(inputs)) {
      const start = performance.now();
      const tokens = tokenize(text);
      const elapsed = performance.now() - start;
      assert.ok(tokens.length > 1);
      assert.ok(elapsed < 2_000, `${name}: ${elapsed.toFixed(0)} ms`);
    }
  });
});
