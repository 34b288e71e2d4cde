import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { promises as fs, mkdtempSync } from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { after, describe, it } from 'node:test';
import pg from 'pg';
import { isShiftleftError } from '../../src/common/errors.ts';
import { EmbeddedPostgres } from '../../src/connect/postgres/embedded-postgres.ts';

const dataDir = mkdtempSync(path.join(os.tmpdir(), 'sl-pg-embedded-'));
after(async () => {
  await fs.rm(dataDir, { recursive: true, force: true });
});

async function query(connectionString: string, sql: string): Promise<pg.QueryResult> {
  const client = new pg.Client({ connectionString });
  await client.connect();
  try {
    return await client.query(sql);
  } finally {
    await client.end();
  }
}

describe('embedded PostgreSQL', () => {
  it('initializes a cluster in <dataDir>/postgres with logical replication on, then reuses it', async () => {
    const first = await EmbeddedPostgres.start({ dataDir, user: 'shift', password: 's3cret:/@' });
    try {
      assert.equal(first.info.initialized, true);
      assert.equal(first.info.directory, path.join(dataDir, 'postgres'));
      const settings = await query(first.connectionString, `SELECT name, setting FROM pg_settings
        WHERE name IN ('wal_level', 'max_replication_slots', 'max_wal_senders', 'listen_addresses')`);
      const byName = Object.fromEntries(settings.rows.map((r: { name: string; setting: string }) => [r.name, r.setting]));
      assert.deepEqual(byName, { listen_addresses: '127.0.0.1', max_replication_slots: '10', max_wal_senders: '10', wal_level: 'logical' });
      await query(first.connectionString, 'CREATE TABLE kept (id int primary key)');
      console.log(`embedded PostgreSQL first start (initdb included): ${first.info.startMs} ms`);
    } finally {
      await first.stop();
    }
    assert.equal(first.running, false);

    const second = await EmbeddedPostgres.start({ dataDir, user: 'shift', password: 's3cret:/@' });
    try {
      assert.equal(second.info.initialized, false);
      const tables = await query(second.connectionString, "SELECT count(*)::int AS n FROM pg_tables WHERE tablename = 'kept'");
      assert.equal(tables.rows[0].n, 1);
      console.log(`embedded PostgreSQL restart: ${second.info.startMs} ms`);
      // kill -9 leaves postmaster.pid behind: the next start must still succeed.
      process.kill(second.info.pid, 'SIGKILL');
      await new Promise((resolve) => setTimeout(resolve, 100));
    } finally {
      await second.stop();
    }
    const third = await EmbeddedPostgres.start({ dataDir, user: 'shift', password: 's3cret:/@' });
    try {
      const tables = await query(third.connectionString, "SELECT count(*)::int AS n FROM pg_tables WHERE tablename = 'kept'");
      assert.equal(tables.rows[0].n, 1);
    } finally {
      await third.stop();
    }
  });

  it('stops an orphan server whose Node parent was killed, then starts', async () => {
    const script = `
      import { EmbeddedPostgres } from ${JSON.stringify(path.resolve('src/connect/postgres/embedded-postgres.ts'))};
      const pgServer = await EmbeddedPostgres.start({ dataDir: ${JSON.stringify(dataDir)}, user: 'shift', password: 's3cret:/@' });
      console.log(pgServer.info.pid);
      setInterval(() => {}, 1000);
    `;
    const child = spawn(process.execPath, ['--import', 'tsx', '--input-type=module', '-e', script], { stdio: ['ignore', 'pipe', 'inherit'] });
    const orphanPid = await new Promise<number>((resolve, reject) => {
      child.stdout.once('data', (chunk: Buffer) => resolve(Number.parseInt(chunk.toString(), 10)));
      child.once('exit', (code) => reject(new Error(`child exited ${code}`)));
    });
    child.kill('SIGKILL');
    await new Promise((resolve) => child.once('exit', resolve));
    process.kill(orphanPid, 0); // the server survived its parent
    const server = await EmbeddedPostgres.start({ dataDir, user: 'shift', password: 's3cret:/@' });
    try {
      assert.notEqual(server.info.pid, orphanPid);
      assert.throws(() => process.kill(orphanPid, 0));
    } finally {
      await server.stop();
    }
  });

  it('reports a taken port as INVALID_CONFIG', async () => {
    const blocker = net.createServer();
    await new Promise<void>((resolve) => blocker.listen(0, '127.0.0.1', resolve));
    const port = (blocker.address() as net.AddressInfo).port;
    try {
      await assert.rejects(EmbeddedPostgres.start({ dataDir, port, user: 'shift', password: 's3cret:/@' }), (error: unknown) => {
        assert.ok(isShiftleftError(error, 'INVALID_CONFIG'));
        assert.match(error.message, new RegExp(`port ${port}.*in use`));
        return true;
      });
    } finally {
      blocker.close();
    }
  });

  it('reports missing binaries as SOURCE_UNREACHABLE', async () => {
    const emptyBin = mkdtempSync(path.join(os.tmpdir(), 'sl-pg-nobin-'));
    try {
      await assert.rejects(EmbeddedPostgres.start({ dataDir, binDir: emptyBin }), (error: unknown) => {
        assert.ok(isShiftleftError(error, 'SOURCE_UNREACHABLE'));
        assert.match(error.message, /binary missing/);
        return true;
      });
    } finally {
      await fs.rm(emptyBin, { recursive: true, force: true });
    }
  });

  it('reports wrong credentials for an existing cluster clearly', async () => {
    await assert.rejects(EmbeddedPostgres.start({ dataDir, user: 'shift', password: 'wrong' }), (error: unknown) => {
      assert.ok(isShiftleftError(error, 'INVALID_CONFIG'));
      assert.match(error.message, /refused user "shift"/);
      return true;
    });
  });
});
