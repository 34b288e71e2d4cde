/**
 * Connections to the source database: validating the connection string, pinning the session
 * settings the value converters rely on, and turning driver failures into errors that say what
 * to fix (never echoing the password).
 */
import pg from 'pg';
import { ShiftleftError } from '../../common/errors.ts';

/**
 * Output formats the converters in cdc-type-mapping.ts expect, for the snapshot session and the
 * walsender (pgoutput renders values with the session's settings).
 */
const SESSION_OPTIONS = '-c DateStyle=ISO -c TimeZone=UTC -c bytea_output=hex -c extra_float_digits=3 -c IntervalStyle=postgres';

/** Every value as PostgreSQL's text, so the snapshot converts exactly like the stream. */
const TEXT_TYPES = { getTypeParser: () => (value: string) => value };

export interface SourceConnection {
  connectionString: string;
  /** Where, for messages: host:port/database, without credentials. */
  description: string;
  user: string;
}

/** Validates a `postgres://` / `postgresql://` URL; `field` names the config entry in errors. */
export function parseConnectionString(connectionString: unknown, field = 'connectionString'): SourceConnection {
  const invalid = (reason: string): never => {
    throw new ShiftleftError('CONNECTOR_CONFIG_INVALID', `${field} is not a valid PostgreSQL connection string: ${reason}`, {
      hint: 'use the form postgresql://user:password@host:5432/database',
      details: { field },
    });
  };
  if (typeof connectionString !== 'string' || connectionString.trim() === '') return invalid('it is empty');
  let url: URL;
  try {
    url = new URL(connectionString);
  } catch {
    return invalid('it is not a URL');
  }
  if (url.protocol !== 'postgres:' && url.protocol !== 'postgresql:') return invalid(`the scheme is "${url.protocol.replace(/:$/, '')}", expected postgresql`);
  if (url.hostname === '' && !url.searchParams.get('host')) return invalid('the host is missing');
  const database = decodeURIComponent(url.pathname.replace(/^\//, ''));
  if (database === '' || database.includes('/')) return invalid('the database name is missing');
  // Our session options must reach the server; merge any the user gave.
  const userOptions = url.searchParams.get('options');
  url.searchParams.set('options', userOptions ? `${userOptions} ${SESSION_OPTIONS}` : SESSION_OPTIONS);
  const host = url.hostname || url.searchParams.get('host') || '';
  return {
    connectionString: url.toString(),
    description: `${host}:${url.port || '5432'}/${database}`,
    user: decodeURIComponent(url.username) || process.env.PGUSER || 'postgres',
  };
}

export interface ConnectOptions {
  /** A walsender connection (`replication=database`) for replication commands. */
  replication?: boolean;
  /** Values as text (no JavaScript parsing). */
  textValues?: boolean;
  connectTimeoutMs?: number;
  applicationName?: string;
}

export function clientConfigOf(source: SourceConnection, options: ConnectOptions = {}): pg.ClientConfig {
  return {
    connectionString: source.connectionString,
    connectionTimeoutMillis: options.connectTimeoutMs ?? 10_000,
    application_name: options.applicationName ?? 'shiftleft-cdc',
    ...(options.textValues ? { types: TEXT_TYPES } : {}),
    ...(options.replication ? { replication: 'database' } : {}),
  } as pg.ClientConfig;
}

export async function connect(source: SourceConnection, options: ConnectOptions = {}): Promise<pg.Client> {
  const client = new pg.Client(clientConfigOf(source, options));
  // Errors after connect surface through the pending query; this only stops an unhandled 'error'.
  client.on('error', () => undefined);
  try {
    await client.connect();
  } catch (error) {
    await client.end().catch(() => undefined);
    throw connectionError(error, source);
  }
  return client;
}

/** Explains a failed connection attempt. */
export function connectionError(error: unknown, source: SourceConnection): ShiftleftError {
  if (error instanceof ShiftleftError) return error;
  const code = (error as { code?: string }).code ?? '';
  const message = error instanceof Error ? error.message : String(error);
  const where = source.description;
  if (code === '28P01' || code === '28000') {
    return new ShiftleftError('SOURCE_UNREACHABLE', `PostgreSQL at ${where} refused user "${source.user}": ${message}`, {
      hint: 'check the user and password in the connection string, and pg_hba.conf (replication connections need their own line)',
      details: { source: where, sqlState: code },
      cause: error,
    });
  }
  if (code === '3D000') {
    return new ShiftleftError('CONNECTOR_CONFIG_INVALID', `database does not exist at ${where}: ${message}`, {
      hint: 'fix the database name in the connection string',
      details: { field: 'connectionString', source: where },
      cause: error,
    });
  }
  const unreachable = ['ECONNREFUSED', 'ENOTFOUND', 'EAI_AGAIN', 'ETIMEDOUT', 'EHOSTUNREACH', 'ECONNRESET'].includes(code) || /timeout|terminated/i.test(message);
  return new ShiftleftError('SOURCE_UNREACHABLE', `cannot connect to PostgreSQL at ${where}: ${message || code}`, {
    hint: unreachable ? 'check that the server runs and listens on that host and port' : undefined,
    details: { source: where, ...(code ? { code } : {}) },
    cause: error,
  });
}
