/** Quoting for SQL text the sinks generate (identical in DuckDB, PostgreSQL and Redshift). */

/** Quotes an identifier: always quoted, so names keep their case and may be keywords. */
export function quoteIdentifier(name: string): string {
  return `"${name.replace(/"/g, '""')}"`;
}

/** Quotes a string literal (for statements that take no parameters, such as COPY). */
export function quoteLiteral(text: string): string {
  return `'${text.replace(/'/g, "''")}'`;
}
