/**
 * The SQL/JSON syntax inside Flink's JSON function calls: `KEY k VALUE v` pairs of JSON_OBJECT
 * and JSON_OBJECTAGG, and the trailing clauses `... ON EMPTY`, `... ON ERROR`, `... ON NULL`,
 * `WITH [CONDITIONAL] ARRAY WRAPPER`.
 */
import type { CallClause, Expression, JsonOnClause } from '../ast.ts';
import type { Cursor } from './cursor.ts';
import { parseExpression } from './expressions.ts';

/** Functions whose arguments are `[KEY] key VALUE value` pairs. */
export function takesKeyValuePairs(functionName: string): boolean {
  const upper = functionName.toUpperCase();
  return upper === 'JSON_OBJECT' || upper === 'JSON_OBJECTAGG';
}

/** `[KEY] key VALUE value`, returned as two arguments. */
export function parseKeyValuePair(cursor: Cursor): [Expression, Expression] {
  // KEY is optional, and a column may itself be called `key`: it is the keyword only when a key follows.
  if (cursor.isKeyword('KEY') && !cursor.isKeyword('VALUE', 1)) cursor.next();
  const key = parseExpression(cursor);
  cursor.expectKeyword('VALUE', "JSON_OBJECT takes pairs: JSON_OBJECT(KEY 'name' VALUE expr, ...)");
  const value = parseExpression(cursor);
  return [key, value];
}

const SIMPLE_BEHAVIORS = ['NULL', 'ERROR', 'TRUE', 'FALSE', 'UNKNOWN', 'ABSENT'] as const;

/** True when the cursor is at the start of a JSON clause rather than at another argument. */
export function isCallClauseStart(cursor: Cursor): boolean {
  if (SIMPLE_BEHAVIORS.some((behavior) => cursor.isKeywords(behavior, 'ON'))) return true;
  if (cursor.isKeyword('EMPTY') && (cursor.isKeyword('ARRAY', 1) || cursor.isKeyword('OBJECT', 1))) return true;
  if (cursor.isKeyword('DEFAULT')) return true;
  if (cursor.isKeyword('WITHOUT')) return cursor.isKeyword('ARRAY', 1) || cursor.isKeyword('WRAPPER', 1);
  return cursor.isKeyword('WITH') && ['ARRAY', 'WRAPPER', 'CONDITIONAL', 'UNCONDITIONAL'].some((k) => cursor.isKeyword(k, 1));
}

export function parseCallClauses(cursor: Cursor): CallClause[] {
  const clauses: CallClause[] = [];
  while (isCallClauseStart(cursor)) clauses.push(parseCallClause(cursor));
  return clauses;
}

function parseCallClause(cursor: Cursor): CallClause {
  const start = cursor.peek();
  if (cursor.isKeyword('WITH') || cursor.isKeyword('WITHOUT')) {
    let wrapper: 'WITHOUT' | 'WITH CONDITIONAL' | 'WITH UNCONDITIONAL' = 'WITHOUT';
    if (cursor.acceptKeyword('WITH')) wrapper = cursor.acceptKeyword('CONDITIONAL') ? 'WITH CONDITIONAL' : 'WITH UNCONDITIONAL';
    else cursor.expectKeyword('WITHOUT');
    if (wrapper === 'WITH UNCONDITIONAL') cursor.acceptKeyword('UNCONDITIONAL');
    cursor.acceptKeyword('ARRAY');
    cursor.expectKeyword('WRAPPER');
    return { kind: 'JsonWrapperClause', wrapper, span: cursor.spanFrom(start) };
  }
  let behavior: JsonOnClause['behavior'];
  let defaultValue: Expression | undefined;
  if (cursor.acceptKeyword('DEFAULT')) {
    behavior = 'DEFAULT';
    defaultValue = parseExpression(cursor);
  } else if (cursor.acceptKeyword('EMPTY')) {
    if (cursor.acceptKeyword('ARRAY')) {
      behavior = 'EMPTY ARRAY';
    } else {
      cursor.expectKeyword('OBJECT');
      behavior = 'EMPTY OBJECT';
    }
  } else {
    behavior = cursor.acceptOneOf(SIMPLE_BEHAVIORS) ?? 'NULL';
  }
  cursor.expectKeyword('ON');
  const on = cursor.acceptOneOf(['EMPTY', 'ERROR', 'NULL'] as const);
  if (on === undefined) throw cursor.errorExpected('EMPTY, ERROR or NULL after ON');
  return { kind: 'JsonOnClause', behavior, defaultValue, on, span: cursor.spanFrom(start) };
}
