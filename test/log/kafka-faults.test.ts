/**
 * KafkaLogClient when the network fails under it, on a real Kafka broker reached through a
 * loopback TCP proxy (the broker advertises the proxy's address, so every connection, metadata
 * and produce alike, goes through it). The proxy can lose responses: the broker appends a
 * batch, the client never hears about it and its connection drops. The idempotent producer
 * must then resend the same batch and get the original offset back, writing nothing twice.
 */
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { createServer, Socket, type Server } from 'node:net';
import { KafkaLogClient } from '../../src/log/kafka/kafka-log-client.ts';
import { kafkaTestSkip, startKafkaBroker, type KafkaBroker } from '../support/kafka-broker.ts';

const skip = kafkaTestSkip('KafkaLogClient network faults');

/** A TCP proxy to the broker that can swallow responses and then cut its connections. */
class FlakyProxy {
  target: number | undefined;
  /** While set, data from the broker is dropped and the client sockets are cut shortly after. */
  loseResponses = false;
  readonly #sockets = new Set<Socket>();
  cuts = 0;

  private constructor(
    readonly server: Server,
    readonly port: number,
  ) {}

  static async start(): Promise<FlakyProxy> {
    const holder: { proxy?: FlakyProxy } = {};
    const server = createServer((client) => holder.proxy!.accept(client));
    const port = await new Promise<number>((resolve) =>
      server.listen(0, '127.0.0.1', () => {
        const a = server.address();
        resolve(typeof a === 'object' && a ? a.port : 0);
      }),
    );
    holder.proxy = new FlakyProxy(server, port);
    return holder.proxy;
  }

  accept(client: Socket): void {
    if (this.target === undefined) {
      client.destroy();
      return;
    }
    const upstream = new Socket();
    this.#sockets.add(client);
    this.#sockets.add(upstream);
    const drop = (): void => {
      client.destroy();
      upstream.destroy();
      this.#sockets.delete(client);
      this.#sockets.delete(upstream);
    };
    client.on('error', drop).on('close', drop);
    upstream.on('error', drop).on('close', drop);
    upstream.connect(this.target, '127.0.0.1');
    client.on('data', (chunk: Buffer) => upstream.write(chunk));
    upstream.on('data', (chunk: Buffer) => {
      if (!this.loseResponses) {
        client.write(chunk);
        return;
      }
      // The broker has handled the request (this is its answer): lose it, then the connection.
      this.loseResponses = false;
      this.cuts++;
      drop();
    });
  }

  async close(): Promise<void> {
    for (const s of this.#sockets) s.destroy();
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
  }
}

describe('KafkaLogClient under network faults', { skip, timeout: 90_000 }, () => {
  let proxy: FlakyProxy;
  let broker: KafkaBroker;
  let client: KafkaLogClient;

  before(async () => {
    proxy = await FlakyProxy.start();
    broker = await startKafkaBroker({ properties: { 'advertised.listeners': `PLAINTEXT://127.0.0.1:${proxy.port}` } });
    proxy.target = broker.port;
    client = new KafkaLogClient({ bootstrap: `127.0.0.1:${proxy.port}`, clientId: 'shiftleft-faults' });
  });

  after(async () => {
    await client?.close();
    await broker?.stop();
    await proxy?.close();
  });

  it('resends a batch whose acknowledgement was lost, and the broker keeps it once', async () => {
    await client.createTopic('lost-acks', { partitions: 1 });
    await client.produce('lost-acks', [{ value: Buffer.from('before') }]);

    proxy.loseResponses = true;
    const [lost] = await client.produce('lost-acks', [{ value: Buffer.from('acked-late-1') }, { value: Buffer.from('acked-late-2') }]);
    assert.equal(proxy.cuts, 1, 'the first acknowledgement was really lost');
    assert.equal(lost!.offset, 1, 'the original offset, from the broker recognizing the resent batch');

    const [next] = await client.produce('lost-acks', [{ value: Buffer.from('after') }]);
    assert.equal(next!.offset, 3);
    const { records } = await client.fetch({ topic: 'lost-acks', partition: 0 }, 0);
    assert.deepEqual(
      records.map((r) => r.value!.toString()),
      ['before', 'acked-late-1', 'acked-late-2', 'after'],
    );
  });

  it('keeps concurrent produce calls exactly-once and in per-call order through repeated cuts', async () => {
    await client.createTopic('cuts', { partitions: 2 });
    const calls = 240;
    const pending: Promise<unknown>[] = [];
    for (let i = 0; i < calls; i++) {
      pending.push(client.produce('cuts', [{ key: Buffer.from(`k${i % 4}`), value: Buffer.from(`v${i}`) }]));
      if (i % 12 === 5) proxy.loseResponses = true;
      if (i % 3 === 0) await new Promise((r) => setTimeout(r, 1));
    }
    await Promise.all(pending);
    assert.ok(proxy.cuts >= 2, `connections were cut (${proxy.cuts})`);
    const values: string[] = [];
    for (const partition of [0, 1]) {
      const inPartition = (await client.fetch({ topic: 'cuts', partition }, 0)).records.map((r) => Number(r.value!.toString().slice(1)));
      // Calls were issued in increasing order: resends keep that order within a partition.
      assert.deepEqual(inPartition, [...inPartition].sort((a, b) => a - b), `partition ${partition} in call order`);
      values.push(...inPartition.map(String));
    }
    assert.equal(values.length, calls, `no record lost or written twice: ${values.length}`);
    assert.equal(new Set(values).size, calls);
  });
});
