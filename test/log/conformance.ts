/**
 * The LogClient conformance suite: what every implementation (embedded, Kafka) must do the same
 * way. A test file calls `runLogConformance` with a factory; topic names are unique per test so
 * the suite can run against a shared broker.
 */
import { describe, it, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { isShiftleftError, type ErrorCode } from '../../src/common/errors.ts';
import type { LogClient } from '../../src/log/log-client.ts';
import { defaultPartition } from '../../src/log/partitioner.ts';

export interface LogUnderTest {
  client: LogClient;
  close(): Promise<void>;
}

export async function rejectsWith(promise: Promise<unknown> | (() => unknown), code: ErrorCode, messagePart?: string | RegExp): Promise<void> {
  await assert.rejects(
    async () => (typeof promise === 'function' ? await promise() : await promise),
    (error: unknown) => {
      assert.ok(isShiftleftError(error), `expected a ShiftleftError ${code}, got ${String(error)}`);
      assert.equal(error.code, code, `expected ${code}, got ${error.code}: ${error.message}`);
      if (messagePart !== undefined) {
        if (typeof messagePart === 'string') assert.ok(error.message.includes(messagePart), `message '${error.message}' lacks '${messagePart}'`);
        else assert.match(error.message, messagePart);
      }
      return true;
    },
  );
}

const text = (b: Buffer | null): string | null => (b === null ? null : b.toString('utf8'));

export function runLogConformance(name: string, open: () => Promise<LogUnderTest>): void {
  describe(`LogClient conformance: ${name}`, () => {
    let log: LogUnderTest;
    let client: LogClient;
    const topicName = (label: string): string => `conf-${label}-${randomUUID().slice(0, 8)}`;

    before(async () => {
      log = await open();
      client = log.client;
    });
    after(async () => {
      await log?.close();
    });

    it('creates, describes, lists, alters and deletes topics', async () => {
      const t = topicName('admin');
      const created = await client.createTopic(t, { partitions: 3, config: { 'retention.ms': 3_600_000, 'cleanup.policy': 'delete' } });
      assert.equal(created.name, t);
      assert.equal(created.partitions.length, 3);
      assert.equal(created.config['retention.ms'], 3_600_000);
      assert.ok((await client.listTopics()).includes(t));
      const described = await client.describeTopic(t);
      assert.deepEqual(
        described.partitions.map((p) => [p.partition, p.logStartOffset, p.highWatermark]),
        [
          [0, 0, 0],
          [1, 0, 0],
          [2, 0, 0],
        ],
      );
      const altered = await client.alterTopicConfig(t, { 'retention.ms': 60_000 });
      assert.equal(altered.config['retention.ms'], 60_000);
      assert.equal((await client.describeTopic(t)).config['retention.ms'], 60_000);
      await rejectsWith(client.createTopic(t), 'TOPIC_ALREADY_EXISTS', t);
      const again = await client.createTopic(t, { partitions: 5, ifNotExists: true });
      assert.equal(again.partitions.length, 3, 'ifNotExists leaves the existing topic as it is');
      await client.deleteTopic(t);
      assert.ok(!(await client.listTopics()).includes(t));
      await rejectsWith(client.describeTopic(t), 'TOPIC_NOT_FOUND', t);
    });

    it('refuses invalid topic names, configs and partition counts', async () => {
      await rejectsWith(client.createTopic('has space'), 'INVALID_TOPIC_NAME', 'has space');
      await rejectsWith(client.createTopic('..'), 'INVALID_TOPIC_NAME');
      await rejectsWith(client.createTopic('a'.repeat(250)), 'INVALID_TOPIC_NAME', '249');
      await rejectsWith(client.createTopic(''), 'INVALID_TOPIC_NAME');
      await rejectsWith(client.createTopic(topicName('badcfg'), { config: { 'retention.ms': 'soon' as unknown as number } }), 'INVALID_TOPIC_CONFIG', 'retention.ms');
      await rejectsWith(client.createTopic(topicName('badcfg'), { config: { 'no.such.config': 1 } as never }), 'INVALID_TOPIC_CONFIG', 'no.such.config');
      await rejectsWith(client.createTopic(topicName('badcfg'), { config: { 'cleanup.policy': 'sometimes' as never } }), 'INVALID_TOPIC_CONFIG', 'cleanup.policy');
      await rejectsWith(client.createTopic(topicName('badparts'), { partitions: 0 }), 'INVALID_TOPIC_CONFIG', 'partition');
    });

    it('produces and fetches keys, values, tombstones, headers and timestamps', async () => {
      const t = topicName('roundtrip');
      await client.createTopic(t);
      const metadata = await client.produce(t, [
        { key: Buffer.from('k1'), value: Buffer.from('v1'), timestamp: 1_700_000_000_000, headers: [{ key: 'h1', value: Buffer.from('x') }, { key: 'h2', value: null }] },
        { key: null, value: Buffer.from('v2'), timestamp: 1_700_000_000_500 },
        { key: Buffer.from('k1'), value: null, timestamp: 1_700_000_001_000 },
        { key: Buffer.from(''), value: Buffer.from('') , timestamp: 1_700_000_001_000 },
      ]);
      assert.deepEqual(
        metadata.map((m) => [m.partition, m.offset, m.timestamp]),
        [
          [0, 0, 1_700_000_000_000],
          [0, 1, 1_700_000_000_500],
          [0, 2, 1_700_000_001_000],
          [0, 3, 1_700_000_001_000],
        ],
      );
      const { records, nextOffset, highWatermark } = await client.fetch({ topic: t, partition: 0 }, 0);
      assert.equal(nextOffset, 4);
      assert.equal(highWatermark, 4);
      assert.deepEqual(
        records.map((r) => [r.offset, text(r.key), text(r.value), r.timestamp, r.headers.map((h) => [h.key, text(h.value)])]),
        [
          [0, 'k1', 'v1', 1_700_000_000_000, [['h1', 'x'], ['h2', null]]],
          [1, null, 'v2', 1_700_000_000_500, []],
          [2, 'k1', null, 1_700_000_001_000, []],
          [3, '', '', 1_700_000_001_000, []],
        ],
      );
    });

    it('partitions keyed records with Kafka murmur2 and honours explicit partitions', async () => {
      const t = topicName('keys');
      await client.createTopic(t, { partitions: 4 });
      const keys = Array.from({ length: 40 }, (_, i) => `customer-${i}`);
      const metadata = await client.produce(
        t,
        keys.map((k) => ({ key: Buffer.from(k), value: Buffer.from(k) })),
      );
      for (let i = 0; i < keys.length; i++) {
        assert.equal(metadata[i]!.partition, defaultPartition(Buffer.from(keys[i]!), 4), `key ${keys[i]}`);
      }
      const [explicit] = await client.produce(t, [{ key: Buffer.from('customer-0'), value: Buffer.from('x'), partition: 3 }]);
      assert.equal(explicit!.partition, 3);
      await rejectsWith(client.produce(t, [{ value: Buffer.from('x'), partition: 4 }]), 'PARTITION_NOT_FOUND', '4');
      await rejectsWith(client.fetch({ topic: t, partition: 9 }, 0), 'PARTITION_NOT_FOUND');
    });

    it('fetches from any offset, bounded by maxRecords, and refuses offsets out of range', async () => {
      const t = topicName('offsets');
      await client.createTopic(t);
      await client.produce(
        t,
        Array.from({ length: 100 }, (_, i) => ({ key: null, value: Buffer.from(`r${i}`), partition: 0 })),
      );
      const tp = { topic: t, partition: 0 };
      const middle = await client.fetch(tp, 42, { maxRecords: 5 });
      assert.deepEqual(
        middle.records.map((r) => text(r.value)),
        ['r42', 'r43', 'r44', 'r45', 'r46'],
      );
      assert.equal(middle.nextOffset, 47);
      const all: string[] = [];
      let offset = 0;
      while (offset < 100) {
        const page = await client.fetch(tp, offset, { maxRecords: 7 });
        assert.ok(page.records.length > 0);
        for (const r of page.records) all.push(text(r.value)!);
        offset = page.nextOffset;
      }
      assert.deepEqual(all, Array.from({ length: 100 }, (_, i) => `r${i}`));
      const atEnd = await client.fetch(tp, 100);
      assert.equal(atEnd.records.length, 0);
      assert.equal(atEnd.highWatermark, 100);
      await rejectsWith(client.fetch(tp, 101), 'OFFSET_OUT_OF_RANGE');
      await rejectsWith(client.fetch(tp, -1), 'OFFSET_OUT_OF_RANGE');
    });

    it('refuses a record over max.message.bytes and writes nothing of that call', async () => {
      const t = topicName('big');
      await client.createTopic(t, { config: { 'max.message.bytes': 2000 } });
      await client.produce(t, [{ value: Buffer.from('small') }]);
      await rejectsWith(
        client.produce(t, [{ value: Buffer.from('ok') }, { value: Buffer.alloc(5000, 1) }]),
        'RECORD_TOO_LARGE',
        'max.message.bytes',
      );
      const d = await client.describeTopic(t);
      assert.equal(d.partitions[0]!.highWatermark, 1);
    });

    it('refuses unknown topics everywhere', async () => {
      const t = topicName('missing');
      await rejectsWith(client.produce(t, [{ value: Buffer.from('x') }]), 'TOPIC_NOT_FOUND', t);
      await rejectsWith(client.fetch({ topic: t, partition: 0 }, 0), 'TOPIC_NOT_FOUND');
      await rejectsWith(client.deleteTopic(t), 'TOPIC_NOT_FOUND');
      await rejectsWith(client.alterTopicConfig(t, { 'retention.ms': 1 }), 'TOPIC_NOT_FOUND');
    });

    it('wakes a long-polling fetch and waitForRecords when data arrives', async () => {
      const t = topicName('tail');
      await client.createTopic(t);
      const tp = { topic: t, partition: 0 };
      const pending = client.fetch(tp, 0, { maxWaitMs: 20_000 });
      const waiting = client.waitForRecords([{ ...tp, offset: 0 }], { timeoutMs: 20_000 });
      setTimeout(() => void client.produce(t, [{ value: Buffer.from('wake') }]), 50);
      const result = await pending;
      assert.deepEqual(
        result.records.map((r) => text(r.value)),
        ['wake'],
      );
      assert.equal(await waiting, true);
      assert.equal(await client.waitForRecords([{ ...tp, offset: 1 }], { timeoutMs: 50 }), false);
      const controller = new AbortController();
      const aborted = client.waitForRecords([{ ...tp, offset: 1 }], { timeoutMs: 20_000, signal: controller.signal });
      controller.abort();
      assert.equal(await aborted, false);
    });

    it('lists offsets: earliest, latest and by timestamp', async () => {
      const t = topicName('times');
      await client.createTopic(t);
      const tp = { topic: t, partition: 0 };
      await client.produce(
        t,
        [1000, 2000, 3000, 4000].map((ts) => ({ value: Buffer.from(String(ts)), timestamp: 1_700_000_000_000 + ts })),
      );
      assert.equal(await client.listOffsets(tp, 'earliest'), 0);
      assert.equal(await client.listOffsets(tp, 'latest'), 4);
      assert.equal(await client.listOffsets(tp, { timestamp: 1_700_000_002_000 }), 1);
      assert.equal(await client.listOffsets(tp, { timestamp: 1_700_000_002_500 }), 2);
      assert.equal(await client.listOffsets(tp, { timestamp: 1_700_000_000_000 }), 0);
      assert.equal(await client.listOffsets(tp, { timestamp: 1_800_000_000_000 }), 4);
    });

    it('consumes all partitions in order, commits, and resumes a group where it stopped', async () => {
      const t = topicName('group');
      const group = `g-${randomUUID().slice(0, 8)}`;
      await client.createTopic(t, { partitions: 3 });
      await client.produce(
        t,
        Array.from({ length: 30 }, (_, i) => ({ key: Buffer.from(`k${i % 7}`), value: Buffer.from(String(i)) })),
      );
      const first = client.createConsumer({ topics: [t], groupId: group, startFrom: 'earliest', maxPollRecords: 10 });
      const seen: number[] = [];
      while (seen.length < 30) {
        const batch = await first.poll({ timeoutMs: 5000 });
        assert.ok(batch.length > 0, 'records are available');
        for (const r of batch) seen.push(Number(text(r.value)));
      }
      assert.deepEqual(
        [...seen].sort((a, b) => a - b),
        Array.from({ length: 30 }, (_, i) => i),
      );
      // Per key (so per partition), order is the produce order.
      for (let k = 0; k < 7; k++) {
        const ofKey = seen.filter((v) => v % 7 === k);
        assert.deepEqual(ofKey, [...ofKey].sort((a, b) => a - b));
      }
      await first.commit();
      await first.close();
      const committed = await client.fetchCommittedOffsets(group, [t]);
      assert.equal(committed.reduce((sum, c) => sum + c.offset, 0), 30);
      assert.ok((await client.listGroups()).includes(group));

      await client.produce(t, [{ key: Buffer.from('k1'), value: Buffer.from('30') }]);
      const second = client.createConsumer({ topics: [t], groupId: group, startFrom: 'earliest' });
      const next = await second.poll({ timeoutMs: 5000 });
      assert.deepEqual(
        next.map((r) => text(r.value)),
        ['30'],
      );
      await second.close();

      const latest = client.createConsumer({ topics: [t], startFrom: 'latest' });
      assert.deepEqual(await latest.poll({ timeoutMs: 100 }), []);
      await latest.close();

      await client.deleteGroup(group);
      assert.deepEqual(await client.fetchCommittedOffsets(group, [t]), []);
    });

    it('seeks a consumer to an explicit offset', async () => {
      const t = topicName('seek');
      await client.createTopic(t);
      await client.produce(
        t,
        Array.from({ length: 10 }, (_, i) => ({ value: Buffer.from(String(i)) })),
      );
      const consumer = client.createConsumer({ topics: [t], partitions: [{ topic: t, partition: 0 }], startFrom: 'earliest' });
      consumer.seek({ topic: t, partition: 0 }, 7);
      const records = await consumer.poll({ timeoutMs: 2000 });
      assert.deepEqual(
        records.map((r) => text(r.value)),
        ['7', '8', '9'],
      );
      assert.deepEqual(consumer.positions(), [{ topic: t, partition: 0, offset: 10 }]);
      await consumer.close();
    });

    it('uses the append time as timestamp on LogAppendTime topics', async () => {
      const t = topicName('appendtime');
      await client.createTopic(t, { config: { 'message.timestamp.type': 'LogAppendTime' } });
      const before = Date.now();
      const [m] = await client.produce(t, [{ value: Buffer.from('x'), timestamp: 1000 }]);
      const { records } = await client.fetch({ topic: t, partition: 0 }, 0);
      assert.ok(records[0]!.timestamp >= before - 60_000, 'the producer timestamp 1000 was replaced');
      assert.equal(records[0]!.timestamp, m!.timestamp);
    });

    it('requires keys on compacted topics', async () => {
      const t = topicName('compacted');
      await client.createTopic(t, { config: { 'cleanup.policy': 'compact' } });
      await rejectsWith(client.produce(t, [{ value: Buffer.from('no key') }]), 'INVALID_RECORD', 'key');
      await client.produce(t, [{ key: Buffer.from('k'), value: Buffer.from('v') }]);
      assert.equal((await client.describeTopic(t)).partitions[0]!.highWatermark, 1);
    });
  });
}
