/**
 * The registry's durable state: a compacted topic on the log, replayed into memory at start.
 *
 * There is one writer. `exclusive` runs a read-check-write sequence alone, so a check made on
 * the in-memory state still holds when its record is appended; `append` resolves only after
 * the log acknowledged the batch, and only then applies it to memory (through the same
 * `apply` function that replay uses, so the state after a restart is the state before it).
 */
import type { LogClient } from '../../log/log-client.ts';
import { ShiftleftError } from '../../common/errors.ts';
import { replayPartition } from '../../log/replay.ts';
import { decodeKey, decodeValue, encodeKey, encodeValue, type StoreRecord } from './store-records.ts';

export const SCHEMAS_TOPIC = '_schemas';

/** The part of the log the registry uses; any LogClient (embedded or Kafka) provides it. */
export type SchemasLogClient = Pick<LogClient, 'createTopic' | 'produce' | 'fetch' | 'listOffsets'>;

export type ApplyRecord = (record: StoreRecord) => void;

export class SchemasTopic {
  private queue: Promise<unknown> = Promise.resolve();
  private closed = false;

  private constructor(
    private readonly log: SchemasLogClient,
    private readonly topic: string,
    private readonly apply: ApplyRecord,
  ) {}

  /** Creates the topic if missing, replays it through `apply`, and returns the writer. */
  static async open(log: SchemasLogClient, apply: ApplyRecord, topic = SCHEMAS_TOPIC): Promise<SchemasTopic> {
    const description = await log.createTopic(topic, { partitions: 1, config: { 'cleanup.policy': 'compact', 'retention.ms': -1 }, ifNotExists: true });
    // Like Confluent's registry, refuse a topic that would lose schemas: deleting by age or
    // spreading records over partitions (which breaks the single ordered history).
    if (description.config['cleanup.policy'] !== 'compact' || description.partitions.length !== 1) {
      throw new ShiftleftError(
        'INVALID_TOPIC_CONFIG',
        `topic ${topic} must have cleanup.policy=compact and 1 partition, it has cleanup.policy=${description.config['cleanup.policy']} and ${description.partitions.length} partitions`,
        { hint: `fix the topic's configuration (or recreate it) before starting the registry`, details: { topic } },
      );
    }
    const store = new SchemasTopic(log, topic, apply);
    await store.replay();
    return store;
  }

  private async replay(): Promise<void> {
    await replayPartition(this.log, { topic: this.topic, partition: 0 }, (record) => {
      const key = decodeKey(record.key, record.offset);
      if (key) this.apply({ key, value: decodeValue(record.value, record.offset) });
    });
  }

  /** Runs `work` after every earlier exclusive block finished; errors stay with their caller. */
  exclusive<T>(work: () => Promise<T> | T): Promise<T> {
    const run = this.queue.then(() => {
      if (this.closed) throw new ShiftleftError('CLOSED', 'the schema registry is closed');
      return work();
    });
    this.queue = run.catch(() => undefined);
    return run;
  }

  /** Appends records as one batch; resolves after the log acknowledged them and memory applied them. */
  async append(records: StoreRecord[]): Promise<void> {
    if (records.length === 0) return;
    const encoded = records.map((record) => ({ key: encodeKey(record.key), value: encodeValue(record.value), partition: 0 }));
    const acks = await this.log.produce(this.topic, encoded);
    // Apply what was written, decoded from its bytes, so memory holds exactly what a replay would.
    encoded.forEach((record, i) => this.apply({ key: records[i]!.key, value: decodeValue(record.value, acks[i]?.offset ?? -1) }));
  }

  /** Waits for running writes, then refuses new ones. */
  async close(): Promise<void> {
    await this.exclusive(() => {
      this.closed = true;
    });
  }
}
