/**
 * Where `shiftleft sql` runs its statements:
 * - LocalSqlBackend: a platform this command started in-process (no platform ran on the data
 *   directory); one SQL session for the whole command, so SET carries over between lines.
 * - RemoteSqlBackend: the platform already running on the data directory, through its REST API
 *   (POST /v1/statements). Each request is a new session on the server, so the backend keeps
 *   the properties set with SET/RESET and sends them with every request.
 */
import { ShiftleftError } from '../common/errors.ts';
import type { Job } from '../engine/runtime/job.ts';
import type { SqlSession } from '../engine/sql-session.ts';
import { describeJob, StatementRegistry, toOutcome, type CollectOptions, type StatementInfo, type StatementOutcome } from '../engine/statement-registry.ts';
import { errorFromAnswer, unreachable } from '../log/http/http-errors.ts';
import type { RunningPlatform } from '../platform.ts';
import { parseSql } from '../engine/sql-error-hints.ts';
import { apiKeyHeaders } from '../server/auth/client-credentials.ts';

export interface SqlRunOptions extends CollectOptions {
  /** Called with each statement's outcome as soon as it is known (so output keeps SQL order). */
  onOutcome?: (outcome: StatementOutcome) => void;
  /** Called when a statement waited for (see LocalSqlBackend's `waitForEach`) has ended. */
  onFinished?: (info: StatementInfo) => void;
}

export interface SqlBackend {
  /** `embedded platform on DIR` or `platform at URL`, for the REPL banner. */
  readonly description: string;
  execute(sql: string, options: SqlRunOptions): Promise<StatementOutcome[]>;
  /** Waits until the statements are no longer running and returns their final state. */
  waitForStatements(names: string[], signal?: AbortSignal): Promise<StatementInfo[]>;
  /** Statements this backend started and that are still running. */
  running(): string[];
  close(): Promise<void>;
}

export class LocalSqlBackend implements SqlBackend {
  private readonly registry: StatementRegistry;
  private readonly session: SqlSession;

  /**
   * `waitForEach`: an INSERT / CTAS must complete before the next statement runs (bounded
   * scripts: a later SELECT then sees everything it wrote); a failed one stops the script.
   */
  constructor(
    private readonly platform: RunningPlatform,
    bounded: boolean,
    properties: Record<string, string>,
    private readonly waitForEach = false,
  ) {
    this.registry = StatementRegistry.of(platform.log, () => platform.urls.registry);
    this.session = this.registry.session(properties, bounded);
  }

  get description(): string {
    return `embedded platform on ${this.platform.dataDir.path} (statements stop when this command ends)`;
  }

  async execute(sql: string, options: SqlRunOptions): Promise<StatementOutcome[]> {
    const outcomes: StatementOutcome[] = [];
    // One statement at a time: a SELECT is shown before the next statement runs.
    for (const statement of parseSql(sql)) {
      const result = await this.session.executeStatement(statement);
      const outcome = await toOutcome(result, options);
      outcomes.push(outcome);
      options.onOutcome?.(outcome);
      if (result.kind === 'statement' && this.waitForEach) {
        await result.job.done;
        const info = describeJob(result.job);
        options.onFinished?.(info);
        if (info.status === 'FAILED' && result.job.error) throw result.job.error;
      }
    }
    return outcomes;
  }

  async waitForStatements(names: string[], signal?: AbortSignal): Promise<StatementInfo[]> {
    const jobs = names.map((n) => this.registry.statements.get(n)).filter((j): j is Job => j !== undefined);
    const aborted = new Promise<void>((resolve) => signal?.addEventListener('abort', () => resolve(), { once: true }));
    await Promise.race([Promise.all(jobs.map((j) => j.done)), aborted]);
    return jobs.map(describeJob);
  }

  running(): string[] {
    return this.registry.list().filter((s) => s.status === 'RUNNING' || s.status === 'PENDING').map((s) => s.name);
  }

  async close(): Promise<void> {
    await this.registry.stopAll();
    await this.platform.close();
  }
}

export class RemoteSqlBackend implements SqlBackend {
  private readonly properties: Record<string, string>;

  constructor(
    private readonly url: string,
    private readonly bounded: boolean,
    properties: Record<string, string>,
    private readonly limits: { maxRows?: number; timeoutMs?: number },
  ) {
    this.properties = { ...properties };
  }

  get description(): string {
    return `platform at ${this.url} (statements keep running there)`;
  }

  private async request(method: string, path: string, body?: unknown): Promise<unknown> {
    let response: Response;
    try {
      response = await fetch(`${this.url}${path}`, {
        method,
        headers: { 'Content-Type': 'application/json', ...apiKeyHeaders() },
        ...(body !== undefined ? { body: JSON.stringify(body) } : {}),
      });
    } catch (error) {
      throw unreachable(this.url, error);
    }
    const text = await response.text();
    if (!response.ok) throw errorFromAnswer(response.status, text, `${method} ${path}`);
    return JSON.parse(text) as unknown;
  }

  async execute(sql: string, options: SqlRunOptions): Promise<StatementOutcome[]> {
    // Parsed here too: to keep SET/RESET for later requests (and to fail fast on bad SQL).
    const statements = parseSql(sql);
    const answer = (await this.request('POST', '/v1/statements', {
      sql,
      properties: this.properties,
      bounded: this.bounded,
      maxRows: options.maxRows ?? this.limits.maxRows,
      timeoutMs: options.timeoutMs ?? this.limits.timeoutMs,
    })) as { results: StatementOutcome[] };
    for (const s of statements) {
      if (s.kind === 'SetOption' && s.key !== undefined) this.properties[s.key] = s.value ?? '';
      else if (s.kind === 'ResetOption') {
        if (s.key === undefined) for (const k of Object.keys(this.properties)) delete this.properties[k];
        else delete this.properties[s.key];
      } else if (s.kind === 'Insert' || s.kind === 'StatementSet' || (s.kind === 'CreateTable' && s.asQuery)) {
        // The server's session consumed it for this statement.
        delete this.properties['client.statement-name'];
      }
    }
    for (const outcome of answer.results) {
      if (outcome.kind === 'query' && options.onChange) for (const change of outcome.changes) options.onChange(change);
      options.onOutcome?.(outcome);
    }
    return answer.results;
  }

  async waitForStatements(names: string[], signal?: AbortSignal): Promise<StatementInfo[]> {
    for (;;) {
      const all = (await this.request('GET', '/v1/statements')) as StatementInfo[];
      const mine = all.filter((s) => names.includes(s.name));
      if (signal?.aborted || mine.every((s) => s.status !== 'RUNNING' && s.status !== 'PENDING')) return mine;
      await new Promise((resolve) => setTimeout(resolve, 200));
    }
  }

  running(): string[] {
    return [];
  }

  async close(): Promise<void> {
    /* nothing held: the platform keeps running */
  }
}

export function noPlatformUrl(dataDir: string, pid: number): ShiftleftError {
  return new ShiftleftError('DATA_DIR_LOCKED', `data directory ${dataDir} is in use by process ${pid}, which serves no platform API`, {
    hint: 'wait until it has started, stop it, or use another --data-dir',
  });
}
