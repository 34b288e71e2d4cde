/**
 * Warehouse sink benchmark: rows/s from the log into DuckDB and into PostgreSQL, in append mode
 * (every record a row) and upsert mode (keyed topic, 10 updates per key: delete+insert of the
 * collapsed batch), through the whole sink core (wire-format check, Avro decode, collapse,
 * one transaction per batch with the offsets). Baseline measured in the same run: the raw
 * decode rate of the same records with avsc (key + value), which bounds any sink.
 * DuckDB runs with one thread; PostgreSQL is the embedded server on the same machine.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import avro from 'avsc';
import { DuckDbWarehouse } from '../src/connect/duckdb-sink/duckdb-warehouse.ts';
import { EmbeddedPostgres } from '../src/connect/postgres/embedded-postgres.ts';
import { PostgresWarehouse } from '../src/connect/postgres-sink/postgres-warehouse.ts';
import { WarehouseSinkTask } from '../src/connect/warehouse/sink-task.ts';
import type { Warehouse } from '../src/connect/warehouse/warehouse.ts';
import type { LogClient, ProduceRecord } from '../src/log/log-client.ts';
import { startPlatform } from '../src/platform.ts';
import type { BenchContext, BenchResult } from './run.ts';

const KEY = { type: 'record', name: 'OrderKey', fields: [{ name: 'order_id', type: 'long' }] };
const VALUE = {
  type: 'record',
  name: 'Order',
  fields: [
    { name: 'order_id', type: 'long' },
    { name: 'customer_id', type: 'int' },
    { name: 'product', type: 'string' },
    { name: 'quantity', type: 'int' },
    { name: 'amount', type: { type: 'bytes', logicalType: 'decimal', precision: 10, scale: 2 } },
    { name: 'placed_at', type: { type: 'long', logicalType: 'timestamp-millis' } },
    { name: 'note', type: ['null', 'string'], default: null },
  ],
};

function framed(id: number, payload: Buffer): Buffer {
  const out = Buffer.alloc(5 + payload.length);
  out.writeInt32BE(id, 1);
  payload.copy(out, 5);
  return out;
}

async function register(registryUrl: string, subject: string, schema: unknown): Promise<number> {
  const response = await fetch(`${registryUrl}/subjects/${subject}/versions`, {
    method: 'POST',
    headers: { 'Content-Type': 'application/vnd.schemaregistry.v1+json' },
    body: JSON.stringify({ schema: JSON.stringify(schema) }),
  });
  if (!response.ok) throw new Error(`register ${subject}: ${response.status} ${await response.text()}`);
  return ((await response.json()) as { id: number }).id;
}

/** Writes `records` orders to `topic`; keys repeat every `keys` records (upsert workload). */
async function fill(log: LogClient, registryUrl: string, topic: string, records: number, keys: number | undefined): Promise<Buffer[]> {
  await log.createTopic(topic, { partitions: 1 });
  const keyType = avro.Type.forSchema(KEY as avro.Schema);
  const valueType = avro.Type.forSchema(VALUE as avro.Schema);
  const keyId = keys ? await register(registryUrl, `${topic}-key`, KEY) : 0;
  const valueId = await register(registryUrl, `${topic}-value`, VALUE);
  const values: Buffer[] = [];
  for (let start = 0; start < records; start += 5000) {
    const batch: ProduceRecord[] = [];
    for (let i = start; i < Math.min(records, start + 5000); i++) {
      const orderId = keys ? i % keys : i;
      const amount = Buffer.alloc(4);
      amount.writeInt32BE(1000 + (i % 100_000));
      const value = framed(valueId, valueType.toBuffer({ order_id: orderId, customer_id: i % 977, product: `product-${i % 500}`, quantity: 1 + (i % 7), amount, placed_at: 1_700_000_000_000 + i, note: i % 4 ? null : `gift ${i}` }));
      values.push(value);
      batch.push({ key: keys ? framed(keyId, keyType.toBuffer({ order_id: orderId })) : null, value });
    }
    await log.produce(topic, batch);
  }
  return values;
}

/** The baseline: avsc decode of the same values (the sink's unavoidable per-record work). */
function rawDecodeRate(values: Buffer[]): number {
  const type = avro.Type.forSchema(VALUE as avro.Schema);
  const start = performance.now();
  let sum = 0;
  for (const v of values) sum += (type.fromBuffer(v.subarray(5)) as { quantity: number }).quantity;
  const seconds = (performance.now() - start) / 1000;
  if (sum === 0) throw new Error('nothing decoded');
  return values.length / seconds;
}

async function sinkRate(log: LogClient, registryUrl: string, topic: string, connector: string, warehouse: Warehouse, records: number): Promise<number> {
  let failure: unknown;
  const task = new WarehouseSinkTask({ connector, config: { topics: [topic], batchSize: 5000 }, log, registryUrl, kmsSecret: undefined, warehouse, onFailure: (e) => (failure = e) });
  const start = performance.now();
  await task.start();
  while ((await task.lag()) > 0) {
    if (failure) throw failure;
    await new Promise((r) => setTimeout(r, 5));
  }
  const seconds = (performance.now() - start) / 1000;
  await task.stop();
  if (task.counters.records !== records) throw new Error(`${connector}: consumed ${task.counters.records} of ${records}`);
  return records / seconds;
}

export async function sinkBenchmark(context: BenchContext): Promise<BenchResult> {
  const records = context.quick ? 5_000 : 200_000;
  const dir = mkdtempSync(join(tmpdir(), 'shiftleft-sink-bench-'));
  const platform = await startPlatform({ dataDir: join(dir, 'data'), port: 0, registryPort: 0 });
  let postgres: EmbeddedPostgres | undefined;
  let pgDir: string | undefined;
  const rows: Record<string, string | number>[] = [];
  const summary: Record<string, unknown> = { records };
  try {
    const { log } = platform;
    const registryUrl = platform.urls.registry;
    context.progress(`writing ${records.toLocaleString()} records to two topics`);
    const values = await fill(log, registryUrl, 'bench.append', records, undefined);
    await fill(log, registryUrl, 'bench.upsert', records, Math.max(1, Math.floor(records / 10)));
    const baseline = rawDecodeRate(values);
    summary.rawDecodePerSec = Math.round(baseline);
    rows.push({ target: 'raw avsc decode (baseline)', mode: '-', records, 'rows/s': Math.round(baseline), 'vs decode': 1 });
    context.progress('starting the embedded PostgreSQL');
    // Its own temp dir: the server runs as another OS user, which must be able to enter it.
    postgres = await EmbeddedPostgres.start({ dataDir: (pgDir = mkdtempSync(join(tmpdir(), 'shiftleft-sink-bench-pg-'))) });
    const connection = postgres.connectionString;
    const targets: [string, (name: string) => Warehouse][] = [
      ['duckdb', (name) => new DuckDbWarehouse({ path: join(dir, `${name}.duckdb`), threads: 1 })],
      ['postgresql', () => new PostgresWarehouse(connection)],
    ];
    for (const [target, make] of targets) {
      for (const mode of ['append', 'upsert'] as const) {
        context.progress(`${target} ${mode}`);
        const name = `bench-${target}-${mode}`;
        const rate = await sinkRate(log, registryUrl, `bench.${mode}`, name, make(name), records);
        summary[`${target}/${mode}/rowsPerSec`] = Math.round(rate);
        summary[`${target}/${mode}/vsDecode`] = Number((rate / baseline).toFixed(3));
        rows.push({ target, mode, records, 'rows/s': Math.round(rate), 'vs decode': Number((rate / baseline).toFixed(3)) });
      }
    }
  } finally {
    await postgres?.stop();
    await platform.close();
    rmSync(dir, { recursive: true, force: true });
    if (pgDir) rmSync(pgDir, { recursive: true, force: true });
  }
  return { rows, summary };
}
