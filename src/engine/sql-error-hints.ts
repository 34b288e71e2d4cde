/**
 * Makes every SQL error a user sees carry a position and a hint. Errors raised where the AST
 * is not at hand (the physical planner, the catalog, option parsing) have no line:column, and
 * some parser and binder errors have no hint: the session fills in the statement's position
 * and a hint for the error code, so the CLI and the REST API always show code, place and fix.
 */
import { isShiftleftError, ShiftleftError, type ErrorCode } from '../common/errors.ts';
import type { Span } from '../sql/ast.ts';
import { parseStatements } from '../sql/parser/index.ts';
import type * as ast from '../sql/ast.ts';

const POSITION = /^line (\d+), column (\d+): /;

const DEFAULT_HINTS: Partial<Record<ErrorCode, (error: ShiftleftError) => string>> = {
  SQL_PARSE_ERROR: (e) =>
    e.details.found === 'end of input'
      ? 'the statement ends too early: complete it, or remove the clause it ends with'
      : `write ${String(e.details.expected ?? 'the expected syntax')} there; check the spelling and the order of the clauses`,
  SQL_UNSUPPORTED: () => 'the engine does not run this construct yet: rewrite the query without it (SHOW FUNCTIONS lists the functions)',
  SQL_TYPE_MISMATCH: () => 'convert the value explicitly with CAST(value AS type), or use a function that takes this type',
  SQL_UNKNOWN_TABLE: () => 'SHOW TABLES lists the tables',
  SQL_UNKNOWN_COLUMN: () => 'DESCRIBE <table> lists its columns',
  SQL_UNKNOWN_FUNCTION: () => 'SHOW FUNCTIONS lists the functions',
  SQL_VALIDATION_ERROR: () => 'see the message: the statement is well-formed but not valid as written',
  SQL_PLAN_ERROR: () => 'the query is valid but cannot run as a streaming query in this shape',
};

/** `error` with the statement's position (when it has none) and a default hint (when it has none). */
export function withPositionAndHint(error: unknown, span: Span | undefined): unknown {
  if (!isShiftleftError(error) || !error.code.startsWith('SQL_')) return error;
  let line = typeof error.details.line === 'number' ? error.details.line : undefined;
  let column = typeof error.details.column === 'number' ? error.details.column : undefined;
  let message = error.message;
  const written = POSITION.exec(message);
  if (line === undefined && written) {
    line = Number(written[1]);
    column = Number(written[2]);
  } else if (line === undefined && span) {
    line = span.line;
    column = span.column;
    message = `line ${line}, column ${column}: ${message}`;
  }
  const hint = error.hint ?? DEFAULT_HINTS[error.code]?.(error);
  if (message === error.message && hint === error.hint && line === error.details.line) return error;
  return new ShiftleftError(error.code, message, { hint, details: { ...error.details, ...(line !== undefined ? { line, column } : {}) }, cause: error.cause ?? error });
}

/** parseStatements with the same treatment of its errors. */
export function parseSql(sql: string): ast.Statement[] {
  try {
    return parseStatements(sql);
  } catch (error) {
    throw withPositionAndHint(error, { start: 0, end: 0, line: 1, column: 1 });
  }
}
