/**
 * The "Deduplicate topic" action: a CREATE TABLE AS that keeps the first record of each
 * combination of the chosen fields (REFERENCE.md §3):
 *
 *   CREATE TABLE <topic>_deduplicate (PRIMARY KEY (<fields>) NOT ENFORCED)
 *   WITH ('changelog.mode' = 'append')
 *   AS SELECT * FROM (SELECT *, ROW_NUMBER() OVER (PARTITION BY <fields> ORDER BY `$rowtime` ASC) AS row_num FROM <topic>)
 *   WHERE row_num = 1
 *
 * It is built as a syntax tree and printed by the SQL printer, so any topic or field name is
 * quoted correctly, and the text shown by "Show SQL" is exactly the statement that runs.
 */
import { ShiftleftError } from '../common/errors.ts';
import type * as ast from '../sql/ast.ts';
import type { Catalog } from '../sql/catalog/catalog.ts';
import { ROWTIME_COLUMN } from '../sql/catalog/table-descriptor.ts';
import { printStatement } from '../sql/printer.ts';
import { formatType } from '../types/sql-type.ts';

/** Generated nodes have no source text; a zero span keeps the tree well-formed. */
const SPAN: ast.Span = { start: 0, end: 0, line: 1, column: 1 };

const identifier = (value: string): ast.Identifier => ({ kind: 'Identifier', value, quoted: false, span: SPAN });
const objectName = (value: string): ast.ObjectName => ({ kind: 'ObjectName', parts: [identifier(value)], span: SPAN });
const column = (value: string): ast.ColumnRef => ({ kind: 'ColumnRef', parts: [identifier(value)], span: SPAN });
const star = (): ast.SelectItem => ({ kind: 'SelectItem', expression: { kind: 'Star', qualifier: [], span: SPAN }, alias: undefined, span: SPAN });

function select(items: ast.SelectItem[], from: ast.TableRef, where?: ast.Expression): ast.Query {
  const body: ast.Select = { kind: 'Select', hints: [], quantifier: undefined, items, from, where, groupBy: [], having: undefined, windows: [], span: SPAN };
  return { kind: 'Query', with: [], body, orderBy: [], limit: undefined, offset: undefined, span: SPAN };
}

export const ROW_NUMBER_COLUMN = 'row_num';

export function deduplicateTableName(topic: string): string {
  return `${topic}_deduplicate`;
}

export function deduplicateStatementName(topic: string): string {
  return `${topic}-deduplicate`;
}

/** The CREATE TABLE AS of the action, as a syntax tree. */
export function deduplicateStatement(topic: string, fields: string[], target = deduplicateTableName(topic)): ast.CreateTable {
  const rowNumber: ast.FunctionCall = {
    kind: 'FunctionCall',
    name: objectName('ROW_NUMBER'),
    args: [],
    distinct: false,
    filter: undefined,
    over: {
      kind: 'WindowSpec',
      baseWindow: undefined,
      partitionBy: fields.map(column),
      orderBy: [{ kind: 'OrderItem', expression: column(ROWTIME_COLUMN), direction: 'ASC', nulls: undefined, span: SPAN }],
      frame: undefined,
      span: SPAN,
    },
    returning: undefined,
    clauses: [],
    span: SPAN,
  };
  const source: ast.TableName = { kind: 'TableName', name: objectName(topic), hints: [], systemTime: undefined, alias: undefined, span: SPAN };
  const numbered = select([star(), { kind: 'SelectItem', expression: rowNumber, alias: identifier(ROW_NUMBER_COLUMN), span: SPAN }], source);
  const firstOnly: ast.Expression = { kind: 'Binary', operator: '=', left: column(ROW_NUMBER_COLUMN), right: { kind: 'NumberLiteral', text: '1', span: SPAN }, span: SPAN };
  const derived: ast.DerivedTable = { kind: 'DerivedTable', lateral: false, query: numbered, alias: undefined, span: SPAN };
  return {
    kind: 'CreateTable',
    orReplace: false,
    temporary: false,
    ifNotExists: false,
    name: objectName(target),
    columns: [],
    primaryKey: { kind: 'PrimaryKey', constraintName: undefined, columns: fields.map(identifier), span: SPAN },
    watermark: undefined,
    comment: undefined,
    partitionedBy: [],
    distribution: undefined,
    options: [{ kind: 'Property', key: 'changelog.mode', value: 'append', span: SPAN }],
    like: undefined,
    asQuery: select([star()], derived, firstOnly),
    span: SPAN,
  };
}

export interface DeduplicatePlan {
  topic: string;
  fields: string[];
  table: string;
  statementName: string;
  statement: ast.CreateTable;
  sql: string;
}

/** The fields a user can deduplicate on ("Fields to deduplicate"): the table's physical columns. */
export async function deduplicateFields(catalog: Catalog, topic: unknown): Promise<{ name: string; type: string }[]> {
  if (typeof topic !== 'string' || topic === '') throw new ShiftleftError('INVALID_ARGUMENT', 'topic must be a non-empty string');
  const table = await catalog.getTable([topic]).catch(() => undefined);
  if (!table) throw notATable(topic);
  return table.columns.filter((c) => c.kind === 'physical').map((c) => ({ name: c.name, type: formatType(c.type) }));
}

function notATable(topic: string): ShiftleftError {
  return new ShiftleftError('TOPIC_NOT_FOUND', `topic '${topic}' is not a table (no such topic, or no Avro value schema)`, {
    hint: 'deduplicate a topic with a registered value schema',
    details: { topic },
  });
}

/** Checks the request against the topic's table and builds the statement. */
export async function planDeduplicate(catalog: Catalog, topic: unknown, fields: unknown): Promise<DeduplicatePlan> {
  if (typeof topic !== 'string' || topic === '') throw new ShiftleftError('INVALID_ARGUMENT', 'topic must be a non-empty string');
  if (!Array.isArray(fields) || fields.length === 0 || fields.some((f) => typeof f !== 'string' || f === '')) {
    throw new ShiftleftError('INVALID_ARGUMENT', 'fields must be a non-empty array of field names', { hint: 'e.g. ["order_id", "product_id", "amount"]' });
  }
  const chosen = fields as string[];
  if (new Set(chosen).size !== chosen.length) throw new ShiftleftError('INVALID_ARGUMENT', `fields lists a field twice: ${chosen.join(', ')}`);
  const table = await catalog.getTable([topic]).catch(() => undefined);
  if (!table) throw notATable(topic);
  const physical = table.columns.filter((c) => c.kind === 'physical').map((c) => c.name);
  const unknown = chosen.filter((f) => !physical.includes(f));
  if (unknown.length > 0) {
    throw new ShiftleftError('INVALID_ARGUMENT', `topic '${topic}' has no field ${unknown.map((f) => `'${f}'`).join(', ')}`, {
      hint: `its fields: ${physical.join(', ')}`,
      details: { topic, unknown },
    });
  }
  const statement = deduplicateStatement(topic, chosen);
  return { topic, fields: chosen, table: deduplicateTableName(topic), statementName: deduplicateStatementName(topic), statement, sql: printStatement(statement) };
}
