/**
 * KafkaLogClient transactions on a real Apache Kafka 4.x broker (one for this file): the shared
 * transaction conformance suite (test/log/transaction-conformance.ts), then what is Kafka's own:
 * a zombie writer in another live client is fenced by the brokers, a transaction that outlives
 * its timeout is aborted by Kafka and reported as fenced, and a timeout the brokers refuse is a
 * configuration error.
 */
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { KafkaLogClient } from '../../src/log/kafka/kafka-log-client.ts';
import { kafkaTestSkip, startKafkaBroker, type KafkaBroker } from '../support/kafka-broker.ts';
import { rejectsWith } from './conformance.ts';
import { readValues, runTransactionConformance } from './transaction-conformance.ts';

const skip = kafkaTestSkip('Kafka transactions');
const b = (s: string): Buffer => Buffer.from(s);
const unique = (label: string): string => `ktx-${label}-${randomUUID().slice(0, 8)}`;

if (skip) {
  describe('Kafka transactions', { skip }, () => {});
} else {
  let broker: KafkaBroker | undefined;
  // Kafka looks for timed-out transactions every 10 s by default; the timeout test needs less.
  const brokerReady = (async () => {
    broker = await startKafkaBroker({ properties: { 'transaction.abort.timed.out.transaction.cleanup.interval.ms': 500 } });
    return broker;
  })();
  // Reported by the test that awaits it; an unhandled rejection here would only add noise.
  brokerReady.catch(() => undefined);
  const newClient = async (options: Partial<ConstructorParameters<typeof KafkaLogClient>[0]> = {}): Promise<KafkaLogClient> =>
    new KafkaLogClient({ bootstrap: (await brokerReady).bootstrap, clientId: 'shiftleft-txn-test', ...options });

  runTransactionConformance('kafka', async () => {
    let current = await newClient();
    return {
      get client() {
        return current;
      },
      // A crash sends nothing: the client goes away with its transaction open on the brokers.
      crashAndRestart: async () => {
        await current.close();
        current = await newClient();
        return current;
      },
      close: () => current.close(),
    };
  });

  describe('Kafka transactions: what the brokers enforce', { timeout: 60_000 }, () => {
    const clients: KafkaLogClient[] = [];
    const client = async (options: Parameters<typeof newClient>[0] = {}): Promise<KafkaLogClient> => {
      const c = await newClient(options);
      clients.push(c);
      return c;
    };

    before(async () => {
      await brokerReady;
    });
    after(async () => {
      for (const c of clients) await c.close();
      await broker?.stop();
    });

    it('fences a zombie writer that is still alive in another client', async () => {
      const [first, second] = [await client(), await client()];
      const t = unique('zombie');
      await first.createTopic(t, { partitions: 2 });
      const id = unique('writer');
      const zombie = await first.beginTransaction(id);
      await zombie.produce(t, [{ value: b('zombie-1'), partition: 0 }]);
      const successor = await second.beginTransaction(id);
      // The brokers know the zombie's epoch is old: on a partition it already wrote to, and on a new one.
      const fenced = /transaction '.+' is fenced \((INVALID_PRODUCER_EPOCH|PRODUCER_FENCED)\)/;
      await rejectsWith(zombie.produce(t, [{ value: b('zombie-2'), partition: 0 }]), 'TRANSACTION_FENCED', fenced);
      await rejectsWith(zombie.commit(), 'TRANSACTION_FENCED', fenced);
      await successor.produce(t, [{ value: b('successor'), partition: 1 }]);
      const other = await first.beginTransaction(id);
      // The zombie came back with a newer epoch: now the successor is the old one.
      await rejectsWith(successor.commit(), 'TRANSACTION_FENCED', 'fenced');
      await other.produce(t, [{ value: b('latest'), partition: 1 }]);
      await other.commit();
      assert.deepEqual(await readValues(first, t, 'read_committed', 0), []);
      assert.deepEqual(await readValues(first, t, 'read_committed', 1), ['latest']);
    });

    it('reports a transaction Kafka aborted after its timeout as fenced', async () => {
      const c = await client({ transactionTimeoutMs: 1000 });
      const t = unique('timeout');
      await c.createTopic(t);
      const txn = await c.beginTransaction(unique('slow'));
      await txn.produce(t, [{ value: b('too slow') }]);
      // Wait (no timing assumption) until the coordinator's cleanup has aborted it.
      for (let i = 0; i < 300; i++) {
        const p = (await c.describeTopic(t)).partitions[0]!;
        if (p.lastStableOffset === p.highWatermark) break;
        await new Promise((r) => setTimeout(r, 100));
      }
      const p = (await c.describeTopic(t)).partitions[0]!;
      assert.equal(p.lastStableOffset, p.highWatermark, 'Kafka aborted the transaction');
      await assert.rejects(txn.commit(), (error: Error & { code?: string; hint?: string }) => {
        assert.equal(error.code, 'TRANSACTION_FENCED', error.message);
        assert.match(error.hint ?? '', /timeout \(1000 ms\)/);
        return true;
      });
      assert.deepEqual(await readValues(c, t, 'read_committed'), []);
    });

    it('refuses a transaction timeout above the brokers\' maximum, naming the setting', async () => {
      const c = await client({ transactionTimeoutMs: 3_600_000 });
      await assert.rejects(c.beginTransaction(unique('long')), (error: Error & { code?: string; hint?: string }) => {
        assert.equal(error.code, 'INVALID_CONFIG', error.message);
        assert.match(error.message, /3600000 ms/);
        assert.match(error.hint ?? '', /transaction\.max\.timeout\.ms/);
        return true;
      });
    });
  });
}
