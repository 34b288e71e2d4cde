/**
 * The SQL statements API on the platform port:
 *   POST   /v1/statements        { sql, properties?, maxRows?, timeoutMs?, bounded? }
 *                                → { results: StatementOutcome[] }
 *   GET    /v1/statements        → the long-running statements with their status
 *   GET    /v1/statements/:name  → describe: status, SQL, plan, operator metrics, watermark,
 *                                  lag per source partition, checkpoints
 *   POST   /v1/statements/:name/stop    → stops it (a durable one stays stopped across restarts)
 *   POST   /v1/statements/:name/resume  { fromCheckpoint? } → resumes it from its last checkpoint
 *   DELETE /v1/statements/:name  → stops and forgets it (definition and checkpoints)
 *
 * Every POST gets its own SQL session (its properties come from the body) over the platform's
 * shared statement registry. A SELECT answers with the changelog collected until `maxRows`
 * changes or `timeoutMs` (default 5 s unless `bounded`: then until its inputs' current end);
 * INSERT and CREATE TABLE AS answer with the statement's name and keep running.
 */
import type { FastifyInstance } from 'fastify';
import { ShiftleftError } from '../../common/errors.ts';
import type { LogClient } from '../../log/log-client.ts';
import { StatementRegistry, type StatementRequest } from '../../engine/statement-registry.ts';
import { jsonObjectBody, param } from '../http-support.ts';
import type { StatementStore } from '../../engine/checkpoint/statement-store.ts';

/** Without a bound, an unbounded SELECT is cut after this long (an HTTP answer must end). */
export const DEFAULT_SELECT_TIMEOUT_MS = 5000;
const MAX_TIMEOUT_MS = 10 * 60_000;

export interface StatementRoutesContext {
  log: LogClient;
  urls: () => Record<string, string>;
  /** Durable statements (the platform's data directory). */
  durability?: { store: StatementStore; defaultIntervalMs?: number };
}

function optionalNumber(body: Record<string, unknown>, name: string, min: number, max: number): number | undefined {
  const value = body[name];
  if (value === undefined || value === null) return undefined;
  if (typeof value !== 'number' || !Number.isInteger(value) || value < min || value > max) {
    throw new ShiftleftError('INVALID_ARGUMENT', `'${name}' must be an integer from ${min} to ${max}, got ${JSON.stringify(value)}`);
  }
  return value;
}

export function parseStatementRequest(body: Record<string, unknown>): StatementRequest {
  if (typeof body.sql !== 'string' || body.sql.trim() === '') {
    throw new ShiftleftError('INVALID_ARGUMENT', "the body needs 'sql': the statement(s) to run", { hint: '{"sql": "SELECT * FROM t", "maxRows": 10}' });
  }
  const properties = body.properties ?? {};
  if (typeof properties !== 'object' || properties === null || Array.isArray(properties) || Object.values(properties).some((v) => typeof v !== 'string')) {
    throw new ShiftleftError('INVALID_ARGUMENT', "'properties' must be an object of string values, e.g. {\"sql.state-ttl\": \"1 h\"}");
  }
  if (body.bounded !== undefined && typeof body.bounded !== 'boolean') throw new ShiftleftError('INVALID_ARGUMENT', "'bounded' must be true or false");
  const bounded = body.bounded === true;
  const maxRows = optionalNumber(body, 'maxRows', 0, 10_000_000);
  let timeoutMs = optionalNumber(body, 'timeoutMs', 0, MAX_TIMEOUT_MS);
  if (timeoutMs === undefined && maxRows === undefined && !bounded) timeoutMs = DEFAULT_SELECT_TIMEOUT_MS;
  return { sql: body.sql, properties: properties as Record<string, string>, maxRows, timeoutMs, bounded };
}

export function registerStatementRoutes(app: FastifyInstance, context: StatementRoutesContext): StatementRegistry {
  const registry = StatementRegistry.of(context.log, () => context.urls().registry!, context.durability);
  // Statements die with the platform; stop them before the log closes under them.
  app.addHook('onClose', async () => registry.stopAll());

  app.post('/v1/statements', async (request) => {
    const statement = parseStatementRequest(jsonObjectBody(request));
    return { results: await registry.execute(statement) };
  });
  app.get('/v1/statements', async () => registry.list());
  app.get('/v1/statements/:name', async (request) => registry.describe(param(request, 'name')));
  app.post('/v1/statements/:name/stop', async (request) => registry.stop(param(request, 'name')));
  app.post('/v1/statements/:name/resume', async (request) => {
    const body = request.body === undefined || request.body === null ? {} : jsonObjectBody(request);
    const fromCheckpoint = optionalNumber(body, 'fromCheckpoint', 1, Number.MAX_SAFE_INTEGER);
    return registry.resume(param(request, 'name'), fromCheckpoint !== undefined ? { fromCheckpoint } : {});
  });
  app.delete('/v1/statements/:name', async (request) => registry.delete(param(request, 'name')));
  return registry;
}
