/**
 * Queries: WITH, set operations, SELECT, VALUES, ORDER BY / LIMIT, and the FROM clause's table
 * references (joins, temporal `FOR SYSTEM_TIME AS OF`, window TVFs, LATERAL TABLE, UNNEST).
 *
 * Set operations follow the SQL standard: INTERSECT binds tighter than UNION and EXCEPT, all
 * left-associative; ORDER BY / LIMIT apply to the whole set operation, as in Flink.
 */
import type {
  CommonTableExpression,
  Expression,
  GroupingElement,
  Hint,
  JoinType,
  NamedWindow,
  OrderItem,
  Query,
  QueryBody,
  Select,
  SelectItem,
  TableAlias,
  TableRef,
  Values,
} from '../ast.ts';
import type { Cursor } from './cursor.ts';
import { parseExpression, parseExpressionList, parseFunctionCall, parseWindowSpec } from './expressions.ts';
import { parseMatchRecognize } from './match-recognize.ts';
import { parseProperty } from './properties.ts';

/** True when the cursor is at something that starts a query (used after '(' to tell subqueries from expressions). */
export function isQueryStart(cursor: Cursor): boolean {
  if (cursor.isKeyword('SELECT') || cursor.isKeyword('WITH') || cursor.isKeyword('VALUES')) return true;
  // `((SELECT ...) UNION ...)`: look through nested parentheses for a query start.
  let ahead = 0;
  while (cursor.isOperator('(', ahead)) ahead++;
  return ahead > 0 && ['SELECT', 'WITH', 'VALUES'].some((k) => cursor.isKeyword(k, ahead)) && looksLikeParenthesizedQuery(cursor, ahead);
}

/**
 * `((SELECT 1) + 1)` is an expression, `((SELECT 1) UNION (SELECT 2))` a query: find the ')' that
 * closes the first nested query and check what follows it.
 */
function looksLikeParenthesizedQuery(cursor: Cursor, depthAtQuery: number): boolean {
  let depth = depthAtQuery;
  for (let ahead = depthAtQuery; ; ahead++) {
    const token = cursor.peek(ahead);
    if (token.type === 'eof') return false;
    if (token.type !== 'operator') continue;
    if (token.value === '(') depth++;
    else if (token.value === ')') {
      depth--;
      if (depth === depthAtQuery - 1) {
        const after = cursor.peek(ahead + 1);
        return after.type === 'word' && ['UNION', 'INTERSECT', 'EXCEPT', 'MINUS', 'ORDER', 'LIMIT', 'OFFSET', 'FETCH'].includes(after.upper);
      }
    }
  }
}

export function parseQuery(cursor: Cursor): Query {
  const start = cursor.peek();
  const ctes: CommonTableExpression[] = [];
  if (cursor.acceptKeyword('WITH')) {
    do {
      const cteStart = cursor.peek();
      const name = cursor.parseIdentifier('a name for the WITH query');
      const columns = cursor.isOperator('(') ? cursor.parseIdentifierList() : [];
      cursor.expectKeyword('AS', 'write WITH name AS (SELECT ...)');
      cursor.expectOperator('(');
      const query = parseQuery(cursor);
      cursor.expectClosing();
      ctes.push({ kind: 'CommonTableExpression', name, columns, query, span: cursor.spanFrom(cteStart) });
    } while (cursor.acceptOperator(','));
  }
  const body = parseSetExpression(cursor);
  const orderBy = acceptOrderBy(cursor) ? parseOrderByList(cursor) : [];
  let limit: Expression | undefined;
  let offset: Expression | undefined;
  if (cursor.acceptKeyword('LIMIT')) {
    limit = parseExpression(cursor);
    if (cursor.acceptOperator(',')) {
      // MySQL-style `LIMIT offset, count`, which Calcite also accepts.
      offset = limit;
      limit = parseExpression(cursor);
    }
  }
  if (cursor.acceptKeyword('OFFSET')) {
    offset = parseExpression(cursor);
    if (!cursor.acceptKeyword('ROWS')) cursor.acceptKeyword('ROW');
  }
  if (limit === undefined && cursor.acceptKeyword('FETCH')) {
    if (!cursor.acceptKeyword('FIRST')) cursor.expectKeyword('NEXT');
    limit = parseExpression(cursor);
    if (!cursor.acceptKeyword('ROWS')) cursor.expectKeyword('ROW');
    cursor.expectKeyword('ONLY');
  }
  return { kind: 'Query', with: ctes, body, orderBy, limit, offset, span: cursor.spanFrom(start) };
}

function parseSetExpression(cursor: Cursor): QueryBody {
  let left = parseIntersectTerm(cursor);
  while (true) {
    const operator = cursor.acceptOneOf(['UNION', 'EXCEPT', 'MINUS'] as const);
    if (operator === undefined) return left;
    const all = parseSetQuantifier(cursor);
    const right = parseIntersectTerm(cursor);
    left = { kind: 'SetOperation', operator: operator === 'MINUS' ? 'EXCEPT' : operator, all, left, right, span: cursor.spanFrom(left) };
  }
}

function parseIntersectTerm(cursor: Cursor): QueryBody {
  let left = parseQueryPrimary(cursor);
  while (cursor.acceptKeyword('INTERSECT')) {
    const all = parseSetQuantifier(cursor);
    const right = parseQueryPrimary(cursor);
    left = { kind: 'SetOperation', operator: 'INTERSECT', all, left, right, span: cursor.spanFrom(left) };
  }
  return left;
}

function parseSetQuantifier(cursor: Cursor): boolean {
  if (cursor.acceptKeyword('ALL')) return true;
  cursor.acceptKeyword('DISTINCT');
  return false;
}

function parseQueryPrimary(cursor: Cursor): QueryBody {
  if (cursor.isKeyword('SELECT')) return parseSelect(cursor);
  if (cursor.isKeyword('VALUES')) return parseValues(cursor);
  if (cursor.isOperator('(')) {
    cursor.next();
    const inner = parseQuery(cursor);
    cursor.expectClosing();
    // Parentheses around a bare body carry no meaning; keep a nested Query only when it has its own clauses.
    const plain = inner.with.length === 0 && inner.orderBy.length === 0 && inner.limit === undefined && inner.offset === undefined;
    return plain ? inner.body : inner;
  }
  throw cursor.errorExpected('SELECT, VALUES or WITH');
}

function parseValues(cursor: Cursor): Values {
  const start = cursor.expectKeyword('VALUES');
  const rows: Expression[][] = [];
  do {
    if (cursor.acceptOperator('(')) {
      rows.push(parseExpressionList(cursor));
      cursor.expectClosing();
    } else {
      rows.push([parseExpression(cursor)]);
    }
  } while (cursor.acceptOperator(','));
  return { kind: 'Values', rows, span: cursor.spanFrom(start) };
}

/** `ORDER BY`; a lone ORDER is an error pointing at the missing BY. */
export function acceptOrderBy(cursor: Cursor): boolean {
  if (!cursor.acceptKeyword('ORDER')) return false;
  cursor.expectKeyword('BY');
  return true;
}

/** `PARTITION BY`, likewise. */
export function acceptPartitionBy(cursor: Cursor): boolean {
  if (!cursor.acceptKeyword('PARTITION')) return false;
  cursor.expectKeyword('BY');
  return true;
}

export function parseOrderByList(cursor: Cursor): OrderItem[] {
  const items: OrderItem[] = [];
  do {
    items.push(parseOrderItem(cursor));
  } while (cursor.acceptOperator(','));
  return items;
}

/** `expr [ASC|DESC] [NULLS FIRST|LAST]` */
export function parseOrderItem(cursor: Cursor): OrderItem {
  const start = cursor.peek();
  const expression = parseExpression(cursor);
  const direction = cursor.acceptOneOf(['ASC', 'DESC'] as const);
  let nulls: 'FIRST' | 'LAST' | undefined;
  if (cursor.acceptKeyword('NULLS')) {
    nulls = cursor.acceptOneOf(['FIRST', 'LAST'] as const);
    if (nulls === undefined) throw cursor.errorExpected('FIRST or LAST');
  }
  return { kind: 'OrderItem', expression, direction, nulls, span: cursor.spanFrom(start) };
}

/** Hints after SELECT or a table name: `/*+ NAME(...) [, NAME(...)] *\/`. */
export function parseHints(cursor: Cursor): Hint[] {
  const hints: Hint[] = [];
  while (cursor.acceptOperator('/*+')) {
    do {
      const start = cursor.peek();
      const name = cursor.parseIdentifier('a hint name');
      const options = [];
      const items: string[] = [];
      if (cursor.acceptOperator('(')) {
        if (!cursor.isOperator(')')) {
          do {
            const itemStart = cursor.peek();
            if (itemStart.type === 'string' && cursor.isOperator('=', 1)) {
              options.push(parseProperty(cursor));
            } else if (itemStart.type === 'word' || itemStart.type === 'quoted_identifier' || itemStart.type === 'string' || itemStart.type === 'number') {
              cursor.next();
              items.push(itemStart.value);
            } else {
              throw cursor.errorExpected("a hint option ('key' = 'value') or name");
            }
          } while (cursor.acceptOperator(','));
        }
        cursor.expectClosing();
      }
      hints.push({ kind: 'Hint', name, options, items, span: cursor.spanFrom(start) });
    } while (cursor.acceptOperator(','));
    cursor.expectOperator('*/', 'close the hint with */');
  }
  return hints;
}

function parseSelect(cursor: Cursor): Select {
  const start = cursor.expectKeyword('SELECT');
  const hints = parseHints(cursor);
  const quantifier = cursor.acceptOneOf(['DISTINCT', 'ALL'] as const);
  const items: SelectItem[] = [];
  do {
    items.push(parseSelectItem(cursor));
  } while (cursor.acceptOperator(','));
  const from = cursor.acceptKeyword('FROM') ? parseTableRefList(cursor) : undefined;
  const where = cursor.acceptKeyword('WHERE') ? parseExpression(cursor) : undefined;
  let groupBy: GroupingElement[] = [];
  if (cursor.acceptKeyword('GROUP')) {
    cursor.expectKeyword('BY');
    groupBy = parseGroupingElements(cursor);
  }
  const having = cursor.acceptKeyword('HAVING') ? parseExpression(cursor) : undefined;
  const windows: NamedWindow[] = [];
  if (cursor.acceptKeyword('WINDOW')) {
    do {
      const windowStart = cursor.peek();
      const name = cursor.parseIdentifier('a window name');
      cursor.expectKeyword('AS');
      const spec = parseWindowSpec(cursor);
      windows.push({ kind: 'NamedWindow', name, spec, span: cursor.spanFrom(windowStart) });
    } while (cursor.acceptOperator(','));
  }
  return { kind: 'Select', hints, quantifier, items, from, where, groupBy, having, windows, span: cursor.spanFrom(start) };
}

function parseSelectItem(cursor: Cursor): SelectItem {
  const start = cursor.peek();
  if (cursor.isOperator('*')) {
    cursor.next();
    return { kind: 'SelectItem', expression: { kind: 'Star', qualifier: [], span: start.span }, alias: undefined, span: start.span };
  }
  if (cursor.isKeyword('FROM')) throw cursor.errorExpected('a select item', 'the select list is empty or ends with a comma');
  const expression = parseExpression(cursor);
  let alias;
  if (cursor.acceptKeyword('AS')) alias = cursor.parseIdentifier('an alias');
  else if (cursor.isIdentifier()) alias = cursor.parseIdentifier();
  return { kind: 'SelectItem', expression, alias, span: cursor.spanFrom(start) };
}

function parseGroupingElements(cursor: Cursor): GroupingElement[] {
  const elements: GroupingElement[] = [];
  do {
    elements.push(parseGroupingElement(cursor));
  } while (cursor.acceptOperator(','));
  return elements;
}

function parseGroupingElement(cursor: Cursor): GroupingElement {
  const start = cursor.peek();
  if (cursor.acceptKeywords('GROUPING', 'SETS')) {
    cursor.expectOperator('(');
    const sets: GroupingElement[][] = [];
    do {
      if (cursor.acceptOperator('(')) {
        sets.push(cursor.isOperator(')') ? [] : parseGroupingElements(cursor));
        cursor.expectClosing();
      } else {
        sets.push([parseGroupingElement(cursor)]);
      }
    } while (cursor.acceptOperator(','));
    cursor.expectClosing();
    return { kind: 'GroupingSets', sets, span: cursor.spanFrom(start) };
  }
  const multi = cursor.isOperator('(', 1) ? cursor.acceptOneOf(['ROLLUP', 'CUBE'] as const) : undefined;
  if (multi !== undefined) {
    cursor.expectOperator('(');
    const expressions = parseExpressionList(cursor);
    cursor.expectClosing();
    return { kind: multi === 'ROLLUP' ? 'Rollup' : 'Cube', expressions, span: cursor.spanFrom(start) };
  }
  return parseExpression(cursor);
}

// ---------------------------------------------------------------------------------------------
// FROM

/** Comma-separated references; a comma binds looser than JOIN (`a, b JOIN c` is `a, (b JOIN c)`). */
export function parseTableRefList(cursor: Cursor): TableRef {
  let left = parseJoinedTable(cursor);
  while (cursor.acceptOperator(',')) {
    const right = parseJoinedTable(cursor);
    left = { kind: 'Join', joinType: 'COMMA', left, right, criteria: undefined, span: cursor.spanFrom(left) };
  }
  return left;
}

function acceptJoinType(cursor: Cursor): JoinType | undefined {
  if (cursor.acceptKeyword('JOIN')) return 'INNER';
  if (cursor.acceptKeywords('INNER', 'JOIN')) return 'INNER';
  if (cursor.acceptKeywords('CROSS', 'JOIN')) return 'CROSS';
  for (const side of ['LEFT', 'RIGHT', 'FULL'] as const) {
    if (cursor.acceptKeywords(side, 'JOIN') || cursor.acceptKeywords(side, 'OUTER', 'JOIN')) return side;
    if (cursor.isKeyword(side)) {
      cursor.next();
      throw cursor.errorExpected(`JOIN or OUTER JOIN after ${side}`);
    }
  }
  if (cursor.isKeyword('INNER') || cursor.isKeyword('CROSS')) {
    const word = cursor.next().upper;
    throw cursor.errorExpected(`JOIN after ${word}`);
  }
  return undefined;
}

/** A table primary, possibly followed by MATCH_RECOGNIZE. */
function parseTableFactor(cursor: Cursor): TableRef {
  const primary = parseTablePrimary(cursor);
  return cursor.isKeyword('MATCH_RECOGNIZE') ? parseMatchRecognize(cursor, primary, parseTableAlias) : primary;
}

function parseJoinedTable(cursor: Cursor): TableRef {
  let left = parseTableFactor(cursor);
  while (true) {
    const joinType = acceptJoinType(cursor);
    if (joinType === undefined) return left;
    const right = parseTableFactor(cursor);
    let criteria;
    const criteriaStart = cursor.peek();
    if (joinType !== 'CROSS') {
      if (cursor.acceptKeyword('ON')) {
        criteria = { kind: 'JoinOn' as const, condition: parseExpression(cursor), span: cursor.spanFrom(criteriaStart) };
      } else if (cursor.acceptKeyword('USING')) {
        criteria = { kind: 'JoinUsing' as const, columns: cursor.parseIdentifierList(), span: cursor.spanFrom(criteriaStart) };
      } else if (!isLateralFunction(right)) {
        throw cursor.errorExpected('ON or USING', 'a join needs a condition: JOIN t ON a.id = t.id (or use CROSS JOIN)');
      }
    }
    left = { kind: 'Join', joinType, left, right, criteria, span: cursor.spanFrom(left) };
  }
}

/** `JOIN LATERAL TABLE(f(x)) AS T(a) ON TRUE` may omit ON in some Flink versions; we accept it. */
function isLateralFunction(ref: TableRef): boolean {
  return ref.kind === 'TableFunction' && ref.lateral;
}

function parseTablePrimary(cursor: Cursor): TableRef {
  const start = cursor.peek();
  if (cursor.acceptOperator('(')) {
    if (isQueryStart(cursor)) {
      const query = parseQuery(cursor);
      cursor.expectClosing();
      return { kind: 'DerivedTable', lateral: false, query, alias: parseTableAlias(cursor), span: cursor.spanFrom(start) };
    }
    // `(a JOIN b ON ...)`: nested table references.
    const inner = parseTableRefList(cursor);
    cursor.expectClosing();
    return { kind: 'ParenthesizedTableRef', inner, span: cursor.spanFrom(start) };
  }
  const lateral = cursor.acceptKeyword('LATERAL');
  if (cursor.isKeyword('TABLE') && cursor.isOperator('(', 1)) {
    cursor.next();
    cursor.next();
    const name = cursor.parseObjectName('a table function name');
    if (!cursor.isOperator('(')) throw cursor.errorExpected("'(' after the table function name");
    const call = parseFunctionCall(cursor, name);
    cursor.expectClosing();
    return { kind: 'TableFunction', lateral, call, alias: parseTableAlias(cursor), span: cursor.spanFrom(start) };
  }
  if (lateral) {
    cursor.expectOperator('(', 'write LATERAL TABLE(f(...)) or LATERAL (SELECT ...)');
    const query = parseQuery(cursor);
    cursor.expectClosing();
    return { kind: 'DerivedTable', lateral: true, query, alias: parseTableAlias(cursor), span: cursor.spanFrom(start) };
  }
  if (cursor.isKeyword('UNNEST')) {
    cursor.next();
    cursor.expectOperator('(');
    const args = parseExpressionList(cursor);
    cursor.expectClosing();
    const withOrdinality = cursor.acceptKeywords('WITH', 'ORDINALITY');
    return { kind: 'Unnest', arguments: args, withOrdinality, alias: parseTableAlias(cursor), span: cursor.spanFrom(start) };
  }
  const name = cursor.parseObjectName('a table name');
  const hints = parseHints(cursor);
  let systemTime: Expression | undefined;
  if (cursor.acceptKeyword('FOR')) {
    cursor.expectKeyword('SYSTEM_TIME', 'temporal joins are written FOR SYSTEM_TIME AS OF t.time_column');
    cursor.expectKeywords('AS', 'OF');
    systemTime = parseExpression(cursor);
  }
  return { kind: 'TableName', name, hints, systemTime, alias: parseTableAlias(cursor), span: cursor.spanFrom(start) };
}

function parseTableAlias(cursor: Cursor): TableAlias | undefined {
  const start = cursor.peek();
  const explicit = cursor.acceptKeyword('AS');
  if (!explicit && !cursor.isIdentifier()) return undefined;
  const name = cursor.parseIdentifier('an alias');
  const columns = cursor.isOperator('(') ? cursor.parseIdentifierList() : [];
  return { kind: 'TableAlias', name, columns, span: cursor.spanFrom(start) };
}
