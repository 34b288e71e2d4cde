/**
 * `shiftleft sql`: Flink SQL from the terminal.
 *
 *   shiftleft sql                      a REPL (statements end with `;`, history in <data-dir>/sql_history)
 *   shiftleft sql -e "SELECT ..."      run statements and exit
 *   shiftleft sql -f statements.sql    run a file and exit
 *
 * A SELECT prints its changelog: an aligned table (`op` + columns) by default, or with
 * `--format json` one `{"op":"+I","row":{...}}` line per change, as changes arrive. It ends after
 * `--max-rows N` changes, `--timeout SECONDS`, at the end of bounded inputs, or on Ctrl-C.
 *
 * Where statements run:
 * - a platform already running on the data directory (`shiftleft up`): through its REST API.
 *   INSERT / CREATE TABLE AS print their name and keep running there; with `--bounded` they read
 *   their inputs to the current end and the CLI waits for them to complete.
 * - otherwise the platform starts in-process for the command's duration. With -e/-f (or
 *   statements piped to stdin) the inputs are read bounded (nothing else can write to a data
 *   directory this process holds), and the CLI waits for each INSERT to complete before the
 *   next statement. In an interactive REPL, INSERTs keep running until the REPL ends
 *   (`--bounded` makes them complete instead).
 */
import { existsSync, readFileSync, appendFileSync } from 'node:fs';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { Command, InvalidArgumentError, Option } from 'commander';
import { readLiveLock } from '../../common/data-dir.ts';
import { ShiftleftError } from '../../common/errors.ts';
import type { ChangeRow } from '../../engine/sql-session.ts';
import type { StatementInfo, StatementOutcome } from '../../engine/statement-registry.ts';
import { dataDirOf } from '../context.ts';
import { reportError } from '../report-error.ts';
import { noPlatformUrl, type SqlBackend } from '../sql-backends.ts';
import { printTable } from '../table.ts';

interface SqlOptions {
  execute?: string;
  file?: string;
  format: 'table' | 'json';
  maxRows?: number;
  timeout?: number;
  bounded?: boolean;
  property?: Record<string, string>;
}

function nonNegativeInt(what: string) {
  return (value: string): number => {
    if (!/^\d+$/.test(value)) throw new InvalidArgumentError(`${what} must be a non-negative integer, got '${value}'`);
    return Number(value);
  };
}

function seconds(value: string): number {
  const n = Number(value);
  if (!/^\d+(\.\d+)?$/.test(value) || !Number.isFinite(n)) throw new InvalidArgumentError(`--timeout takes seconds, e.g. 10 or 0.5, got '${value}'`);
  return n;
}

function collectProperty(value: string, previous: Record<string, string> = {}): Record<string, string> {
  const eq = value.indexOf('=');
  if (eq <= 0) throw new InvalidArgumentError(`'${value}' is not key=value (example: -p sql.state-ttl='1 h')`);
  return { ...previous, [value.slice(0, eq).trim()]: value.slice(eq + 1).trim() };
}

export function registerSqlCommand(program: Command): void {
  program
    .command('sql')
    .description('run Flink SQL: a REPL, or -e STATEMENTS / -f FILE; SELECT prints its changelog')
    .option('-e, --execute <sql>', 'statements to run (separated by ;), then exit')
    .option('-f, --file <path>', 'a file of statements to run, then exit')
    .addOption(new Option('--format <format>', 'how SELECT results print').choices(['table', 'json']).default('table'))
    .option('--max-rows <n>', 'stop a SELECT after N changes', nonNegativeInt('--max-rows'))
    .option('--timeout <seconds>', 'stop a SELECT after this many seconds', seconds)
    .option('--bounded', 'read inputs to their current end, then stop (SELECTs end, INSERTs complete)')
    .option('-p, --property <key=value>', "session property (repeatable), as SET 'key' = 'value'", collectProperty)
    .action(async (options: SqlOptions, command: Command) => {
      if (options.execute !== undefined && options.file !== undefined) throw new ShiftleftError('INVALID_ARGUMENT', 'give either -e or -f, not both');
      const script = options.execute ?? (options.file !== undefined ? readScript(options.file) : undefined);
      const dataDir = dataDirOf(command);
      // Piped statements (no terminal) are a script too: nobody could press Ctrl-C to end an
      // unbounded SELECT.
      const backend = await openBackend(dataDir, options, script !== undefined || process.stdin.isTTY !== true);
      try {
        if (script !== undefined) await runScript(backend, script, options);
        else await runRepl(backend, options, join(dataDir, 'sql_history'));
      } finally {
        await backend.close();
      }
    });
}

function readScript(path: string): string {
  try {
    return readFileSync(path, 'utf8');
  } catch (error) {
    throw new ShiftleftError('INVALID_ARGUMENT', `cannot read ${path}: ${(error as Error).message}`);
  }
}

async function openBackend(dataDir: string, options: SqlOptions, script: boolean): Promise<SqlBackend> {
  const limits = { maxRows: options.maxRows, timeoutMs: options.timeout !== undefined ? Math.round(options.timeout * 1000) : undefined };
  const lock = readLiveLock(dataDir);
  // Each backend is loaded when chosen: a running platform needs only HTTP, not the SQL engine.
  if (lock) {
    if (!lock.urls.platform) throw noPlatformUrl(dataDir, lock.pid);
    const { RemoteSqlBackend } = await import('../sql-backend-remote.ts');
    return new RemoteSqlBackend(lock.urls.platform, options.bounded ?? false, options.property ?? {}, limits);
  }
  const [{ startPlatform }, { EmbeddedSqlBackend }] = await Promise.all([import('../../platform.ts'), import('../sql-backend-embedded.ts')]);
  const platform = await startPlatform({ dataDir, port: 0, registryPort: 0 });
  // Scripts in an embedded platform read bounded (nothing else can write here meanwhile) and
  // each INSERT completes before the next statement.
  const bounded = (options.bounded ?? false) || script;
  return new EmbeddedSqlBackend(platform, bounded, options.property ?? {}, bounded);
}

/** Runs a script; the first failure stops it and reaches main's reportError (exit code 1). */
async function runScript(backend: SqlBackend, script: string, options: SqlOptions): Promise<void> {
  const outcomes = await backend.execute(script, runOptions(options));
  await finishStatements(backend, outcomes, options);
}

function runOptions(options: SqlOptions, signal?: AbortSignal) {
  return {
    maxRows: options.maxRows,
    timeoutMs: options.timeout !== undefined ? Math.round(options.timeout * 1000) : undefined,
    signal,
    onChange: options.format === 'json' ? (change: ChangeRow) => process.stdout.write(JSON.stringify(change) + '\n') : undefined,
    onOutcome: (outcome: StatementOutcome) => printOutcome(outcome, options),
    onFinished: printFinalStatus,
  };
}

/**
 * With --bounded on a running platform, waits for the statements the request started to
 * complete (the embedded backend already waited for each, see EmbeddedSqlBackend).
 */
async function finishStatements(backend: SqlBackend, outcomes: StatementOutcome[], options: SqlOptions): Promise<void> {
  const started = outcomes.flatMap((o) => (o.kind === 'statement' ? [o.name] : []));
  if (started.length === 0 || !options.bounded || backend.kind === 'embedded') return;
  const final = await backend.waitForStatements(started);
  for (const info of final) printFinalStatus(info);
  const failed = final.find((s) => s.status === 'FAILED');
  if (failed?.error) throw new ShiftleftError(failed.error.code as never, `statement ${failed.name} failed: ${failed.error.message}`, { hint: failed.error.hint });
}

function printFinalStatus(info: StatementInfo): void {
  process.stdout.write(`statement ${info.name} ${info.status.toLowerCase()} (${info.rowsIn} input rows)\n`);
}

function printOutcome(outcome: StatementOutcome, options: SqlOptions): void {
  switch (outcome.kind) {
    case 'message':
      process.stdout.write(outcome.message + '\n');
      return;
    case 'explain':
      process.stdout.write(outcome.text.endsWith('\n') ? outcome.text : outcome.text + '\n');
      return;
    case 'table':
      printTable(outcome.columns, outcome.rows.map((r) => r.map(cell)));
      return;
    case 'statement':
      process.stdout.write(`statement ${outcome.name} ${outcome.status === 'RUNNING' ? 'started' : outcome.status.toLowerCase()}\n`);
      return;
    case 'query': {
      // JSON lines were streamed as they arrived; the table is printed once the query ends.
      if (options.format === 'table') {
        printTable(['op', ...outcome.columns.map((c) => c.name)], outcome.changes.map((c) => [c.op, ...outcome.columns.map((col) => cell(c.row[col.name]))]));
      }
      const why = outcome.truncated || (options.maxRows !== undefined && outcome.changes.length >= options.maxRows) ? ', --max-rows reached' : outcome.status === 'STOPPED' ? ', stopped' : '';
      process.stderr.write(`(${outcome.changes.length} change${outcome.changes.length === 1 ? '' : 's'}${why})\n`);
      return;
    }
  }
}

function cell(value: unknown): string {
  if (value === null || value === undefined) return 'NULL';
  if (typeof value === 'object') return JSON.stringify(value);
  return String(value);
}

// ---- REPL ----------------------------------------------------------------------------------

function loadHistory(file: string): string[] {
  if (!existsSync(file)) return [];
  // readline wants the most recent entry first.
  return readFileSync(file, 'utf8').split('\n').filter(Boolean).reverse().slice(0, 1000);
}

async function runRepl(backend: SqlBackend, options: SqlOptions, historyFile: string): Promise<void> {
  const interactive = process.stdin.isTTY === true;
  const rl = createInterface({ input: process.stdin, output: process.stdout, terminal: interactive, history: loadHistory(historyFile), historySize: 1000, prompt: 'shiftleft> ' });
  if (interactive) {
    process.stdout.write(`shiftleft SQL on ${backend.description}\nend statements with ';', 'quit' to leave, Ctrl-C stops a running query\n`);
  }
  let running: AbortController | undefined;
  let buffer = '';
  rl.on('SIGINT', () => {
    if (running) running.abort();
    else {
      buffer = '';
      process.stdout.write('^C\n');
      rl.prompt();
    }
  });
  if (interactive) rl.prompt();
  for await (const line of rl) {
    const trimmed = line.trim();
    if (buffer === '' && /^(quit|exit)\s*;?$/i.test(trimmed)) break;
    buffer = buffer ? `${buffer}\n${line}` : line;
    if (!trimmed.endsWith(';')) {
      if (interactive) rl.setPrompt(buffer.trim() ? '        -> ' : 'shiftleft> ');
      if (interactive) rl.prompt();
      continue;
    }
    const statement = buffer;
    buffer = '';
    if (statement.trim() !== ';') {
      saveHistory(historyFile, statement);
      running = new AbortController();
      try {
        const outcomes = await backend.execute(statement, runOptions(options, running.signal));
        await finishStatements(backend, outcomes, options);
      } catch (error) {
        reportError(error);
      } finally {
        running = undefined;
      }
    }
    if (interactive) {
      rl.setPrompt('shiftleft> ');
      rl.prompt();
    }
  }
  rl.close();
  if (buffer.trim() !== '') process.stderr.write("warning: the last statement has no ';' and was not run\n");
  const left = backend.running();
  if (left.length > 0) process.stderr.write(`stopping ${left.length} statement(s) started in this session: ${left.join(', ')}\n`);
}

function saveHistory(file: string, statement: string): void {
  try {
    appendFileSync(file, statement.replace(/\s*\n\s*/g, ' ').trim() + '\n');
  } catch {
    /* history is a convenience: never fail a statement over it */
  }
}
