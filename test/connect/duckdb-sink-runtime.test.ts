/**
 * The DuckDB sink hosted by the real ConnectorRuntime with its default type list: the spec is
 * validated (config errors name the field), the sink runs, reports metrics, and after the
 * runtime closes and reopens it resumes from the warehouse offsets without duplicates.
 */
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { isShiftleftError } from '../../src/common/errors.ts';
import { defaultWarehousePath } from '../../src/connect/duckdb-sink/duckdb-sink-connector.ts';
import { DuckDbWarehouse } from '../../src/connect/duckdb-sink/duckdb-warehouse.ts';
import { ConnectorRuntime } from '../../src/connect/framework/connector-runtime.ts';
import { startRegistry, type RunningRegistry } from '../registry/registry-harness.ts';
import { CLICK, registerSchema, wire } from './duckdb-sink-support.ts';

describe('duckdb-sink in the connector runtime', () => {
  let server: RunningRegistry;
  let dataDir: string;

  before(async () => {
    server = await startRegistry();
    dataDir = mkdtempSync(join(tmpdir(), 'shiftleft-sink-runtime-'));
  });
  after(async () => {
    await server?.destroy();
    rmSync(dataDir, { recursive: true, force: true });
  });

  async function waitRecords(runtime: ConnectorRuntime, n: number): Promise<void> {
    const deadline = Date.now() + 20_000;
    while (Number(runtime.status('dwh').metrics.records ?? 0) < n) {
      assert.ok(Date.now() < deadline, JSON.stringify(runtime.status('dwh')));
      await new Promise((r) => setTimeout(r, 50));
    }
  }

  it('validates, runs, and resumes after a runtime restart', async () => {
    await server.log.createTopic('clicks', { partitions: 1 });
    const id = await registerSchema(server, 'clicks-value', CLICK);
    const click = (n: number) => ({ value: wire(id, CLICK, { id: n, page: `/p/${n}` }) });
    await server.log.produce('clicks', [click(1), click(2)]);

    let runtime = new ConnectorRuntime({ log: server.log, registryUrl: server.url, dataDir });
    await runtime.open();
    assert.ok(runtime.listTypes().some((t) => t.name === 'duckdb-sink' && t.kind === 'sink'));
    assert.ok(runtime.listTypes().some((t) => t.name === 'postgres-sink'));
    assert.throws(
      () => runtime.validate({ name: 'bad', type: 'duckdb-sink', config: { topics: ['clicks'], mode: 'sometimes' } }),
      (e: unknown) => isShiftleftError(e, 'CONNECTOR_CONFIG_INVALID') && e.details.field === '/config/mode',
    );
    assert.throws(
      () => runtime.validate({ name: 'bad', type: 'postgres-sink', config: { topics: ['clicks'] } }),
      (e: unknown) => isShiftleftError(e, 'CONNECTOR_CONFIG_INVALID') && e.details.field === '/config/connection',
    );
    const status = await runtime.create({ name: 'dwh', type: 'duckdb-sink', config: { topics: ['clicks'] } });
    assert.equal(status.state, 'RUNNING', JSON.stringify(status.lastError));
    await waitRecords(runtime, 2);
    await runtime.close();

    await server.log.produce('clicks', [click(3)]);
    runtime = new ConnectorRuntime({ log: server.log, registryUrl: server.url, dataDir });
    await runtime.open();
    await waitRecords(runtime, 1);
    await runtime.close();

    const warehouse = new DuckDbWarehouse({ path: defaultWarehousePath(dataDir), readOnly: true });
    await warehouse.open();
    assert.deepEqual((await warehouse.query('SELECT id::INTEGER AS id FROM clicks ORDER BY id')).rows, [{ id: 1 }, { id: 2 }, { id: 3 }]);
    await warehouse.close();
  });
});
