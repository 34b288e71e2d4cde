/**
 * The SQL backend of the platform already running on the data directory (see sql-backends.ts),
 * through its REST API (POST /v1/statements). Each request is a new session on the server, so
 * the backend keeps the properties set with SET/RESET and sends them with every request.
 */
import type { StatementInfo, StatementOutcome } from '../engine/statement-registry.ts';
import { parseSql } from '../engine/sql-error-hints.ts';
import { errorFromAnswer, unreachable } from '../log/http/http-errors.ts';
import { apiKeyHeaders } from '../server/auth/client-credentials.ts';
import type { SqlBackend, SqlRunOptions } from './sql-backends.ts';

export class RemoteSqlBackend implements SqlBackend {
  readonly kind = 'remote';
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
