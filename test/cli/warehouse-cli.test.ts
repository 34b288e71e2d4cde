/**
 * `shiftleft warehouse query|export` on a real DuckDB warehouse file in a data directory:
 * table and JSON output, Parquet export of a table and of a topic, and a clear error while
 * another process holds the file.
 */
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { Writable } from 'node:stream';
import { join } from 'node:path';
import { Command } from 'commander';
import { registerWarehouseCommands } from '../../src/cli/commands/warehouse.ts';
import { isShiftleftError } from '../../src/common/errors.ts';
import { defaultWarehousePath } from '../../src/connect/duckdb-sink/duckdb-sink-connector.ts';
import { DuckDbWarehouse } from '../../src/connect/duckdb-sink/duckdb-warehouse.ts';
import { startPlatform } from '../../src/platform.ts';
import { repoRoot, waitForLine } from '../support/child.ts';
import { call } from '../registry/registry-harness.ts';
import { CLICK, wire } from '../connect/duckdb-sink-support.ts';

/** Runs `shiftleft --data-dir DIR warehouse ...` in-process and returns what it printed. */
async function shiftleft(dataDir: string, args: string[]): Promise<string> {
  const program = new Command().option('-d, --data-dir <dir>').exitOverride();
  let out = '';
  const sink = new Writable({
    write(chunk: Buffer, _encoding, done) {
      out += chunk.toString();
      done();
    },
  });
  registerWarehouseCommands(program, sink);
  await program.parseAsync(['node', 'shiftleft', '--data-dir', dataDir, 'warehouse', ...args]);
  return out;
}

describe('shiftleft warehouse', () => {
  let dataDir: string;

  before(async () => {
    dataDir = mkdtempSync(join(tmpdir(), 'shiftleft-warehouse-cli-'));
    const warehouse = new DuckDbWarehouse({ path: defaultWarehousePath(dataDir) });
    await warehouse.open();
    await warehouse.query(`CREATE TABLE orders (order_id INTEGER NOT NULL, amount DECIMAL(10,2), placed_at TIMESTAMP WITH TIME ZONE)`);
    await warehouse.query(`INSERT INTO orders VALUES (1, 12.50, '2024-01-02 03:04:05+00'), (2, 0.99, NULL)`);
    await warehouse.close();
  });
  after(() => rmSync(dataDir, { recursive: true, force: true }));

  it('queries with table and json output', async () => {
    const table = await shiftleft(dataDir, ['query', 'SELECT order_id, amount FROM orders ORDER BY order_id']);
    assert.deepEqual(table.trimEnd().split('\n'), ['order_id  amount', '--------  ------', '1         12.50', '2         0.99']);
    const json = JSON.parse(await shiftleft(dataDir, ['query', 'SELECT order_id, amount FROM orders ORDER BY order_id', '--format', 'json'])) as unknown;
    assert.deepEqual(json, [
      { order_id: 1, amount: '12.50' },
      { order_id: 2, amount: '0.99' },
    ]);
  });

  it('exports a table to Parquet', async () => {
    const file = join(dataDir, 'out', 'orders.parquet');
    assert.match(await shiftleft(dataDir, ['export', 'orders', '--parquet', file]), /exported 2 rows of table orders/);
    const back = JSON.parse(await shiftleft(dataDir, ['query', `SELECT count(*)::INTEGER AS n, sum(amount)::VARCHAR AS total FROM read_parquet('${file}')`, '--format', 'json'])) as unknown;
    assert.deepEqual(back, [{ n: 2, total: '13.49' }]);
    await assert.rejects(shiftleft(dataDir, ['export', 'nope', '--parquet', file]), (e: unknown) => isShiftleftError(e, 'NOT_FOUND'));
  });

  it('exports a topic to Parquet through the contract serdes', async () => {
    const platform = await startPlatform({ dataDir, port: 0, registryPort: 0 });
    try {
      await platform.log.createTopic('clicks', { partitions: 1 });
      const registered = await call(platform.urls.registry, 'POST', '/subjects/clicks-value/versions', { schema: JSON.stringify(CLICK) });
      const id = (registered.body as { id: number }).id;
      await platform.log.produce('clicks', [1, 2, 3].map((n) => ({ value: wire(id, CLICK, { id: n, page: `/p/${n}` }) })));
    } finally {
      await platform.close();
    }
    const file = join(dataDir, 'out', 'clicks.parquet');
    assert.match(await shiftleft(dataDir, ['export', 'clicks', '--topic', '--parquet', file]), /exported 3 rows of topic clicks/);
    const back = JSON.parse(await shiftleft(dataDir, ['query', `SELECT id::INTEGER AS id, page FROM read_parquet('${file}') ORDER BY id`, '--format', 'json'])) as unknown;
    assert.deepEqual(back, [1, 2, 3].map((n) => ({ id: n, page: `/p/${n}` })));
  });

  it('fails clearly while another process writes the warehouse', async () => {
    const holder = spawn(
      process.execPath,
      ['--input-type=module', '-e', `import { DuckDBInstance } from '@duckdb/node-api'; const i = await DuckDBInstance.create(${JSON.stringify(defaultWarehousePath(dataDir))}); await i.connect(); console.log('held'); setInterval(() => {}, 1000);`],
      { cwd: repoRoot, stdio: ['ignore', 'pipe', 'pipe'] },
    );
    try {
      await waitForLine(holder, /^held$/);
      await assert.rejects(shiftleft(dataDir, ['query', 'SELECT 1']), (error: unknown) => {
        assert.ok(isShiftleftError(error, 'SINK_UNREACHABLE'), String(error));
        assert.match(error.message, /in use by another process/);
        assert.match(error.hint ?? '', /one process per file/);
        return true;
      });
    } finally {
      holder.kill('SIGKILL');
    }
  });
});
