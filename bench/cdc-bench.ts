/**
 * CDC benchmark (`npm run bench -- cdc`): the postgres-cdc connector from PostgreSQL commit to
 * the log, on real parts (embedded PostgreSQL, registry over HTTP, embedded log).
 *   - throughput: rows/s draining 1 000-row transactions committed while the connector was
 *     paused, from resume until the last row is readable in the topic;
 *   - latency: single-row transactions at a steady rate; for each row, the time from its commit
 *     (PostgreSQL's commit timestamp, which the record carries) to being readable in the log
 *     (p50, p99, max).
 * Rows carry a numeric(10,2), a timestamptz and a text column, like the commerce tables.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pg from 'pg';
import { ConnectorRuntime } from '../src/connect/framework/connector-runtime.ts';
import { EmbeddedPostgres } from '../src/connect/postgres/embedded-postgres.ts';
import type { LogClient, LogRecord } from '../src/log/log-client.ts';
import { startRegistry } from '../test/registry/registry-harness.ts';
import type { BenchContext, BenchResult } from './run.ts';

const TOPIC = 'bench.public.rows';

function percentile(sorted: number[], p: number): number {
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))] ?? NaN;
}

/** Waits until the topic holds `count` records; calls `onRecord(record, arrival epoch ms)` for each. */
async function tail(log: LogClient, from: number, count: number, onRecord?: (record: LogRecord, at: number) => void): Promise<void> {
  let offset = from;
  while (offset < from + count) {
    const fetched = await log.fetch({ topic: TOPIC, partition: 0 }, offset, { maxWaitMs: 500 });
    const at = performance.timeOrigin + performance.now();
    for (const record of fetched.records) onRecord?.(record, at);
    offset = fetched.nextOffset;
  }
}

export async function cdcBenchmark(context: BenchContext): Promise<BenchResult> {
  const bulkRows = context.quick ? 5_000 : 200_000;
  const latencySamples = context.quick ? 50 : 1_000;
  const latencyRate = 200; // transactions per second
  const dir = mkdtempSync(join(tmpdir(), 'sl-bench-cdc-'));
  const server = await EmbeddedPostgres.start({ dataDir: dir });
  const registry = await startRegistry();
  const db = new pg.Client({ connectionString: server.connectionString });
  await db.connect();
  const runtime = new ConnectorRuntime({ log: registry.log, registryUrl: registry.url });
  try {
    await db.query('CREATE TABLE rows (id BIGINT PRIMARY KEY, customer INT NOT NULL, amount NUMERIC(10,2) NOT NULL, note TEXT, ts TIMESTAMPTZ NOT NULL)');
    await runtime.open();
    const status = await runtime.create({
      name: 'bench',
      type: 'postgres-cdc',
      config: { connection: server.connectionString, tables: ['rows'], topicPrefix: 'bench', slotName: 'bench_slot', publicationName: 'bench_pub' },
    });
    if (status.state !== 'RUNNING') throw new Error(`connector did not start: ${JSON.stringify(status.lastError)}`);

    // Throughput of the connector alone: the rows are committed while it is paused (the slot
    // keeps them), then it resumes and drains them; the clock runs from resume to the last row.
    context.progress(`bulk: ${bulkRows} rows in transactions of 1000, drained after a resume`);
    await runtime.pause('bench');
    for (let first = 1; first <= bulkRows; first += 1000) {
      await db.query(
        `INSERT INTO rows SELECT i, i % 50, (i % 100000) / 100.0, 'order note ' || i, now() FROM generate_series($1::bigint, $2::bigint) i`,
        [first, Math.min(bulkRows, first + 999)],
      );
    }
    const bulkStart = performance.now();
    await runtime.resume('bench');
    await tail(registry.log, 0, bulkRows);
    const bulkSeconds = (performance.now() - bulkStart) / 1000;

    context.progress(`latency: ${latencySamples} single-row transactions at ${latencyRate}/s`);
    // The record timestamp is PostgreSQL's commit time (epoch ms, truncated): arrival minus it is
    // commit → readable in the log, over-estimated by under 1 ms (same machine, same clock).
    const latencies: number[] = [];
    const base = bulkRows;
    const arrivals = tail(registry.log, base, latencySamples, (record, at) => latencies.push(at - record.timestamp));
    const interval = 1000 / latencyRate;
    const started = performance.now();
    for (let i = 0; i < latencySamples; i++) {
      const due = started + i * interval;
      const wait = due - performance.now();
      if (wait > 0) await new Promise((resolve) => setTimeout(resolve, wait));
      await db.query(`INSERT INTO rows VALUES ($1, 1, 9.99, 'x', now())`, [base + 1 + i]);
    }
    await arrivals;
    latencies.sort((a, b) => a - b);

    const rowsPerSecond = Math.round(bulkRows / bulkSeconds);
    return {
      rows: [
        { measurement: 'bulk drain (resume → log)', rows: bulkRows, seconds: Number(bulkSeconds.toFixed(2)), 'rows/s': rowsPerSecond },
        { measurement: 'single-row commit → log latency', rows: latencies.length, 'p50 ms': Number(percentile(latencies, 50).toFixed(2)), 'p99 ms': Number(percentile(latencies, 99).toFixed(2)), 'max ms': Number((latencies[latencies.length - 1] ?? NaN).toFixed(2)) },
      ],
      summary: { rowsPerSecond, latencyP50Ms: percentile(latencies, 50), latencyP99Ms: percentile(latencies, 99) },
    };
  } finally {
    await runtime.close();
    await db.end().catch(() => undefined);
    await registry.destroy();
    await server.stop();
    rmSync(dir, { recursive: true, force: true });
  }
}
