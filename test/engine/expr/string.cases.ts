import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { isShiftleftError } from '../../../src/common/errors.ts';
import { call, col, evaluate, fn, int, lit, nul, nullOf, str, T, typeOf } from './expr-test-support.ts';

const s = col(0, T.string());

describe('string functions', () => {
  it('concatenates with || and CONCAT (NULL in, NULL out) and CONCAT_WS (skips NULLs)', () => {
    assert.equal(call('||', str('a'), str('b')), 'ab');
    assert.equal(typeOf(fn('||', str('a'), str('b'))), 'STRING NOT NULL');
    assert.equal(call('CONCAT', str('a'), str('b'), str('c')), 'abc');
    assert.equal(evaluate(fn('CONCAT', str('a'), s), [null]), null);
    assert.equal(evaluate(fn('CONCAT_WS', str('-'), str('a'), s, str('c')), [null]), 'a-c');
    assert.equal(evaluate(fn('CONCAT_WS', nullOf(T.string()), str('a'))), null);
  });

  it('changes case and measures length', () => {
    assert.equal(call('UPPER', str('abc')), 'ABC');
    assert.equal(call('LOWER', str('ABC')), 'abc');
    assert.equal(call('INITCAP', str('hello wORLD-foo')), 'Hello World-Foo');
    assert.equal(call('CHAR_LENGTH', str('héllo😀')), 6);
    assert.equal(call('CHARACTER_LENGTH', str('abc')), 3);
    assert.equal(evaluate(fn('UPPER', s), [null]), null);
    assert.equal(typeOf(fn('UPPER', s)), 'STRING');
  });

  it('trims with TRIM(side, characters, source), LTRIM and RTRIM', () => {
    assert.equal(call('TRIM', str('BOTH'), str(' '), str('  a b  ')), 'a b');
    assert.equal(call('TRIM', str('LEADING'), str('x'), str('xxaxx')), 'axx');
    assert.equal(call('TRIM', str('TRAILING'), str('xy'), str('xxayx')), 'xxa');
    assert.equal(call('LTRIM', str('  a ')), 'a ');
    assert.equal(call('RTRIM', str('  a ')), '  a');
    assert.equal(evaluate(fn('TRIM', str('BOTH'), str(' '), s), [null]), null);
  });

  it('extracts substrings with 1-based positions', () => {
    assert.equal(call('SUBSTRING', str('hello'), int(2), int(3)), 'ell');
    assert.equal(call('SUBSTR', str('hello'), int(2)), 'ello');
    assert.equal(call('SUBSTRING', str('hello'), int(0), int(2)), 'he');
    assert.equal(call('SUBSTRING', str('hello'), int(-3)), 'llo');
    assert.equal(call('LEFT', str('hello'), int(2)), 'he');
    assert.equal(call('RIGHT', str('hello'), int(2)), 'lo');
    assert.equal(call('LEFT', str('hello'), int(-1)), '');
    assert.equal(call('OVERLAY', str('hello'), str('XY'), int(2)), 'hXYlo');
    assert.equal(call('OVERLAY', str('hello'), str('XY'), int(2), int(0)), 'hXYello');
  });

  it('finds positions (0 when absent)', () => {
    assert.equal(call('POSITION', str('l'), str('hello')), 3);
    assert.equal(call('POSITION', str('z'), str('hello')), 0);
    assert.equal(call('LOCATE', str('l'), str('hello'), int(4)), 4);
    assert.equal(call('INSTR', str('hello'), str('lo')), 4);
  });

  it('splits with SPLIT_INDEX (0-based, NULL out of range)', () => {
    const url = str('https://www.nexmark.com/abc/item.htm?query=1');
    assert.equal(call('SPLIT_INDEX', url, str('/'), int(3)), 'abc');
    assert.equal(call('SPLIT_INDEX', str('a,,b'), str(','), int(1)), '');
    assert.equal(call('SPLIT_INDEX', str('a::b::c'), str('::'), int(2)), 'c');
    assert.equal(call('SPLIT_INDEX', str('a,b'), str(','), int(5)), null);
    assert.equal(call('SPLIT_INDEX', str('a,b'), str(','), int(-1)), null);
    assert.equal(typeOf(fn('SPLIT_INDEX', str('a'), str(','), int(0))), 'STRING');
  });

  it('replaces and matches regular expressions', () => {
    assert.equal(call('REPLACE', str('a.b.c'), str('.'), str('-')), 'a-b-c');
    assert.equal(call('REGEXP_REPLACE', str('foobar'), str('o+'), str('0')), 'f0bar');
    assert.equal(call('REGEXP_REPLACE', str('2024-01-02'), str('(\\d+)-(\\d+)-(\\d+)'), str('$3/$2/$1')), '02/01/2024');
    const url = str('https://x.com/?a=1&channel_id=42&b=2');
    assert.equal(call('REGEXP_EXTRACT', url, str('(&|^)channel_id=([^&]*)'), int(2)), '42');
    assert.equal(call('REGEXP_EXTRACT', str('abc'), str('x(y)'), int(1)), null);
    assert.equal(call('REGEXP_EXTRACT', str('abc123'), str('[0-9]+')), '123');
    assert.equal(call('REGEXP', str('abc123'), str('\\d')), true);
    assert.equal(call('REGEXP', str('abc'), str('(')), null);
  });

  it('pads, repeats and reverses', () => {
    assert.equal(call('LPAD', str('hi'), int(4), str('??')), '??hi');
    assert.equal(call('LPAD', str('hi'), int(1), str('??')), 'h');
    assert.equal(call('RPAD', str('hi'), int(5), str('ab')), 'hiaba');
    assert.equal(call('LPAD', str('hi'), int(-1), str('?')), null);
    assert.equal(call('REPEAT', str('ab'), int(3)), 'ababab');
    assert.equal(call('REPEAT', str('ab'), int(-1)), '');
    assert.equal(call('REVERSE', str('abc')), 'cba');
  });

  it('hashes, encodes and converts characters', () => {
    assert.equal(call('MD5', str('abc')), '900150983cd24fb0d6963f7d28e17f72');
    assert.equal(call('SHA256', str('abc')), 'ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad');
    assert.equal(call('TO_BASE64', str('hello')), 'aGVsbG8=');
    assert.equal(call('FROM_BASE64', str('aGVsbG8=')), 'hello');
    assert.equal(call('ASCII', str('A')), 65);
    assert.equal(call('ASCII', str('')), 0);
    assert.equal(call('CHR', int(65)), 'A');
    assert.match(call('UUID') as string, /^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
    assert.equal(evaluate(fn('MD5', s), [null]), null);
  });

  it('accepts NULL literals as string arguments and rejects wrong types', () => {
    assert.equal(call('UPPER', nul()), null);
    assert.throws(() => fn('UPPER', int(1)), (e) => isShiftleftError(e, 'SQL_TYPE_MISMATCH') && /UPPER/.test(e.message));
    assert.throws(() => fn('SUBSTRING', str('a')), (e) => isShiftleftError(e, 'SQL_TYPE_MISMATCH') && /2 to 3 arguments/.test(e.message));
    assert.throws(() => fn('||', str('a'), lit(1, T.int(false))), (e) => isShiftleftError(e, 'SQL_TYPE_MISMATCH'));
  });
});

describe('URL and map parsing', () => {
  it('PARSE_URL reads parts and query parameters', () => {
    const url = str('https://user@www.nexmark.com:8080/a/b.htm?channel_id=7&x=1#frag');
    assert.equal(call('PARSE_URL', url, str('HOST')), 'www.nexmark.com');
    assert.equal(call('PARSE_URL', url, str('PATH')), '/a/b.htm');
    assert.equal(call('PARSE_URL', url, str('QUERY')), 'channel_id=7&x=1');
    assert.equal(call('PARSE_URL', url, str('QUERY'), str('channel_id')), '7');
    assert.equal(call('PARSE_URL', url, str('REF')), 'frag');
    assert.equal(call('PARSE_URL', str('not a url'), str('HOST')), null);
  });

  it('STR_TO_MAP splits pairs', () => {
    assert.deepEqual(call('STR_TO_MAP', str('a=1,b=2,c')), new Map([['a', '1'], ['b', '2'], ['c', null]]));
    assert.deepEqual(call('STR_TO_MAP', str('a:1;b:2'), str(';'), str(':')), new Map([['a', '1'], ['b', '2']]));
  });
});
