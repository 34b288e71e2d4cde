/**
 * The catalog in distributed mode: on a real Kafka broker, catalog data lives in Kafka's
 * compacted `_catalog` topic, so a platform started on a *fresh* data directory finds the tags
 * and business metadata again.
 */
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startPlatform, type RunningPlatform } from '../../src/platform.ts';
import { call } from '../registry/registry-harness.ts';
import { kafkaTestSkip, startKafkaBroker, type KafkaBroker } from '../support/kafka-broker.ts';

const skip = kafkaTestSkip('the catalog on Kafka');

describe('stream catalog on Kafka', { skip }, () => {
  let broker: KafkaBroker;
  const dirs: string[] = [];

  async function start(): Promise<RunningPlatform> {
    const dir = await mkdtemp(join(tmpdir(), 'shiftleft-catalog-kafka-'));
    dirs.push(dir);
    return startPlatform({ dataDir: dir, port: 0, registryPort: 0, log: { kind: 'kafka', kafka: { bootstrap: broker.bootstrap } } });
  }

  before(async () => {
    broker = await startKafkaBroker();
  });
  after(async () => {
    await broker?.stop();
    for (const dir of dirs) await rm(dir, { recursive: true, force: true });
  });

  it('keeps tags and business metadata in Kafka across platforms', async () => {
    const first = await start();
    try {
      await first.log.createTopic('orders', { partitions: 1 });
      const product = await call(first.urls.platform, 'POST', '/v1/actions/create-data-product', { topic: 'orders', owner: 'orders-team', description: 'Enriched orders' });
      assert.equal(product.status, 200, JSON.stringify(product.body));
      const described = await first.log.describeTopic('_catalog');
      assert.equal(described.config['cleanup.policy'], 'compact');
    } finally {
      await first.close();
    }
    const second = await start();
    try {
      const tags = await call(second.urls.registry, 'GET', '/catalog/v1/entity/type/kafka_topic/name/orders/tags');
      assert.deepEqual(tags.body.map((t: { typeName: string }) => t.typeName), ['DataProduct']);
      const found = await call(second.urls.registry, 'GET', '/catalog/v1/search/basic?owner=orders-team');
      assert.deepEqual(found.body.entities.map((e: { attributes: { qualifiedName: string } }) => e.attributes.qualifiedName), ['orders']);
    } finally {
      await second.close();
    }
  });
});
