/** Shared by the PostgreSQL and commerce tests: one embedded server per test file, in a temp dir. */
import { promises as fs, mkdtempSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import pg from 'pg';
import { EmbeddedPostgres } from '../../src/connect/postgres/embedded-postgres.ts';

export interface TestServer {
  server: EmbeddedPostgres;
  /** Creates a fresh database and returns its connection string. */
  createDatabase(name: string): Promise<string>;
  connect(connectionString: string): Promise<pg.Client>;
  close(): Promise<void>;
}

export async function startTestServer(prefix: string): Promise<TestServer> {
  const dataDir = mkdtempSync(path.join(os.tmpdir(), `sl-${prefix}-`));
  const server = await EmbeddedPostgres.start({ dataDir });
  const clients: pg.Client[] = [];
  const connect = async (connectionString: string): Promise<pg.Client> => {
    const client = new pg.Client({ connectionString });
    client.on('error', () => undefined);
    await client.connect();
    clients.push(client);
    return client;
  };
  return {
    server,
    connect,
    async createDatabase(name) {
      const admin = await connect(server.connectionString);
      await admin.query(`CREATE DATABASE ${admin.escapeIdentifier(name)}`);
      return server.connectionString.replace(/\/[^/]*$/, `/${name}`);
    },
    async close() {
      await Promise.all(clients.map((client) => client.end().catch(() => undefined)));
      await server.stop();
      await fs.rm(dataDir, { recursive: true, force: true });
    },
  };
}
