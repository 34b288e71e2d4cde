/**
 * The statements of one platform: a SQL session per request (with the request's properties)
 * over one shared catalog and one shared map of long-running statements, so an INSERT started by
 * one request is listed, described and stopped by the next. Used by the REST API
 * (POST /v1/statements) and by `shiftleft sql` when it runs the platform in-process.
 *
 * `execute` turns every result into plain JSON (`StatementOutcome`): a SELECT's changelog is
 * collected until `maxRows` changes, `timeoutMs`, or the end of its (bounded) inputs, and then
 * the query is stopped; INSERT and CREATE TABLE AS keep running and answer with their name.
 */
import { ShiftleftError } from '../common/errors.ts';
import type { LogClient } from '../log/log-client.ts';
import { Catalog } from '../sql/catalog/catalog.ts';
import { parseSql } from './sql-error-hints.ts';
import { RegistrySchemaStore, type SchemaStore } from '../sql/catalog/schema-store.ts';
import { formatType } from '../types/sql-type.ts';
import type { Job, JobStatus } from './runtime/job.ts';
import { SqlSession, type ChangeRow, type RunningQuery, type StatementResult } from './sql-session.ts';
import { jsonRow, jsonValue } from './sql-values.ts';

export interface StatementRequest {
  sql: string;
  /** Session properties, as if SET before the SQL (`client.statement-name`, `sql.state-ttl`...). */
  properties?: Record<string, string>;
  /** Stop a SELECT after this many changes. */
  maxRows?: number;
  /** Stop a SELECT after this long. */
  timeoutMs?: number;
  /** Read inputs to their current end and stop (SELECTs end by themselves; INSERTs complete). */
  bounded?: boolean;
}

export interface ColumnInfo {
  name: string;
  type: string;
}

export type StatementOutcome =
  | { kind: 'message'; message: string }
  | { kind: 'table'; columns: string[]; rows: unknown[][] }
  | { kind: 'explain'; text: string }
  | { kind: 'query'; columns: ColumnInfo[]; changes: ChangeRow[]; status: JobStatus; truncated: boolean }
  | { kind: 'statement'; name: string; status: JobStatus };

export interface StatementInfo {
  name: string;
  status: JobStatus;
  sql: string;
  startedAt: string;
  rowsIn: number;
  error?: { code: string; message: string; hint?: string };
}

export interface CollectOptions {
  maxRows?: number;
  timeoutMs?: number;
  /** Called with each change as it arrives (the CLI streams JSON lines). */
  onChange?: (change: ChangeRow) => void;
  /** Stops the query early (Ctrl-C in the REPL). */
  signal?: AbortSignal;
}

export interface StatementRegistryOptions {
  log: LogClient;
  /** The registry's URL, read when the first statement runs (servers pick ports late). */
  registryUrl?: () => string;
  /** Or a schema store directly (tests). */
  schemas?: SchemaStore;
}

/** One registry per log in a process (see `StatementRegistry.of`). */
const REGISTRIES = new WeakMap<LogClient, StatementRegistry>();

export class StatementRegistry {
  readonly statements = new Map<string, Job>();

  /**
   * The registry of a platform's log: the REST routes and an in-process `shiftleft sql` share
   * it, so both see the same statements and one catalog (its table metadata is cached).
   */
  static of(log: LogClient, registryUrl: () => string): StatementRegistry {
    let registry = REGISTRIES.get(log);
    if (!registry) {
      registry = new StatementRegistry({ log, registryUrl });
      REGISTRIES.set(log, registry);
    }
    return registry;
  }

  private shared: { schemas: SchemaStore; catalog: Catalog } | undefined;

  constructor(private readonly options: StatementRegistryOptions) {}

  private get parts(): { schemas: SchemaStore; catalog: Catalog } {
    if (!this.shared) {
      const schemas = this.options.schemas ?? new RegistrySchemaStore(this.options.registryUrl!());
      this.shared = { schemas, catalog: new Catalog({ log: this.options.log, schemas }) };
    }
    return this.shared;
  }

  /** A new session sharing the catalog and the statements. */
  session(properties: Record<string, string> = {}, bounded = false): SqlSession {
    const { schemas, catalog } = this.parts;
    const session = new SqlSession({ log: this.options.log, schemas, catalog, statements: this.statements, bounded });
    for (const [key, value] of Object.entries(properties)) session.properties.set(key, String(value));
    return session;
  }

  /** Runs every statement of `request.sql` in one session, in order; the first failure throws. */
  async execute(request: StatementRequest, collect: Omit<CollectOptions, 'maxRows' | 'timeoutMs'> = {}): Promise<StatementOutcome[]> {
    const session = this.session(request.properties, request.bounded ?? false);
    const outcomes: StatementOutcome[] = [];
    // One statement at a time, so a SELECT is collected before the next statement runs.
    for (const statement of parseSql(request.sql)) {
      const result = await session.executeStatement(statement);
      outcomes.push(await toOutcome(result, { ...collect, maxRows: request.maxRows, timeoutMs: request.timeoutMs }));
    }
    return outcomes;
  }

  list(): StatementInfo[] {
    return [...this.statements.values()].map(describeJob);
  }

  get(name: string): StatementInfo {
    return describeJob(this.require(name));
  }

  async stop(name: string): Promise<StatementInfo> {
    const job = this.require(name);
    await job.stop();
    return describeJob(job);
  }

  async stopAll(): Promise<void> {
    await Promise.all([...this.statements.values()].map((job) => job.stop()));
  }

  private require(name: string): Job {
    const job = this.statements.get(name);
    if (!job) {
      throw new ShiftleftError('STATEMENT_NOT_FOUND', `statement '${name}' does not exist`, {
        hint: 'GET /v1/statements (or SHOW STATEMENTS) lists the statements',
        details: { statement: name },
      });
    }
    return job;
  }
}

export function describeJob(job: Job): StatementInfo {
  const info: StatementInfo = { name: job.name, status: job.status, sql: job.sql, startedAt: job.startedAt.toISOString(), rowsIn: job.rowsIn };
  if (job.error) info.error = { code: job.error.code, message: job.error.message, ...(job.error.hint ? { hint: job.error.hint } : {}) };
  return info;
}

/** A session result as JSON; a SELECT is collected first (see `collectQuery`). */
export async function toOutcome(result: StatementResult, options: CollectOptions): Promise<StatementOutcome> {
  switch (result.kind) {
    case 'message':
    case 'explain':
      return result;
    case 'table':
      return { kind: 'table', columns: result.columns, rows: result.rows.map((r) => r.map((v) => jsonValue(v, { kind: 'VARCHAR', length: 0, nullable: true }))) };
    case 'statement':
      return { kind: 'statement', name: result.name, status: result.job.status };
    case 'query': {
      const columns = result.columns.map((c) => ({ name: c.name, type: c.type }));
      const { changes, truncated } = await collectQuery(result.query, {
        ...options,
        onChange: options.onChange && ((change) => options.onChange!({ op: change.op, row: jsonRow(change.row, columns) })),
      });
      return {
        kind: 'query',
        columns: columns.map((c) => ({ name: c.name, type: formatType(c.type) })),
        changes: changes.map((c) => ({ op: c.op, row: jsonRow(c.row, columns) })),
        status: result.query.job.status,
        truncated,
      };
    }
  }
}

/**
 * Waits for a query's changes until `maxRows`, the timeout, the abort signal or the end of the
 * query, then stops it. A query that failed throws its error.
 */
export async function collectQuery(query: RunningQuery, options: CollectOptions): Promise<{ changes: ChangeRow[]; truncated: boolean }> {
  const limit = options.maxRows ?? Infinity;
  const deadline = options.timeoutMs === undefined ? Infinity : Date.now() + options.timeoutMs;
  let seen = 0;
  const deliver = () => {
    const upTo = Math.min(query.changes.length, limit);
    for (; seen < upTo; seen++) options.onChange?.(query.changes[seen]!);
  };
  while (seen < limit && query.job.status === 'RUNNING' && Date.now() < deadline && !options.signal?.aborted) {
    // Short waits so the deadline and the abort signal are noticed promptly.
    await query.waitFor(Math.min(limit, seen + 1), Math.max(1, Math.min(250, deadline - Date.now())));
    deliver();
  }
  deliver();
  if (query.job.status === 'RUNNING' || query.job.status === 'PENDING') await query.job.stop();
  if (query.job.status === 'FAILED' && query.job.error) throw query.job.error;
  const truncated = query.changes.length > limit;
  return { changes: query.changes.slice(0, Math.min(limit, query.changes.length)), truncated };
}
