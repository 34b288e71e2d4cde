/**
 * A consumer built only on LogClient primitives (describe, fetch, waitForRecords, committed
 * offsets), so that it behaves identically on the embedded log and on Kafka.
 *
 * Assignment is static (the partitions of the subscribed topics, or an explicit list): group
 * membership and rebalancing are Kafka's business in distributed mode, while the group id here
 * names where committed offsets live. A partition with no committed offset starts at
 * `startFrom`; an offset that retention has deleted resets the same way (Kafka's
 * auto.offset.reset), so a slow consumer never gets stuck.
 */
import { isShiftleftError } from '../common/errors.ts';
import type { Consumer, ConsumerOptions, LogClient, LogRecord, PollOptions, TopicPartition, TopicPartitionOffset } from './log-client.ts';

interface Position {
  topic: string;
  partition: number;
  offset: number;
}

const key = (tp: TopicPartition): string => `${tp.topic}\u0000${tp.partition}`;

export class LogConsumer implements Consumer {
  private positionsByKey = new Map<string, Position>();
  private order: Position[] = [];
  private started: Promise<void> | undefined;
  private closed = false;
  private nextIndex = 0;
  private readonly maxPollRecords: number;

  constructor(
    private readonly client: LogClient,
    private readonly options: ConsumerOptions,
  ) {
    this.maxPollRecords = options.maxPollRecords ?? 10_000;
  }

  private start(): Promise<void> {
    this.started ??= this.assign();
    return this.started;
  }

  private async assign(): Promise<void> {
    const wanted: TopicPartition[] = this.options.partitions ? [...this.options.partitions] : [];
    if (!this.options.partitions) {
      for (const topic of this.options.topics) {
        const description = await this.client.describeTopic(topic);
        for (const p of description.partitions) wanted.push({ topic, partition: p.partition });
      }
    }
    const committed = new Map<string, number>();
    if (this.options.groupId) {
      const topics = [...new Set(wanted.map((tp) => tp.topic))];
      for (const c of await this.client.fetchCommittedOffsets(this.options.groupId, topics)) committed.set(key(c), c.offset);
    }
    for (const tp of wanted) {
      if (this.positionsByKey.has(key(tp))) continue; // an explicit seek before the first poll wins
      const offset = committed.get(key(tp)) ?? (await this.client.listOffsets(tp, this.options.startFrom ?? 'latest'));
      this.setPosition(tp, offset);
    }
  }

  private setPosition(tp: TopicPartition, offset: number): void {
    const existing = this.positionsByKey.get(key(tp));
    if (existing) {
      existing.offset = offset;
      return;
    }
    const position = { topic: tp.topic, partition: tp.partition, offset };
    this.positionsByKey.set(key(tp), position);
    this.order.push(position);
  }

  async poll(options: PollOptions = {}): Promise<LogRecord[]> {
    await this.start();
    const timeoutMs = options.timeoutMs ?? 1000;
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      if (this.closed || options.signal?.aborted) return [];
      const records = await this.fetchAvailable(Math.min(options.maxRecords ?? this.maxPollRecords, this.maxPollRecords));
      if (records.length > 0) return records;
      const remaining = deadline - Date.now();
      if (remaining <= 0) return [];
      await this.client.waitForRecords(
        this.order.map((p) => ({ ...p })),
        { timeoutMs: remaining, signal: options.signal, ...(this.options.isolation ? { isolation: this.options.isolation } : {}) },
      );
    }
  }

  /** One round over the partitions, starting after the last one served (fairness). */
  private async fetchAvailable(limit: number): Promise<LogRecord[]> {
    const out: LogRecord[] = [];
    const n = this.order.length;
    for (let i = 0; i < n && out.length < limit; i++) {
      const position = this.order[(this.nextIndex + i) % n]!;
      let result;
      try {
        result = await this.client.fetch(position, position.offset, {
          maxRecords: limit - out.length,
          isolation: this.options.isolation,
        });
      } catch (error) {
        if (isShiftleftError(error, 'OFFSET_OUT_OF_RANGE')) {
          position.offset = await this.client.listOffsets(position, this.options.startFrom === 'earliest' ? 'earliest' : 'latest');
          continue;
        }
        throw error;
      }
      for (const r of result.records) out.push(r);
      position.offset = result.nextOffset;
    }
    this.nextIndex = n === 0 ? 0 : (this.nextIndex + 1) % n;
    return out;
  }

  async commit(offsets?: TopicPartitionOffset[]): Promise<void> {
    if (!this.options.groupId) return;
    await this.start();
    await this.client.commitOffsets(this.options.groupId, offsets ?? this.positions());
  }

  seek(tp: TopicPartition, offset: number): void {
    this.setPosition(tp, offset);
  }

  positions(): TopicPartitionOffset[] {
    return this.order.map((p) => ({ topic: p.topic, partition: p.partition, offset: p.offset }));
  }

  assignment(): TopicPartition[] {
    return this.order.map((p) => ({ topic: p.topic, partition: p.partition }));
  }

  async close(): Promise<void> {
    this.closed = true;
  }

  async *[Symbol.asyncIterator](): AsyncIterator<LogRecord[]> {
    while (!this.closed) {
      const records = await this.poll();
      if (records.length > 0) yield records;
    }
  }
}
