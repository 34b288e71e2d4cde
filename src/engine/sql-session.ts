/**
 * A SQL session: executes Flink SQL statements against the catalog, the way a Flink SQL gateway
 * session does. Properties set with SET apply to later statements (`client.statement-name`
 * names the next INSERT; `sql.state-ttl` bounds operator state). INSERT INTO and CREATE TABLE AS
 * start long-running statements; SELECT returns a changelog the caller reads.
 */
import { ShiftleftError } from '../common/errors.ts';
import type { LogClient } from '../log/log-client.ts';
import type * as ast from '../sql/ast.ts';
import { QueryBinder, type BindContext } from '../sql/binder/bind-query.ts';
import { bindExpression } from '../sql/binder/bind-expression.ts';
import { Scope, sqlError } from '../sql/binder/scope.ts';
import type { Catalog, CreateTableDefinition } from '../sql/catalog/catalog.ts';
import type { SchemaStore } from '../sql/catalog/schema-store.ts';
import type { ColumnDescriptor, TableDescriptor } from '../sql/catalog/table-descriptor.ts';
import { printExpression, printStatement } from '../sql/printer.ts';
import { explainLogical, type Field, type LogicalPlan } from '../sql/plan/logical-plan.ts';
import { optimize } from '../sql/plan/optimizer.ts';
import { explainPhysical, type PhysicalPlan } from '../sql/plan/physical-plan.ts';
import { toPhysical } from '../sql/plan/physical-planner.ts';
import { inputRef, type ScalarExpr } from '../sql/plan/scalar-expr.ts';
import { castType, listFunctions } from './functions/function-catalog.ts';
import { formatType, sameType, typeFromAst, withNullability, type SqlType } from '../types/sql-type.ts';
import { ROW_KIND_SHORT, type ChangeBatch } from '../types/row.ts';
import { Job } from './runtime/job.ts';
import { join } from 'node:path';
import { parseStateMaxEntries, STATE_MAX_ENTRIES_PROPERTY } from './state/state-options.ts';
import { Checkpointer, DEFAULT_CHECKPOINT_INTERVAL_MS, loadCheckpoint, planFingerprint } from './runtime/checkpointer.ts';
import type { StatementStore } from './checkpoint/statement-store.ts';
import { parseSql, withPositionAndHint } from './sql-error-hints.ts';
import { Pipeline } from './runtime/pipeline.ts';

export interface SqlSessionOptions {
  log: LogClient;
  schemas: SchemaStore;
  catalog: Catalog;
  /** Where long-running statements are registered (shared by every session of a platform). */
  statements?: Map<string, Job>;
  now?: () => number;
  /** Delay of SOURCE_WATERMARK() (default 1 s). */
  sourceWatermarkDelayMs?: number;
  /** Read inputs to their current end and stop (tests, batch previews). */
  bounded?: boolean;
  idleTimeoutMs?: number;
  /**
   * Makes INSERT statements durable (a platform with a data directory): stored, checkpointed
   * every `execution.checkpointing.interval` (default 10 s), exactly-once output, resumed from
   * their last checkpoint. Without it (tests, bounded previews) statements live in memory only.
   */
  durability?: { store: StatementStore; defaultIntervalMs?: number };
}

export interface ChangeRow {
  op: string;
  row: Record<string, unknown>;
}

export type StatementResult =
  | { kind: 'message'; message: string }
  | { kind: 'table'; columns: string[]; rows: unknown[][] }
  | { kind: 'explain'; text: string }
  | { kind: 'query'; columns: Field[]; query: RunningQuery }
  | { kind: 'statement'; name: string; job: Job };

/** A running SELECT: its changelog, readable as it arrives. */
export class RunningQuery {
  readonly changes: ChangeRow[] = [];
  private waiters: (() => void)[] = [];

  constructor(
    readonly job: Job,
    readonly columns: Field[],
  ) {}

  accept(batch: ChangeBatch): void {
    for (let i = 0; i < batch.rows.length; i++) {
      const row = batch.rows[i]!;
      const named: Record<string, unknown> = {};
      this.columns.forEach((c, j) => (named[c.name] = row[j]));
      this.changes.push({ op: ROW_KIND_SHORT[batch.kinds === null ? 0 : batch.kinds[i]!]!, row: named });
    }
    const waiters = this.waiters;
    this.waiters = [];
    for (const w of waiters) w();
  }

  /** Waits until `count` changes arrived, the query ended, or the timeout passed. */
  async waitFor(count: number, timeoutMs: number): Promise<void> {
    const deadline = Date.now() + timeoutMs;
    while (this.changes.length < count && this.job.status === 'RUNNING' && Date.now() < deadline) {
      await new Promise<void>((resolve) => {
        const timer = setTimeout(resolve, Math.max(1, deadline - Date.now()));
        this.waiters.push(() => {
          clearTimeout(timer);
          resolve();
        });
        void this.job.done.then(resolve);
      });
    }
  }
}

const DURATION = /^\s*(\d+)\s*(MS|MILLISECONDS?|S|SECONDS?|MIN|MINUTES?|H|HOURS?|D|DAYS?)\s*$/i;

export function parseDuration(text: string): number {
  const m = DURATION.exec(text);
  if (!m) throw new ShiftleftError('SQL_VALIDATION_ERROR', `invalid duration '${text}'`, { hint: "write e.g. '7 DAYS', '1 h', '500 ms'" });
  const unit = m[2]!.toUpperCase();
  const factor = unit.startsWith('MS') || unit.startsWith('MILLI') ? 1 : unit.startsWith('S') ? 1000 : unit.startsWith('MIN') ? 60_000 : unit.startsWith('H') ? 3_600_000 : 86_400_000;
  return Number(m[1]) * factor;
}

export class SqlSession {
  readonly properties = new Map<string, string>();
  readonly statements: Map<string, Job>;
  private readonly now: () => number;
  private anonymous = 0;
  /** Resume the next INSERT from this checkpoint instead of the last complete one (`statement resume --from-checkpoint`). */
  resumeFromCheckpoint: number | undefined;
  /** CREATE VIEW definitions of this session, in creation order (see withViews). */
  private readonly views = new Map<string, ast.CreateView>();

  constructor(private readonly options: SqlSessionOptions) {
    this.statements = options.statements ?? new Map();
    this.now = options.now ?? Date.now;
  }

  private get catalog(): Catalog {
    return this.options.catalog;
  }

  async execute(sql: string): Promise<StatementResult[]> {
    const statements = parseSql(sql);
    const results: StatementResult[] = [];
    for (const statement of statements) results.push(await this.executeStatement(statement));
    return results;
  }

  /** Runs one statement; its errors always carry a position and a hint (sql-error-hints.ts). */
  async executeStatement(statement: ast.Statement): Promise<StatementResult> {
    try {
      return await this.runStatement(statement);
    } catch (error) {
      throw withPositionAndHint(error, statement.span);
    }
  }

  private async runStatement(statement: ast.Statement): Promise<StatementResult> {
    switch (statement.kind) {
      case 'SetOption':
        if (statement.key === undefined) return { kind: 'table', columns: ['key', 'value'], rows: [...this.properties] };
        if (statement.key === 'sql.state-ttl') parseDuration(statement.value ?? '');
        if (statement.key === STATE_MAX_ENTRIES_PROPERTY) parseStateMaxEntries(statement.value);
        this.properties.set(statement.key, statement.value ?? '');
        return { kind: 'message', message: `set '${statement.key}' = '${statement.value}'` };
      case 'ResetOption':
        if (statement.key === undefined) this.properties.clear();
        else this.properties.delete(statement.key);
        return { kind: 'message', message: statement.key ? `reset '${statement.key}'` : 'reset all properties' };
      case 'CreateTable':
        return this.createTable(statement);
      case 'AlterTable':
        return this.alterTable(statement);
      case 'CreateView':
        return this.createView(statement);
      case 'Drop':
        if (statement.objectType === 'VIEW') return this.dropView(statement);
        if (statement.objectType !== 'TABLE') throw new ShiftleftError('SQL_UNSUPPORTED', `DROP ${statement.objectType} is not supported`);
        await this.catalog.dropTable(names(statement.name), statement.ifExists);
        return { kind: 'message', message: `dropped table ${names(statement.name).join('.')}` };
      case 'Insert':
        return this.insert(statement, printStatement(statement));
      case 'StatementSet': {
        let last: StatementResult = { kind: 'message', message: 'empty statement set' };
        for (const insert of statement.inserts) last = await this.insert(insert, printStatement(insert));
        return last;
      }
      case 'Query':
        return this.select(statement);
      case 'Explain':
        return { kind: 'explain', text: await this.explain(statement.statement) };
      case 'Show':
        return this.show(statement);
      case 'Describe':
        return this.describe(statement);
      case 'ShowCreate': {
        const table = await this.requireTable(statement.name);
        return { kind: 'message', message: showCreateTable(table) };
      }
      case 'Use':
        this.catalog.tableName([...names(statement.name), 'x'].slice(statement.catalog ? -3 : -2));
        return { kind: 'message', message: 'ok' };
      default:
        throw new ShiftleftError('SQL_UNSUPPORTED', `${statement.kind} statements are not supported yet`, { hint: 'see SHOW FUNCTIONS and the README for what the engine runs' });
    }
  }

  // ---- planning -----------------------------------------------------------------------------

  private async bindContext(statement: ast.Statement): Promise<BindContext> {
    const tables = new Map<string, TableDescriptor>();
    for (const name of collectTableNames(statement)) {
      const table = await this.catalog.getTable(name);
      if (table) tables.set(table.name, table);
    }
    return {
      tables,
      tableName: (parts) => this.catalog.tableName(parts),
      sourceWatermarkDelayMs: this.options.sourceWatermarkDelayMs ?? 1000,
    };
  }

  async planQuery(query: ast.Query): Promise<{ logical: LogicalPlan; physical: PhysicalPlan }> {
    query = this.withViews(query);
    const binder = new QueryBinder(await this.bindContext(query));
    const logical = optimize(binder.bindQuery(query));
    return { logical, physical: toPhysical(logical) };
  }

  async planInsert(insert: ast.Insert): Promise<{ logical: LogicalPlan; physical: PhysicalPlan; table: TableDescriptor }> {
    insert = { ...insert, source: this.withViews(insert.source) };
    const context = await this.bindContext(insert);
    const table = context.tables.get(this.catalog.tableName(names(insert.table)));
    if (!table) throw this.catalog.unknownTable(names(insert.table).join('.'));
    const query = new QueryBinder(context).bindQuery(insert.source);
    const logical = optimize(this.sinkPlan(query, table, insert.columns, insert.span));
    return { logical, physical: toPhysical(logical), table };
  }

  /** Lines the query's columns up with the table's physical columns, casting where needed. */
  private sinkPlan(query: LogicalPlan, table: TableDescriptor, columns: ast.Identifier[], span: ast.Span): LogicalPlan {
    const targets = table.columns.filter((c) => c.kind === 'physical');
    const visible = query.fields.map((f, i) => ({ f, i })).filter(({ f }) => !f.hidden);
    const mapping = columns.length > 0 ? columns.map((c) => c.value) : targets.map((t) => t.name);
    for (const name of mapping) {
      if (!targets.some((t) => t.name === name)) throw sqlError('SQL_UNKNOWN_COLUMN', span, `table '${table.name}' has no column '${name}'`);
    }
    if (visible.length !== mapping.length) {
      throw sqlError(
        'SQL_VALIDATION_ERROR',
        span,
        `the query produces ${visible.length} columns but table '${table.name}' takes ${mapping.length}`,
        `target columns: ${targets.map((t) => `${t.name} ${formatType(t.type)}`).join(', ')}`,
      );
    }
    const exprs: ScalarExpr[] = [];
    const fields: Field[] = [];
    for (const target of targets) {
      const position = mapping.indexOf(target.name);
      if (position < 0) {
        if (!target.type.nullable) throw sqlError('SQL_VALIDATION_ERROR', span, `column '${target.name}' is NOT NULL and is not written by the INSERT`);
        exprs.push({ kind: 'Literal', value: null, type: target.type });
        fields.push({ name: target.name, type: target.type });
        continue;
      }
      const { f, i } = visible[position]!;
      let expr: ScalarExpr = inputRef(i, f.type);
      if (!sameType(f.type, target.type, true)) {
        // Fix (errors.test.ts): any castable type was written, so `INSERT INTO t(int_col)
        // SELECT string_col` ran and failed (or wrote garbage) at run time. As in Flink, an
        // INSERT converts implicitly only within a type family; anything else needs a CAST.
        if (typeFamily(f.type) !== typeFamily(target.type) && f.type.kind !== 'NULL') {
          throw sqlError('SQL_TYPE_MISMATCH', span, `cannot write ${formatType(f.type)} (column ${position + 1}, '${f.name}') into column '${target.name}' ${formatType(target.type)} of table '${table.name}'`, `cast it: CAST(${f.name} AS ${formatType(withNullability(target.type, true))})`);
        }
        try {
          expr = castType(expr, withNullability(target.type, f.type.nullable));
        } catch {
          throw sqlError('SQL_TYPE_MISMATCH', span, `cannot write ${formatType(f.type)} (column ${position + 1}, '${f.name}') into column '${target.name}' ${formatType(target.type)} of table '${table.name}'`, `cast it: CAST(${f.name} AS ${formatType(target.type)})`);
        }
      }
      exprs.push(expr);
      fields.push({ name: target.name, type: expr.type, timeAttribute: expr.kind === 'InputRef' ? f.timeAttribute : undefined });
    }
    // The query's rowtime rides along (hidden) so written records keep their event time.
    const rowtime = query.fields.findIndex((f) => f.timeAttribute === 'rowtime');
    if (rowtime >= 0 && !fields.some((f) => f.timeAttribute === 'rowtime')) {
      exprs.push(inputRef(rowtime, query.fields[rowtime]!.type));
      fields.push({ name: '$rowtime', type: query.fields[rowtime]!.type, timeAttribute: 'rowtime', hidden: true });
    }
    const project: LogicalPlan = { kind: 'Project', input: query, exprs, fields };
    return { kind: 'Sink', input: project, table, columnSources: targets.map((_, i) => i), fields };
  }

  async explain(statement: ast.Statement): Promise<string> {
    const planned = statement.kind === 'Insert' ? await this.planInsert(statement) : statement.kind === 'Query' ? await this.planQuery(statement) : undefined;
    if (!planned) throw new ShiftleftError('SQL_UNSUPPORTED', `EXPLAIN supports SELECT and INSERT, not ${statement.kind}`);
    return `== Optimized Logical Plan ==\n${explainLogical(planned.logical)}\n\n== Physical Plan ==\n${explainPhysical(planned.physical)}\n`;
  }

  private stateTtlMs(): number {
    const ttl = this.properties.get('sql.state-ttl');
    return ttl ? parseDuration(ttl) : 0;
  }

  /** `sql.source.max-batch-records`: records per source poll (see PipelineOptions.maxBatchRecords). */
  private maxBatchRecords(): number | undefined {
    const value = this.properties.get('sql.source.max-batch-records');
    if (value === undefined) return undefined;
    const n = Number(value);
    if (!Number.isInteger(n) || n < 1) throw new ShiftleftError('SQL_VALIDATION_ERROR', `'sql.source.max-batch-records' must be a positive integer, got '${value}'`);
    return n;
  }

  private pipeline(statementName: string): Pipeline {
    return new Pipeline({
      log: this.options.log,
      schemas: this.options.schemas,
      bounded: this.options.bounded ?? false,
      startFrom: this.properties.get('sql.tables.scan.startup.mode') === 'latest-offset' ? 'latest' : 'earliest',
      stateTtlMs: this.stateTtlMs(),
      idleTimeoutMs: this.options.idleTimeoutMs ?? 5000,
      // Records a statement cannot decode go here, with the reason in their headers.
      maxBatchRecords: this.maxBatchRecords(),
      errorTopic: `_statement-errors-${statementName}`.replace(/[^a-zA-Z0-9._-]/g, '_').slice(0, 240),
      now: this.now,
      state: {
        maxEntriesInMemory: parseStateMaxEntries(this.properties.get(STATE_MAX_ENTRIES_PROPERTY)),
        // A durable statement spills under its own directory; others in the temp directory.
        ...(this.options.durability && !this.options.bounded ? { spillRoot: join(this.options.durability.store.checkpoints(statementName).dir, 'state') } : {}),
      },
    });
  }

  // ---- statements ---------------------------------------------------------------------------

  private takeStatementName(prefix: string): string {
    const name = this.properties.get('client.statement-name');
    this.properties.delete('client.statement-name');
    if (name) {
      const existing = this.statements.get(name);
      if (existing && (existing.status === 'RUNNING' || existing.status === 'PENDING')) {
        throw new ShiftleftError('STATEMENT_ALREADY_EXISTS', `statement '${name}' is already running`, { hint: `stop it first (shiftleft statement stop ${name}) or choose another client.statement-name` });
      }
      return name;
    }
    // Fix: sessions share the statements map (one session per REST request), and each
    // session's counter starts at 1, so a generated name is checked against the map too.
    let generated: string;
    do generated = `${prefix}-${++this.anonymous}-${this.now().toString(36)}`;
    while (this.statements.has(generated));
    return generated;
  }

  private async insert(insert: ast.Insert, sql: string): Promise<StatementResult> {
    const { physical } = await this.planInsert(insert);
    const name = this.takeStatementName('insert');
    const pipeline = this.pipeline(name);
    pipeline.build(physical, { push: () => undefined, watermark: () => undefined });
    const durability = this.options.bounded ? undefined : this.options.durability;
    const checkpointer = durability ? await this.durable(name, insert, physical, pipeline, durability.store, durability.defaultIntervalMs) : undefined;
    const job = new Job(name, sql, pipeline, checkpointer ? { checkpointer } : {});
    job.plan = explainPhysical(physical);
    this.statements.set(name, job);
    void job.start();
    // A statement whose inputs ended (INSERT ... VALUES) is done: it does not resume at start.
    if (durability) void job.done.then(() => (job.status === 'COMPLETED' ? durability.store.setDesiredState(name, 'COMPLETED') : undefined)).catch(() => undefined);
    return { kind: 'statement', name, job };
  }

  /**
   * Stores the statement and restores its last complete checkpoint, if it has one. A name that
   * is stored with other SQL is refused: resuming would put old state under a new query.
   */
  private async durable(name: string, insert: ast.Insert, physical: PhysicalPlan, pipeline: Pipeline, store: StatementStore, defaultIntervalMs = DEFAULT_CHECKPOINT_INTERVAL_MS): Promise<Checkpointer> {
    await store.open();
    const sql = printStatement({ ...insert, source: this.withViews(insert.source) });
    const fingerprint = planFingerprint(physical);
    const stored = store.definitions.get(name);
    if (stored && stored.sql !== sql) {
      throw new ShiftleftError('STATEMENT_ALREADY_EXISTS', `statement '${name}' already exists with other SQL`, {
        hint: `delete it first (shiftleft statement delete ${name}) to replace it, or choose another client.statement-name`,
        details: { statement: name, storedSql: stored.sql },
      });
    }
    const interval = this.properties.get('execution.checkpointing.interval');
    const intervalMs = interval ? parseDuration(interval) : defaultIntervalMs;
    if (intervalMs <= 0) throw new ShiftleftError('SQL_VALIDATION_ERROR', `'execution.checkpointing.interval' must be positive, got '${interval}'`, { hint: "for example SET 'execution.checkpointing.interval' = '10 s'" });
    const from = this.resumeFromCheckpoint ?? store.pointers.get(name)?.checkpointId;
    this.resumeFromCheckpoint = undefined;
    if (from !== undefined) pipeline.restoreState(loadCheckpoint(store.checkpoints(name), from, fingerprint).pipeline);
    const now = new Date().toISOString();
    await store.save({ name, sql, properties: Object.fromEntries(this.properties), desiredState: 'RUNNING', createdAt: stored?.createdAt ?? now, updatedAt: now });
    const checkpointer = new Checkpointer({ statement: name, log: this.options.log, store, intervalMs, planFingerprint: fingerprint, ...(from !== undefined ? { restoredFrom: from } : {}), now: this.now });
    if (pipeline.sink) pipeline.sink.writer = checkpointer.writer;
    return checkpointer;
  }

  private async select(query: ast.Query): Promise<StatementResult> {
    const { physical } = await this.planQuery(query);
    const columns = physical.fields.filter((f) => !f.hidden);
    const pipeline = this.pipeline('select');
    const visible = physical.fields.map((f, i) => ({ f, i })).filter(({ f }) => !f.hidden).map(({ i }) => i);
    const holder: { query?: RunningQuery } = {};
    pipeline.build(physical, {
      push: (batch) => holder.query!.accept(visible.length === physical.fields.length ? batch : { kinds: batch.kinds, rows: batch.rows.map((r) => visible.map((i) => r[i])) }),
      watermark: () => undefined,
    });
    const job = new Job(`select-${++this.anonymous}`, printStatement(query), pipeline);
    const running = new RunningQuery(job, columns);
    holder.query = running;
    void job.start();
    return { kind: 'query', columns, query: running };
  }

  private async requireTable(name: ast.ObjectName): Promise<TableDescriptor> {
    const table = await this.catalog.getTable(names(name));
    if (!table) throw this.catalog.unknownTable(names(name).join('.'));
    return table;
  }

  private async createTable(statement: ast.CreateTable): Promise<StatementResult> {
    if (statement.like) throw new ShiftleftError('SQL_UNSUPPORTED', 'CREATE TABLE ... LIKE is not supported yet');
    const tableName = this.catalog.tableName(names(statement.name));
    let columns: ColumnDescriptor[] = [];
    let queryPlan: { physical: PhysicalPlan; logical: LogicalPlan } | undefined;
    if (statement.asQuery) {
      queryPlan = await this.planQuery(statement.asQuery);
      columns = queryPlan.logical.fields.filter((f) => !f.hidden).map((f) => ({ name: f.name, type: f.type, kind: 'physical' }));
    }
    const declared = statement.columns.filter((c) => c.kind === 'PhysicalColumn');
    for (const c of declared) {
      const column: ColumnDescriptor = { name: c.name.value, type: typeFromAst(c.type), kind: 'physical', comment: c.comment };
      const existing = columns.findIndex((x) => x.name === column.name);
      if (existing >= 0) columns[existing] = column;
      else columns.push(column);
    }
    for (const c of statement.columns) {
      if (c.kind === 'MetadataColumn') columns.push({ name: c.name.value, type: typeFromAst(c.type), kind: 'metadata', metadataKey: c.metadataKey ?? c.name.value, virtual: c.virtual, comment: c.comment });
    }
    const scope = new Scope(columns.map((c) => ({ name: c.name, type: c.type })));
    for (const c of statement.columns) {
      if (c.kind === 'ComputedColumn') {
        const expr = bindExpression(c.expression, { scope, clause: `computed column ${c.name.value}` });
        columns.push({ name: c.name.value, type: expr.type, kind: 'computed', expression: printExpression(c.expression), comment: c.comment });
      }
    }
    const seen = new Set<string>();
    for (const c of columns) {
      if (seen.has(c.name)) throw sqlError('SQL_VALIDATION_ERROR', statement.span, `column '${c.name}' is declared twice`);
      seen.add(c.name);
    }
    const primaryKey = statement.primaryKey?.columns.map((c) => c.value);
    for (const k of primaryKey ?? []) {
      const at = columns.findIndex((c) => c.name === k && c.kind === 'physical');
      if (at < 0) throw sqlError('SQL_VALIDATION_ERROR', statement.primaryKey!.span, `primary key column '${k}' is not a physical column of the table`);
      columns[at] = { ...columns[at]!, type: withNullability(columns[at]!.type, false) };
    }
    let watermark: CreateTableDefinition['watermark'];
    if (statement.watermark) {
      const column = statement.watermark.column.parts.map((p) => p.value).join('.');
      const type = columns.find((c) => c.name === column)?.type;
      if (!type) throw sqlError('SQL_UNKNOWN_COLUMN', statement.watermark.span, `watermark column '${column}' is not a column of the table`);
      if (type.kind !== 'TIMESTAMP' && type.kind !== 'TIMESTAMP_LTZ') throw sqlError('SQL_TYPE_MISMATCH', statement.watermark.span, `watermark column '${column}' must be TIMESTAMP(3) or TIMESTAMP_LTZ(3), not ${formatType(type)}`);
      bindExpression(statement.watermark.expression, { scope, clause: 'WATERMARK' });
      watermark = { column, expression: printExpression(statement.watermark.expression) };
    }
    const options = Object.fromEntries(statement.options.map((p) => [p.key, p.value]));
    const definition: CreateTableDefinition = {
      name: tableName,
      columns,
      primaryKey,
      distributedBy: statement.distribution?.columns.map((c) => c.value),
      buckets: statement.distribution?.buckets,
      watermark,
      options,
      comment: statement.comment,
    };
    if (queryPlan && queryPlan.physical.changelog !== 'append' && !primaryKey) {
      // Checked before the table exists, so a refused CTAS leaves nothing behind.
      throw sqlError('SQL_PLAN_ERROR', statement.span, `table '${tableName}' would be append-only but the query produces updates`, 'declare a PRIMARY KEY (...) NOT ENFORCED on the new table so it can take updates');
    }
    const outcome = await this.catalog.createTable(definition, statement.ifNotExists);
    if (!statement.asQuery || outcome === 'exists') {
      return { kind: 'message', message: outcome === 'exists' ? `table ${tableName} already exists` : `created table ${tableName}` };
    }
    const insert: ast.Insert = {
      kind: 'Insert',
      overwrite: false,
      table: statement.name,
      hints: [],
      partition: [],
      columns: [],
      source: statement.asQuery,
      span: statement.span,
    };
    return this.insert(insert, printStatement(statement));
  }

  // ---- views ---------------------------------------------------------------------------------

  /**
   * CREATE VIEW: kept in the session (like Flink's temporary views) and expanded where it is
   * used, as a WITH item of the query (see withViews), so a view needs nothing from the binder
   * or the planner beyond CTEs. The query is planned once here to report errors early.
   */
  private async createView(statement: ast.CreateView): Promise<StatementResult> {
    const name = this.catalog.tableName(names(statement.name));
    if (this.views.has(name)) {
      if (statement.ifNotExists) return { kind: 'message', message: `view ${name} already exists` };
      throw new ShiftleftError('SQL_VALIDATION_ERROR', `view '${name}' already exists`, { hint: 'use CREATE VIEW IF NOT EXISTS, or DROP VIEW first' });
    }
    await this.planQuery(statement.query);
    this.views.set(name, statement);
    return { kind: 'message', message: `created view ${name}` };
  }

  private dropView(statement: ast.Drop): StatementResult {
    const name = this.catalog.tableName(names(statement.name));
    if (!this.views.delete(name) && !statement.ifExists) throw new ShiftleftError('SQL_UNKNOWN_TABLE', `view '${name}' does not exist`);
    return { kind: 'message', message: `dropped view ${name}` };
  }

  /** The query with the views it uses (directly or through other views) prepended as WITH items. */
  private withViews(query: ast.Query): ast.Query {
    if (this.views.size === 0) return query;
    const needed = new Set<string>();
    const visit = (node: unknown): void => {
      for (const parts of collectTableNames(node)) {
        const name = parts[parts.length - 1]!;
        const view = this.views.get(name);
        if (view && !needed.has(name)) {
          needed.add(name);
          visit(view.query);
        }
      }
    };
    visit(query);
    if (needed.size === 0) return query;
    // Creation order: a view can only use views created before it.
    const ctes: ast.CommonTableExpression[] = [...this.views.entries()]
      .filter(([name]) => needed.has(name))
      .map(([name, view]) => ({ kind: 'CommonTableExpression', name: { ...view.name.parts[view.name.parts.length - 1]!, value: name }, columns: view.columns, query: view.query, span: view.span }));
    return { ...query, with: [...ctes, ...query.with] };
  }

  private async alterTable(statement: ast.AlterTable): Promise<StatementResult> {
    const parts = names(statement.name);
    const action = statement.action;
    const table = await this.catalog.getTable(parts);
    if (!table) {
      if (statement.ifExists) return { kind: 'message', message: 'table does not exist; nothing altered' };
      throw this.catalog.unknownTable(parts.join('.'));
    }
    switch (action.kind) {
      case 'AlterTableSetOptions':
        await this.catalog.setOptions(parts, Object.fromEntries(action.options.map((p) => [p.key, p.value])));
        return { kind: 'message', message: `altered table ${table.name}` };
      case 'AlterTableResetOptions':
        await this.catalog.setOptions(parts, {}, action.keys);
        return { kind: 'message', message: `altered table ${table.name}` };
      case 'AlterTableDropConstraint':
        if (action.target === 'WATERMARK') {
          await this.catalog.setWatermark(parts, undefined);
          return { kind: 'message', message: `dropped the watermark of ${table.name}` };
        }
        throw new ShiftleftError('SQL_UNSUPPORTED', 'only DROP WATERMARK is supported among ALTER TABLE ... DROP constraints');
      case 'AlterTableAddOrModify': {
        const scope = new Scope(table.columns.map((c) => ({ name: c.name, type: c.type })));
        for (const element of action.elements) {
          if (element.kind === 'Watermark') {
            const column = element.column.parts.map((p) => p.value).join('.');
            const col = table.columns.find((c) => c.name === column);
            if (!col) throw sqlError('SQL_UNKNOWN_COLUMN', element.span, `watermark column '${column}' is not a column of table '${table.name}'`, `columns: ${table.columns.map((c) => c.name).join(', ')}`);
            if (col.type.kind !== 'TIMESTAMP' && col.type.kind !== 'TIMESTAMP_LTZ') {
              throw sqlError('SQL_TYPE_MISMATCH', element.span, `watermark column '${column}' must be TIMESTAMP(3) or TIMESTAMP_LTZ(3), not ${formatType(col.type)}`);
            }
            bindExpression(element.expression, { scope, clause: 'WATERMARK' });
            await this.catalog.setWatermark(parts, { column, expression: printExpression(element.expression) });
          } else if (element.kind === 'ComputedColumn' && action.operation === 'ADD') {
            const expr = bindExpression(element.expression, { scope, clause: `computed column ${element.name.value}` });
            await this.catalog.addColumns(parts, [{ name: element.name.value, type: expr.type, kind: 'computed', expression: printExpression(element.expression) }]);
          } else if (element.kind === 'MetadataColumn' && action.operation === 'ADD') {
            await this.catalog.addColumns(parts, [{ name: element.name.value, type: typeFromAst(element.type), kind: 'metadata', metadataKey: element.metadataKey ?? element.name.value, virtual: element.virtual }]);
          } else {
            throw new ShiftleftError('SQL_UNSUPPORTED', `ALTER TABLE ${action.operation} of a ${element.kind} is not supported`, {
              hint: 'physical columns come from the value schema: evolve the schema in the registry instead',
            });
          }
        }
        return { kind: 'message', message: `altered table ${table.name}` };
      }
      default:
        throw new ShiftleftError('SQL_UNSUPPORTED', `ALTER TABLE ... ${action.kind.replace('AlterTable', '')} is not supported yet`);
    }
  }

  private async show(statement: ast.Show): Promise<StatementResult> {
    switch (statement.object) {
      case 'TABLES': {
        let tables = await this.catalog.listTables();
        if (statement.like) {
          const regex = new RegExp('^' + statement.like.pattern.replace(/[.*+?^${}()|[\]\\]/g, '\\$&').replace(/%/g, '.*').replace(/_/g, '.') + '$', statement.like.ilike ? 'i' : '');
          tables = tables.filter((t) => regex.test(t) !== statement.like!.negated);
        }
        return { kind: 'table', columns: ['table name'], rows: tables.map((t) => [t]) };
      }
      case 'FUNCTIONS':
        return { kind: 'table', columns: ['function name'], rows: listFunctions().map((f) => [f]) };
      case 'STATEMENTS':
      case 'JOBS':
        return { kind: 'table', columns: ['name', 'status', 'sql'], rows: [...this.statements.values()].map((j) => [j.name, j.status, j.sql]) };
      case 'CATALOGS':
        return { kind: 'table', columns: ['catalog name'], rows: [[this.catalog.catalogName]] };
      case 'DATABASES':
        return { kind: 'table', columns: ['database name'], rows: [[this.catalog.databaseName]] };
      case 'CURRENT CATALOG':
        return { kind: 'table', columns: ['current catalog name'], rows: [[this.catalog.catalogName]] };
      case 'CURRENT DATABASE':
        return { kind: 'table', columns: ['current database name'], rows: [[this.catalog.databaseName]] };
      default:
        throw new ShiftleftError('SQL_UNSUPPORTED', `SHOW ${statement.object} is not supported`);
    }
  }

  private async describe(statement: ast.Describe): Promise<StatementResult> {
    const table = await this.requireTable(statement.name);
    const rows = table.columns.map((c) => [
      c.name,
      formatType(c.type),
      c.type.nullable ? 'YES' : 'NO',
      table.primaryKey?.includes(c.name) ? `PRI(${table.primaryKey.join(', ')})` : '',
      c.kind === 'computed' ? `AS ${c.expression}` : c.kind === 'metadata' ? `METADATA${c.metadataKey && c.metadataKey !== c.name ? ` FROM '${c.metadataKey}'` : ''}${c.virtual ? ' VIRTUAL' : ''}` : '',
      table.watermark?.column === c.name ? table.watermark.expression : '',
    ]);
    return { kind: 'table', columns: ['name', 'type', 'null', 'key', 'extras', 'watermark'], rows };
  }
}

/** Families within which INSERT converts implicitly (numeric widening or narrowing, string lengths, timestamp kinds). */
function typeFamily(type: SqlType): string {
  switch (type.kind) {
    case 'TINYINT':
    case 'SMALLINT':
    case 'INT':
    case 'BIGINT':
    case 'FLOAT':
    case 'DOUBLE':
    case 'DECIMAL':
      return 'numeric';
    case 'CHAR':
    case 'VARCHAR':
      return 'character';
    case 'BINARY':
    case 'VARBINARY':
      return 'binary';
    case 'TIMESTAMP':
    case 'TIMESTAMP_LTZ':
      return 'timestamp';
    default:
      return type.kind;
  }
}

function names(name: ast.ObjectName): string[] {
  return name.parts.map((p) => p.value);
}

/** Every table name a statement mentions (for looking them up before binding). */
export function collectTableNames(node: unknown, out: string[][] = []): string[][] {
  if (!node || typeof node !== 'object') return out;
  if (Array.isArray(node)) {
    for (const item of node) collectTableNames(item, out);
    return out;
  }
  const n = node as { kind?: string; name?: ast.ObjectName; table?: ast.ObjectName };
  if ((n.kind === 'TableName' || n.kind === 'CreateTable') && n.name) out.push(names(n.name));
  if ((n.kind === 'TableArgument' || n.kind === 'Insert') && n.table) out.push(names(n.table));
  for (const [key, value] of Object.entries(node)) if (key !== 'span') collectTableNames(value, out);
  return out;
}

function showCreateTable(table: TableDescriptor): string {
  const cols = table.columns
    .filter((c) => !c.system)
    .map((c) =>
      c.kind === 'computed'
        ? `  \`${c.name}\` AS ${c.expression}`
        : c.kind === 'metadata'
          ? `  \`${c.name}\` ${formatType(c.type)} METADATA${c.metadataKey && c.metadataKey !== c.name ? ` FROM '${c.metadataKey}'` : ''}${c.virtual ? ' VIRTUAL' : ''}`
          : `  \`${c.name}\` ${formatType(c.type)}`,
    );
  if (table.primaryKey) cols.push(`  PRIMARY KEY (${table.primaryKey.map((k) => `\`${k}\``).join(', ')}) NOT ENFORCED`);
  if (table.watermark && table.watermark.column !== '$rowtime') cols.push(`  WATERMARK FOR \`${table.watermark.column}\` AS ${table.watermark.expression}`);
  const options = { ...table.options, 'changelog.mode': table.changelogMode };
  return `CREATE TABLE \`${table.catalog}\`.\`${table.database}\`.\`${table.name}\` (\n${cols.join(',\n')}\n)\nWITH (\n${Object.entries(options)
    .map(([k, v]) => `  '${k}' = '${v}'`)
    .join(',\n')}\n)`;
}

