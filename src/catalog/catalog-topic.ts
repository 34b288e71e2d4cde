/**
 * Durability of the Stream Catalog: the compacted internal topic `_catalog`, one record per
 * definition / tag / business metadata value (key = what it is, value = its JSON, null = deleted).
 * Like the registry's `_schemas`, it goes through LogClient, so it works on the embedded log and
 * on Kafka, and a restart replays it into the same state.
 *
 * One writer per process: `exclusive` serializes read-check-write sequences, and memory is only
 * changed after the log acknowledged the record.
 */
import { ShiftleftError } from '../common/errors.ts';
import { replayPartition } from '../log/replay.ts';
import type { LogClient } from '../log/log-client.ts';
import type { CatalogRecord } from './catalog-types.ts';

export const CATALOG_TOPIC = '_catalog';

export type CatalogLogClient = Pick<LogClient, 'createTopic' | 'produce' | 'fetch' | 'listOffsets'>;

/** The compaction key of a record: stable for the same definition or the same tag on the same entity. */
export function recordKey(record: CatalogRecord): string {
  switch (record.kind) {
    case 'tagdef':
    case 'bmdef':
      return JSON.stringify([record.kind, record.value.name]);
    case 'tag':
    case 'bm':
      return JSON.stringify([record.kind, record.value.entityType, record.value.entityName, record.value.typeName]);
  }
}

export type ApplyCatalogRecord = (key: string, record: CatalogRecord | null) => void;

export class CatalogTopic {
  private queue: Promise<unknown> = Promise.resolve();
  private closed = false;

  private constructor(
    private readonly log: CatalogLogClient,
    private readonly topic: string,
    private readonly apply: ApplyCatalogRecord,
  ) {}

  static async open(log: CatalogLogClient, apply: ApplyCatalogRecord, topic = CATALOG_TOPIC): Promise<CatalogTopic> {
    const description = await log.createTopic(topic, { partitions: 1, config: { 'cleanup.policy': 'compact', 'retention.ms': -1 }, ifNotExists: true });
    // One partition keeps one ordered history; deleting by age would lose tags.
    if (description.config['cleanup.policy'] !== 'compact' || description.partitions.length !== 1) {
      throw new ShiftleftError('INVALID_TOPIC_CONFIG', `topic ${topic} must have cleanup.policy=compact and 1 partition`, {
        hint: "fix the topic's configuration (or recreate it) before starting the catalog",
        details: { topic },
      });
    }
    const store = new CatalogTopic(log, topic, apply);
    await store.replay();
    return store;
  }

  private async replay(): Promise<void> {
    await replayPartition(this.log, { topic: this.topic, partition: 0 }, (record) => {
      if (record.key === null) return;
      this.apply(record.key.toString('utf8'), record.value === null ? null : (JSON.parse(record.value.toString('utf8')) as CatalogRecord));
    });
  }

  exclusive<T>(work: () => Promise<T> | T): Promise<T> {
    const run = this.queue.then(() => {
      if (this.closed) throw new ShiftleftError('CLOSED', 'the catalog is closed');
      return work();
    });
    this.queue = run.catch(() => undefined);
    return run;
  }

  /** Writes records (or tombstones: `[key, null]`) as one batch, then applies them to memory. */
  async append(entries: [string, CatalogRecord | null][]): Promise<void> {
    if (entries.length === 0) return;
    await this.log.produce(
      this.topic,
      entries.map(([key, record]) => ({ key: Buffer.from(key), value: record === null ? null : Buffer.from(JSON.stringify(record)), partition: 0 })),
    );
    for (const [key, record] of entries) this.apply(key, record);
  }

  async close(): Promise<void> {
    await this.exclusive(() => {
      this.closed = true;
    });
  }
}
