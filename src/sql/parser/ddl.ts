/**
 * DDL: CREATE TABLE / VIEW / FUNCTION, ALTER TABLE, DROP.
 *
 * CREATE TABLE follows Flink and Confluent Cloud: the column list is optional (CTAS, LIKE), and the
 * trailing clauses (COMMENT, DISTRIBUTED BY, PARTITIONED BY, WITH, LIKE) are accepted in any order
 * but each at most once; the printer writes them in Flink's documented order.
 */
import type {
  AlterTable,
  AlterTableAction,
  ColumnDefinition,
  ColumnPosition,
  CreateFunction,
  CreateTable,
  CreateView,
  Distribution,
  Drop,
  Identifier,
  PrimaryKey,
  Property,
  SchemaElement,
  Statement,
  Watermark,
} from '../ast.ts';
import type { Token } from '../lexer.ts';
import type { Cursor } from './cursor.ts';
import { parseExpression } from './expressions.ts';
import { parsePropertyList } from './properties.ts';
import { parseQuery } from './queries.ts';
import { parseDataType } from './types.ts';

/** After CREATE: dispatches on the object type. */
export function parseCreate(cursor: Cursor, start: Token): Statement {
  if (cursor.acceptKeywords('OR', 'REPLACE')) {
    cursor.expectKeyword('TABLE', 'only CREATE OR REPLACE TABLE ... AS SELECT is supported');
    const table = parseCreateTable(cursor, start, false);
    if (table.asQuery === undefined) {
      throw cursor.errorExpected('AS SELECT ...', 'CREATE OR REPLACE TABLE needs a query: CREATE OR REPLACE TABLE t AS SELECT ...');
    }
    table.orReplace = true;
    return table;
  }
  const temporary = cursor.acceptKeyword('TEMPORARY');
  const system = temporary && cursor.acceptKeyword('SYSTEM');
  if (cursor.acceptKeyword('TABLE')) return parseCreateTable(cursor, start, temporary);
  if (cursor.acceptKeyword('VIEW')) return parseCreateView(cursor, start, temporary);
  if (cursor.acceptKeyword('FUNCTION')) return parseCreateFunction(cursor, start, temporary, system);
  throw cursor.errorExpected('TABLE, VIEW or FUNCTION after CREATE');
}

function acceptIfNotExists(cursor: Cursor): boolean {
  return cursor.acceptKeywords('IF', 'NOT', 'EXISTS');
}

function parseCreateTable(cursor: Cursor, start: Token, temporary: boolean): CreateTable {
  const ifNotExists = acceptIfNotExists(cursor);
  const name = cursor.parseObjectName('a table name');
  const columns: ColumnDefinition[] = [];
  let primaryKey: PrimaryKey | undefined;
  let watermark: Watermark | undefined;
  if (cursor.acceptOperator('(')) {
    do {
      const elementStart = cursor.peek();
      const { element, inlineKey } = parseSchemaElement(cursor);
      const key = element.kind === 'PrimaryKey' ? element : inlineKey;
      if (key !== undefined) {
        if (primaryKey !== undefined) throw cursor.error('a table can have only one PRIMARY KEY', undefined, elementStart);
        primaryKey = key;
      }
      if (element.kind === 'Watermark') {
        if (watermark !== undefined) throw cursor.error('a table can have only one WATERMARK', undefined, elementStart);
        watermark = element;
      } else if (element.kind !== 'PrimaryKey') {
        columns.push(element);
      }
    } while (cursor.acceptOperator(','));
    cursor.expectOperator(')', cursor.isIdentifier() ? 'is a comma missing between two columns?' : undefined);
  }
  const table: CreateTable = {
    kind: 'CreateTable',
    orReplace: false,
    temporary,
    ifNotExists,
    name,
    columns,
    primaryKey,
    watermark,
    comment: undefined,
    partitionedBy: [],
    distribution: undefined,
    options: [],
    like: undefined,
    asQuery: undefined,
    span: start.span,
  };
  const seen = new Set<string>();
  const once = (clause: string, token: Token): void => {
    if (seen.has(clause)) throw cursor.error(`${clause} appears twice`, undefined, token);
    seen.add(clause);
  };
  while (true) {
    const token = cursor.peek();
    if (cursor.acceptKeyword('COMMENT')) {
      once('COMMENT', token);
      table.comment = cursor.expectString();
    } else if (cursor.acceptKeyword('DISTRIBUTED')) {
      once('DISTRIBUTED BY', token);
      table.distribution = parseDistribution(cursor, token);
    } else if (cursor.acceptKeyword('PARTITIONED')) {
      once('PARTITIONED BY', token);
      cursor.expectKeyword('BY');
      table.partitionedBy = cursor.parseIdentifierList();
    } else if (cursor.acceptKeyword('WITH')) {
      once('WITH', token);
      table.options = parsePropertyList(cursor);
    } else if (cursor.acceptKeyword('LIKE')) {
      once('LIKE', token);
      const source = cursor.parseObjectName('a table name');
      const options: string[] = [];
      if (cursor.acceptOperator('(')) {
        while (!cursor.isOperator(')')) {
          const word = cursor.next();
          if (word.type !== 'word') throw cursor.errorExpected('a LIKE option such as INCLUDING ALL', undefined, word);
          options.push(word.upper);
        }
        cursor.expectClosing();
      }
      table.like = { kind: 'TableLike', name: source, options, span: cursor.spanFrom(token) };
    } else if (cursor.acceptKeyword('AS')) {
      table.asQuery = parseQuery(cursor);
      break;
    } else {
      break;
    }
  }
  table.span = cursor.spanFrom(start);
  return table;
}

/** A schema element; a column's inline `PRIMARY KEY NOT ENFORCED` comes back separately as `inlineKey`. */
interface ParsedElement {
  element: SchemaElement;
  inlineKey?: PrimaryKey | undefined;
}

/** A column, `[CONSTRAINT n] PRIMARY KEY (...) NOT ENFORCED` or `WATERMARK FOR c AS expr`. */
function parseSchemaElement(cursor: Cursor): ParsedElement {
  const start = cursor.peek();
  if (cursor.isKeyword('WATERMARK') && cursor.isKeyword('FOR', 1)) return { element: parseWatermark(cursor) };
  if (cursor.isKeywords('PRIMARY', 'KEY') || cursor.isKeyword('CONSTRAINT')) {
    const constraintName = cursor.acceptKeyword('CONSTRAINT') ? cursor.parseIdentifier('a constraint name') : undefined;
    cursor.expectKeywords('PRIMARY', 'KEY');
    const columns = cursor.parseIdentifierList();
    expectNotEnforced(cursor);
    return { element: { kind: 'PrimaryKey', constraintName, columns, span: cursor.spanFrom(start) } };
  }
  return parseColumn(cursor);
}

function expectNotEnforced(cursor: Cursor): void {
  const hint = 'Flink does not enforce primary keys: write PRIMARY KEY (...) NOT ENFORCED';
  cursor.expectKeyword('NOT', hint);
  cursor.expectKeyword('ENFORCED', hint);
}

export function parseWatermark(cursor: Cursor): Watermark {
  const start = cursor.expectKeyword('WATERMARK');
  cursor.expectKeyword('FOR');
  const columnStart = cursor.peek();
  const name = cursor.parseObjectName('the event-time column');
  const column = { kind: 'ColumnRef' as const, parts: name.parts, span: cursor.spanFrom(columnStart) };
  cursor.expectKeyword('AS', 'write WATERMARK FOR column AS column - INTERVAL ...');
  const expression = parseExpression(cursor);
  return { kind: 'Watermark', column, expression, span: cursor.spanFrom(start) };
}

function parseColumn(cursor: Cursor): ParsedElement {
  const start = cursor.peek();
  const name = cursor.parseIdentifier('a column name');
  if (cursor.acceptKeyword('AS')) {
    const expression = parseExpression(cursor);
    const comment = acceptComment(cursor);
    return { element: { kind: 'ComputedColumn', name, expression, comment, span: cursor.spanFrom(start) } };
  }
  if (cursor.isOperator(',') || cursor.isOperator(')')) {
    throw cursor.errorExpected(`a data type for column ${name.value}`);
  }
  const type = parseDataType(cursor);
  let inlineKey: PrimaryKey | undefined;
  const keyStart = cursor.peek();
  if (cursor.isKeywords('PRIMARY', 'KEY') || cursor.isKeyword('CONSTRAINT')) {
    const constraintName = cursor.acceptKeyword('CONSTRAINT') ? cursor.parseIdentifier('a constraint name') : undefined;
    cursor.expectKeywords('PRIMARY', 'KEY');
    expectNotEnforced(cursor);
    inlineKey = { kind: 'PrimaryKey', constraintName, columns: [name], span: cursor.spanFrom(keyStart) };
  }
  let column: ColumnDefinition;
  if (cursor.acceptKeyword('METADATA')) {
    const metadataKey = cursor.acceptKeyword('FROM') ? cursor.expectString('a metadata key') : undefined;
    const virtual = cursor.acceptKeyword('VIRTUAL');
    const comment = acceptComment(cursor);
    column = { kind: 'MetadataColumn', name, type, metadataKey, virtual, comment, span: cursor.spanFrom(start) };
  } else {
    const comment = acceptComment(cursor);
    column = { kind: 'PhysicalColumn', name, type, comment, span: cursor.spanFrom(start) };
  }
  return { element: column, inlineKey };
}

function acceptComment(cursor: Cursor): string | undefined {
  return cursor.acceptKeyword('COMMENT') ? cursor.expectString('a comment string') : undefined;
}

/** After DISTRIBUTED: `BY [HASH|RANGE](cols) [INTO n BUCKETS]` or `INTO n BUCKETS`. */
function parseDistribution(cursor: Cursor, start: Token): Distribution {
  let algorithm: 'HASH' | 'RANGE' | undefined;
  let columns: Identifier[] = [];
  if (cursor.acceptKeyword('BY')) {
    algorithm = cursor.acceptOneOf(['HASH', 'RANGE'] as const);
    columns = cursor.parseIdentifierList();
  } else if (!cursor.isKeyword('INTO')) {
    throw cursor.errorExpected('BY or INTO after DISTRIBUTED');
  }
  let buckets: number | undefined;
  if (cursor.acceptKeyword('INTO')) {
    buckets = cursor.expectInteger('a number of buckets');
    cursor.expectKeyword('BUCKETS');
  }
  return { kind: 'Distribution', algorithm, columns, buckets, span: cursor.spanFrom(start) };
}

function parseCreateView(cursor: Cursor, start: Token, temporary: boolean): CreateView {
  const ifNotExists = acceptIfNotExists(cursor);
  const name = cursor.parseObjectName('a view name');
  const columns = cursor.isOperator('(') ? cursor.parseIdentifierList() : [];
  const comment = acceptComment(cursor);
  cursor.expectKeyword('AS', 'write CREATE VIEW name AS SELECT ...');
  const query = parseQuery(cursor);
  return { kind: 'CreateView', temporary, ifNotExists, name, columns, comment, query, span: cursor.spanFrom(start) };
}

function parseCreateFunction(cursor: Cursor, start: Token, temporary: boolean, system: boolean): CreateFunction {
  const ifNotExists = acceptIfNotExists(cursor);
  const name = cursor.parseObjectName('a function name');
  cursor.expectKeyword('AS', "write CREATE FUNCTION name AS 'com.example.MyFunction'");
  const className = cursor.expectString('the implementing class name in single quotes');
  let language: CreateFunction['language'];
  if (cursor.acceptKeyword('LANGUAGE')) {
    language = cursor.acceptOneOf(['JAVA', 'SCALA', 'PYTHON'] as const);
    if (language === undefined) throw cursor.errorExpected('JAVA, SCALA or PYTHON');
  }
  return { kind: 'CreateFunction', temporary, system, ifNotExists, name, className, language, span: cursor.spanFrom(start) };
}

/** After ALTER. */
export function parseAlter(cursor: Cursor, start: Token): AlterTable {
  cursor.expectKeyword('TABLE', 'only ALTER TABLE is supported');
  const ifExists = cursor.acceptKeywords('IF', 'EXISTS');
  const name = cursor.parseObjectName('a table name');
  const action = parseAlterAction(cursor);
  return { kind: 'AlterTable', ifExists, name, action, span: cursor.spanFrom(start) };
}

function parseAlterAction(cursor: Cursor): AlterTableAction {
  const start = cursor.peek();
  if (cursor.acceptKeyword('SET')) {
    const options: Property[] = parsePropertyList(cursor);
    return { kind: 'AlterTableSetOptions', options, span: cursor.spanFrom(start) };
  }
  if (cursor.acceptKeyword('RESET')) {
    cursor.expectOperator('(');
    const keys = [cursor.expectString('an option key')];
    while (cursor.acceptOperator(',')) keys.push(cursor.expectString('an option key'));
    cursor.expectClosing();
    return { kind: 'AlterTableResetOptions', keys, span: cursor.spanFrom(start) };
  }
  const operation = cursor.acceptOneOf(['ADD', 'MODIFY'] as const);
  if (operation !== undefined) {
    let parenthesized = cursor.acceptOperator('(');
    const elements: SchemaElement[] = [];
    const positions: (ColumnPosition | undefined)[] = [];
    do {
      const { element, inlineKey } = parseSchemaElement(cursor);
      elements.push(element);
      positions.push(element.kind === 'PrimaryKey' || element.kind === 'Watermark' ? undefined : parseColumnPosition(cursor));
      if (inlineKey !== undefined) {
        elements.push(inlineKey);
        positions.push(undefined);
      }
    } while (parenthesized && cursor.acceptOperator(','));
    if (parenthesized) cursor.expectClosing();
    // An inline key became a second element, which only the parenthesized form can print.
    if (elements.length > 1) parenthesized = true;
    return { kind: 'AlterTableAddOrModify', operation, elements, positions, parenthesized, span: cursor.spanFrom(start) };
  }
  if (cursor.acceptKeyword('DROP')) {
    if (cursor.acceptKeywords('PRIMARY', 'KEY')) return { kind: 'AlterTableDropConstraint', target: 'PRIMARY KEY', span: cursor.spanFrom(start) };
    if (cursor.acceptKeyword('WATERMARK')) return { kind: 'AlterTableDropConstraint', target: 'WATERMARK', span: cursor.spanFrom(start) };
    if (cursor.acceptKeyword('CONSTRAINT')) {
      const target = cursor.parseIdentifier('a constraint name');
      return { kind: 'AlterTableDropConstraint', target, span: cursor.spanFrom(start) };
    }
    const columns = cursor.isOperator('(') ? cursor.parseIdentifierList() : [cursor.parseIdentifier('a column name')];
    return { kind: 'AlterTableDropColumns', columns, span: cursor.spanFrom(start) };
  }
  if (cursor.acceptKeyword('RENAME')) {
    if (cursor.acceptKeyword('TO')) {
      const to = cursor.parseObjectName('the new table name');
      return { kind: 'AlterTableRename', to, span: cursor.spanFrom(start) };
    }
    const from = cursor.parseIdentifier('a column name');
    cursor.expectKeyword('TO');
    const to = cursor.parseIdentifier('the new column name');
    return { kind: 'AlterTableRenameColumn', from, to, span: cursor.spanFrom(start) };
  }
  throw cursor.errorExpected('SET, RESET, ADD, MODIFY, DROP or RENAME');
}

/** `FIRST` | `AFTER column`, if present. */
function parseColumnPosition(cursor: Cursor): ColumnPosition | undefined {
  const start = cursor.peek();
  if (cursor.acceptKeyword('FIRST')) return { kind: 'ColumnPosition', placement: 'FIRST', reference: undefined, span: start.span };
  if (!cursor.acceptKeyword('AFTER')) return undefined;
  const reference = cursor.parseIdentifier('the column to place it after');
  return { kind: 'ColumnPosition', placement: 'AFTER', reference, span: cursor.spanFrom(start) };
}

/** After DROP. */
export function parseDrop(cursor: Cursor, start: Token): Drop {
  const temporary = cursor.acceptKeyword('TEMPORARY');
  const objectType = cursor.acceptOneOf(['TABLE', 'VIEW', 'FUNCTION', 'DATABASE', 'CATALOG'] as const);
  if (objectType === undefined) throw cursor.errorExpected('TABLE, VIEW, FUNCTION, DATABASE or CATALOG after DROP');
  const ifExists = cursor.acceptKeywords('IF', 'EXISTS');
  const name = cursor.parseObjectName(`a ${objectType.toLowerCase()} name`);
  return { kind: 'Drop', objectType, temporary, ifExists, name, span: cursor.spanFrom(start) };
}
