/**
 * Statement dispatch and the non-DDL statements: INSERT, STATEMENT SET, SET/RESET, SHOW,
 * DESCRIBE, EXPLAIN, USE.
 */
import type {
  Describe,
  Explain,
  Identifier,
  Insert,
  PartitionValue,
  ResetOption,
  SetOption,
  Show,
  ShowCreate,
  ShowObject,
  Statement,
  StatementSet,
  Use,
} from '../ast.ts';
import type { Token } from '../lexer.ts';
import type { Cursor } from './cursor.ts';
import { parseAlter, parseCreate, parseDrop } from './ddl.ts';
import { parseExpression } from './expressions.ts';
import { STATEMENT_KEYWORDS, suggestKeyword } from './keywords.ts';
import { parseOptionValue } from './properties.ts';
import { isQueryStart, parseHints, parseQuery } from './queries.ts';

export function parseStatementAt(cursor: Cursor): Statement {
  const start = cursor.peek();
  if (isQueryStart(cursor) || cursor.isOperator('(')) return parseQuery(cursor);
  if (start.type !== 'word') throw cursor.errorExpected('a statement');
  switch (start.upper) {
    case 'CREATE':
      cursor.next();
      return parseCreate(cursor, start);
    case 'ALTER':
      cursor.next();
      return parseAlter(cursor, start);
    case 'DROP':
      cursor.next();
      return parseDrop(cursor, start);
    case 'INSERT':
      return parseInsert(cursor);
    case 'EXECUTE':
      cursor.next();
      if (cursor.isKeyword('INSERT')) return parseInsert(cursor);
      cursor.expectKeywords('STATEMENT', 'SET');
      return parseStatementSetBody(cursor, start, true);
    case 'STATEMENT':
      cursor.next();
      cursor.expectKeyword('SET');
      return parseStatementSetBody(cursor, start, false);
    case 'SET':
      return parseSet(cursor);
    case 'RESET':
      return parseReset(cursor);
    case 'SHOW':
      return parseShow(cursor);
    case 'DESCRIBE':
    case 'DESC':
      return parseDescribe(cursor);
    case 'EXPLAIN':
      return parseExplain(cursor);
    case 'USE':
      return parseUse(cursor);
  }
  const suggestion = suggestKeyword(start.value, STATEMENT_KEYWORDS);
  throw cursor.errorExpected(
    'a statement (SELECT, INSERT, CREATE, ALTER, DROP, SET, SHOW, ...)',
    suggestion !== undefined ? `did you mean ${suggestion}?` : undefined,
  );
}

function parseInsert(cursor: Cursor): Insert {
  const start = cursor.expectKeyword('INSERT');
  const overwrite = cursor.acceptKeyword('OVERWRITE');
  if (!overwrite) cursor.expectKeyword('INTO', 'write INSERT INTO table SELECT ...');
  const table = cursor.parseObjectName('a table name');
  const hints = parseHints(cursor);
  const partition: PartitionValue[] = [];
  if (cursor.acceptKeyword('PARTITION')) {
    cursor.expectOperator('(');
    do {
      const columnStart = cursor.peek();
      const column = cursor.parseIdentifier('a partition column');
      cursor.expectOperator('=');
      const value = parseExpression(cursor);
      partition.push({ kind: 'PartitionValue', column, value, span: cursor.spanFrom(columnStart) });
    } while (cursor.acceptOperator(','));
    cursor.expectClosing();
  }
  let columns: Identifier[] = [];
  if (cursor.isOperator('(')) {
    const mark = cursor.mark();
    cursor.next();
    const isQuery = isQueryStart(cursor);
    cursor.reset(mark);
    if (!isQuery) columns = cursor.parseIdentifierList();
  }
  if (!isQueryStart(cursor) && !cursor.isOperator('(')) {
    throw cursor.errorExpected('SELECT, VALUES or WITH', 'INSERT INTO needs a query: INSERT INTO t SELECT ... or INSERT INTO t VALUES (...)');
  }
  const source = parseQuery(cursor);
  return { kind: 'Insert', overwrite, table, hints, partition, columns, source, span: cursor.spanFrom(start) };
}

/** After `[EXECUTE] STATEMENT SET`: `BEGIN insert; ... END`. */
function parseStatementSetBody(cursor: Cursor, start: Token, execute: boolean): StatementSet {
  cursor.expectKeyword('BEGIN');
  const inserts: Insert[] = [];
  while (!cursor.isKeyword('END')) {
    if (cursor.atEnd()) throw cursor.errorExpected('END', 'close the statement set with END');
    if (!cursor.isKeyword('INSERT')) throw cursor.errorExpected('INSERT or END', 'a statement set contains only INSERT statements');
    inserts.push(parseInsert(cursor));
    cursor.expectOperator(';', 'end each INSERT in a statement set with a semicolon');
  }
  cursor.expectKeyword('END');
  return { kind: 'StatementSet', execute, inserts, span: cursor.spanFrom(start) };
}

function isStatementEnd(cursor: Cursor): boolean {
  return cursor.atEnd() || cursor.isOperator(';');
}

function parseSet(cursor: Cursor): SetOption {
  const start = cursor.expectKeyword('SET');
  if (isStatementEnd(cursor)) return { kind: 'SetOption', key: undefined, value: undefined, span: start.span };
  const quotingHint = "quote the key and the value: SET 'key' = 'value'";
  const key = cursor.expectString('an option key in single quotes', quotingHint);
  cursor.expectOperator('=', quotingHint);
  const value = parseOptionValue(cursor, 'an option value in single quotes', quotingHint);
  return { kind: 'SetOption', key, value, span: cursor.spanFrom(start) };
}

function parseReset(cursor: Cursor): ResetOption {
  const start = cursor.expectKeyword('RESET');
  const key = isStatementEnd(cursor) ? undefined : cursor.expectString('an option key in single quotes');
  return { kind: 'ResetOption', key, span: cursor.spanFrom(start) };
}

const SHOW_OBJECTS: { words: string[]; object: ShowObject }[] = [
  { words: ['TABLES'], object: 'TABLES' },
  { words: ['VIEWS'], object: 'VIEWS' },
  { words: ['FUNCTIONS'], object: 'FUNCTIONS' },
  { words: ['USER', 'FUNCTIONS'], object: 'USER FUNCTIONS' },
  { words: ['CATALOGS'], object: 'CATALOGS' },
  { words: ['DATABASES'], object: 'DATABASES' },
  { words: ['STATEMENTS'], object: 'STATEMENTS' },
  { words: ['JOBS'], object: 'JOBS' },
  { words: ['MODULES'], object: 'MODULES' },
  { words: ['CURRENT', 'CATALOG'], object: 'CURRENT CATALOG' },
  { words: ['CURRENT', 'DATABASE'], object: 'CURRENT DATABASE' },
];

function parseShow(cursor: Cursor): Show | ShowCreate {
  const start = cursor.expectKeyword('SHOW');
  if (cursor.acceptKeyword('CREATE')) {
    const objectType = cursor.acceptOneOf(['TABLE', 'VIEW'] as const);
    if (objectType === undefined) throw cursor.errorExpected('TABLE or VIEW after SHOW CREATE');
    const name = cursor.parseObjectName(`a ${objectType.toLowerCase()} name`);
    return { kind: 'ShowCreate', objectType, name, span: cursor.spanFrom(start) };
  }
  const match = SHOW_OBJECTS.find(({ words }) => cursor.acceptKeywords(...words));
  if (match === undefined) {
    throw cursor.errorExpected('TABLES, VIEWS, FUNCTIONS, CATALOGS, DATABASES, STATEMENTS, JOBS, MODULES or CREATE TABLE');
  }
  const from = cursor.acceptOneOf(['FROM', 'IN'] as const) !== undefined ? cursor.parseObjectName('a database name') : undefined;
  let like: Show['like'];
  const negated = cursor.acceptKeyword('NOT');
  const likeWord = cursor.acceptOneOf(['LIKE', 'ILIKE'] as const);
  if (likeWord !== undefined) {
    like = { negated, ilike: likeWord === 'ILIKE', pattern: cursor.expectString('a pattern in single quotes') };
  } else if (negated) {
    throw cursor.errorExpected('LIKE or ILIKE after NOT');
  }
  return { kind: 'Show', object: match.object, from, like, span: cursor.spanFrom(start) };
}

function parseDescribe(cursor: Cursor): Describe {
  const start = cursor.next();
  const extended = cursor.acceptKeyword('EXTENDED');
  const name = cursor.parseObjectName('a table name');
  return { kind: 'Describe', extended, name, span: cursor.spanFrom(start) };
}

const EXPLAIN_DETAILS = ['ESTIMATED_COST', 'CHANGELOG_MODE', 'JSON_EXECUTION_PLAN', 'PLAN_ADVICE'] as const;

function parseExplain(cursor: Cursor): Explain {
  const start = cursor.expectKeyword('EXPLAIN');
  const planFor = cursor.acceptKeywords('PLAN', 'FOR');
  const details: string[] = [];
  if (!planFor) {
    let detail = cursor.acceptOneOf(EXPLAIN_DETAILS);
    while (detail !== undefined) {
      details.push(detail);
      detail = cursor.acceptOperator(',') ? cursor.acceptOneOf(EXPLAIN_DETAILS) : undefined;
      if (detail === undefined && cursor.previous().value === ',') throw cursor.errorExpected(EXPLAIN_DETAILS.join(', '));
    }
  }
  const statement = parseStatementAt(cursor);
  return { kind: 'Explain', planFor, details, statement, span: cursor.spanFrom(start) };
}

function parseUse(cursor: Cursor): Use {
  const start = cursor.expectKeyword('USE');
  const catalog = cursor.isKeyword('CATALOG') && (cursor.peek(1).type === 'word' || cursor.peek(1).type === 'quoted_identifier');
  if (catalog) cursor.next();
  const name = cursor.parseObjectName(catalog ? 'a catalog name' : 'a database name');
  return { kind: 'Use', catalog, name, span: cursor.spanFrom(start) };
}
