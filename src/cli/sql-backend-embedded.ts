/**
 * The SQL backend of a platform this command started in-process (see sql-backends.ts): one SQL
 * session for the whole command, so SET carries over between lines.
 */
import type { Job } from '../engine/runtime/job.ts';
import type { SqlSession } from '../engine/sql-session.ts';
import { describeJob, StatementRegistry, toOutcome, type StatementInfo, type StatementOutcome } from '../engine/statement-registry.ts';
import { parseSql } from '../engine/sql-error-hints.ts';
import type { RunningPlatform } from '../platform.ts';
import type { SqlBackend, SqlRunOptions } from './sql-backends.ts';

export class EmbeddedSqlBackend implements SqlBackend {
  readonly kind = 'embedded';
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
