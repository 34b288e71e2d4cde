// Child process of the kill -9 tests: opens the registry + log of the test directory, runs a
// DuckDB sink (target = a file) or a PostgreSQL sink (target = a postgresql:// URL) on it and prints progress until it is killed (or, with `--until-caught-up`,
// until the sink has every record, then exits cleanly).
import { duckdbSinkConnectorType } from '../../src/connect/duckdb-sink/duckdb-sink-connector.ts';
import { postgresSinkConnectorType } from '../../src/connect/postgres-sink/postgres-sink-connector.ts';
import type { WarehouseSinkConnector } from '../../src/connect/warehouse/sink-connector.ts';
import { startRegistry } from '../registry/registry-harness.ts';
import { connectorContext } from './duckdb-sink-support.ts';

const [dir, target, mode] = process.argv.slice(2) as [string, string, string | undefined];
const server = await startRegistry(dir);
const context = connectorContext('crash-sink', server);
context.fail = (error) => {
  process.stderr.write(`sink failed: ${(error as Error).stack}\n`);
  process.exit(2);
};
const topics = ['crash.orders', 'crash.clicks'];
const sink = (
  target.startsWith('postgresql://')
    ? postgresSinkConnectorType.create({ topics, batchSize: 300, connection: target }, context)
    : duckdbSinkConnectorType.create({ topics, batchSize: 300, path: target }, context)
) as WarehouseSinkConnector;
await sink.start();
process.stdout.write('ready\n');
for (;;) {
  await new Promise((r) => setTimeout(r, 20));
  process.stdout.write(`records ${String(sink.metrics().records)}\n`);
  if (mode === '--until-caught-up' && (await sink.lag()) === 0) break;
}
await sink.stop();
await server.close();
process.stdout.write('caught-up\n');
