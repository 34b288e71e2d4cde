/**
 * Entry points of the Flink SQL parser. Every function throws a ShiftleftError with code
 * SQL_PARSE_ERROR (message `line L, column C: ...`, details `{ line, column, offset, expected, found }`).
 *
 * Layout: `cursor.ts` (token lookahead, spans, error construction), `keywords.ts` (reserved words,
 * misspelling suggestions), `statements.ts` (dispatch, DML, SET/SHOW/...), `ddl.ts`, `queries.ts`
 * (SELECT, set operations, FROM), `match-recognize.ts`, `expressions.ts` (Pratt), `types.ts`,
 * `properties.ts` ('k' = 'v' lists). The lexer is `../lexer.ts`, the tree `../ast.ts`, the
 * inverse `../printer.ts`.
 */
import type { DataType, Expression, Query, Statement } from '../ast.ts';
import { Cursor } from './cursor.ts';
import { isReservedWord, suggestKeyword, SUGGESTABLE_KEYWORDS } from './keywords.ts';
import { parseExpression as parseExpressionAt } from './expressions.ts';
import { parseQuery as parseQueryAt } from './queries.ts';
import { parseStatementAt } from './statements.ts';
import { parseDataType as parseDataTypeAt } from './types.ts';

/** Parses a script of statements separated by semicolons (empty statements are skipped). */
export function parseStatements(sql: string): Statement[] {
  const cursor = new Cursor(sql);
  const statements: Statement[] = [];
  while (true) {
    while (cursor.acceptOperator(';'));
    if (cursor.atEnd()) return statements;
    statements.push(parseStatementAt(cursor));
    if (!cursor.atEnd() && !cursor.isOperator(';')) throw unexpectedAfterStatement(cursor);
  }
}

/** Parses exactly one statement; a trailing semicolon is allowed. */
export function parseStatement(sql: string): Statement {
  const cursor = new Cursor(sql);
  if (cursor.atEnd()) throw cursor.errorExpected('a statement');
  const statement = parseStatementAt(cursor);
  cursor.acceptOperator(';');
  if (!cursor.atEnd()) {
    throw cursor.isOperator(';') || cursor.previous().value === ';'
      ? cursor.errorExpected('end of input', 'parseStatement takes one statement; use parseStatements for a script')
      : unexpectedAfterStatement(cursor);
  }
  return statement;
}

export function parseQuery(sql: string): Query {
  return parseWhole(sql, parseQueryAt);
}

export function parseExpression(sql: string): Expression {
  return parseWhole(sql, (cursor) => parseExpressionAt(cursor));
}

export function parseDataType(sql: string): DataType {
  return parseWhole(sql, parseDataTypeAt);
}

function parseWhole<T>(sql: string, parse: (cursor: Cursor) => T): T {
  const cursor = new Cursor(sql);
  const result = parse(cursor);
  if (!cursor.atEnd()) throw unexpectedAfterStatement(cursor);
  return result;
}

/** The statement parsed fine but more follows: say what is wrong with the leftover. */
function unexpectedAfterStatement(cursor: Cursor): Error {
  if (cursor.isOperator(')')) return cursor.error("unexpected ')'", 'check that the parentheses are balanced', undefined, 'end of statement');
  const found = cursor.peek();
  const previous = cursor.previous();
  // `SELECT a b c`: two names in a row usually mean a missing comma (the first one became an alias).
  const nameLike = (type: string): boolean => type === 'word' || type === 'quoted_identifier';
  const misspelled = previous.type === 'word' ? suggestKeyword(previous.value, SUGGESTABLE_KEYWORDS) : undefined;
  let hint: string | undefined;
  if (misspelled !== undefined && !isReservedWord(previous.upper)) hint = `'${previous.value}' looks like a misspelled ${misspelled}`;
  else if (nameLike(found.type) && nameLike(previous.type)) hint = 'is a comma missing before it?';
  return cursor.errorExpected("';' or end of statement", hint);
}
