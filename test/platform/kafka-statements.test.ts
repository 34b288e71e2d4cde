/**
 * Durable SQL statements on a real Apache Kafka 4.x broker (one for this file): an INSERT runs
 * with Kafka transactions, so GET /v1/statements/:name says 'exactly-once'; its output and its
 * checkpoint pointers reach read_committed readers once a checkpoint commits (read here with an
 * independent client); and after a platform restart it resumes from its last checkpoint
 * without writing a row twice.
 */
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { STATEMENT_CHECKPOINTS_TOPIC } from '../../src/engine/checkpoint/statement-store.ts';
import { KafkaLogClient } from '../../src/log/kafka/kafka-log-client.ts';
import type { IsolationLevel, LogClient, LogRecord } from '../../src/log/log-client.ts';
import { startPlatform, type RunningPlatform } from '../../src/platform.ts';
import { call } from '../registry/registry-harness.ts';
import { kafkaTestSkip, startKafkaBroker, type KafkaBroker } from '../support/kafka-broker.ts';

const skip = kafkaTestSkip('durable statements on Kafka');
const INTERVAL = { 'execution.checkpointing.interval': '200 ms' };

async function until<T>(what: string, probe: () => Promise<T | undefined>, timeoutMs = 30_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await probe();
    if (value !== undefined) return value;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

/** Every record of a topic (all partitions) as a reader with this isolation sees it. */
async function readAll(log: LogClient, topic: string, isolation: IsolationLevel): Promise<LogRecord[]> {
  const out: LogRecord[] = [];
  for (const { partition } of (await log.describeTopic(topic)).partitions) {
    let offset = 0;
    for (;;) {
      const page = await log.fetch({ topic, partition }, offset, { isolation });
      out.push(...page.records);
      if (page.records.length === 0 || page.nextOffset === offset) break;
      offset = page.nextOffset;
    }
  }
  return out;
}

describe('durable statements on a real Kafka broker', { skip, timeout: 90_000 }, () => {
  let broker: KafkaBroker;
  let reader: KafkaLogClient;
  let dir: string;

  before(async () => {
    broker = await startKafkaBroker();
    reader = new KafkaLogClient({ bootstrap: broker.bootstrap, clientId: 'kafka-statements-test-reader' });
    dir = await mkdtemp(join(tmpdir(), 'shiftleft-kafka-statements-'));
  });

  after(async () => {
    await reader?.close();
    await broker?.stop();
    if (dir) await rm(dir, { recursive: true, force: true });
  });

  const withPlatform = async <T>(fn: (p: RunningPlatform) => Promise<T>): Promise<T> => {
    const platform = await startPlatform({ dataDir: dir, port: 0, registryPort: 0, runStatements: true, log: { kind: 'kafka', kafka: { bootstrap: broker.bootstrap } } });
    try {
      return await fn(platform);
    } finally {
      await platform.close();
    }
  };
  const sql = (p: RunningPlatform, statement: string, properties: Record<string, string> = {}) => call(p.urls.platform, 'POST', '/v1/statements', { sql: statement, properties });
  const describeStatement = async (p: RunningPlatform, name: string) => (await call(p.urls.platform, 'GET', `/v1/statements/${name}`)).body;

  /** The ids in `copied` that read_committed readers see (decoded from the JSON or Avro value by SQL). */
  const committedIds = async (p: RunningPlatform): Promise<number[]> => {
    const r = await call(p.urls.platform, 'POST', '/v1/statements', { sql: 'SELECT id FROM copied', bounded: true });
    assert.equal(r.status, 200, JSON.stringify(r.body));
    return (r.body.results[0].changes as { op: string; row: { id: number } }[]).filter((c) => c.op === '+I').map((c) => c.row.id);
  };

  const insertEvents = async (p: RunningPlatform, from: number, to: number): Promise<void> => {
    const values = Array.from({ length: to - from }, (_, i) => `(${from + i}, 'u${(from + i) % 3}')`);
    const r = await sql(p, `INSERT INTO events VALUES ${values.join(', ')}`);
    assert.equal(r.status, 200, JSON.stringify(r.body));
    const name = r.body.results[0].name as string;
    await until(`${name} to complete`, async () => ((await describeStatement(p, name)).status === 'COMPLETED' ? true : undefined));
  };

  it('runs an INSERT exactly-once: output visible to read_committed readers at checkpoints', async () => {
    await withPlatform(async (p) => {
      assert.equal(p.log.kind, 'kafka');
      const created = await sql(p, 'CREATE TABLE events (id INT, usr STRING); CREATE TABLE copied (id INT, usr STRING)');
      assert.equal(created.status, 200, JSON.stringify(created.body));
      await insertEvents(p, 0, 30);
      const started = await sql(p, 'INSERT INTO copied SELECT id, usr FROM events', { ...INTERVAL, 'client.statement-name': 'copy' });
      assert.equal(started.status, 200, JSON.stringify(started.body));

      await until('30 committed rows in copied', async () => ((await committedIds(p)).length === 30 ? true : undefined));
      const d = await describeStatement(p, 'copy');
      assert.equal(d.status, 'RUNNING', JSON.stringify(d));
      assert.equal(d.delivery, 'exactly-once');
      assert.equal(d.checkpoints.delivery, 'exactly-once');
      await until('a completed checkpoint', async () => ((await describeStatement(p, 'copy')).checkpoints.completed > 0 ? true : undefined));

      // An independent Kafka client: the rows and the checkpoint pointer are committed data.
      const rows = await readAll(reader, 'copied', 'read_committed');
      assert.equal(rows.length, 30);
      const pointers = (await readAll(reader, STATEMENT_CHECKPOINTS_TOPIC, 'read_committed')).filter((r) => r.key?.toString() === 'copy' && r.value !== null);
      assert.ok(pointers.length > 0, 'the checkpoint pointer is committed with the output');
      const pointer = JSON.parse(pointers.at(-1)!.value!.toString()) as { checkpointId: number };
      assert.ok(pointer.checkpointId >= 1, JSON.stringify(pointer));

      // New input reaches read_committed readers only through a later checkpoint's commit.
      await insertEvents(p, 30, 40);
      await until('40 committed rows in copied', async () => ((await readAll(reader, 'copied', 'read_committed')).length === 40 ? true : undefined));
    });
  });

  it('resumes on Kafka after a restart from its last checkpoint, without duplicates', async () => {
    await withPlatform(async (p) => {
      await until('copy to resume', async () => ((await describeStatement(p, 'copy')).status === 'RUNNING' ? true : undefined));
      await insertEvents(p, 40, 55);
      await until('55 committed rows in copied', async () => ((await committedIds(p)).length >= 55 ? true : undefined));
      const ids = await committedIds(p);
      assert.equal(ids.length, 55, 'no row copied twice');
      assert.deepEqual([...new Set(ids)].sort((a, b) => a - b), Array.from({ length: 55 }, (_, i) => i));
      assert.equal((await describeStatement(p, 'copy')).delivery, 'exactly-once');
    });
  });
});
