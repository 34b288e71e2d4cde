/**
 * Expressions, by Pratt parsing (top-down operator precedence).
 *
 * Binding powers, loosest first — the same order as Calcite's operator table:
 *   OR < AND < NOT < comparisons (=, <>, <, >, <=, >=) and IS < BETWEEN, IN, LIKE, SIMILAR
 *   < ||, +, - < *, /, % < unary +, - < postfix (`::`, `[i]`, `.field`).
 * Within the comparison tier Calcite (and so Flink) lets the predicates bind tighter than `=`:
 * `a = b LIKE c` is `a = (b LIKE c)`.
 * `parseExpression(cursor, minPower)` keeps extending its left operand while the next operator
 * binds tighter than `minPower`; that single rule gives left associativity and every precedence.
 */
import type {
  BinaryOperator,
  Case,
  CaseWhen,
  Expression,
  FunctionCall,
  Identifier,
  ObjectName,
  OrderItem,
  TypedLiteral,
  WindowFrame,
  WindowFrameBound,
  WindowSpec,
} from '../ast.ts';
import type { Token } from '../lexer.ts';
import type { Cursor } from './cursor.ts';
import { isCallClauseStart, parseCallClauses, parseKeyValuePair, takesKeyValuePairs } from './json.ts';
import { isGrammarKeyword, isReservedWord } from './keywords.ts';
import { acceptOrderBy, acceptPartitionBy, isQueryStart, parseOrderByList, parseOrderItem, parseQuery } from './queries.ts';
import { parseDataType, parseIntervalQualifier, timeUnitOf } from './types.ts';

export const Power = {
  lowest: 0,
  or: 1,
  and: 2,
  not: 3,
  comparison: 4,
  predicate: 5,
  additive: 6,
  multiplicative: 7,
  unary: 8,
  postfix: 9,
} as const;

const COMPARISON_OPERATORS: Record<string, BinaryOperator> = { '=': '=', '<>': '<>', '!=': '<>', '<': '<', '>': '>', '<=': '<=', '>=': '>=' };
const ADDITIVE_OPERATORS: Record<string, BinaryOperator> = { '+': '+', '-': '-', '||': '||' };
const MULTIPLICATIVE_OPERATORS: Record<string, BinaryOperator> = { '*': '*', '/': '/', '%': '%' };

/** Functions Flink allows without parentheses. */
const NILADIC_FUNCTIONS = new Set(['CURRENT_TIMESTAMP', 'CURRENT_DATE', 'CURRENT_TIME', 'LOCALTIME', 'LOCALTIMESTAMP']);

/** Reserved words that Flink also uses as function names: `LEFT(s, 3)`. */
const RESERVED_FUNCTION_NAMES = new Set(['LEFT', 'RIGHT']);

const TYPED_LITERAL_KEYWORDS = new Set(['DATE', 'TIME', 'TIMESTAMP', 'TIMESTAMP_LTZ']);

/** How tightly the operator at the cursor binds as an infix/postfix operator; 0 if it is none. */
function infixPower(cursor: Cursor): number {
  const token = cursor.peek();
  if (token.type === 'operator') {
    if (token.value in COMPARISON_OPERATORS) return Power.comparison;
    if (token.value in ADDITIVE_OPERATORS) return Power.additive;
    if (token.value in MULTIPLICATIVE_OPERATORS) return Power.multiplicative;
    if (token.value === '::' || token.value === '[' || token.value === '.') return Power.postfix;
    return 0;
  }
  if (token.type !== 'word') return 0;
  switch (token.upper) {
    case 'OR':
      return Power.or;
    case 'AND':
      return Power.and;
    case 'IS':
      return Power.comparison;
    case 'BETWEEN':
    case 'IN':
    case 'LIKE':
    case 'SIMILAR':
      return Power.predicate;
    case 'NOT': {
      const next = cursor.peek(1);
      return next.type === 'word' && ['BETWEEN', 'IN', 'LIKE', 'SIMILAR'].includes(next.upper) ? Power.predicate : 0;
    }
    default:
      return 0;
  }
}

export function parseExpression(cursor: Cursor, minPower: number = Power.lowest): Expression {
  let left = parsePrefix(cursor);
  while (true) {
    const power = infixPower(cursor);
    if (power <= minPower) return left;
    left = parseInfix(cursor, left, power);
  }
}

function parseInfix(cursor: Cursor, left: Expression, power: number): Expression {
  const token = cursor.next();
  const span = () => cursor.spanFrom(left);
  if (token.type === 'operator') {
    const binary = COMPARISON_OPERATORS[token.value] ?? ADDITIVE_OPERATORS[token.value] ?? MULTIPLICATIVE_OPERATORS[token.value];
    if (binary !== undefined) {
      const right = parseExpression(cursor, power);
      return { kind: 'Binary', operator: binary, left, right, span: span() };
    }
    if (token.value === '::') {
      const type = parseDataType(cursor);
      return { kind: 'Cast', operand: left, type, safe: false, span: span() };
    }
    if (token.value === '[') {
      const index = parseExpression(cursor);
      cursor.expectOperator(']');
      return { kind: 'Subscript', target: left, index, span: span() };
    }
    // '.': field access on something that is not a plain name (plain names are consumed as ColumnRef).
    const field = cursor.parseIdentifier('a field name');
    return { kind: 'FieldAccess', target: left, field, span: span() };
  }
  switch (token.upper) {
    case 'OR':
    case 'AND': {
      const right = parseExpression(cursor, power);
      return { kind: 'Binary', operator: token.upper, left, right, span: span() };
    }
    case 'IS':
      return parseIsTail(cursor, left);
  }
  const negated = token.upper === 'NOT';
  const operator = negated ? cursor.next().upper : token.upper;
  switch (operator) {
    case 'BETWEEN': {
      const symmetric = cursor.acceptKeyword('SYMMETRIC');
      if (!symmetric) cursor.acceptKeyword('ASYMMETRIC');
      // Bounds bind tighter than AND, so `x BETWEEN a AND b AND c` leaves `AND c` outside.
      const low = parseExpression(cursor, Power.predicate);
      cursor.expectKeyword('AND', 'BETWEEN needs both bounds: x BETWEEN low AND high');
      const high = parseExpression(cursor, Power.predicate);
      return { kind: 'Between', operand: left, low, high, negated, symmetric, span: span() };
    }
    case 'IN': {
      cursor.expectOperator('(', 'IN needs a parenthesized list or subquery: x IN (1, 2)');
      if (isQueryStart(cursor)) {
        const query = parseQuery(cursor);
        cursor.expectClosing();
        return { kind: 'InSubquery', operand: left, query, negated, span: span() };
      }
      const list = parseExpressionList(cursor);
      cursor.expectClosing();
      return { kind: 'InList', operand: left, list, negated, span: span() };
    }
    default: {
      // LIKE or SIMILAR TO
      const like = operator === 'LIKE';
      if (!like) cursor.expectKeyword('TO');
      const pattern = parseExpression(cursor, Power.predicate);
      const escape = cursor.acceptKeyword('ESCAPE') ? parseExpression(cursor, Power.predicate) : undefined;
      return { kind: 'Like', operator: like ? 'LIKE' : 'SIMILAR TO', operand: left, pattern, escape, negated, span: span() };
    }
  }
}

/** After `IS`: `[NOT] NULL | TRUE | FALSE | UNKNOWN | DISTINCT FROM x`. */
function parseIsTail(cursor: Cursor, left: Expression): Expression {
  const negated = cursor.acceptKeyword('NOT');
  if (cursor.acceptKeywords('DISTINCT', 'FROM')) {
    const right = parseExpression(cursor, Power.comparison);
    return { kind: 'IsDistinctFrom', left, right, negated, span: cursor.spanFrom(left) };
  }
  if (cursor.acceptKeyword('JSON')) {
    const shape = cursor.acceptOneOf(['VALUE', 'SCALAR', 'ARRAY', 'OBJECT'] as const);
    const test = shape === undefined ? 'JSON' : (`JSON ${shape}` as const);
    return { kind: 'Is', operand: left, negated, test, span: cursor.spanFrom(left) };
  }
  const test = cursor.acceptOneOf(['NULL', 'TRUE', 'FALSE', 'UNKNOWN'] as const);
  if (test === undefined) throw cursor.errorExpected('NULL, TRUE, FALSE, UNKNOWN, JSON or DISTINCT FROM after IS');
  return { kind: 'Is', operand: left, negated, test, span: cursor.spanFrom(left) };
}

export function parseExpressionList(cursor: Cursor): Expression[] {
  const list = [parseExpression(cursor)];
  while (cursor.acceptOperator(',')) list.push(parseExpression(cursor));
  return list;
}

function parsePrefix(cursor: Cursor): Expression {
  const token = cursor.peek();
  switch (token.type) {
    case 'number':
      cursor.next();
      return { kind: 'NumberLiteral', text: token.value, span: token.span };
    case 'string':
      cursor.next();
      return { kind: 'StringLiteral', value: token.value, span: token.span };
    case 'binary_string':
      cursor.next();
      return { kind: 'BinaryStringLiteral', hex: token.value, span: token.span };
    case 'quoted_identifier':
      return parseNameOrCall(cursor);
    case 'eof':
      throw cursor.errorExpected('an expression');
    case 'operator':
      return parseOperatorPrefix(cursor, token);
    case 'word':
      return parseWordPrefix(cursor, token);
  }
}

function parseOperatorPrefix(cursor: Cursor, token: Token): Expression {
  switch (token.value) {
    case '-':
    case '+': {
      cursor.next();
      const operand = parseExpression(cursor, Power.unary);
      return { kind: 'Unary', operator: token.value, operand, span: cursor.spanFrom(token) };
    }
    case '(': {
      cursor.next();
      if (isQueryStart(cursor)) {
        const query = parseQuery(cursor);
        cursor.expectClosing();
        return { kind: 'ScalarSubquery', query, span: cursor.spanFrom(token) };
      }
      const first = parseExpression(cursor);
      if (cursor.isOperator(',')) {
        // `(a, b)`: an implicit row, as in `(a, b) IN (...)`.
        const fields = [first];
        while (cursor.acceptOperator(',')) fields.push(parseExpression(cursor));
        cursor.expectClosing();
        return { kind: 'RowConstructor', fields, span: cursor.spanFrom(token) };
      }
      cursor.expectClosing();
      return first;
    }
    case '?':
      cursor.next();
      return { kind: 'Parameter', index: cursor.parameterCount++, span: token.span };
    default:
      throw cursor.errorExpected('an expression');
  }
}

function parseWordPrefix(cursor: Cursor, token: Token): Expression {
  const next = cursor.peek(1);
  const callFollows = next.type === 'operator' && next.value === '(';
  switch (token.upper) {
    case 'NOT': {
      cursor.next();
      const operand = parseExpression(cursor, Power.not);
      return { kind: 'Unary', operator: 'NOT', operand, span: cursor.spanFrom(token) };
    }
    case 'TRUE':
    case 'FALSE':
      cursor.next();
      return { kind: 'BooleanLiteral', value: token.upper === 'TRUE', span: token.span };
    case 'NULL':
      cursor.next();
      return { kind: 'NullLiteral', span: token.span };
    case 'CASE':
      return parseCase(cursor);
    case 'INTERVAL':
      return parseIntervalLiteral(cursor);
    case 'EXISTS': {
      cursor.next();
      cursor.expectOperator('(');
      const query = parseQuery(cursor);
      cursor.expectClosing();
      return { kind: 'Exists', query, span: cursor.spanFrom(token) };
    }
    case 'ARRAY':
    case 'MAP':
      if (next.type === 'operator' && next.value === '[') return parseCollectionConstructor(cursor);
      break;
    case 'ROW':
      if (callFollows) {
        cursor.next();
        cursor.next();
        const fields = cursor.isOperator(')') ? [] : parseExpressionList(cursor);
        cursor.expectClosing();
        return { kind: 'RowConstructor', fields, span: cursor.spanFrom(token) };
      }
      break;
  }
  if (TYPED_LITERAL_KEYWORDS.has(token.upper) && next.type === 'string') {
    cursor.next();
    cursor.next();
    return { kind: 'TypedLiteral', type: token.upper as TypedLiteral['type'], value: next.value, span: cursor.spanFrom(token) };
  }
  if (callFollows) {
    const special = parseSpecialCall(cursor, token);
    if (special !== undefined) return special;
  } else if (NILADIC_FUNCTIONS.has(token.upper)) {
    cursor.next();
    return { kind: 'NiladicCall', name: token.upper, span: token.span };
  }
  // Reserved words may still name functions (`COUNT(*)`, `HOUR(ts)`), except the structural keywords.
  const callable = callFollows && (!isGrammarKeyword(token.upper) || RESERVED_FUNCTION_NAMES.has(token.upper));
  if (isReservedWord(token.upper) && !callable) {
    throw cursor.errorExpected('an expression', isClauseKeyword(token.upper) ? undefined : quoteHint(token));
  }
  return parseNameOrCall(cursor);
}

function quoteHint(token: Token): string {
  return `${token.upper} is a reserved word; to use it as a name, quote it with backticks: \`${token.value}\``;
}

/** Keywords that typically end an expression: finding one where an expression belongs means something is missing before it. */
function isClauseKeyword(upper: string): boolean {
  return ['FROM', 'WHERE', 'GROUP', 'HAVING', 'ORDER', 'LIMIT', 'UNION', 'JOIN', 'ON', 'AND', 'OR', 'THEN', 'ELSE', 'END', 'WHEN', 'AS'].includes(upper);
}

/** A column path (`a`, `t.a`, `t.*`) or a call of a possibly qualified function. */
function parseNameOrCall(cursor: Cursor): Expression {
  const start = cursor.peek();
  const parts: Identifier[] = [nameToken(cursor)];
  while (cursor.isOperator('.')) {
    const after = cursor.peek(1);
    if (after.type === 'operator' && after.value === '*') {
      cursor.next();
      cursor.next();
      return { kind: 'Star', qualifier: parts, span: cursor.spanFrom(start) };
    }
    if (after.type !== 'word' && after.type !== 'quoted_identifier') break;
    cursor.next();
    // Later parts follow the same rule as the first (`t.value` needs `t.\`value\``), unless they name a function.
    if (after.type === 'word' && isReservedWord(after.upper) && !cursor.isOperator('(', 1)) {
      throw cursor.errorExpected('a name', quoteHint(after));
    }
    parts.push(nameToken(cursor));
  }
  if (cursor.isOperator('(')) {
    const name: ObjectName = { kind: 'ObjectName', parts, span: cursor.spanFrom(start) };
    return parseFunctionCall(cursor, name);
  }
  return { kind: 'ColumnRef', parts, span: cursor.spanFrom(start) };
}

/** Inside a dotted path any word is a name (`t.value`, `r.from`): only the first part must avoid reserved words. */
function nameToken(cursor: Cursor): Identifier {
  const token = cursor.next();
  return { kind: 'Identifier', value: token.value, quoted: token.type === 'quoted_identifier', span: token.span };
}

/** `name(args) [FILTER (WHERE ...)] [OVER ...]` with the cursor on '('. */
export function parseFunctionCall(cursor: Cursor, name: ObjectName): FunctionCall {
  cursor.expectOperator('(');
  let distinct = false;
  if (cursor.acceptKeyword('DISTINCT')) distinct = true;
  else cursor.acceptKeyword('ALL');
  const args: Expression[] = [];
  const pairs = takesKeyValuePairs(name.parts.at(-1)!.value);
  if (!cursor.isOperator(')') && !isCallClauseStart(cursor)) {
    do {
      if (pairs) args.push(...parseKeyValuePair(cursor));
      else args.push(parseArgument(cursor));
    } while (cursor.acceptOperator(','));
  }
  const returning = cursor.acceptKeyword('RETURNING') ? parseDataType(cursor) : undefined;
  const clauses = parseCallClauses(cursor);
  cursor.expectClosing();
  let filter: Expression | undefined;
  if (cursor.isKeyword('FILTER') && cursor.isOperator('(', 1)) {
    cursor.next();
    cursor.next();
    cursor.expectKeyword('WHERE');
    filter = parseExpression(cursor);
    cursor.expectClosing();
  }
  let over: WindowSpec | Identifier | undefined;
  if (cursor.acceptKeyword('OVER')) {
    over = cursor.isOperator('(') ? parseWindowSpec(cursor) : cursor.parseIdentifier('a window name');
  }
  return { kind: 'FunctionCall', name, args, distinct, filter, over, returning, clauses, span: cursor.spanFrom(name) };
}

/** One argument of a call: `*`, `TABLE t [PARTITION BY ...]`, `name => value`, or an expression. */
function parseArgument(cursor: Cursor): Expression {
  const start = cursor.peek();
  if (cursor.isOperator('*')) {
    cursor.next();
    return { kind: 'Star', qualifier: [], span: start.span };
  }
  if ((start.type === 'word' || start.type === 'quoted_identifier') && cursor.isOperator('=>', 1)) {
    const name = nameToken(cursor);
    cursor.next();
    const value = parseArgument(cursor);
    return { kind: 'NamedArgument', name, value, span: cursor.spanFrom(start) };
  }
  if (cursor.isKeyword('TABLE')) {
    cursor.next();
    const table = cursor.parseObjectName('a table name');
    // Inside an argument list the keys are one expression or a parenthesized list: `PARTITION BY (a, b)`.
    const partitionBy = acceptPartitionBy(cursor) ? parseKeyList(cursor, (c) => [parseExpression(c)], parseExpressionList) : [];
    const orderBy = acceptOrderBy(cursor) ? parseKeyList(cursor, (c) => [parseOrderItem(c)], parseOrderByList) : [];
    return { kind: 'TableArgument', table, partitionBy, orderBy, span: cursor.spanFrom(start) };
  }
  return parseExpression(cursor);
}

function parseKeyList<T>(cursor: Cursor, single: (cursor: Cursor) => T[], parenthesized: (cursor: Cursor) => T[]): T[] {
  if (!cursor.acceptOperator('(')) return single(cursor);
  const keys = parenthesized(cursor);
  cursor.expectClosing();
  return keys;
}

/** Calls whose arguments are not a plain comma list, with the cursor on the name. */
function parseSpecialCall(cursor: Cursor, token: Token): Expression | undefined {
  switch (token.upper) {
    case 'CAST':
    case 'TRY_CAST': {
      cursor.next();
      cursor.next();
      const operand = parseExpression(cursor);
      cursor.expectKeyword('AS', `write ${token.upper}(value AS type)`);
      const type = parseDataType(cursor);
      cursor.expectClosing();
      return { kind: 'Cast', operand, type, safe: token.upper === 'TRY_CAST', span: cursor.spanFrom(token) };
    }
    case 'EXTRACT': {
      cursor.next();
      cursor.next();
      const unitToken = cursor.next();
      if (unitToken.type !== 'word') throw cursor.errorExpected('a time unit', undefined, unitToken);
      cursor.expectKeyword('FROM', 'write EXTRACT(unit FROM value)');
      const source = parseExpression(cursor);
      cursor.expectClosing();
      return { kind: 'Extract', unit: normalizeUnit(unitToken), source, span: cursor.spanFrom(token) };
    }
    case 'POSITION': {
      cursor.next();
      cursor.next();
      // The needle stops before IN, which would otherwise read as a membership test.
      const needle = parseExpression(cursor, Power.predicate);
      if (!cursor.acceptKeyword('IN')) return finishPlainCall(cursor, token, needle);
      const haystack = parseExpression(cursor);
      cursor.expectClosing();
      return { kind: 'Position', needle, haystack, span: cursor.spanFrom(token) };
    }
    case 'TRIM':
      return parseTrim(cursor, token);
    case 'SUBSTRING':
    case 'OVERLAY': {
      cursor.next();
      cursor.next();
      const source = parseExpression(cursor);
      if (token.upper === 'OVERLAY' && cursor.acceptKeyword('PLACING')) {
        const replacement = parseExpression(cursor);
        cursor.expectKeyword('FROM');
        const from = parseExpression(cursor);
        const length = cursor.acceptKeyword('FOR') ? parseExpression(cursor) : undefined;
        cursor.expectClosing();
        return { kind: 'Overlay', source, replacement, from, length, span: cursor.spanFrom(token) };
      }
      if (token.upper === 'SUBSTRING' && cursor.acceptKeyword('FROM')) {
        const from = parseExpression(cursor);
        const length = cursor.acceptKeyword('FOR') ? parseExpression(cursor) : undefined;
        cursor.expectClosing();
        return { kind: 'Substring', source, from, length, span: cursor.spanFrom(token) };
      }
      return finishPlainCall(cursor, token, source);
    }
    case 'FLOOR':
    case 'CEIL':
    case 'CEILING': {
      // `FLOOR(ts TO HOUR)` rounds a time point; `FLOOR(x)` is the ordinary numeric function.
      cursor.next();
      cursor.next();
      const operand = parseExpression(cursor);
      if (!cursor.acceptKeyword('TO')) return finishPlainCall(cursor, token, operand);
      const unitToken = cursor.next();
      if (unitToken.type !== 'word') throw cursor.errorExpected('a time unit', undefined, unitToken);
      cursor.expectClosing();
      return plainCall(cursor, token, [operand, { kind: 'TimeUnitArgument', unit: normalizeUnit(unitToken), span: unitToken.span }]);
    }
    case 'TIMESTAMPADD':
    case 'TIMESTAMPDIFF': {
      cursor.next();
      cursor.next();
      const unitToken = cursor.next();
      if (unitToken.type !== 'word') throw cursor.errorExpected('a time unit', undefined, unitToken);
      const args: Expression[] = [{ kind: 'TimeUnitArgument', unit: normalizeUnit(unitToken), span: unitToken.span }];
      while (cursor.acceptOperator(',')) args.push(parseExpression(cursor));
      cursor.expectClosing();
      return plainCall(cursor, token, args);
    }
    case 'DESCRIPTOR': {
      cursor.next();
      const columns = cursor.parseIdentifierList('a column name');
      return { kind: 'Descriptor', columns, span: cursor.spanFrom(token) };
    }
    default:
      return undefined;
  }
}

/** Plural and singular time units are the same unit; other units (DOW, EPOCH, ...) pass through. */
function normalizeUnit(token: Token): string {
  return timeUnitOf(token) ?? token.upper;
}

function plainCall(cursor: Cursor, token: Token, args: Expression[]): FunctionCall {
  const identifier: Identifier = { kind: 'Identifier', value: token.value, quoted: false, span: token.span };
  return {
    kind: 'FunctionCall',
    name: { kind: 'ObjectName', parts: [identifier], span: token.span },
    args,
    distinct: false,
    filter: undefined,
    over: undefined,
    returning: undefined,
    clauses: [],
    span: cursor.spanFrom(token),
  };
}

/** The comma form of a special function (`SUBSTRING(s, 1, 2)`), after its first argument. */
function finishPlainCall(cursor: Cursor, token: Token, first: Expression): FunctionCall {
  const args = [first];
  while (cursor.acceptOperator(',')) args.push(parseExpression(cursor));
  cursor.expectClosing();
  return plainCall(cursor, token, args);
}

/** `TRIM([BOTH|LEADING|TRAILING] [chars] FROM source)` or `TRIM(source)`. */
function parseTrim(cursor: Cursor, token: Token): Expression {
  cursor.next();
  cursor.next();
  const side = cursor.acceptOneOf(['BOTH', 'LEADING', 'TRAILING'] as const);
  let characters: Expression | undefined;
  let source: Expression;
  if (side !== undefined && cursor.acceptKeyword('FROM')) {
    source = parseExpression(cursor);
  } else {
    const first = parseExpression(cursor);
    if (cursor.acceptKeyword('FROM')) {
      characters = first;
      source = parseExpression(cursor);
    } else {
      source = first;
    }
  }
  cursor.expectClosing();
  return { kind: 'Trim', side, characters, source, span: cursor.spanFrom(token) };
}

function parseCase(cursor: Cursor): Case {
  const start = cursor.next();
  const operand = cursor.isKeyword('WHEN') ? undefined : parseExpression(cursor);
  const whens: CaseWhen[] = [];
  while (cursor.isKeyword('WHEN')) {
    const whenToken = cursor.next();
    const condition = parseExpression(cursor);
    cursor.expectKeyword('THEN');
    const result = parseExpression(cursor);
    whens.push({ kind: 'CaseWhen', condition, result, span: cursor.spanFrom(whenToken) });
  }
  if (whens.length === 0) throw cursor.errorExpected('WHEN');
  const otherwise = cursor.acceptKeyword('ELSE') ? parseExpression(cursor) : undefined;
  cursor.expectKeyword('END', 'close the CASE expression with END');
  return { kind: 'Case', operand, whens, otherwise, span: cursor.spanFrom(start) };
}

function parseIntervalLiteral(cursor: Cursor): Expression {
  const start = cursor.next();
  let negative = false;
  if (cursor.acceptOperator('-')) negative = true;
  else cursor.acceptOperator('+');
  const valueToken = cursor.peek();
  if (valueToken.type !== 'string') {
    const hint = valueToken.type === 'number' ? `put the value in quotes: INTERVAL '${valueToken.value}' SECOND` : undefined;
    throw cursor.errorExpected('a quoted interval value', hint);
  }
  cursor.next();
  const qualifier = parseIntervalQualifier(cursor);
  return { kind: 'IntervalLiteral', negative, value: valueToken.value, qualifier, span: cursor.spanFrom(start) };
}

/** `ARRAY[a, b]`, `MAP[k, v, ...]` */
function parseCollectionConstructor(cursor: Cursor): Expression {
  const start = cursor.next();
  cursor.expectOperator('[');
  const elements = cursor.isOperator(']') ? [] : parseExpressionList(cursor);
  cursor.expectOperator(']');
  const span = cursor.spanFrom(start);
  if (start.upper === 'ARRAY') return { kind: 'ArrayConstructor', elements, span };
  if (elements.length % 2 !== 0) {
    throw cursor.error('MAP[...] needs an even number of elements (key, value, key, value, ...)', undefined, start);
  }
  const entries = [];
  for (let i = 0; i < elements.length; i += 2) entries.push({ key: elements[i]!, value: elements[i + 1]! });
  return { kind: 'MapConstructor', entries, span };
}

/** `([base] [PARTITION BY ...] [ORDER BY ...] [ROWS|RANGE ...])` */
export function parseWindowSpec(cursor: Cursor): WindowSpec {
  const start = cursor.expectOperator('(');
  let baseWindow: Identifier | undefined;
  if (cursor.isIdentifier() && !['PARTITION', 'ORDER', 'ROWS', 'RANGE'].some((k) => cursor.isKeyword(k))) {
    baseWindow = cursor.parseIdentifier();
  }
  const partitionBy = acceptPartitionBy(cursor) ? parseExpressionList(cursor) : [];
  const orderBy: OrderItem[] = acceptOrderBy(cursor) ? parseOrderByList(cursor) : [];
  let frame: WindowFrame | undefined;
  const frameStart = cursor.peek();
  const units = cursor.acceptOneOf(['ROWS', 'RANGE'] as const);
  if (units !== undefined) {
    if (cursor.acceptKeyword('BETWEEN')) {
      const startBound = parseFrameBound(cursor);
      cursor.expectKeyword('AND');
      const endBound = parseFrameBound(cursor);
      frame = { kind: 'WindowFrame', units, start: startBound, end: endBound, span: cursor.spanFrom(frameStart) };
    } else {
      frame = { kind: 'WindowFrame', units, start: parseFrameBound(cursor), end: undefined, span: cursor.spanFrom(frameStart) };
    }
  }
  cursor.expectOperator(')', cursor.atEnd() ? 'a parenthesis is not closed' : 'a window is (PARTITION BY ... ORDER BY ... ROWS|RANGE ...)');
  return { kind: 'WindowSpec', baseWindow, partitionBy, orderBy, frame, span: cursor.spanFrom(start) };
}

function parseFrameBound(cursor: Cursor): WindowFrameBound {
  const start = cursor.peek();
  if (cursor.acceptKeyword('UNBOUNDED')) {
    const direction = cursor.acceptOneOf(['PRECEDING', 'FOLLOWING'] as const);
    if (direction === undefined) throw cursor.errorExpected('PRECEDING or FOLLOWING');
    return { kind: 'WindowFrameBound', bound: `UNBOUNDED ${direction}`, offset: undefined, span: cursor.spanFrom(start) };
  }
  if (cursor.acceptKeywords('CURRENT', 'ROW')) {
    return { kind: 'WindowFrameBound', bound: 'CURRENT ROW', offset: undefined, span: cursor.spanFrom(start) };
  }
  const offset = parseExpression(cursor, Power.and);
  const direction = cursor.acceptOneOf(['PRECEDING', 'FOLLOWING'] as const);
  if (direction === undefined) throw cursor.errorExpected('PRECEDING or FOLLOWING');
  return { kind: 'WindowFrameBound', bound: direction, offset, span: cursor.spanFrom(start) };
}
