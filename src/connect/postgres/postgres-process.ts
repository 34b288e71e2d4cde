/** Running PostgreSQL programs (initdb, postgres) as the server user, and watching them. */
import { spawn, type ChildProcess } from 'node:child_process';
import pg from 'pg';
import { ShiftleftError } from '../../common/errors.ts';
import { portTaken } from './loopback-port.ts';
import type { PostgresBinaries } from './postgres-binaries.ts';
import type { ServerUser } from './os-user.ts';

export interface ServerEndpoint {
  host: string;
  port: number;
  user: string;
  password: string;
}

export interface ServerSettings {
  maxReplicationSlots: number;
  maxWalSenders: number;
  maxSlotWalKeepSize: string;
  settings?: Record<string, string | number>;
}

/** C messages, because we read the server's log to explain failures. */
function serverEnv(): NodeJS.ProcessEnv {
  return { ...process.env, LC_ALL: 'C', LC_MESSAGES: 'C', LANG: 'C' };
}

function idsOf(user: ServerUser): { uid?: number; gid?: number } {
  return user.uid === undefined ? {} : { uid: user.uid, gid: user.gid };
}

export function runAs(file: string, args: string[], user: ServerUser): Promise<{ code: number | null; output: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn(file, args, { ...idsOf(user), env: serverEnv(), stdio: ['ignore', 'pipe', 'pipe'] });
    let output = '';
    child.stdout.on('data', (chunk: Buffer) => (output += chunk.toString('utf8')));
    child.stderr.on('data', (chunk: Buffer) => (output += chunk.toString('utf8')));
    child.once('error', reject);
    child.once('close', (code) => resolve({ code, output }));
  });
}

export function lastLines(text: string, count: number): string {
  return text.trim().split('\n').slice(-count).join(' | ');
}

export function spawnServer(
  binaries: PostgresBinaries,
  directory: string,
  port: number,
  settings: ServerSettings,
  user: ServerUser,
  onLine: (line: string) => void,
): ChildProcess {
  const serverSettings: Record<string, string | number> = {
    listen_addresses: '127.0.0.1',
    port,
    unix_socket_directories: '',
    wal_level: 'logical',
    max_replication_slots: settings.maxReplicationSlots,
    max_wal_senders: settings.maxWalSenders,
    max_slot_wal_keep_size: settings.maxSlotWalKeepSize,
    lc_messages: 'C',
    // TIMESTAMP columns filled by now() (orders.orderdate's default) then hold UTC wall-clock
    // time, the same convention as the commerce generator and the CDC type mapping.
    timezone: 'UTC',
    ...settings.settings,
  };
  const args = ['-D', directory];
  for (const [name, value] of Object.entries(serverSettings)) args.push('-c', `${name}=${value}`);
  const child = spawn(binaries.postgres, args, { ...idsOf(user), env: serverEnv(), stdio: ['ignore', 'pipe', 'pipe'] });
  let pending = '';
  const collect = (chunk: Buffer): void => {
    pending += chunk.toString('utf8');
    const lines = pending.split('\n');
    pending = lines.pop() ?? '';
    for (const line of lines) if (line.trim() !== '') onLine(line);
  };
  child.stdout?.on('data', collect);
  child.stderr?.on('data', collect);
  return child;
}

/**
 * Waits until a client can run a query. Polling a real connection (instead of waiting for the
 * "ready to accept connections" log line) also proves authentication works.
 */
export async function waitUntilReady(
  child: ChildProcess,
  base: ServerEndpoint,
  timeoutMs: number,
  logTail: string[],
): Promise<void> {
  let spawnError: Error | undefined;
  child.once('error', (error) => (spawnError = error));
  const deadline = Date.now() + timeoutMs;
  while (true) {
    if (spawnError) {
      throw new ShiftleftError('SOURCE_UNREACHABLE', `cannot run the PostgreSQL server: ${spawnError.message}`, { cause: spawnError });
    }
    if (child.exitCode !== null || child.signalCode !== null) {
      await delay(20); // let the last log lines arrive
      throw serverExitError(base.port, child, logTail);
    }
    const client = new pg.Client({ ...base, database: 'postgres', connectionTimeoutMillis: 1000 });
    client.on('error', () => undefined);
    try {
      await client.connect();
      await client.query('SELECT 1');
      return;
    } catch (error) {
      if (isAuthError(error)) {
        throw new ShiftleftError('INVALID_CONFIG', `the embedded PostgreSQL refused user "${base.user}": ${(error as Error).message}`, {
          hint: 'the cluster was initialized with other credentials: use them, or delete <dataDir>/postgres to start over',
          cause: error,
        });
      }
    } finally {
      await client.end().catch(() => undefined);
    }
    if (Date.now() > deadline) {
      throw new ShiftleftError('TIMEOUT', `the embedded PostgreSQL did not accept connections within ${timeoutMs} ms`, {
        details: { log: logTail.slice(-10) },
      });
    }
    await delay(25);
  }
}

function isAuthError(error: unknown): boolean {
  const code = (error as { code?: string }).code;
  return code === '28P01' || code === '28000';
}

export function serverExitError(port: number, child: ChildProcess, logTail: string[]): ShiftleftError {
  const log = logTail.join('\n');
  if (/could not bind .*Address already in use|Address already in use/i.test(log)) return portTaken(port);
  return new ShiftleftError('SOURCE_UNREACHABLE', `the embedded PostgreSQL exited during startup (code ${child.exitCode ?? child.signalCode})`, {
    hint: `its log said: ${logTail.slice(-3).join(' | ')}`,
    details: { log: logTail.slice(-20) },
  });
}

export async function stopChild(child: ChildProcess, timeoutMs: number): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return;
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  child.kill('SIGINT');
  const timer = setTimeout(() => child.kill('SIGKILL'), timeoutMs);
  try {
    await exited;
  } finally {
    clearTimeout(timer);
  }
}

export function delay(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}
