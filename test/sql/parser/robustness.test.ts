/**
 * Mutated SQL (tokens dropped, duplicated, swapped) must either parse — and then survive the
 * printer round trip — or fail with SQL_PARSE_ERROR; never with a TypeError or a hang.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { isShiftleftError } from '../../../src/common/errors.ts';
import { tokenize } from '../../../src/sql/lexer.ts';
import { parseStatements } from '../../../src/sql/parser/index.ts';
import { printStatements } from '../../../src/sql/printer.ts';
import { loadFixtures, withoutSpans } from './helpers.ts';

describe('robustness', () => {
  it('turns 500 mutated scripts into trees or SQL_PARSE_ERRORs', () => {
    const sources = [...loadFixtures('.'), ...loadFixtures('nexmark'), ...loadFixtures('walkthrough')].map((f) => f.sql.replaceAll('${NEXMARK_TABLE}', 'datagen'));
    let seed = 7;
    const next = (): number => {
      seed = (Math.imul(seed, 1103515245) + 12345) & 0x7fffffff;
      return seed / 0x7fffffff;
    };
    let parsed = 0;
    for (let iteration = 0; iteration < 500; iteration++) {
      const source = sources[Math.floor(next() * sources.length)]!;
      const pieces = tokenize(source)
        .slice(0, -1)
        .map((token) => source.slice(token.span.start, token.span.end));
      for (let edits = 1 + Math.floor(next() * 3); edits > 0; edits--) {
        const i = Math.floor(next() * pieces.length);
        const j = Math.floor(next() * pieces.length);
        const choice = next();
        if (choice < 0.4) pieces.splice(i, 1);
        else if (choice < 0.7) pieces.splice(i, 0, pieces[j]!);
        else [pieces[i], pieces[j]] = [pieces[j]!, pieces[i]!];
      }
      const sql = pieces.join(' ');
      let statements;
      try {
        statements = parseStatements(sql);
      } catch (error) {
        assert.ok(isShiftleftError(error, 'SQL_PARSE_ERROR'), `iteration ${iteration}: ${String(error)}\n${sql}`);
        assert.match(error.message, /^line \d+, column \d+: /);
        continue;
      }
      parsed++;
      const printed = printStatements(statements);
      assert.deepEqual(withoutSpans(parseStatements(printed)), withoutSpans(statements), `iteration ${iteration}:\n${printed}`);
    }
    assert.ok(parsed > 10, `only ${parsed} mutants parsed; the test lost its teeth`);
  });
});
