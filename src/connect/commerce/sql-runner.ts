import type pg from 'pg';

/**
 * What the commerce code needs from `pg`: one connection that runs queries in order. A
 * `pg.Client` fits; a `pg.Pool` does not for the generator, whose transactions must stay on one
 * connection.
 */
export interface SqlRunner {
  query<R extends pg.QueryResultRow = Record<string, unknown>>(text: string, values?: unknown[]): Promise<pg.QueryResult<R>>;
}

/** Runs `work` inside BEGIN/COMMIT, rolling back on any error. */
export async function inTransaction<T>(runner: SqlRunner, work: () => Promise<T>): Promise<T> {
  await runner.query('BEGIN');
  try {
    const result = await work();
    await runner.query('COMMIT');
    return result;
  } catch (error) {
    await runner.query('ROLLBACK').catch(() => undefined);
    throw error;
  }
}
