/**
 * `shiftleft statement list | describe NAME | stop NAME | resume NAME [--from-checkpoint N] |
 * delete NAME`: the lifecycle of long-running SQL statements.
 *
 * Statements run inside the platform (`shiftleft up`): with one running on the data directory
 * the commands call its REST API (/v1/statements). Without one, the data directory is opened
 * in-process to list, describe, stop (the statement then stays stopped at the next start) or
 * delete the stored statements; `resume` needs the running platform, where the statement runs.
 */
import { Command, InvalidArgumentError, Option } from 'commander';
import { readLiveLock } from '../../common/data-dir.ts';
import { ErrorCodes, ShiftleftError, type ErrorCode } from '../../common/errors.ts';
import type { StatementDetails, StatementInfo, StatementRegistry } from '../../engine/statement-registry.ts';
import { apiKeyHeaders } from '../../server/auth/client-credentials.ts';
import { dataDirOf } from '../context.ts';
import { printTable } from '../table.ts';

interface StatementApi {
  list(): Promise<StatementInfo[]>;
  describe(name: string): Promise<StatementDetails>;
  stop(name: string): Promise<StatementInfo>;
  resume(name: string, fromCheckpoint?: number): Promise<StatementInfo>;
  delete(name: string): Promise<unknown>;
}

function remoteApi(baseUrl: string): StatementApi {
  const call = async <T>(method: string, path: string, body?: unknown): Promise<T> => {
    let response: Response;
    try {
      response = await fetch(`${baseUrl}${path}`, {
        method,
        headers: { ...apiKeyHeaders(), ...(body === undefined ? {} : { 'Content-Type': 'application/json' }) },
        ...(body !== undefined && { body: JSON.stringify(body) }),
      });
    } catch (error) {
      throw new ShiftleftError('BROKER_UNAVAILABLE', `cannot reach the running platform at ${baseUrl}: ${(error as Error).message}`, { hint: 'check that `shiftleft up` is still running' });
    }
    const text = await response.text();
    const parsed = (text ? JSON.parse(text) : {}) as Record<string, unknown>;
    if (response.ok) return parsed as T;
    const code = typeof parsed.code === 'string' && (ErrorCodes as readonly string[]).includes(parsed.code) ? (parsed.code as ErrorCode) : 'INTERNAL';
    throw new ShiftleftError(code, String(parsed.message ?? `HTTP ${response.status}`), typeof parsed.hint === 'string' ? { hint: parsed.hint } : {});
  };
  const path = (name: string) => `/v1/statements/${encodeURIComponent(name)}`;
  return {
    list: () => call('GET', '/v1/statements'),
    describe: (name) => call('GET', path(name)),
    stop: (name) => call('POST', `${path(name)}/stop`),
    resume: (name, fromCheckpoint) => call('POST', `${path(name)}/resume`, fromCheckpoint !== undefined ? { fromCheckpoint } : {}),
    delete: (name) => call('DELETE', path(name)),
  };
}

function inProcessApi(registry: StatementRegistry): StatementApi {
  return {
    list: async () => registry.list(),
    describe: (name) => registry.describe(name),
    stop: (name) => registry.stop(name),
    resume: async () => {
      throw new ShiftleftError('UNSUPPORTED', 'statements run inside the platform, and none runs on this data directory', {
        hint: 'start it with `shiftleft up` (it resumes the statements left running), then run `shiftleft statement resume NAME`',
      });
    },
    delete: (name) => registry.delete(name),
  };
}

async function withStatements<T>(command: Command, work: (api: StatementApi) => Promise<T>): Promise<T> {
  const dataDir = dataDirOf(command);
  const live = readLiveLock(dataDir);
  if (live?.urls.platform) return work(remoteApi(live.urls.platform));
  // Loaded only when no platform runs: the remote path needs nothing but HTTP.
  const { startPlatform } = await import('../../platform.ts');
  const platform = await startPlatform({ dataDir, port: 0, registryPort: 0 });
  try {
    await platform.statementStore.open();
    return await work(inProcessApi(platform.statements));
  } finally {
    await platform.close();
  }
}

const time = (ms: number | null | undefined): string => (ms === null || ms === undefined ? '-' : new Date(ms).toISOString());

function printDetails(d: StatementDetails): void {
  const out = process.stdout;
  out.write(`statement   ${d.name}\nstatus      ${d.status}${d.error ? `  (${d.error.code}: ${d.error.message})` : ''}\nstarted     ${d.startedAt}\n`);
  out.write(`delivery    ${d.checkpoints.delivery}${d.checkpoints.intervalMs ? `, checkpoint every ${d.checkpoints.intervalMs} ms` : ''}\n`);
  const last = d.checkpoints.last;
  out.write(`checkpoint  ${last ? `#${last.id} at ${time(last.at)} (${last.bytes} bytes, ${last.durationMs} ms); ${d.checkpoints.completed} this run` : 'none yet'}\n`);
  out.write(`watermark   ${time(d.watermark)}\n\nSQL\n  ${d.sql}\n`);
  if (d.plan) out.write(`\nplan\n${d.plan.replace(/^/gm, '  ')}\n`);
  if (d.operators.length > 0) {
    out.write('\noperators\n');
    printTable(['id', 'operator', 'in', 'out', 'late dropped', 'state expired', 'watermark'], d.operators.map((o) => [String(o.id), o.name, String(o.recordsIn), String(o.recordsOut), String(o.lateRecordsDropped), String(o.stateExpired), time(o.watermark)]));
  }
  if (d.sources.length > 0) {
    out.write('\nsources\n');
    printTable(['topic', 'partition', 'offset', 'end', 'lag', 'watermark'], d.sources.map((s) => [s.topic, String(s.partition), String(s.offset), String(s.highWatermark), String(s.lag), time(s.watermark)]));
  }
}

function checkpointId(value: string): number {
  const n = Number(value);
  if (!Number.isInteger(n) || n < 1) throw new InvalidArgumentError(`a checkpoint id is a positive integer, got '${value}'`);
  return n;
}

export function registerStatementCommands(program: Command): void {
  const statement = program.command('statement').description('long-running SQL statements: list, describe, stop, resume, delete');
  const json = new Option('--format <format>', 'output format').choices(['table', 'json']).default('table');

  statement
    .command('list')
    .description('the statements with their status and last checkpoint')
    .addOption(json)
    .action(async (options: { format: string }, command: Command) => {
      const list = await withStatements(command, (api) => api.list());
      if (options.format === 'json') return void process.stdout.write(JSON.stringify(list, null, 2) + '\n');
      if (list.length === 0) return void process.stdout.write('no statements\n');
      printTable(['name', 'status', 'delivery', 'last checkpoint', 'rows in'], list.map((s) => [s.name, s.status, s.delivery ?? '-', s.lastCheckpoint ? `#${s.lastCheckpoint.id} ${time(s.lastCheckpoint.at)}` : '-', String(s.rowsIn)]));
    });
  statement
    .command('describe <name>')
    .description('status, SQL, plan, records per operator, watermark, lag per source partition, checkpoints')
    .addOption(json)
    .action(async (name: string, options: { format: string }, command: Command) => {
      const details = await withStatements(command, (api) => api.describe(name));
      if (options.format === 'json') return void process.stdout.write(JSON.stringify(details, null, 2) + '\n');
      printDetails(details);
    });
  statement
    .command('stop <name>')
    .description('stop a statement after a last checkpoint; it stays stopped across restarts until resumed')
    .action(async (name: string, _options: unknown, command: Command) => {
      const info = await withStatements(command, (api) => api.stop(name));
      process.stdout.write(`statement '${info.name}' is ${info.status}\n`);
    });
  statement
    .command('resume <name>')
    .description('resume a statement from its last checkpoint (or an older one after a corrupt checkpoint)')
    .option('--from-checkpoint <id>', 'resume from this older checkpoint; its output since then is written again', checkpointId)
    .action(async (name: string, options: { fromCheckpoint?: number }, command: Command) => {
      const info = await withStatements(command, (api) => api.resume(name, options.fromCheckpoint));
      process.stdout.write(`statement '${info.name}' is ${info.status}\n`);
    });
  statement
    .command('delete <name>')
    .description('stop a statement and forget it (its definition and checkpoints; its output stays)')
    .action(async (name: string, _options: unknown, command: Command) => {
      await withStatements(command, (api) => api.delete(name));
      process.stdout.write(`statement '${name}' deleted\n`);
    });
}
