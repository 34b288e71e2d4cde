/**
 * The LogClient transaction conformance suite: what every log with `beginTransaction` (embedded,
 * Kafka) must do the same way. read_committed readers (fetch, waitForRecords, the last stable
 * offset) see a transaction only once it commits, on every partition and topic at once; an
 * abort hides it for good; a second transaction of the same id fences the first; a writer that
 * "crashes" with a transaction open is cleaned up by its successor's beginTransaction; bad
 * inputs fail with clear codes. Topic names and transactional ids are unique per test so the
 * suite can share one Kafka broker.
 */
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import type { IsolationLevel, LogClient } from '../../src/log/log-client.ts';
import { rejectsWith } from './conformance.ts';

export interface TransactionLogUnderTest {
  /** The client in use (replaced by `crashAndRestart`). */
  readonly client: LogClient;
  /**
   * The writer's process dies without ending its transactions (no commit, no abort) and a new
   * process opens the same log: returns the new process's client, which `client` then is.
   */
  crashAndRestart(): Promise<LogClient>;
  close(): Promise<void>;
}

const b = (s: string): Buffer => Buffer.from(s);

/** Every value of a partition as the given reader sees it, from offset 0. */
export async function readValues(log: LogClient, topic: string, isolation: IsolationLevel, partition = 0): Promise<string[]> {
  const out: string[] = [];
  let offset = 0;
  for (;;) {
    const page = await log.fetch({ topic, partition }, offset, { isolation });
    for (const r of page.records) out.push(r.value === null ? '<null>' : r.value.toString());
    if (page.records.length === 0 || page.nextOffset === offset) break;
    offset = page.nextOffset;
  }
  return out;
}

export function runTransactionConformance(name: string, open: () => Promise<TransactionLogUnderTest>): void {
  describe(`LogClient transactions: ${name}`, () => {
    let log: TransactionLogUnderTest;
    const unique = (label: string): string => `txn-${label}-${randomUUID().slice(0, 8)}`;
    const client = (): LogClient => log.client;
    const begin = (id: string) => {
      const c = client();
      assert.ok(c.beginTransaction, `${name} must implement beginTransaction`);
      return c.beginTransaction(id);
    };

    before(async () => {
      log = await open();
    });
    after(async () => {
      await log?.close();
    });

    it('shows a transaction to read_committed readers only once it commits, on every partition at once', async () => {
      const t = unique('visible');
      await client().createTopic(t, { partitions: 2 });
      await client().produce(t, [{ value: b('plain'), partition: 0 }]);
      const txn = await begin(unique('writer'));
      const written = await txn.produce(t, [
        { value: b('a'), partition: 0 },
        { value: b('b'), partition: 1 },
      ]);
      assert.deepEqual(
        written.map((m) => [m.topic, m.partition, m.offset]),
        [
          [t, 0, 1],
          [t, 1, 0],
        ],
      );
      await client().produce(t, [{ value: b('after-open'), partition: 0 }]);

      assert.deepEqual(await readValues(client(), t, 'read_uncommitted'), ['plain', 'a', 'after-open']);
      assert.deepEqual(await readValues(client(), t, 'read_committed'), ['plain'], 'stops at the last stable offset');
      assert.deepEqual(await readValues(client(), t, 'read_committed', 1), []);
      const before = await client().describeTopic(t);
      assert.equal(before.partitions[0]!.lastStableOffset, 1);
      assert.equal(before.partitions[0]!.highWatermark, 3);
      assert.equal(before.partitions[1]!.lastStableOffset, 0);
      assert.equal(
        await client().waitForRecords([{ topic: t, partition: 1, offset: 0 }], { timeoutMs: 300, isolation: 'read_committed' }),
        false,
        'an open transaction does not wake read_committed waiters',
      );
      assert.equal(await client().waitForRecords([{ topic: t, partition: 1, offset: 0 }], { timeoutMs: 300 }), true, 'it wakes read_uncommitted ones');

      const woke = client().waitForRecords([{ topic: t, partition: 1, offset: 0 }], { timeoutMs: 10_000, isolation: 'read_committed' });
      await txn.commit();
      assert.equal(await woke, true, 'a commit wakes read_committed waiters');
      assert.deepEqual(await readValues(client(), t, 'read_committed'), ['plain', 'a', 'after-open']);
      assert.deepEqual(await readValues(client(), t, 'read_committed', 1), ['b']);
      const after = await client().describeTopic(t);
      // The commit marker takes an offset but is never a record.
      assert.deepEqual(
        after.partitions.map((p) => [p.highWatermark, p.lastStableOffset]),
        [
          [4, 4],
          [2, 2],
        ],
      );
      await rejectsWith(txn.produce(t, [{ value: b('late') }]), 'TRANSACTION_FENCED', 'committed');
      await rejectsWith(txn.commit(), 'TRANSACTION_FENCED');
      await rejectsWith(txn.abort(), 'TRANSACTION_FENCED');
    });

    it('hides an aborted transaction from read_committed readers, and the consumer skips it', async () => {
      const t = unique('abort');
      await client().createTopic(t);
      const txn = await begin(unique('writer'));
      await txn.produce(t, [{ value: b('x') }, { value: b('y') }]);
      await txn.abort();
      await client().produce(t, [{ value: b('z') }]);
      assert.deepEqual(await readValues(client(), t, 'read_committed'), ['z']);
      assert.deepEqual(await readValues(client(), t, 'read_uncommitted'), ['x', 'y', 'z']);
      assert.equal((await client().describeTopic(t)).partitions[0]!.lastStableOffset, 4, 'x, y, the abort marker, z');
      const consumer = client().createConsumer({ topics: [t], startFrom: 'earliest', isolation: 'read_committed' });
      try {
        const seen: string[] = [];
        for (let i = 0; i < 20 && seen.length < 1; i++) seen.push(...(await consumer.poll({ timeoutMs: 500 })).map((r) => r.value!.toString()));
        assert.deepEqual(seen, ['z']);
      } finally {
        await consumer.close();
      }
      await rejectsWith(txn.commit(), 'TRANSACTION_FENCED', 'aborted');
    });

    it('runs many transactions of one id one after the other, committed and aborted', async () => {
      const t = unique('sequential');
      await client().createTopic(t, { partitions: 2 });
      const id = unique('writer');
      const expected: string[] = [];
      for (let round = 0; round < 5; round++) {
        const txn = await begin(id);
        assert.equal(txn.transactionalId, id);
        const values = [`r${round}-0`, `r${round}-1`, `r${round}-2`];
        await txn.produce(t, values.map((v) => ({ value: b(v), partition: 0 })));
        await txn.produce(t, [{ value: b(`r${round}-p1`), partition: 1 }]);
        if (round === 2) {
          await txn.abort();
          continue;
        }
        await txn.commit();
        expected.push(...values);
      }
      assert.deepEqual(await readValues(client(), t, 'read_committed'), expected);
      assert.equal((await readValues(client(), t, 'read_committed', 1)).length, 4);
      // A transaction without records ends quietly, either way.
      await (await begin(id)).commit();
      await (await begin(id)).abort();
      assert.deepEqual(await readValues(client(), t, 'read_committed'), expected);
    });

    it('spans several topics and partitions atomically', async () => {
      const [orders, audit] = [unique('orders'), unique('audit')];
      await client().createTopic(orders, { partitions: 3 });
      await client().createTopic(audit);
      const keys = Array.from({ length: 12 }, (_, i) => `k${i}`);
      const committedRead = async (): Promise<number> => {
        let n = (await readValues(client(), audit, 'read_committed')).length;
        for (let p = 0; p < 3; p++) n += (await readValues(client(), orders, 'read_committed', p)).length;
        return n;
      };

      const txn = await begin(unique('writer'));
      const placed = await txn.produce(orders, keys.map((k) => ({ key: b(k), value: b(`order-${k}`) })));
      assert.ok(new Set(placed.map((m) => m.partition)).size > 1, 'keyed records land on several partitions');
      await txn.produce(audit, [{ value: b('12 orders') }]);
      await txn.produce(orders, [{ key: b('k0'), value: b('order-k0-again') }]);
      assert.equal(await committedRead(), 0, 'nothing visible before the commit');
      await txn.commit();
      assert.equal(await committedRead(), 14);
      assert.deepEqual(await readValues(client(), audit, 'read_committed'), ['12 orders']);

      const aborted = await begin(unique('writer'));
      await aborted.produce(orders, keys.map((k) => ({ key: b(k), value: b('never') })));
      await aborted.produce(audit, [{ value: b('never') }]);
      await aborted.abort();
      assert.equal(await committedRead(), 14, 'an abort hides its records on every topic');
      for (let p = 0; p < 3; p++) assert.ok(!(await readValues(client(), orders, 'read_committed', p)).includes('never'));
    });

    it('fences the previous transaction of the same transactional id', async () => {
      const t = unique('fence');
      await client().createTopic(t);
      const id = unique('writer');
      const old = await begin(id);
      await old.produce(t, [{ value: b('old') }]);
      const fresh = await begin(id);
      await rejectsWith(old.commit(), 'TRANSACTION_FENCED');
      await rejectsWith(old.produce(t, [{ value: b('zombie') }]), 'TRANSACTION_FENCED');
      await fresh.produce(t, [{ value: b('new') }]);
      await fresh.commit();
      assert.deepEqual(await readValues(client(), t, 'read_committed'), ['new']);
      const other = await begin(unique('other'));
      await other.produce(t, [{ value: b('other id') }]);
      await (await begin(id)).commit();
      await other.commit();
      assert.deepEqual(await readValues(client(), t, 'read_committed'), ['new', 'other id'], 'another id is not fenced');
    });

    it('aborts what a crashed writer left open when its successor begins a transaction of the same id', async () => {
      const t = unique('crash');
      await client().createTopic(t);
      const id = unique('writer');
      await client().produce(t, [{ value: b('committed-before') }]);
      const dying = await begin(id);
      await dying.produce(t, [{ value: b('in-flight') }]);
      const successor = await log.crashAndRestart();
      const next = await successor.beginTransaction!(id);
      assert.deepEqual(await readValues(successor, t, 'read_committed'), ['committed-before'], 'the dead transaction is aborted');
      const d = await successor.describeTopic(t);
      assert.equal(d.partitions[0]!.lastStableOffset, d.partitions[0]!.highWatermark, 'nothing holds the stable offset back');
      await next.produce(t, [{ value: b('again') }]);
      await next.commit();
      assert.deepEqual(await readValues(successor, t, 'read_committed'), ['committed-before', 'again']);
    });

    it('refuses bad inputs with clear errors and keeps the transaction usable', async () => {
      const t = unique('bad');
      await client().createTopic(t, { partitions: 2 });
      await rejectsWith(begin(''), 'INVALID_ARGUMENT');
      await rejectsWith(begin(42 as unknown as string), 'INVALID_ARGUMENT');
      const txn = await begin(unique('writer'));
      const missing = unique('missing');
      await rejectsWith(txn.produce(missing, [{ value: b('x') }]), 'TOPIC_NOT_FOUND', missing);
      await rejectsWith(txn.produce(t, [{ value: b('x'), partition: 7 }]), 'PARTITION_NOT_FOUND', t);
      await rejectsWith(txn.produce('bad name', [{ value: b('x') }]), 'INVALID_TOPIC_NAME');
      assert.deepEqual(await txn.produce(t, []), []);
      await txn.produce(t, [{ value: b('fine'), partition: 1 }]);
      await txn.commit();
      assert.deepEqual(await readValues(client(), t, 'read_committed', 1), ['fine']);
    });
  });
}
