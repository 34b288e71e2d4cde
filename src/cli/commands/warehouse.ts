/**
 * `shiftleft warehouse query "SQL" [--format table|json] [--path FILE]` and
 * `shiftleft warehouse export NAME --parquet FILE [--topic] [--decrypt]`.
 *
 * The embedded warehouse is the DuckDB file `<dataDir>/warehouse/warehouse.duckdb` that
 * `duckdb-sink` connectors write. Queries open it read-only. DuckDB lets one process hold a
 * file it writes: while a platform runs a DuckDB sink on it, opening fails — the command then
 * says so (SINK_UNREACHABLE, naming the file and the way out) instead of waiting or guessing.
 * Going through the running platform's API for queries is the planned answer.
 *
 * `export NAME` writes table NAME to Parquet; with `--topic`, NAME is a topic: it is read
 * through the contract serdes (upsert-folded when keyed) into an in-memory DuckDB and copied
 * (through the running platform's log and registry when one runs, else an in-process one).
 */
import { existsSync } from 'node:fs';
import { resolve } from 'node:path';
import { Command, Option } from 'commander';
import { readLiveLock } from '../../common/data-dir.ts';
import { ShiftleftError } from '../../common/errors.ts';
import { HttpLogClient } from '../../log/http/http-log-client.ts';
import type { LogClient } from '../../log/log-client.ts';
import { dataDirOf } from '../context.ts';
import { printTable } from '../table.ts';

/** DuckDB and the Parquet export, loaded by the actions only: registering commands stays cheap. */
const duckdbSink = () => import('../../connect/duckdb-sink/index.ts');

async function warehousePathOf(command: Command, path: string | undefined): Promise<string> {
  const file = path ? resolve(path) : (await duckdbSink()).defaultWarehousePath(dataDirOf(command));
  if (!existsSync(file)) {
    throw new ShiftleftError('NOT_FOUND', `no warehouse at ${file}`, {
      hint: 'create a duckdb-sink connector first (shiftleft connector create --config sink.json), or give --path',
      details: { path: file },
    });
  }
  return file;
}

/** Cell text for the table format: JSON for nested values, empty for NULL. */
function cell(value: unknown): string {
  if (value === null || value === undefined) return '';
  return typeof value === 'object' ? JSON.stringify(value) : String(value);
}

export async function runWarehouseQuery(path: string, sql: string, format: 'table' | 'json', out: NodeJS.WritableStream = process.stdout): Promise<void> {
  const { DuckDbWarehouse } = await duckdbSink();
  const warehouse = new DuckDbWarehouse({ path, readOnly: true });
  await warehouse.open();
  try {
    let result;
    try {
      result = await warehouse.query(sql);
    } catch (error) {
      throw new ShiftleftError('INVALID_ARGUMENT', `query failed: ${(error as Error).message}`, { hint: 'the warehouse speaks DuckDB SQL; it is opened read-only', cause: error });
    }
    if (format === 'json') out.write(JSON.stringify(result.rows, null, 2) + '\n');
    else printTable(result.columns, result.rows.map((row) => result.columns.map((c) => cell(row[c]))), out);
  } finally {
    await warehouse.close();
  }
}

/** Log + registry for a topic export: the running platform's, or one started in-process. */
async function withLogAndRegistry<T>(command: Command, work: (log: LogClient, registryUrl: string) => Promise<T>): Promise<T> {
  const dataDir = dataDirOf(command);
  const live = readLiveLock(dataDir);
  if (live) {
    const { platform, registry } = live.urls;
    if (!platform || !registry) throw new ShiftleftError('DATA_DIR_LOCKED', `data directory ${dataDir} is in use by process ${live.pid}, which serves no platform API`, { hint: 'wait for it to finish, or stop it' });
    const log = await HttpLogClient.connect(platform);
    try {
      return await work(log, registry);
    } finally {
      await log.close();
    }
  }
  const { startPlatform } = await import('../../platform.ts');
  const running = await startPlatform({ dataDir, port: 0, registryPort: 0 });
  try {
    return await work(running.log, running.urls.registry);
  } finally {
    await running.close();
  }
}

/** `out` receives what the commands print (tests pass their own stream). */
export function registerWarehouseCommands(program: Command, out: NodeJS.WritableStream = process.stdout): void {
  const warehouse = program.command('warehouse').description('Query and export the embedded DuckDB warehouse written by duckdb-sink connectors');

  warehouse
    .command('query')
    .description('Run a SQL query (DuckDB dialect) on the warehouse, read-only')
    .argument('<sql>', 'the query, e.g. "SELECT * FROM orders LIMIT 10"')
    .addOption(new Option('--format <format>', 'output format').choices(['table', 'json']).default('table'))
    .option('--path <file>', 'warehouse file (default <dataDir>/warehouse/warehouse.duckdb)')
    .action(async (sql: string, options: { format: 'table' | 'json'; path?: string }, command: Command) => {
      await runWarehouseQuery(await warehousePathOf(command, options.path), sql, options.format, out);
    });

  warehouse
    .command('export')
    .description('Write a warehouse table (or, with --topic, a topic) to a Parquet file')
    .argument('<name>', 'table name (or topic name with --topic)')
    .requiredOption('--parquet <file>', 'the Parquet file to write')
    .option('--topic', 'NAME is a topic: read it through the contract serdes and export it')
    .option('--decrypt', 'with --topic: decrypt encrypted fields with SHIFTLEFT_KMS_SECRET (default: keep ciphertext)')
    .option('--path <file>', 'warehouse file (default <dataDir>/warehouse/warehouse.duckdb)')
    .action(async (name: string, options: { parquet: string; topic?: boolean; decrypt?: boolean; path?: string }, command: Command) => {
      const file = resolve(options.parquet);
      const { exportTableToParquet, exportTopicToParquet } = await duckdbSink();
      if (!options.topic) {
        const { rows } = await exportTableToParquet(await warehousePathOf(command, options.path), name, file);
        out.write(`exported ${rows} rows of table ${name} to ${file}\n`);
        return;
      }
      const kmsSecret = options.decrypt ? (process.env.SHIFTLEFT_KMS_SECRET ?? process.env.SHIFTLEFT_LOCAL_KMS_SECRET) : undefined;
      if (options.decrypt && !kmsSecret) throw new ShiftleftError('INVALID_ARGUMENT', '--decrypt needs the KMS secret', { hint: 'set SHIFTLEFT_KMS_SECRET' });
      const result = await withLogAndRegistry(command, (log, registryUrl) => exportTopicToParquet({ log, registryUrl, topic: name, file, ...(kmsSecret !== undefined && { kmsSecret }) }));
      out.write(`exported ${result.rows} rows of topic ${name} to ${file}${result.undecodable ? ` (${result.undecodable} undecodable records skipped)` : ''}\n`);
    });
}
