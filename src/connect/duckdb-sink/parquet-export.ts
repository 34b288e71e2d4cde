/**
 * Parquet files for lakehouse use, written by DuckDB's built-in COPY ... (FORMAT PARQUET)
 * (no extension to download):
 * - a warehouse table: `COPY (SELECT * FROM t) TO 'file.parquet'`;
 * - a topic: the topic is read into an in-memory DuckDB by the same sink core (contract
 *   decoding, upsert folding for keyed topics, PII ciphertext unless decrypted), then copied.
 */
import { ShiftleftError } from '../../common/errors.ts';
import type { LogClient } from '../../log/log-client.ts';
import { tableNameOf, type SinkMode } from '../warehouse/sink-config.ts';
import { WarehouseSinkTask } from '../warehouse/sink-task.ts';
import { DuckDbWarehouse } from './duckdb-warehouse.ts';

export async function exportTableToParquet(warehousePath: string, table: string, file: string): Promise<{ rows: number; file: string }> {
  const warehouse = new DuckDbWarehouse({ path: warehousePath, readOnly: true });
  await warehouse.open();
  try {
    if (!(await warehouse.describeTable(table))) {
      throw new ShiftleftError('NOT_FOUND', `table ${table} does not exist in ${warehousePath}`, { hint: 'list tables with: shiftleft warehouse query "SHOW TABLES"' });
    }
    return { rows: await warehouse.exportParquet({ table }, file), file };
  } finally {
    await warehouse.close();
  }
}

export interface TopicExportOptions {
  log: LogClient;
  registryUrl: string;
  topic: string;
  file: string;
  mode?: SinkMode;
  /** Decrypt with this KMS secret; default: encrypted fields stay ciphertext. */
  kmsSecret?: string;
  timeoutMs?: number;
}

export async function exportTopicToParquet(options: TopicExportOptions): Promise<{ rows: number; file: string; undecodable: number }> {
  const warehouse = new DuckDbWarehouse({ path: ':memory:' });
  let failure: unknown;
  const task = new WarehouseSinkTask({
    connector: `parquet-export-${options.topic}`,
    config: { topics: [options.topic], mode: options.mode ?? 'auto', decrypt: options.kmsSecret !== undefined, batchSize: 20_000 },
    log: options.log,
    registryUrl: options.registryUrl,
    kmsSecret: options.kmsSecret,
    warehouse,
    discardErrors: true,
    onFailure: (error) => (failure = error),
  });
  await task.start();
  try {
    const deadline = Date.now() + (options.timeoutMs ?? 600_000);
    while ((await task.lag()) > 0) {
      if (failure) throw failure;
      if (Date.now() > deadline) throw new ShiftleftError('TIMEOUT', `reading topic '${options.topic}' for the Parquet export took too long`);
      await new Promise((r) => setTimeout(r, 20));
    }
    await task.pause();
    if (failure) throw failure;
    const table = tableNameOf(options.topic, undefined);
    const rows = (await warehouse.describeTable(table)) ? await warehouse.exportParquet({ table }, options.file) : 0;
    return { rows, file: options.file, undecodable: task.counters.errors };
  } finally {
    await task.stop();
  }
}
