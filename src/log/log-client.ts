/**
 * The interface every part of shiftleft uses to talk to the log.
 *
 * Two implementations exist: the embedded log (segment files in the data directory) and Apache
 * Kafka. Callers never know which one they hold, so anything here must be implementable on
 * Kafka's protocol with the same meaning: offsets are per partition and never reused, a keyed
 * record lands on `murmur2(key) % partitions`, committed offsets belong to a consumer group, and
 * `fetch` is a long poll (it waits up to `maxWaitMs` for data, like a Kafka Fetch request).
 *
 * Offsets are JavaScript numbers: 2^53 records per partition is beyond any log we will see.
 */
import type { TopicConfig } from './topic-config.ts';

export interface RecordHeader {
  key: string;
  value: Buffer | null;
}

/** A record as a producer hands it to the log. */
export interface ProduceRecord {
  key?: Buffer | null;
  value: Buffer | null;
  headers?: RecordHeader[];
  /** Milliseconds since the epoch; defaults to now. Ignored when the topic uses LogAppendTime. */
  timestamp?: number;
  /** Explicit partition; otherwise murmur2 of the key, or round-robin batches for a null key. */
  partition?: number;
}

/** Where a produced record landed. */
export interface RecordMetadata {
  topic: string;
  partition: number;
  offset: number;
  timestamp: number;
}

/** A record as read back from the log. Buffers may share memory with a fetch buffer. */
export interface LogRecord {
  topic: string;
  partition: number;
  offset: number;
  timestamp: number;
  key: Buffer | null;
  value: Buffer | null;
  headers: RecordHeader[];
}

export interface TopicPartition {
  topic: string;
  partition: number;
}

export interface TopicPartitionOffset extends TopicPartition {
  offset: number;
}

export interface CreateTopicOptions {
  /** Number of partitions; default 1. */
  partitions?: number;
  config?: Partial<TopicConfig>;
  /** Succeed quietly when the topic exists (its configuration is not changed). */
  ifNotExists?: boolean;
}

export interface PartitionDescription {
  partition: number;
  /** First offset still stored (moves forward with retention). */
  logStartOffset: number;
  /** Offset the next record will get: one past the last readable record. */
  highWatermark: number;
  /**
   * The first offset of the oldest open transaction (else the high watermark): read_committed
   * readers see nothing at or past it. Given by logs that support transactions.
   */
  lastStableOffset?: number;
  /** Bytes stored for this partition, when the implementation knows it. */
  sizeBytes?: number;
}

export interface TopicDescription {
  name: string;
  partitions: PartitionDescription[];
  config: TopicConfig;
  /** Internal topics (`_schemas`, `__consumer_offsets`, ...) are hidden from default listings. */
  internal: boolean;
}

export type IsolationLevel = 'read_uncommitted' | 'read_committed';

export interface FetchOptions {
  /** Stop after this many records (default 10 000). */
  maxRecords?: number;
  /** Soft limit on the bytes read (default 1 MiB); at least one record is always returned. */
  maxBytes?: number;
  /** Wait up to this long for a record at or past the offset (default 0: answer at once). */
  maxWaitMs?: number;
  signal?: AbortSignal;
  isolation?: IsolationLevel;
}

export interface FetchResult {
  records: LogRecord[];
  /** The offset to fetch next: past the last returned record, or past a gap left by compaction. */
  nextOffset: number;
  highWatermark: number;
  logStartOffset: number;
}

/** `earliest`, `latest` (the high watermark), or the first offset whose timestamp is >= the given one. */
export type OffsetSpec = 'earliest' | 'latest' | { timestamp: number };

export interface ConsumerOptions {
  /** Topics to read; every partition of each is assigned unless `partitions` is given. */
  topics: string[];
  /** Explicit assignment; overrides `topics`' full assignment. */
  partitions?: TopicPartition[];
  /** Committed offsets are read from and written to this consumer group. */
  groupId?: string;
  /** Where to start a partition without a committed offset (default `latest`, as Kafka). */
  startFrom?: 'earliest' | 'latest';
  /** Records per poll at most (default 10 000). */
  maxPollRecords?: number;
  isolation?: IsolationLevel;
}

export interface PollOptions {
  /** How long to wait when nothing is available (default 1000 ms). */
  timeoutMs?: number;
  /** Return at most this many records (default: the consumer's maxPollRecords). */
  maxRecords?: number;
  signal?: AbortSignal;
}

/**
 * Reads a set of partitions in order, remembering its position in each. Positions move only
 * through `poll` and `seek`; committing is explicit, so a caller can commit after it has made
 * the records durable elsewhere (at-least-once or, with transactions, exactly-once).
 */
export interface Consumer extends AsyncIterable<LogRecord[]> {
  /** Records from any assigned partition, in offset order per partition; [] on timeout. */
  poll(options?: PollOptions): Promise<LogRecord[]>;
  /** Commits the given offsets (next offsets to read), or the current positions. */
  commit(offsets?: TopicPartitionOffset[]): Promise<void>;
  seek(partition: TopicPartition, offset: number): void;
  /** The offset the next poll reads from, per assigned partition. */
  positions(): TopicPartitionOffset[];
  assignment(): TopicPartition[];
  close(): Promise<void>;
}

export interface LogTransaction {
  readonly transactionalId: string;
  /** Appends records inside the transaction (invisible to read_committed readers until commit). */
  produce(topic: string, records: ProduceRecord[]): Promise<RecordMetadata[]>;
  /** Makes every record of the transaction visible; the handle is then finished. */
  commit(): Promise<void>;
  /** Drops every record of the transaction for read_committed readers; the handle is then finished. */
  abort(): Promise<void>;
}

export interface LogClient {
  readonly kind: 'embedded' | 'kafka';

  createTopic(name: string, options?: CreateTopicOptions): Promise<TopicDescription>;
  deleteTopic(name: string): Promise<void>;
  listTopics(options?: { includeInternal?: boolean }): Promise<string[]>;
  describeTopic(name: string): Promise<TopicDescription>;
  /** Changes some configs; `partitions` can only grow (not through this call). */
  alterTopicConfig(name: string, config: Partial<TopicConfig>): Promise<TopicDescription>;

  /**
   * Appends records; resolves once they are stored (the promise's metadata is the
   * acknowledgement). All records of one call to the same partition are one atomic batch.
   */
  produce(topic: string, records: ProduceRecord[]): Promise<RecordMetadata[]>;

  /** Reads one partition from an offset; an offset below the log start or above the high watermark is OFFSET_OUT_OF_RANGE. */
  fetch(partition: TopicPartition, offset: number, options?: FetchOptions): Promise<FetchResult>;

  /**
   * Resolves true as soon as any of the partitions has a record at or past its offset, or false
   * after `timeoutMs`. Lets consumers tail many partitions without polling sleeps.
   */
  waitForRecords(positions: TopicPartitionOffset[], options: { timeoutMs: number; signal?: AbortSignal; isolation?: IsolationLevel }): Promise<boolean>;

  listOffsets(partition: TopicPartition, spec: OffsetSpec): Promise<number>;

  createConsumer(options: ConsumerOptions): Consumer;
  commitOffsets(groupId: string, offsets: TopicPartitionOffset[]): Promise<void>;
  fetchCommittedOffsets(groupId: string, topics?: string[]): Promise<TopicPartitionOffset[]>;
  listGroups(): Promise<string[]>;
  deleteGroup(groupId: string): Promise<void>;

  /**
   * Starts a transaction for `transactionalId` (exactly-once writers such as SQL statements).
   * Records produced through it become visible to read_committed readers only at `commit`, all
   * at once, on every partition. An open transaction of the same id (a previous incarnation of
   * the same writer) is aborted first, and its handle is fenced. Logs without transactions leave
   * this undefined, and their writers fall back to at-least-once.
   */
  beginTransaction?(transactionalId: string): Promise<LogTransaction>;

  close(): Promise<void>;
}
