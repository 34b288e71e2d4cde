/**
 * The PostgreSQL a source connector talks to: the `connection` URL it was given, or the
 * platform's embedded server (optionally another database on it). Shared by the connectors
 * that accept `connection | embedded: true`.
 */
import { configInvalid } from './connector-config.ts';
import type { ConnectorContext } from './connector.ts';

export interface SourceDatabaseConfig {
  connection?: string;
  embedded?: boolean;
  database?: string;
}

export const sourceDatabaseProperties = {
  connection: { type: 'string', pattern: '^postgres(ql)?://', description: 'postgresql://user:password@host:port/database' },
  embedded: { type: 'boolean', description: 'use the embedded PostgreSQL of the platform' },
  database: { type: 'string', pattern: '^[A-Za-z_][A-Za-z0-9_]{0,62}$', description: 'database of the embedded server (default shiftleft)' },
} as const;

/** Exactly one of `connection` and `embedded: true`; `database` only with `embedded`. */
export function validateSourceDatabase(config: SourceDatabaseConfig, example = 'postgresql://user:password@localhost:5432/shop'): void {
  const hasConnection = config.connection !== undefined;
  const embedded = config.embedded === true;
  if (hasConnection && embedded) throw configInvalid('/config/embedded', 'cannot be combined with "connection"', 'give either "connection" (a postgresql:// URL) or "embedded": true');
  if (!hasConnection && !embedded) throw configInvalid('/config/connection', 'is required (or "embedded": true)', `e.g. "connection": "${example}"`);
  if (config.database !== undefined && !embedded) throw configInvalid('/config/database', 'applies only with "embedded": true', 'put the database in the connection URL');
}

export async function resolveSourceDatabase(config: SourceDatabaseConfig, context: ConnectorContext): Promise<string> {
  if (config.connection) return config.connection;
  const server = await context.embeddedPostgres();
  if (!config.database) return server;
  const url = new URL(server);
  url.pathname = `/${config.database}`;
  return url.toString();
}
