/**
 * The tables a SQL statement reads and writes, from its syntax tree: written = the INSERT
 * target(s) or the CREATE TABLE AS name; read = every table name in FROM / JOIN / table-function
 * arguments (`TABLE(TUMBLE(TABLE t, ...))`), minus the names of its own CTEs. Names are reduced
 * to the table name (this platform has one catalog and database).
 */
import type * as ast from '../sql/ast.ts';
import { parseStatements } from '../sql/parser/index.ts';

export interface StatementTables {
  reads: string[];
  writes: string[];
}

function tableName(name: ast.ObjectName): string {
  return name.parts[name.parts.length - 1]!.value;
}

/** Table names referenced under `node`, skipping names bound by WITH in an enclosing query. */
function collectReads(node: unknown, ctes: ReadonlySet<string>, out: Set<string>): void {
  if (!node || typeof node !== 'object') return;
  if (Array.isArray(node)) {
    for (const item of node) collectReads(item, ctes, out);
    return;
  }
  const n = node as { kind?: string; name?: ast.ObjectName; table?: ast.ObjectName; with?: ast.CommonTableExpression[] };
  let scope = ctes;
  if (n.kind === 'Query' && n.with && n.with.length > 0) scope = new Set([...ctes, ...n.with.map((c) => c.name.value)]);
  if (n.kind === 'TableName' && n.name && !(n.name.parts.length === 1 && scope.has(tableName(n.name)))) out.add(tableName(n.name));
  if (n.kind === 'TableArgument' && n.table && !(n.table.parts.length === 1 && scope.has(tableName(n.table)))) out.add(tableName(n.table));
  for (const [key, value] of Object.entries(node)) if (key !== 'span') collectReads(value, scope, out);
}

function ofStatement(statement: ast.Statement, reads: Set<string>, writes: Set<string>): void {
  switch (statement.kind) {
    case 'Insert':
      writes.add(tableName(statement.table));
      collectReads(statement.source, new Set(), reads);
      return;
    case 'StatementSet':
      for (const insert of statement.inserts) ofStatement(insert, reads, writes);
      return;
    case 'CreateTable':
      if (statement.asQuery) {
        writes.add(tableName(statement.name));
        collectReads(statement.asQuery, new Set(), reads);
      }
      return;
    case 'Query':
      collectReads(statement, new Set(), reads);
      return;
    default:
      return;
  }
}

/** Reads and writes of the statements in `sql`; SQL that does not parse reads and writes nothing. */
export function statementTables(sql: string): StatementTables {
  const reads = new Set<string>();
  const writes = new Set<string>();
  let statements: ast.Statement[];
  try {
    statements = parseStatements(sql);
  } catch {
    return { reads: [], writes: [] };
  }
  for (const statement of statements) ofStatement(statement, reads, writes);
  return { reads: [...reads].sort(), writes: [...writes].sort() };
}
