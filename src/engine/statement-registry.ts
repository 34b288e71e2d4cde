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
import type { StatementStore } from './checkpoint/statement-store.ts';
import type { CheckpointInfo } from './runtime/checkpointer.ts';
import { TopicSource } from './runtime/topic-source.ts';
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
  /** Durable statements: stored, checkpointed, resumed after a restart. */
  durable?: boolean;
  delivery?: 'exactly-once' | 'at-least-once';
  lastCheckpoint?: CheckpointInfo;
}

/** `statement describe`: everything about one statement, read live. */
export interface StatementDetails extends StatementInfo {
  plan: string | null;
  operators: { id: number; name: string; recordsIn: number; recordsOut: number; lateRecordsDropped: number; stateExpired: number; watermark: number | null }[];
  /** The event time the sink has reached (the root operator's watermark). */
  watermark: number | null;
  sources: { topic: string; partition: number; offset: number; highWatermark: number; lag: number; watermark: number | null }[];
  checkpoints: { intervalMs: number | null; completed: number; last: CheckpointInfo | null; delivery: 'exactly-once' | 'at-least-once' | 'none' };
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
  /** Durable statements (a platform with a data directory): see SqlSessionOptions.durability. */
  durability?: { store: StatementStore; defaultIntervalMs?: number };
}

/** One registry per log in a process (see `StatementRegistry.of`). */
const REGISTRIES = new WeakMap<LogClient, StatementRegistry>();

export class StatementRegistry {
  readonly statements = new Map<string, Job>();

  /**
   * The registry of a platform's log: the REST routes and an in-process `shiftleft sql` share
   * it, so both see the same statements and one catalog (its table metadata is cached).
   */
  static of(log: LogClient, registryUrl: () => string, durability?: StatementRegistryOptions['durability']): StatementRegistry {
    let registry = REGISTRIES.get(log);
    if (!registry) {
      registry = new StatementRegistry({ log, registryUrl, ...(durability ? { durability } : {}) });
      REGISTRIES.set(log, registry);
    } else if (durability && !registry.options.durability) {
      registry.options.durability = durability;
    }
    return registry;
  }

  /** Why a stored statement could not be resumed at start (shown as FAILED until fixed). */
  private readonly resumeFailures = new Map<string, ShiftleftError>();

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
    const session = new SqlSession({ log: this.options.log, schemas, catalog, statements: this.statements, bounded, ...(this.options.durability ? { durability: this.options.durability } : {}) });
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

  private get store(): StatementStore | undefined {
    return this.options.durability?.store;
  }

  /** Running statements, then stored ones that are not running (stopped, or failed to resume). */
  list(): StatementInfo[] {
    const out = [...this.statements.values()].map(describeJob);
    for (const def of this.store?.definitions.values() ?? []) {
      if (this.statements.has(def.name)) continue;
      out.push(this.storedInfo(def.name));
    }
    return out;
  }

  get(name: string): StatementInfo {
    const job = this.statements.get(name);
    if (job) return describeJob(job);
    if (this.store?.definitions.has(name)) return this.storedInfo(name);
    throw notFound(name);
  }

  private storedInfo(name: string): StatementInfo {
    const def = this.store!.definitions.get(name)!;
    const failure = this.resumeFailures.get(name);
    const info: StatementInfo = { name, status: failure ? 'FAILED' : def.desiredState === 'COMPLETED' ? 'COMPLETED' : 'STOPPED', sql: def.sql, startedAt: def.updatedAt, rowsIn: 0, durable: true };
    if (failure) info.error = { code: failure.code, message: failure.message, ...(failure.hint ? { hint: failure.hint } : {}) };
    const pointer = this.store!.pointers.get(name);
    if (pointer) info.lastCheckpoint = { id: pointer.checkpointId, at: pointer.takenAt, durationMs: 0, bytes: 0 };
    return info;
  }

  /** Status, SQL, plan, per-operator metrics, watermark, lag per source partition, checkpoints. */
  async describe(name: string): Promise<StatementDetails> {
    const info = this.get(name);
    const job = this.statements.get(name);
    if (!job) {
      return { ...info, plan: null, operators: [], watermark: null, sources: [], checkpoints: { intervalMs: null, completed: 0, last: info.lastCheckpoint ?? null, delivery: info.delivery ?? 'none' } };
    }
    const finite = (n: number): number | null => (Number.isFinite(n) ? n : null);
    const operators = job.pipeline.operators.map((o) => ({ id: o.id, name: o.name, ...o.metrics, watermark: finite(o.watermark) }));
    const sources: StatementDetails['sources'] = [];
    for (const entry of job.pipeline.sources) {
      if (!(entry.topic instanceof TopicSource)) continue;
      const description = await this.options.log.describeTopic(entry.topic.name).catch(() => undefined);
      for (const p of entry.topic.partitionWatermarks()) {
        const end = description?.partitions[p.partition];
        const highWatermark = end ? (end.lastStableOffset ?? end.highWatermark) : p.offset;
        sources.push({ topic: entry.topic.name, partition: p.partition, offset: p.offset, highWatermark, lag: Math.max(0, highWatermark - p.offset), watermark: p.watermark });
      }
    }
    const checkpointer = job.checkpointer;
    return {
      ...info,
      plan: job.plan ?? null,
      operators,
      // The operator built first is the root: its watermark is what reaches the sink.
      watermark: operators[0]?.watermark ?? null,
      sources,
      checkpoints: {
        intervalMs: checkpointer?.intervalMs ?? null,
        completed: checkpointer?.completed ?? 0,
        last: checkpointer?.last ?? null,
        delivery: checkpointer?.delivery ?? 'none',
      },
    };
  }

  /** Stops a statement; a durable one stays stopped across restarts until resumed. */
  async stop(name: string): Promise<StatementInfo> {
    const job = this.statements.get(name);
    if (!job) {
      if (this.store?.definitions.has(name)) return this.storedInfo(name);
      throw notFound(name);
    }
    await job.stop();
    await this.store?.setDesiredState(name, 'STOPPED');
    return describeJob(job);
  }

  /**
   * Starts a stored statement again from its last complete checkpoint (or `fromCheckpoint`,
   * an older one the user chose after a corrupt checkpoint).
   */
  async resume(name: string, options: { fromCheckpoint?: number } = {}): Promise<StatementInfo> {
    const running = this.statements.get(name);
    if (running && (running.status === 'RUNNING' || running.status === 'PENDING')) {
      throw new ShiftleftError('STATEMENT_ALREADY_EXISTS', `statement '${name}' is already running`, { hint: `stop it first (shiftleft statement stop ${name})` });
    }
    const store = this.store;
    if (!store) throw new ShiftleftError('UNSUPPORTED', `statement '${name}' cannot be resumed: statements of this session are not durable`, { hint: 'run statements on a platform (shiftleft up) to resume them' });
    await store.open();
    const def = store.definitions.get(name);
    if (!def) throw notFound(name);
    const session = this.session({ ...def.properties, 'client.statement-name': name });
    if (options.fromCheckpoint !== undefined) session.resumeFromCheckpoint = options.fromCheckpoint;
    this.statements.delete(name);
    try {
      for (const statement of parseSql(def.sql)) await session.executeStatement(statement);
      this.resumeFailures.delete(name);
    } catch (error) {
      const failure = error instanceof ShiftleftError ? error : new ShiftleftError('INTERNAL', (error as Error).message, { cause: error });
      this.resumeFailures.set(name, failure);
      throw failure;
    }
    return this.get(name);
  }

  /** Resumes every stored statement whose user wants it running (`shiftleft up` at start). */
  async resumeAll(onError?: (name: string, error: ShiftleftError) => void): Promise<string[]> {
    const store = this.store;
    if (!store) return [];
    await store.open();
    const resumed: string[] = [];
    for (const def of [...store.definitions.values()]) {
      if (def.desiredState !== 'RUNNING' || this.statements.has(def.name)) continue;
      try {
        await this.resume(def.name);
        resumed.push(def.name);
      } catch (error) {
        onError?.(def.name, error as ShiftleftError);
      }
    }
    return resumed;
  }

  /** Stops a statement and forgets it: definition, checkpoints and files. Its output stays. */
  async delete(name: string): Promise<{ name: string; deleted: true }> {
    const job = this.statements.get(name);
    const stored = this.store?.definitions.has(name) ?? false;
    if (!job && !stored) throw notFound(name);
    if (job) await job.stop();
    this.statements.delete(name);
    this.resumeFailures.delete(name);
    if (stored) await this.store!.remove(name);
    return { name, deleted: true };
  }

  /** Stops every statement (platform shutdown): durable ones resume at the next start. */
  async stopAll(): Promise<void> {
    await Promise.all([...this.statements.values()].map((job) => job.stop()));
  }
}

function notFound(name: string): ShiftleftError {
  return new ShiftleftError('STATEMENT_NOT_FOUND', `statement '${name}' does not exist`, {
    hint: 'shiftleft statement list (or GET /v1/statements) lists the statements',
    details: { statement: name },
  });
}

export function describeJob(job: Job): StatementInfo {
  const info: StatementInfo = { name: job.name, status: job.status, sql: job.sql, startedAt: job.startedAt.toISOString(), rowsIn: job.rowsIn };
  if (job.error) info.error = { code: job.error.code, message: job.error.message, ...(job.error.hint ? { hint: job.error.hint } : {}) };
  if (job.checkpointer) {
    info.durable = true;
    info.delivery = job.checkpointer.delivery;
    if (job.checkpointer.last) info.lastCheckpoint = job.checkpointer.last;
  }
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
