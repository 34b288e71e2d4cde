/**
 * KafkaLogClient against a real Apache Kafka 4.x broker (KRaft, one node, loopback), started
 * once for this file by test/support/kafka-broker.ts. Skips loudly when java/mvn are missing.
 */
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Admin, compatibilityPartitioner, Producer } from '@platformatic/kafka';
import { isShiftleftError, type ErrorCode } from '../../src/common/errors.ts';
import type { LogRecord } from '../../src/log/log-client.ts';
import { defaultPartition, murmur2 } from '../../src/log/partitioner.ts';
import { KafkaLogClient } from '../../src/log/kafka/kafka-log-client.ts';
import { KAFKA_LIBS, kafkaTestSkip, startKafkaBroker, type KafkaBroker } from '../support/kafka-broker.ts';

const skip = kafkaTestSkip('KafkaLogClient tests');
const text = (b: Buffer | null): string | null => (b === null ? null : b.toString('utf8'));
const unique = (label: string): string => `kt-${label}-${randomUUID().slice(0, 8)}`;

async function rejectsWith(promise: Promise<unknown>, code: ErrorCode, part?: string | RegExp): Promise<Error> {
  let caught: Error | undefined;
  await assert.rejects(promise, (error: unknown) => {
    assert.ok(isShiftleftError(error), `expected ShiftleftError ${code}, got ${String(error)}`);
    assert.equal(error.code, code, `expected ${code}, got ${error.code}: ${error.message}`);
    if (typeof part === 'string') assert.ok(error.message.includes(part), `'${error.message}' lacks '${part}'`);
    else if (part) assert.match(error.message, part);
    caught = error;
    return true;
  });
  return caught!;
}

async function freePort(): Promise<number> {
  return new Promise((resolve) => {
    const s = createServer();
    s.listen(0, '127.0.0.1', () => {
      const a = s.address();
      s.close(() => resolve(typeof a === 'object' && a ? a.port : 1));
    });
  });
}

/** Partitions computed by Kafka's own Java code (Utils.murmur2 / toPositive) from the broker jars. */
function javaPartitions(keys: string[], partitions: number): number[] {
  const dir = mkdtempSync(join(tmpdir(), 'shiftleft-murmur-'));
  try {
    const src = join(dir, 'Partition.java');
    writeFileSync(
      src,
      `import org.apache.kafka.common.utils.Utils;
public class Partition {
  public static void main(String[] args) throws Exception {
    int n = Integer.parseInt(args[0]);
    StringBuilder out = new StringBuilder();
    for (int i = 1; i < args.length; i++) {
      byte[] key = args[i].getBytes("UTF-8");
      out.append(Utils.toPositive(Utils.murmur2(key)) % n).append(i + 1 < args.length ? "," : "");
    }
    System.out.println(out);
  }
}
`,
    );
    const r = spawnSync('java', ['-cp', `${KAFKA_LIBS}/*`, src, String(partitions), ...keys], { encoding: 'utf8', timeout: 60_000 });
    assert.equal(r.status, 0, r.stderr);
    return r.stdout.trim().split(',').map(Number);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

describe('KafkaLogClient on a real Kafka broker', { skip }, () => {
  let broker: KafkaBroker;
  let client: KafkaLogClient;

  before(async () => {
    broker = await startKafkaBroker();
    console.log(`# Kafka broker ${broker.bootstrap} ready in ${broker.startupMs} ms (log: ${broker.logFile})`);
    client = new KafkaLogClient({ bootstrap: broker.bootstrap, clientId: 'shiftleft-test' });
  });

  after(async () => {
    await client?.close();
    await broker?.stop();
  });

  it('creates topics with partitions and configs, describes, alters, lists and deletes them', async () => {
    const t = unique('admin');
    const created = await client.createTopic(t, {
      partitions: 3,
      config: { 'retention.ms': 3_600_000, 'cleanup.policy': 'compact,delete', 'max.message.bytes': 500_000, 'segment.bytes': 8 * 1024 * 1024 },
    });
    assert.equal(created.name, t);
    assert.equal(created.internal, false);
    assert.deepEqual(
      created.partitions.map((p) => [p.partition, p.logStartOffset, p.highWatermark]),
      [
        [0, 0, 0],
        [1, 0, 0],
        [2, 0, 0],
      ],
    );
    assert.equal(created.config['retention.ms'], 3_600_000);
    assert.equal(created.config['cleanup.policy'], 'compact,delete');
    assert.equal(created.config['max.message.bytes'], 500_000);
    assert.equal(created.config['segment.bytes'], 8 * 1024 * 1024);
    assert.equal(created.config['message.timestamp.type'], 'CreateTime', 'defaults come back from the broker');

    // The broker really holds those configs (read with another client).
    const admin = new Admin({ clientId: 'verify', bootstrapBrokers: [broker.bootstrap] });
    try {
      const [described] = await admin.describeConfigs({ resources: [{ resourceType: 2, resourceName: t, configurationKeys: ['retention.ms', 'max.message.bytes'] }] });
      const byName = Object.fromEntries(described!.configs.map((c) => [c.name, c.value]));
      assert.deepEqual(byName, { 'retention.ms': '3600000', 'max.message.bytes': '500000' });
    } finally {
      await admin.close();
    }

    const altered = await client.alterTopicConfig(t, { 'retention.ms': 60_000, 'message.timestamp.type': 'LogAppendTime' });
    assert.equal(altered.config['retention.ms'], 60_000);
    assert.equal(altered.config['message.timestamp.type'], 'LogAppendTime');
    assert.equal(altered.config['max.message.bytes'], 500_000, 'untouched configs stay');
    await rejectsWith(client.alterTopicConfig(t, { 'retention.ms': -5 }), 'INVALID_TOPIC_CONFIG', 'retention.ms');
    await rejectsWith(client.alterTopicConfig(t, { partitions: 5 } as never), 'INVALID_TOPIC_CONFIG', 'partitions');

    await client.produce(t, [{ key: Buffer.from('a'), value: Buffer.from('1') }]);
    const described = await client.describeTopic(t);
    assert.equal(
      described.partitions.reduce((n, p) => n + p.highWatermark, 0),
      1,
    );
    assert.ok(described.partitions.every((p) => typeof p.sizeBytes === 'number'));
    assert.ok(described.partitions.reduce((n, p) => n + p.sizeBytes!, 0) > 0, 'the record takes bytes on disk');

    await rejectsWith(client.createTopic(t), 'TOPIC_ALREADY_EXISTS', t);
    const again = await client.createTopic(t, { partitions: 7, ifNotExists: true });
    assert.equal(again.partitions.length, 3);

    assert.ok((await client.listTopics()).includes(t));
    await client.deleteTopic(t);
    assert.ok(!(await client.listTopics()).includes(t));
    await rejectsWith(client.describeTopic(t), 'TOPIC_NOT_FOUND', t);
    await rejectsWith(client.deleteTopic(t), 'TOPIC_NOT_FOUND', t);
    // The name is free again right away.
    const recreated = await client.createTopic(t);
    assert.equal(recreated.partitions[0]!.highWatermark, 0);
    await client.deleteTopic(t);
  });

  it('hides internal topics (_x, __consumer_offsets) unless asked', async () => {
    const internal = `_${unique('internal')}`;
    await client.createTopic(internal);
    await client.commitOffsets(unique('g'), [{ topic: internal, partition: 0, offset: 0 }]); // makes __consumer_offsets exist
    const visible = await client.listTopics();
    assert.ok(!visible.includes(internal));
    assert.ok(!visible.some((t) => t.startsWith('_')));
    const all = await client.listTopics({ includeInternal: true });
    assert.ok(all.includes(internal));
    assert.ok(all.includes('__consumer_offsets'));
    assert.equal((await client.describeTopic(internal)).internal, true);
    await client.deleteTopic(internal);
  });

  it('refuses invalid names and configs before calling Kafka', async () => {
    await rejectsWith(client.createTopic('has space'), 'INVALID_TOPIC_NAME', 'has space');
    await rejectsWith(client.createTopic('..'), 'INVALID_TOPIC_NAME');
    await rejectsWith(client.createTopic('x'.repeat(250)), 'INVALID_TOPIC_NAME', '249');
    await rejectsWith(client.createTopic(unique('cfg'), { config: { 'no.such': 1 } as never }), 'INVALID_TOPIC_CONFIG', 'no.such');
    await rejectsWith(client.createTopic(unique('cfg'), { config: { 'cleanup.policy': 'never' as never } }), 'INVALID_TOPIC_CONFIG', 'cleanup.policy');
    await rejectsWith(client.createTopic(unique('parts'), { partitions: 0 }), 'INVALID_TOPIC_CONFIG', 'partition');
    await rejectsWith(client.produce('bad/name', [{ value: null }]), 'INVALID_TOPIC_NAME');
    await rejectsWith(client.fetch({ topic: 'bad name', partition: 0 }, 0), 'INVALID_TOPIC_NAME');
  });

  it('maps what Kafka itself refuses to INVALID_TOPIC_CONFIG with the broker named', async () => {
    // Kafka 4 requires segment.bytes >= 1 MiB; our shared validation allows smaller values.
    const error = await rejectsWith(client.createTopic(unique('seg'), { config: { 'segment.bytes': 1024 } }), 'INVALID_TOPIC_CONFIG', broker.bootstrap);
    assert.match(error.message, /segment\.bytes/);
  });

  it('round-trips keys, null values, headers and timestamps', async () => {
    // Timestamps 10^11 ms apart in one batch: the record's timestamp delta needs a real 64-bit
    // varint (the client library's own encoder gets deltas beyond 2^31 wrong, see produce-request.ts).
    const t = unique('roundtrip');
    await client.createTopic(t);
    const md = await client.produce(t, [
      { key: Buffer.from('k1'), value: Buffer.from('v1'), timestamp: 1_700_000_000_000, headers: [{ key: 'h1', value: Buffer.from('x') }, { key: 'h1', value: Buffer.from('dup') }, { key: 'nul', value: null }] },
      { key: null, value: Buffer.from('no key'), timestamp: 1_700_000_000_001 },
      { key: Buffer.from('k1'), value: null, timestamp: 1_600_000_000_000 },
      { key: Buffer.alloc(0), value: Buffer.alloc(0), headers: [{ key: 'ünï', value: Buffer.from([0, 255]) }] },
    ]);
    assert.deepEqual(
      md.map((m) => [m.partition, m.offset]),
      [
        [0, 0],
        [0, 1],
        [0, 2],
        [0, 3],
      ],
    );
    assert.equal(md[2]!.timestamp, 1_600_000_000_000);
    const now = Date.now();
    assert.ok(Math.abs(md[3]!.timestamp - now) < 60_000, 'default timestamp is now');
    const { records, nextOffset, highWatermark, logStartOffset } = await client.fetch({ topic: t, partition: 0 }, 0);
    assert.equal(nextOffset, 4);
    assert.equal(highWatermark, 4);
    assert.equal(logStartOffset, 0);
    assert.deepEqual(
      records.map((r) => [r.topic, r.partition, r.offset, text(r.key), text(r.value), r.timestamp, r.headers.map((h) => [h.key, h.value && h.value.toString('hex')])]),
      [
        [t, 0, 0, 'k1', 'v1', 1_700_000_000_000, [['h1', '78'], ['h1', '647570'], ['nul', null]]],
        [t, 0, 1, null, 'no key', 1_700_000_000_001, []],
        [t, 0, 2, 'k1', null, 1_600_000_000_000, []],
        [t, 0, 3, '', '', md[3]!.timestamp, [['ünï', '00ff']]],
      ],
    );
  });

  it("puts keyed records where Kafka's Java partitioner does (murmur2)", async () => {
    // Kafka's published vectors for murmur2.
    const vectors: [string, number][] = [
      ['21', -973932308],
      ['foobar', -790332482],
      ['a-little-bit-long-string', -985981536],
      ['a-little-bit-longer-string', -1486304829],
      ['lkjh234lh9fiuh90y23oiuhsafujhadof229phr9h19h89h8', -58897971],
      ['abc', 479470107],
    ];
    for (const [s, h] of vectors) assert.equal(murmur2(Buffer.from(s)), h, s);

    const t = unique('keys');
    await client.createTopic(t, { partitions: 5 });
    const keys = Array.from({ length: 50 }, (_, i) => `customer-${i}-${'x'.repeat(i % 7)}`);
    const md = await client.produce(
      t,
      keys.map((k) => ({ key: Buffer.from(k), value: Buffer.from(k) })),
    );
    const java = javaPartitions(keys, 5);
    assert.deepEqual(
      md.map((m) => m.partition),
      java,
      "partitions chosen by KafkaLogClient equal Kafka's Utils.murmur2",
    );
    assert.deepEqual(
      keys.map((k) => defaultPartition(Buffer.from(k), 5)),
      java,
    );
    assert.ok(new Set(java).size > 1, 'keys spread over several partitions');

    // A record produced by another Kafka client (Java-compatible partitioner) with the same key
    // lands on the same partition as ours.
    const producer = new Producer({ clientId: 'other', bootstrapBrokers: [broker.bootstrap], partitioner: compatibilityPartitioner });
    try {
      await producer.send({ messages: [{ topic: t, key: Buffer.from(keys[3]!), value: Buffer.from('from-other-client') }] });
    } finally {
      await producer.close();
    }
    const p = java[3]!;
    const hw = await client.listOffsets({ topic: t, partition: p }, 'latest');
    const { records } = await client.fetch({ topic: t, partition: p }, hw - 1);
    assert.equal(text(records[0]!.value), 'from-other-client');

    // Null keys: all records of one call go to one partition (one atomic batch).
    const nullKeyed = await client.produce(
      t,
      Array.from({ length: 10 }, (_, i) => ({ value: Buffer.from(`n${i}`) })),
    );
    assert.equal(new Set(nullKeyed.map((m) => m.partition)).size, 1);
    const offsets = nullKeyed.map((m) => m.offset);
    assert.deepEqual(
      offsets,
      offsets.map((_, i) => offsets[0]! + i),
    );

    await rejectsWith(client.produce(t, [{ value: Buffer.from('x'), partition: 5 }]), 'PARTITION_NOT_FOUND', 'partition 5');
    await rejectsWith(client.produce(t, [{ value: Buffer.from('x'), partition: -1 }]), 'PARTITION_NOT_FOUND');
    await rejectsWith(client.fetch({ topic: t, partition: 5 }, 0), 'PARTITION_NOT_FOUND', 'partition 5');
    await rejectsWith(client.listOffsets({ topic: t, partition: 9 }, 'latest'), 'PARTITION_NOT_FOUND');
  });

  it('pipelines concurrent produce calls with the idempotent producer, each call one contiguous batch', async () => {
    const t = unique('concurrent');
    await client.createTopic(t, { partitions: 2 });
    const calls = await Promise.all(
      Array.from({ length: 40 }, (_, c) =>
        client.produce(
          t,
          Array.from({ length: 10 }, (_, i) => ({ value: Buffer.from(`${c}-${i}`), partition: c % 2 })),
        ),
      ),
    );
    for (const md of calls) {
      const offsets = md.map((m) => m.offset);
      assert.deepEqual(
        offsets,
        offsets.map((_, i) => offsets[0]! + i),
      );
    }
    for (const partition of [0, 1]) {
      const offsets = calls.flat().filter((m) => m.partition === partition).map((m) => m.offset).sort((a, b) => a - b);
      assert.deepEqual(
        offsets,
        Array.from({ length: 200 }, (_, i) => i),
      );
      const { records } = await client.fetch({ topic: t, partition }, 0);
      assert.equal(records.length, 200, 'no duplicates, no gaps');
    }
  });

  it('fetches from any offset with record and byte limits, and refuses offsets out of range', async () => {
    const t = unique('fetch');
    await client.createTopic(t);
    // Several produce calls: several batches on the broker.
    for (let b = 0; b < 5; b++) {
      await client.produce(
        t,
        Array.from({ length: 20 }, (_, i) => ({ value: Buffer.from(`r${b * 20 + i}`) })),
      );
    }
    const tp = { topic: t, partition: 0 };
    const mid = await client.fetch(tp, 33, { maxRecords: 4 });
    assert.deepEqual(
      mid.records.map((r) => text(r.value)),
      ['r33', 'r34', 'r35', 'r36'],
    );
    assert.equal(mid.nextOffset, 37);
    const few = await client.fetch(tp, 10, { maxBytes: 1 });
    assert.equal(few.records.length, 1, 'at least one record even over maxBytes');
    assert.equal(few.nextOffset, 11);
    const all: string[] = [];
    for (let offset = 0; offset < 100; ) {
      const page = await client.fetch(tp, offset, { maxRecords: 13 });
      all.push(...page.records.map((r) => text(r.value)!));
      offset = page.nextOffset;
    }
    assert.deepEqual(all, Array.from({ length: 100 }, (_, i) => `r${i}`));
    const end = await client.fetch(tp, 100);
    assert.deepEqual([end.records.length, end.nextOffset, end.highWatermark], [0, 100, 100]);
    const err = await rejectsWith(client.fetch(tp, 101), 'OFFSET_OUT_OF_RANGE', '0 to 100');
    assert.equal((err as unknown as { details: Record<string, unknown> }).details.highWatermark, 100);
    await rejectsWith(client.fetch(tp, -3), 'OFFSET_OUT_OF_RANGE');
    await rejectsWith(client.fetch({ topic: unique('nope'), partition: 0 }, 0), 'TOPIC_NOT_FOUND');
  });

  it('long-polls: fetch and waitForRecords wake up when a record is produced', async () => {
    const t = unique('tail');
    await client.createTopic(t, { partitions: 3 });
    const started = Date.now();
    const pending = client.fetch({ topic: t, partition: 2 }, 0, { maxWaitMs: 15_000 });
    const waiting = client.waitForRecords(
      [0, 1, 2].map((partition) => ({ topic: t, partition, offset: 0 })),
      { timeoutMs: 15_000 },
    );
    setTimeout(() => void client.produce(t, [{ value: Buffer.from('wake'), partition: 2 }]), 300);
    const result = await pending;
    assert.deepEqual(
      result.records.map((r) => text(r.value)),
      ['wake'],
    );
    assert.equal(await waiting, true);
    const elapsed = Date.now() - started;
    assert.ok(elapsed >= 250 && elapsed < 5000, `woke after ${elapsed} ms`);

    // A produce during a long poll is not held up by it (separate connections).
    const blocked = client.fetch({ topic: t, partition: 0 }, 0, { maxWaitMs: 1500 });
    const t0 = Date.now();
    await client.produce(t, [{ value: Buffer.from('p1'), partition: 1 }]);
    assert.ok(Date.now() - t0 < 1500, 'produce was not queued behind the fetch');
    await blocked;

    const t1 = Date.now();
    assert.equal(await client.waitForRecords([{ topic: t, partition: 2, offset: 1 }], { timeoutMs: 300 }), false);
    assert.ok(Date.now() - t1 >= 250, 'waited for the timeout');
    const empty = await client.fetch({ topic: t, partition: 2 }, 1, { maxWaitMs: 200 });
    assert.equal(empty.records.length, 0);

    const controller = new AbortController();
    const aborted = client.waitForRecords([{ topic: t, partition: 2, offset: 1 }], { timeoutMs: 15_000, signal: controller.signal });
    const abortedFetch = client.fetch({ topic: t, partition: 2 }, 1, { maxWaitMs: 15_000, signal: controller.signal });
    setTimeout(() => controller.abort(), 100);
    const t2 = Date.now();
    assert.equal(await aborted, false);
    const cut = await abortedFetch; // the abort ends the wait; the fetch answers with what is there
    assert.deepEqual([cut.records.length, cut.nextOffset, cut.highWatermark], [0, 1, 1]);
    assert.ok(Date.now() - t2 < 2000, 'abort is prompt');
  });

  it('lists offsets: earliest, latest and by timestamp', async () => {
    const t = unique('times');
    await client.createTopic(t);
    const tp = { topic: t, partition: 0 };
    assert.equal(await client.listOffsets(tp, { timestamp: 0 }), 0, 'empty partition: the next offset');
    const base = 1_700_000_000_000;
    await client.produce(
      t,
      [1000, 2000, 3000, 4000].map((d) => ({ value: Buffer.from(String(d)), timestamp: base + d })),
    );
    assert.equal(await client.listOffsets(tp, 'earliest'), 0);
    assert.equal(await client.listOffsets(tp, 'latest'), 4);
    assert.equal(await client.listOffsets(tp, { timestamp: base }), 0);
    assert.equal(await client.listOffsets(tp, { timestamp: base + 2000 }), 1);
    assert.equal(await client.listOffsets(tp, { timestamp: base + 2001 }), 2);
    assert.equal(await client.listOffsets(tp, { timestamp: base + 9999 }), 4, 'past the last record: latest');
    await rejectsWith(client.listOffsets(tp, 'middle' as never), 'INVALID_ARGUMENT');
    await rejectsWith(client.listOffsets({ topic: unique('missing'), partition: 0 }, 'latest'), 'TOPIC_NOT_FOUND');
  });

  it('consumes with positions, commits to the Kafka group coordinator and resumes in a new consumer', async () => {
    const t = unique('group');
    const group = unique('group');
    await client.createTopic(t, { partitions: 3 });
    await client.produce(
      t,
      Array.from({ length: 30 }, (_, i) => ({ key: Buffer.from(`k${i % 5}`), value: Buffer.from(String(i)) })),
    );
    const c1 = client.createConsumer({ topics: [t], groupId: group, startFrom: 'earliest', maxPollRecords: 7 });
    const seen: LogRecord[] = [];
    while (seen.length < 20) {
      const batch = await c1.poll({ timeoutMs: 5000 });
      assert.ok(batch.length > 0 && batch.length <= 7, `poll returned ${batch.length}`);
      seen.push(...batch);
    }
    assert.deepEqual(
      c1.assignment().map((a) => a.partition),
      [0, 1, 2],
    );
    const positions = c1.positions();
    for (const p of positions) {
      const last = seen.filter((r) => r.partition === p.partition).at(-1);
      assert.equal(p.offset, last ? last.offset + 1 : 0, `position of partition ${p.partition}`);
    }
    await c1.commit();
    await c1.close();
    assert.deepEqual(await c1.poll({ timeoutMs: 10 }), [], 'a closed consumer polls nothing');

    const committed = await client.fetchCommittedOffsets(group, [t]);
    assert.deepEqual(committed, positions);
    // They live in Kafka's group coordinator: another client sees them.
    const admin = new Admin({ clientId: 'verify', bootstrapBrokers: [broker.bootstrap] });
    try {
      const [g] = await admin.listConsumerGroupOffsets({ groups: [group] });
      const fromKafka = g!.topics.flatMap((x) => x.partitions.map((p) => ({ topic: x.name, partition: p.partitionIndex, offset: Number(p.committedOffset) })));
      assert.deepEqual(
        fromKafka.sort((a, b) => a.partition - b.partition),
        positions,
      );
    } finally {
      await admin.close();
    }
    assert.ok((await client.listGroups()).includes(group));

    // A new consumer of the group resumes after the committed offsets.
    const c2 = client.createConsumer({ topics: [t], groupId: group, startFrom: 'earliest' });
    const rest: LogRecord[] = [];
    while (seen.length + rest.length < 30) {
      const batch = await c2.poll({ timeoutMs: 5000 });
      assert.ok(batch.length > 0, 'the rest is available');
      rest.push(...batch);
    }
    const values = [...seen, ...rest].map((r) => Number(text(r.value))).sort((a, b) => a - b);
    assert.deepEqual(
      values,
      Array.from({ length: 30 }, (_, i) => i),
      'every record exactly once',
    );
    // Async iteration and seek.
    c2.seek({ topic: t, partition: 0 }, 0);
    for await (const batch of c2) {
      assert.ok(batch.every((r) => r.partition === 0));
      assert.equal(batch[0]!.offset, 0);
      break;
    }
    await c2.commit([{ topic: t, partition: 0, offset: 1 }]);
    assert.equal((await client.fetchCommittedOffsets(group)).find((c) => c.partition === 0)!.offset, 1);
    await c2.close();

    // Explicit assignment, no group, starting at the end: nothing to read until a produce.
    const c3 = client.createConsumer({ topics: [], partitions: [{ topic: t, partition: 1 }], startFrom: 'latest' });
    assert.deepEqual(await c3.poll({ timeoutMs: 100 }), []);
    setTimeout(() => void client.produce(t, [{ value: Buffer.from('late'), partition: 1 }]), 100);
    const late = await c3.poll({ timeoutMs: 10_000 });
    assert.deepEqual(
      late.map((r) => [r.partition, text(r.value)]),
      [[1, 'late']],
    );
    await c3.close();

    await rejectsWith(client.commitOffsets(group, [{ topic: t, partition: 0, offset: -1 }]), 'INVALID_OFFSET_COMMIT');
    await client.deleteGroup(group);
    assert.ok(!(await client.listGroups()).includes(group));
    assert.deepEqual(await client.fetchCommittedOffsets(group), []);
    await rejectsWith(client.deleteGroup(group), 'GROUP_NOT_FOUND', group);
  });

  it('refuses a batch over max.message.bytes with RECORD_TOO_LARGE and stores none of it', async () => {
    const t = unique('big');
    await client.createTopic(t, { config: { 'max.message.bytes': 2000 } });
    await client.produce(t, [{ value: Buffer.from('small') }]);
    const err = await rejectsWith(client.produce(t, [{ value: Buffer.from('ok') }, { value: Buffer.alloc(5000, 7) }]), 'RECORD_TOO_LARGE', 'max.message.bytes');
    assert.match(err.message, new RegExp(broker.bootstrap.replace(/\./g, '\\.')));
    assert.equal((await client.describeTopic(t)).partitions[0]!.highWatermark, 1);
    // The producer recovers: later produces still work and are in order.
    const [m] = await client.produce(t, [{ value: Buffer.from('after') }]);
    assert.equal(m!.offset, 1);
  });

  it('fails fast with BROKER_UNAVAILABLE naming host:port when no broker listens', async () => {
    const port = await freePort();
    const dead = new KafkaLogClient({ bootstrap: `127.0.0.1:${port}`, connectTimeoutMs: 2000 });
    try {
      const started = Date.now();
      await rejectsWith(dead.listTopics(), 'BROKER_UNAVAILABLE', `127.0.0.1:${port}`);
      await rejectsWith(dead.produce('any', [{ value: null }]), 'BROKER_UNAVAILABLE', `127.0.0.1:${port}`);
      await rejectsWith(dead.createTopic('any'), 'BROKER_UNAVAILABLE', `127.0.0.1:${port}`);
      assert.ok(Date.now() - started < 3000, `failed in ${Date.now() - started} ms`);
    } finally {
      await dead.close();
    }
    assert.throws(() => new KafkaLogClient({ bootstrap: 'no-port' }), (e: unknown) => isShiftleftError(e, 'INVALID_CONFIG'));
  });

  it('tells a security mismatch from an unreachable broker (SASL or TLS against a PLAINTEXT listener)', async () => {
    // Only PLAINTEXT listeners run here; a client speaking SASL or TLS to one must get an error
    // about authentication/TLS naming the broker, not "is Kafka running?".
    const sasl = new KafkaLogClient({ bootstrap: broker.bootstrap, security: { sasl: { mechanism: 'SCRAM-SHA-512', username: 'u', password: 'p' } } });
    const tls = new KafkaLogClient({ bootstrap: broker.bootstrap, security: { tls: {} }, connectTimeoutMs: 3000 });
    try {
      const e = await rejectsWith(sasl.checkConnection(), 'UNAUTHENTICATED', broker.bootstrap);
      assert.match(e.message, /SASL_PLAINTEXT/);
      assert.match((e as { hint?: string }).hint ?? '', /sasl/i);
      await rejectsWith(tls.checkConnection(), 'BROKER_UNAVAILABLE', /TLS handshake with Kafka broker 127\.0\.0\.1:\d+ failed/);
    } finally {
      await sasl.close();
      await tls.close();
    }
    assert.throws(
      () => new KafkaLogClient({ bootstrap: broker.bootstrap, security: { tls: { caFile: '/nonexistent/ca.pem' } } }),
      (e: unknown) => isShiftleftError(e, 'INVALID_CONFIG') && e.message.includes('/nonexistent/ca.pem'),
    );
    assert.throws(
      () => new KafkaLogClient({ bootstrap: broker.bootstrap, security: { sasl: { mechanism: 'PLAIN', username: 'u', password: '' } } }),
      (e: unknown) => isShiftleftError(e, 'INVALID_CONFIG') && /password/.test(e.message),
    );
  });

  it('createTopic ifNotExists accepts an existing topic as it is, again and again', async () => {
    const t = unique('idem');
    await client.createTopic(t, { partitions: 2 });
    for (let i = 0; i < 2; i++) {
      const d = await client.createTopic(t, { partitions: 1, config: { 'cleanup.policy': 'compact' }, ifNotExists: true });
      assert.equal(d.partitions.length, 2);
      assert.equal(d.config['cleanup.policy'], 'delete', 'an existing topic is not changed');
    }
    // Concurrent creations of a missing topic all succeed with one topic.
    const u = unique('race');
    const all = await Promise.all([1, 2, 3].map(() => client.createTopic(u, { ifNotExists: true })));
    assert.ok(all.every((d) => d.partitions.length === 1));
  });

  it('refuses calls after close', async () => {
    const c = new KafkaLogClient({ bootstrap: broker.bootstrap });
    await c.listTopics();
    await c.close();
    await rejectsWith(c.listTopics(), 'CLOSED');
  });
});
