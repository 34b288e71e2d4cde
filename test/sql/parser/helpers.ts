/** Shared helpers for the parser tests: fixtures, span-free comparison, error assertions, S-expressions. */
import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { isShiftleftError, type ShiftleftError } from '../../../src/common/errors.ts';
import type { Expression, Statement } from '../../../src/sql/ast.ts';
import { parseStatements } from '../../../src/sql/parser/index.ts';
import { printExpression, printStatements } from '../../../src/sql/printer.ts';

const FIXTURES = join(import.meta.dirname, 'fixtures');

export interface Fixture {
  name: string;
  sql: string;
}

/** The `.sql` files of a fixture directory, sorted by name (numeric for Nexmark's q0..q22). */
export function loadFixtures(directory: string): Fixture[] {
  const dir = join(FIXTURES, directory);
  return readdirSync(dir)
    .filter((file) => file.endsWith('.sql'))
    .sort((a, b) => a.localeCompare(b, 'en', { numeric: true }))
    .map((file) => ({ name: file.replace(/\.sql$/, ''), sql: readFileSync(join(dir, file), 'utf8') }));
}

/** Deep copy without `span` properties, for comparing trees parsed from different text. */
export function withoutSpans<T>(value: T): T {
  if (Array.isArray(value)) return value.map(withoutSpans) as T;
  if (value !== null && typeof value === 'object') {
    const copy: Record<string, unknown> = {};
    for (const [key, child] of Object.entries(value)) if (key !== 'span') copy[key] = withoutSpans(child);
    return copy as T;
  }
  return value;
}

/** parse(print(parse(sql))) must equal parse(sql), spans aside; returns the printed text. */
export function assertRoundTrip(sql: string): string {
  const first = parseStatements(sql);
  const printed = printStatements(first);
  let second: Statement[];
  try {
    second = parseStatements(printed);
  } catch (error) {
    assert.fail(`printed SQL does not parse: ${(error as Error).message}\n${printed}`);
  }
  assert.deepEqual(withoutSpans(second), withoutSpans(first), `round trip changed the tree; printed:\n${printed}`);
  return printed;
}

/** Asserts that `run` throws SQL_PARSE_ERROR at line:column, and returns the error for more checks. */
export function assertParseError(run: () => unknown, line: number, column: number, messagePart?: string | RegExp): ShiftleftError {
  let caught: unknown;
  try {
    run();
  } catch (error) {
    caught = error;
  }
  assert.ok(caught !== undefined, 'expected a parse error, but parsing succeeded');
  assert.ok(isShiftleftError(caught, 'SQL_PARSE_ERROR'), `expected SQL_PARSE_ERROR, got ${String(caught)}`);
  assert.equal(caught.details['line'], line, `line of: ${caught.message}`);
  assert.equal(caught.details['column'], column, `column of: ${caught.message}`);
  assert.ok(caught.message.startsWith(`line ${line}, column ${column}: `), caught.message);
  if (typeof messagePart === 'string') assert.ok(caught.message.includes(messagePart), `"${caught.message}" should contain "${messagePart}"`);
  else if (messagePart !== undefined) assert.match(caught.message, messagePart);
  return caught;
}

/** Fully parenthesized prefix form of an expression's operator structure, for precedence tests. */
export function shape(expression: Expression): string {
  switch (expression.kind) {
    case 'Binary':
      return `(${expression.operator} ${shape(expression.left)} ${shape(expression.right)})`;
    case 'Unary':
      return `(${expression.operator} ${shape(expression.operand)})`;
    case 'Is':
      return `(IS${expression.negated ? ' NOT' : ''} ${expression.test} ${shape(expression.operand)})`;
    case 'IsDistinctFrom':
      return `(IS${expression.negated ? ' NOT' : ''} DISTINCT ${shape(expression.left)} ${shape(expression.right)})`;
    case 'Between':
      return `(${expression.negated ? 'NOT ' : ''}BETWEEN ${shape(expression.operand)} ${shape(expression.low)} ${shape(expression.high)})`;
    case 'InList':
      return `(${expression.negated ? 'NOT ' : ''}IN ${shape(expression.operand)} ${expression.list.map(shape).join(' ')})`;
    case 'Like':
      return `(${expression.negated ? 'NOT ' : ''}${expression.operator} ${shape(expression.operand)} ${shape(expression.pattern)})`;
    case 'Cast':
      return `(CAST ${shape(expression.operand)} ${expression.type.kind === 'ScalarType' ? expression.type.name : expression.type.kind})`;
    case 'Subscript':
      return `([] ${shape(expression.target)} ${shape(expression.index)})`;
    case 'FieldAccess':
      return `(. ${shape(expression.target)} ${expression.field.value})`;
    default:
      return printExpression(expression);
  }
}
