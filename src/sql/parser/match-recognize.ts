/**
 * `MATCH_RECOGNIZE (...)` after a table reference: row pattern recognition (Flink CEP in SQL).
 *
 * Patterns are regular expressions over pattern variables: concatenation binds tighter than `|`,
 * quantifiers (`*`, `+`, `?`, `{n}`, `{n,}`, `{n,m}`, `{,m}`, each optionally reluctant with a
 * trailing `?`) bind tightest.
 */
import type {
  AfterMatchSkip,
  Identifier,
  MatchRecognize,
  PatternDefinition,
  PatternQuantifier,
  RowPattern,
  SelectItem,
  TableAlias,
  TableRef,
} from '../ast.ts';
import type { Token } from '../lexer.ts';
import type { Cursor } from './cursor.ts';
import { parseExpression, parseExpressionList } from './expressions.ts';
import { acceptOrderBy, acceptPartitionBy, parseOrderByList } from './queries.ts';

/** With the cursor on MATCH_RECOGNIZE; `parseAlias` reads the optional alias after ')'. */
export function parseMatchRecognize(cursor: Cursor, input: TableRef, parseAlias: (cursor: Cursor) => TableAlias | undefined): MatchRecognize {
  cursor.expectKeyword('MATCH_RECOGNIZE');
  cursor.expectOperator('(');
  const partitionBy = acceptPartitionBy(cursor) ? parseExpressionList(cursor) : [];
  const orderBy = acceptOrderBy(cursor) ? parseOrderByList(cursor) : [];
  const measures: SelectItem[] = [];
  if (cursor.acceptKeyword('MEASURES')) {
    do {
      const start = cursor.peek();
      const expression = parseExpression(cursor);
      cursor.expectKeyword('AS', 'every measure needs a name: MEASURES expr AS name');
      const alias = cursor.parseIdentifier('a measure name');
      measures.push({ kind: 'SelectItem', expression, alias, span: cursor.spanFrom(start) });
    } while (cursor.acceptOperator(','));
  }
  let rowsPerMatch: MatchRecognize['rowsPerMatch'];
  if (cursor.acceptKeywords('ONE', 'ROW', 'PER', 'MATCH')) rowsPerMatch = 'ONE ROW PER MATCH';
  else if (cursor.acceptKeywords('ALL', 'ROWS', 'PER', 'MATCH')) rowsPerMatch = 'ALL ROWS PER MATCH';
  const afterStart = cursor.peek();
  const afterMatch = cursor.acceptKeywords('AFTER', 'MATCH') ? parseAfterMatchSkip(cursor, afterStart) : undefined;
  cursor.expectKeyword('PATTERN', 'MATCH_RECOGNIZE needs a PATTERN (...) and a DEFINE clause');
  cursor.expectOperator('(');
  const pattern = parseAlternation(cursor);
  cursor.expectClosing();
  const within = cursor.acceptKeyword('WITHIN') ? parseExpression(cursor) : undefined;
  cursor.expectKeyword('DEFINE', 'MATCH_RECOGNIZE needs a DEFINE clause: DEFINE A AS condition');
  const define: PatternDefinition[] = [];
  do {
    const start = cursor.peek();
    const variable = cursor.parseIdentifier('a pattern variable');
    cursor.expectKeyword('AS');
    const condition = parseExpression(cursor);
    define.push({ kind: 'PatternDefinition', variable, condition, span: cursor.spanFrom(start) });
  } while (cursor.acceptOperator(','));
  cursor.expectClosing();
  const alias = parseAlias(cursor);
  return {
    kind: 'MatchRecognize',
    input,
    partitionBy,
    orderBy,
    measures,
    rowsPerMatch,
    afterMatch,
    pattern,
    within,
    define,
    alias,
    span: cursor.spanFrom(input),
  };
}

/** After `AFTER MATCH`. */
function parseAfterMatchSkip(cursor: Cursor, start: Token): AfterMatchSkip {
  const skip = (to: AfterMatchSkip['to'], variable?: Identifier): AfterMatchSkip => ({
    kind: 'AfterMatchSkip',
    to,
    variable,
    span: cursor.spanFrom(start),
  });
  cursor.expectKeyword('SKIP');
  if (cursor.acceptKeywords('PAST', 'LAST', 'ROW')) return skip('PAST LAST ROW');
  cursor.expectKeyword('TO', 'write SKIP TO NEXT ROW, SKIP PAST LAST ROW, SKIP TO FIRST|LAST var or SKIP TO var');
  if (cursor.acceptKeywords('NEXT', 'ROW')) return skip('NEXT ROW');
  // `SKIP TO LAST x` vs a variable that is itself called LAST: the variable name follows the keyword.
  for (const to of ['FIRST', 'LAST'] as const) {
    if (cursor.isKeyword(to) && cursor.isIdentifier(1)) {
      cursor.next();
      return skip(to, cursor.parseIdentifier('a pattern variable'));
    }
  }
  return skip('VARIABLE', cursor.parseIdentifier('a pattern variable'));
}

function parseAlternation(cursor: Cursor): RowPattern {
  const start = cursor.peek();
  const alternatives = [parseSequence(cursor)];
  while (cursor.acceptOperator('|')) alternatives.push(parseSequence(cursor));
  return alternatives.length === 1 ? alternatives[0]! : { kind: 'PatternAlternation', alternatives, span: cursor.spanFrom(start) };
}

function parseSequence(cursor: Cursor): RowPattern {
  const start = cursor.peek();
  const items = [parseFactor(cursor)];
  while (cursor.isOperator('(') || cursor.isIdentifier()) items.push(parseFactor(cursor));
  return items.length === 1 ? items[0]! : { kind: 'PatternSequence', items, span: cursor.spanFrom(start) };
}

function parseFactor(cursor: Cursor): RowPattern {
  const start = cursor.peek();
  if (cursor.acceptOperator('(')) {
    const pattern = parseAlternation(cursor);
    cursor.expectClosing();
    const quantifier = parseQuantifier(cursor);
    return { kind: 'PatternGroup', pattern, quantifier, span: cursor.spanFrom(start) };
  }
  const name = cursor.parseIdentifier('a pattern variable');
  const quantifier = parseQuantifier(cursor);
  return { kind: 'PatternVariable', name, quantifier, span: cursor.spanFrom(start) };
}

function parseQuantifier(cursor: Cursor): PatternQuantifier | undefined {
  const start = cursor.peek();
  let min: number;
  let max: number | undefined;
  if (cursor.acceptOperator('*')) {
    min = 0;
  } else if (cursor.acceptOperator('+')) {
    min = 1;
  } else if (cursor.acceptOperator('?')) {
    min = 0;
    max = 1;
  } else if (cursor.acceptOperator('{')) {
    min = cursor.isOperator(',') ? 0 : cursor.expectInteger('a repetition count');
    max = min;
    if (cursor.acceptOperator(',')) max = cursor.isOperator('}') ? undefined : cursor.expectInteger('a maximum repetition count');
    cursor.expectOperator('}');
    if (max !== undefined && max < min) throw cursor.error(`the maximum repetition ${max} is below the minimum ${min}`, undefined, start);
  } else {
    return undefined;
  }
  const reluctant = cursor.acceptOperator('?');
  return { kind: 'PatternQuantifier', min, max, reluctant, span: cursor.spanFrom(start) };
}
