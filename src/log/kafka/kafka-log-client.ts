/**
 * LogClient over Apache Kafka, speaking Kafka's protocol through `@platformatic/kafka`'s protocol
 * APIs (see kafka-wire.ts for why not its Producer/Consumer classes).
 *
 * - Topics: CreateTopics/DeleteTopics/DescribeConfigs/IncrementalAlterConfigs; configs use the
 *   same keys as Kafka, validated with topic-config.ts before anything is sent.
 * - Produce: idempotent producer (InitProducerId + sequence numbers), acks=all; a request whose
 *   connection is lost is resent byte for byte until `deliveryTimeoutMs`, and the broker's
 *   sequence check turns a resend of an appended batch into its original offsets (no duplicate
 *   after a broker restart or a dropped connection); keyed records go
 *   to murmur2(key) % partitions (src/log/partitioner.ts), null keys stick to one partition per
 *   call, rotating between calls; all records of a call to one partition are one batch.
 * - Fetch: sessionless Fetch requests with maxWait as the long poll; waitForRecords is a
 *   multi-partition Fetch with minBytes=1.
 * - Groups: offsets are committed to and read from Kafka's group coordinator as a "simple"
 *   consumer (generation -1, no membership; kafka-groups.ts). createConsumer is the shared
 *   LogConsumer (src/log/log-consumer.ts) over fetch/waitForRecords/committed offsets, so the
 *   embedded and the Kafka log behave the same; no Kafka group membership is involved.
 *
 * - Security: SASL PLAIN/SCRAM and TLS (kafka-security.ts) on every connection; refused
 *   credentials and untrusted certificates are UNAUTHENTICATED, not "unreachable".
 * - `checkConnection` reaches the cluster and gets the producer id, so a platform start fails
 *   on a bad cluster instead of at its first write; `createTopic(..., { ifNotExists })` accepts
 *   an existing topic without a CreateTopics request (no CREATE permission needed on restart).
 *
 * - Transactions: beginTransaction through Kafka's transaction coordinator (kafka-transactions.ts);
 *   read_committed fetches and waits stop at the last stable offset.
 *
 * Modules: kafka-wire.ts (connections, metadata, raw calls), kafka-errors.ts (error mapping),
 * produce-request.ts (record batches), fetch-decoding.ts (Fetch → LogRecord), kafka-transactions.ts,
 * kafka-security.ts (SASL/TLS options), kafka-internal-topics.ts (the platform's own topics).
 */
import {
  createTopicsV7,
  deleteTopicsV6,
  describeConfigsV4,
  describeLogDirsV4,
  fetchV12,
  incrementalAlterConfigsV1,
  initProducerIdV4,
  listOffsetsV9,
  type Connection,
  type ConnectionPool,
  type produceV11,
} from '@platformatic/kafka';
import { ShiftleftError } from '../../common/errors.ts';
import { parseBootstrap } from './kafka-bootstrap.ts';
import type {
  Consumer,
  ConsumerOptions,
  CreateTopicOptions,
  FetchOptions,
  FetchResult,
  IsolationLevel,
  LogClient,
  LogTransaction,
  OffsetSpec,
  PartitionDescription,
  ProduceRecord,
  RecordMetadata,
  TopicDescription,
  TopicPartition,
  TopicPartitionOffset,
} from '../log-client.ts';
import { LogConsumer } from '../log-consumer.ts';
import { defaultPartition } from '../partitioner.ts';
import {
  TOPIC_CONFIG_KEYS,
  isInternalTopic,
  parseTopicConfig,
  resolveTopicConfig,
  validatePartitionCount,
  validateTopicName,
  type TopicConfig,
} from '../topic-config.ts';
import { decodePartition } from './fetch-decoding.ts';
import { KafkaGroups } from './kafka-groups.ts';
import type { KafkaSecuritySettings } from './kafka-security.ts';
import type { MapContext } from './kafka-errors.ts';
import { KafkaTransactions } from './kafka-transactions.ts';
import { encodeRecordBatch, produceApi, type PartitionBatch, type PlannedRecord } from './produce-request.ts';
import { KafkaWire, errorFromCode, errorFromId, errorIdOf, topicNotFound, type TopicMetadata } from './kafka-wire.ts';

export interface KafkaLogClientOptions {
  /** `host:port` list (or one comma-separated string) of bootstrap brokers. */
  bootstrap: string | string[];
  clientId?: string;
  /** Fail a connection attempt after this long (default 5000 ms). */
  connectTimeoutMs?: number;
  /** Fail a request with no answer after this long (default 30000 ms; long polls add their wait). */
  requestTimeoutMs?: number;
  /** Reuse partition counts and leaders this long before asking the cluster again (default 5000 ms). */
  metadataMaxAgeMs?: number;
  /** Replication factor of created topics (default: the broker's default.replication.factor). */
  replicationFactor?: number;
  /**
   * How long a produce call keeps resending its batches after a lost connection (default
   * 30000 ms); the idempotent producer makes those resends safe.
   */
  deliveryTimeoutMs?: number;
  /** SASL and TLS for secured listeners (kafka-security.ts); PLAINTEXT when absent. */
  security?: KafkaSecuritySettings;
  /**
   * Kafka aborts a transaction left open longer than this (default 60000 ms, at most the
   * broker's transaction.max.timeout.ms): how long a dead writer can hold back read_committed readers.
   */
  transactionTimeoutMs?: number;
}

const RESOURCE_TOPIC = 2;
const CONFIG_OP_SET = 0;
const EARLIEST = -2n;
const LATEST = -1n;
/** Longest single Fetch wait; longer waits loop (keeps each request under the request timeout). */
const MAX_WAIT_CHUNK_MS = 20_000;
const DEFAULT_MAX_RECORDS = 10_000;
const DEFAULT_MAX_BYTES = 1024 * 1024;

const RETRY_LEADER = new Set(['NOT_LEADER_OR_FOLLOWER', 'LEADER_NOT_AVAILABLE', 'UNKNOWN_TOPIC_OR_PARTITION', 'FENCED_LEADER_EPOCH', 'UNKNOWN_LEADER_EPOCH']);
const COORDINATOR_RETRY = new Set(['COORDINATOR_NOT_AVAILABLE', 'COORDINATOR_LOAD_IN_PROGRESS', 'NOT_COORDINATOR', 'CONCURRENT_TRANSACTIONS']);
/** Kafka's bound for idempotent producers: the broker caches the last five batches per partition. */
const MAX_IN_FLIGHT_PER_PARTITION = 5;
const RESET_PRODUCER = new Set(['OUT_OF_ORDER_SEQUENCE_NUMBER', 'UNKNOWN_PRODUCER_ID', 'INVALID_PRODUCER_EPOCH', 'INVALID_PRODUCER_ID_MAPPING']);

function isNonNegativeInt(n: unknown): n is number {
  return typeof n === 'number' && Number.isSafeInteger(n) && n >= 0;
}

function toBuffer(value: unknown, what: string): Buffer | null {
  if (value === null || value === undefined) return null;
  if (Buffer.isBuffer(value)) return value;
  if (value instanceof Uint8Array) return Buffer.from(value.buffer, value.byteOffset, value.byteLength);
  throw new ShiftleftError('INVALID_RECORD', `record ${what} must be a Buffer or null, got ${typeof value}`);
}

function abortError(signal: AbortSignal): unknown {
  return signal.reason ?? new DOMException('The operation was aborted', 'AbortError');
}

/** Resolves with the promise, or rejects as soon as the signal aborts (the request itself goes on). */
function raceAbort<T>(promise: Promise<T>, signal: AbortSignal | undefined): Promise<T> {
  if (!signal) return promise;
  if (signal.aborted) {
    promise.catch(() => undefined);
    return Promise.reject(abortError(signal));
  }
  return new Promise<T>((resolve, reject) => {
    const onAbort = (): void => reject(abortError(signal));
    signal.addEventListener('abort', onAbort, { once: true });
    promise.then(
      (v) => {
        signal.removeEventListener('abort', onAbort);
        resolve(v);
      },
      (e: unknown) => {
        signal.removeEventListener('abort', onAbort);
        reject(e);
      },
    );
  });
}

/** One partition in a multi-partition Fetch. */
export interface FetchPosition {
  topic: string;
  partition: number;
  offset: number;
}

export interface MultiFetchResult {
  topic: string;
  partition: number;
  fromOffset: number;
  /** Kafka's error id for this partition, when it failed. */
  error?: string;
  records: fetchV12.FetchResponsePartition['records'];
  aborted: fetchV12.FetchResponsePartition['abortedTransactions'];
  highWatermark: number;
  lastStableOffset: number;
  logStartOffset: number;
}

export class KafkaLogClient implements LogClient {
  readonly kind = 'kafka' as const;
  readonly #wire: KafkaWire;
  #producer: Promise<{ producerId: bigint; producerEpoch: number }> | undefined;
  readonly #sequences = new Map<string, number>();
  readonly #stickyPartition = new Map<string, number>();
  readonly #replicationFactor: number;
  readonly #groups: KafkaGroups;
  readonly #deliveryTimeoutMs: number;
  readonly #inDoubt = new InDoubtPartitions();
  readonly #inFlight = new InFlightBatches(MAX_IN_FLIGHT_PER_PARTITION);
  readonly #transactions: KafkaTransactions;

  constructor(options: KafkaLogClientOptions) {
    this.#deliveryTimeoutMs = options.deliveryTimeoutMs ?? 30_000;
    this.#replicationFactor = options.replicationFactor ?? -1;
    this.#wire = new KafkaWire({
      bootstrap: parseBootstrap(options.bootstrap),
      clientId: options.clientId ?? 'shiftleft',
      connectTimeoutMs: options.connectTimeoutMs ?? 5000,
      requestTimeoutMs: Math.max(options.requestTimeoutMs ?? 30_000, MAX_WAIT_CHUNK_MS + 10_000),
      metadataMaxAgeMs: options.metadataMaxAgeMs ?? 5000,
      ...(options.security ? { security: options.security } : {}),
    });
    this.#groups = new KafkaGroups(this.#wire, (tp) => this.#partitionMeta(tp));
    this.#transactions = new KafkaTransactions({
      wire: this.#wire,
      plan: (topic, records) => this.#planByPartition(topic, records),
      deliveryTimeoutMs: this.#deliveryTimeoutMs,
      transactionTimeoutMs: options.transactionTimeoutMs ?? 60_000,
    });
  }

  /** `host:port,...` of the bootstrap brokers, for messages. */
  get bootstrap(): string {
    return this.#wire.bootstrapName;
  }

  #ctx(action: string, topic?: string, details?: Record<string, unknown>): MapContext {
    return { action, broker: this.#wire.bootstrapName, ...(topic === undefined ? {} : { topic }), ...(details ? { details } : {}) };
  }

  // ---------------------------------------------------------------------------------------------
  // Topics

  async createTopic(name: string, options: CreateTopicOptions = {}): Promise<TopicDescription> {
    this.#wire.checkOpen();
    validateTopicName(name);
    const partitions = options.partitions ?? 1;
    validatePartitionCount(partitions);
    const config = parseTopicConfig((options.config ?? {}) as Record<string, unknown>);
    const configs = Object.entries(config).map(([key, value]) => ({ name: key, value: String(value) }));
    // An existing topic is accepted without a CreateTopics request: on secured clusters a
    // principal may use a topic it is not allowed to create (Kafka checks CREATE before it
    // checks existence), and restarts must not depend on that permission.
    if (options.ifNotExists && (await this.#exists(name))) return this.describeTopic(name);
    const ctx = this.#ctx(`creating topic '${name}'`, name);
    const connection = await this.#wire.anyConnection(this.#wire.control, ctx.action);
    const response = await this.#wire.call<createTopicsV7.CreateTopicsResponse>(
      createTopicsV7.api,
      connection,
      ctx,
      [{ name, numPartitions: partitions, replicationFactor: this.#replicationFactor, assignments: [], configs }],
      this.#wire.options.requestTimeoutMs,
      false,
    );
    const result = response.topics.find((t) => t.name === name);
    if (result && result.errorCode !== 0) {
      const id = errorIdOf(result.errorCode);
      if (id === 'TOPIC_ALREADY_EXISTS') {
        if (options.ifNotExists) return this.describeTopic(name);
        throw new ShiftleftError('TOPIC_ALREADY_EXISTS', `topic '${name}' already exists on Kafka cluster ${this.#wire.bootstrapName}`, {
          hint: 'choose another name, or pass ifNotExists to accept the existing topic',
          details: { topic: name, broker: this.#wire.bootstrapName },
        });
      }
      throw errorFromCode(result.errorCode, result.errorMessage, ctx);
    }
    await this.#waitForLeaders(name, partitions);
    return this.describeTopic(name);
  }

  async #exists(name: string): Promise<boolean> {
    const meta = await this.#wire.metadata([name]);
    const t = meta.topics.find((x) => x.name === name);
    if (!t || t.errorCode === 3 || t.errorCode === 100) return false;
    if (t.errorCode !== 0) throw errorFromCode(t.errorCode, null, this.#ctx(`reading metadata of topic '${name}'`, name));
    return true;
  }

  /**
   * Reaches the cluster (metadata) and obtains the idempotent producer id, so that an
   * unreachable broker, refused credentials or a principal without any write permission are
   * found when the platform starts, not at its first write.
   */
  async checkConnection(): Promise<void> {
    this.#wire.checkOpen();
    await this.#wire.metadata([]);
    await this.#producerState();
  }

  /** Kafka creates topics asynchronously: wait until every partition has a leader. */
  async #waitForLeaders(name: string, partitions: number): Promise<void> {
    const deadline = Date.now() + 15_000;
    for (;;) {
      try {
        const meta = await this.#wire.topic(name, { refresh: true });
        if (meta.partitions.length >= partitions && meta.partitions.every((p) => p && p.leader >= 0)) return;
      } catch (error) {
        if (!(error instanceof ShiftleftError && error.code === 'TOPIC_NOT_FOUND')) throw error;
      }
      if (Date.now() > deadline) {
        throw new ShiftleftError('TIMEOUT', `topic '${name}' was created but its partitions got no leader within 15 s on ${this.#wire.bootstrapName}`, {
          details: { topic: name },
        });
      }
      await new Promise((r) => setTimeout(r, 50));
    }
  }

  async deleteTopic(name: string): Promise<void> {
    this.#wire.checkOpen();
    validateTopicName(name);
    const ctx = this.#ctx(`deleting topic '${name}'`, name);
    const connection = await this.#wire.anyConnection(this.#wire.control, ctx.action);
    const response = await this.#wire.call<deleteTopicsV6.DeleteTopicsResponse>(
      deleteTopicsV6.api,
      connection,
      ctx,
      [{ name, topicId: null }],
      this.#wire.options.requestTimeoutMs,
    );
    const result = response.responses.find((r) => r.name === name) ?? response.responses[0];
    if (result && result.errorCode !== 0) {
      if (result.errorCode === 3 || result.errorCode === 100) throw topicNotFound(name, this.#wire.bootstrapName);
      throw errorFromCode(result.errorCode, result.errorMessage, ctx);
    }
    this.#wire.forgetTopic(name);
    this.#stickyPartition.delete(name);
    for (const key of [...this.#sequences.keys()]) if (key.split(' ')[1] === name) this.#sequences.delete(key);
    // Deletion completes asynchronously: wait until the metadata no longer shows the topic, so
    // that a following createTopic of the same name works.
    const deadline = Date.now() + 15_000;
    while (Date.now() < deadline) {
      const meta = await this.#wire.metadata([name]);
      const t = meta.topics.find((x) => x.name === name);
      if (!t || t.errorCode === 3 || t.errorCode === 100) return;
      await new Promise((r) => setTimeout(r, 50));
    }
  }

  async listTopics(options: { includeInternal?: boolean } = {}): Promise<string[]> {
    this.#wire.checkOpen();
    const meta = await this.#wire.metadata(null);
    return meta.topics
      .filter((t) => t.name && t.errorCode === 0)
      .filter((t) => options.includeInternal || (!t.isInternal && !isInternalTopic(t.name!)))
      .map((t) => t.name!)
      .sort();
  }

  async describeTopic(name: string): Promise<TopicDescription> {
    this.#wire.checkOpen();
    validateTopicName(name);
    const meta = await this.#wire.topic(name, { refresh: true });
    const partitionIds = meta.partitions.map((_, i) => i);
    const [earliest, latest, stable, config, sizes] = await Promise.all([
      this.#listOffsetsMany(meta, partitionIds, EARLIEST, 'read_uncommitted'),
      this.#listOffsetsMany(meta, partitionIds, LATEST, 'read_uncommitted'),
      // The latest offset for read_committed is the last stable offset.
      this.#listOffsetsMany(meta, partitionIds, LATEST, 'read_committed'),
      this.#describeConfig(name),
      this.#partitionSizes(meta),
    ]);
    const partitions: PartitionDescription[] = partitionIds.map((p) => ({
      partition: p,
      logStartOffset: earliest.get(p)!,
      highWatermark: latest.get(p)!,
      lastStableOffset: stable.get(p)!,
      ...(sizes.has(p) ? { sizeBytes: sizes.get(p)! } : {}),
    }));
    return { name, partitions, config, internal: meta.internal || isInternalTopic(name) };
  }

  /** Bytes on disk per partition, from the leader's log dirs (empty when the broker won't say). */
  async #partitionSizes(meta: TopicMetadata): Promise<Map<number, number>> {
    const sizes = new Map<number, number>();
    const byLeader = new Map<number, number[]>();
    meta.partitions.forEach((p, i) => {
      if (p && p.leader >= 0) byLeader.set(p.leader, [...(byLeader.get(p.leader) ?? []), i]);
    });
    await Promise.all(
      [...byLeader].map(async ([leader, partitions]) => {
        try {
          const ctx = this.#ctx(`reading the size of topic '${meta.name}'`, meta.name);
          const connection = await this.#wire.connectionTo(this.#wire.control, leader, ctx.action);
          const r = await this.#wire.call<describeLogDirsV4.DescribeLogDirsResponse>(describeLogDirsV4.api, connection, ctx, [{ name: meta.name, partitions }]);
          for (const dir of r.results) {
            if (dir.errorCode !== 0) continue;
            for (const t of dir.topics) {
              if (t.name !== meta.name) continue;
              for (const p of t.partitions) if (!p.isFutureKey && partitions.includes(p.partitionIndex)) sizes.set(p.partitionIndex, Number(p.partitionSize));
            }
          }
        } catch {
          // Sizes are optional (e.g. no DESCRIBE on the cluster): leave them out.
        }
      }),
    );
    return sizes;
  }

  async #describeConfig(name: string): Promise<TopicConfig> {
    const ctx = this.#ctx(`reading the configs of topic '${name}'`, name);
    const connection = await this.#wire.anyConnection(this.#wire.control, ctx.action);
    const response = await this.#wire.call<describeConfigsV4.DescribeConfigsResponse>(
      describeConfigsV4.api,
      connection,
      ctx,
      [{ resourceType: RESOURCE_TOPIC, resourceName: name, configurationKeys: TOPIC_CONFIG_KEYS }],
      false,
      false,
    );
    const result = response.results[0];
    if (!result) throw new ShiftleftError('INTERNAL', `Kafka broker ${this.#wire.bootstrapName} returned no configs for topic '${name}'`);
    if (result.errorCode !== 0) {
      if (result.errorCode === 3 || result.errorCode === 100) throw topicNotFound(name, this.#wire.bootstrapName);
      throw errorFromCode(result.errorCode, result.errorMessage, ctx);
    }
    const parsed: Record<string, unknown> = {};
    for (const c of result.configs) {
      if (!(TOPIC_CONFIG_KEYS as string[]).includes(c.name) || c.value === null) continue;
      // Key by key: a value Kafka allows but shiftleft does not model (e.g. an empty
      // cleanup.policy) must not make the whole topic undescribable; it reads as the default.
      try {
        Object.assign(parsed, parseTopicConfig({ [c.name]: c.value }));
      } catch {
        // keep the default for this key
      }
    }
    return resolveTopicConfig(parsed as Partial<TopicConfig>);
  }

  async alterTopicConfig(name: string, config: Partial<TopicConfig>): Promise<TopicDescription> {
    this.#wire.checkOpen();
    validateTopicName(name);
    const parsed = parseTopicConfig(config as Record<string, unknown>);
    const entries = Object.entries(parsed);
    if (entries.length > 0) {
      const ctx = this.#ctx(`altering the configs of topic '${name}'`, name);
      const connection = await this.#wire.anyConnection(this.#wire.control, ctx.action);
      const response = await this.#wire.call<incrementalAlterConfigsV1.IncrementalAlterConfigsResponse>(
        incrementalAlterConfigsV1.api,
        connection,
        ctx,
        [
          {
            resourceType: RESOURCE_TOPIC,
            resourceName: name,
            configs: entries.map(([key, value]) => ({ name: key, configOperation: CONFIG_OP_SET, value: String(value) })),
          },
        ],
        false,
      );
      const result = response.responses[0];
      if (result && result.errorCode !== 0) {
        if (result.errorCode === 3 || result.errorCode === 100) throw topicNotFound(name, this.#wire.bootstrapName);
        throw errorFromCode(result.errorCode, result.errorMessage, ctx);
      }
    }
    return this.describeTopic(name);
  }

  // ---------------------------------------------------------------------------------------------
  // Produce

  async produce(topic: string, records: ProduceRecord[]): Promise<RecordMetadata[]> {
    this.#wire.checkOpen();
    const byPartition = await this.#planByPartition(topic, records);
    const results: RecordMetadata[] = new Array(records.length);
    if (byPartition.size > 0) await this.#produceBatches(topic, byPartition, results, 0);
    return results;
  }

  /** Validates a produce call and groups its records by target partition (empty for no records). */
  async #planByPartition(topic: string, records: ProduceRecord[]): Promise<Map<number, PlannedRecord[]>> {
    validateTopicName(topic);
    if (!Array.isArray(records)) throw new ShiftleftError('INVALID_ARGUMENT', 'produce takes an array of records');
    const byPartition = new Map<number, PlannedRecord[]>();
    if (records.length === 0) return byPartition;
    let meta = await this.#wire.topic(topic);
    let planned: PlannedRecord[];
    try {
      planned = this.#plan(topic, meta, records);
    } catch (error) {
      // A partition past the cached count may exist after partitions were added: look again.
      if (!(error instanceof ShiftleftError && error.code === 'PARTITION_NOT_FOUND')) throw error;
      meta = await this.#wire.topic(topic, { refresh: true });
      planned = this.#plan(topic, meta, records);
    }
    for (const p of planned) {
      const list = byPartition.get(p.partition);
      if (list) list.push(p);
      else byPartition.set(p.partition, [p]);
    }
    return byPartition;
  }

  /**
   * A transaction of `transactionalId` (kafka-transactions.ts): Kafka's transaction coordinator
   * aborts an open transaction of the same id, in this process or a dead one, and fences it.
   */
  beginTransaction(transactionalId: string): Promise<LogTransaction> {
    this.#wire.checkOpen();
    return this.#transactions.begin(transactionalId);
  }

  #plan(topic: string, meta: TopicMetadata, records: ProduceRecord[]): PlannedRecord[] {
    const count = meta.partitions.length;
    let sticky: number | undefined;
    const now = Date.now();
    return records.map((record, index) => {
      if (record === null || typeof record !== 'object') throw new ShiftleftError('INVALID_RECORD', `record ${index} is not an object`);
      const key = toBuffer(record.key, 'key');
      const value = toBuffer(record.value, 'value');
      const timestamp = record.timestamp ?? now;
      if (!isNonNegativeInt(timestamp)) {
        throw new ShiftleftError('INVALID_RECORD', `record ${index} has an invalid timestamp '${String(record.timestamp)}'`, {
          hint: 'timestamps are milliseconds since the epoch (a non-negative integer)',
        });
      }
      let partition: number;
      if (record.partition !== undefined) {
        if (!Number.isInteger(record.partition) || record.partition < 0 || record.partition >= count) {
          throw new ShiftleftError('PARTITION_NOT_FOUND', `topic '${topic}' has no partition ${String(record.partition)} (it has ${count})`, {
            hint: `use a partition between 0 and ${count - 1}`,
            details: { topic, partition: record.partition, partitions: count },
          });
        }
        partition = record.partition;
      } else if (key !== null) {
        partition = defaultPartition(key, count);
      } else {
        if (sticky === undefined) {
          const next = this.#stickyPartition.get(topic) ?? Math.floor(Math.random() * count);
          sticky = next % count;
          this.#stickyPartition.set(topic, sticky + 1);
        }
        partition = sticky;
      }
      const headers: [Buffer, Buffer | null][] = [];
      for (const h of record.headers ?? []) {
        if (!h || typeof h.key !== 'string') throw new ShiftleftError('INVALID_RECORD', `record ${index} has a header without a string key`);
        headers.push([Buffer.from(h.key, 'utf8'), toBuffer(h.value, `header '${h.key}'`)]);
      }
      return { index, partition, record: { key, value, headers, timestamp } };
    });
  }

  /** The current producer id (not an async function: callers compare the promise's identity). */
  #producerState(): Promise<{ producerId: bigint; producerEpoch: number }> {
    if (!this.#producer) {
      const attempt = (async () => {
        const ctx = this.#ctx('initializing the idempotent producer');
        const connection = await this.#wire.anyConnection(this.#wire.producePool, ctx.action);
        for (let i = 0; ; i++) {
          const r = await this.#wire.call<initProducerIdV4.InitProducerIdResponse>(initProducerIdV4.api, connection, ctx, null, 60_000, -1n, -1);
          if (r.errorCode === 0) {
            // Sequences of earlier producer ids are of no use any more.
            this.#sequences.clear();
            return { producerId: r.producerId, producerEpoch: r.producerEpoch };
          }
          // A fresh broker hands out producer ids only once it has loaded its state.
          if (!COORDINATOR_RETRY.has(errorIdOf(r.errorCode)) || i >= 100) throw errorFromCode(r.errorCode, null, ctx);
          await new Promise((res) => setTimeout(res, 100));
        }
      })();
      this.#producer = attempt;
      attempt.catch(() => {
        if (this.#producer === attempt) this.#producer = undefined;
      });
    }
    return this.#producer;
  }

  /** Forget the producer id: the next produce gets a fresh one (sequences restart at 0). */
  #resetProducer(stale: Promise<unknown> | undefined): void {
    if (this.#producer === stale) this.#producer = undefined;
  }

  async #produceBatches(topic: string, byPartition: Map<number, PlannedRecord[]>, results: RecordMetadata[], attempt: number): Promise<void> {
    const meta = await this.#wire.topic(topic, { refresh: attempt > 0 });
    const byLeader = new Map<number, number[]>();
    for (const partition of byPartition.keys()) {
      const leader = meta.partitions[partition]?.leader ?? -1;
      const list = byLeader.get(leader);
      if (list) list.push(partition);
      else byLeader.set(leader, [partition]);
    }
    const retry = new Map<number, PlannedRecord[]>();
    let retryError: ShiftleftError | undefined;
    const errors: ShiftleftError[] = [];
    await Promise.all(
      [...byLeader].map(async ([leader, partitions]) => {
        const ctx = this.#ctx(`producing to topic '${topic}'`, topic);
        if (leader < 0) {
          for (const p of partitions) retry.set(p, byPartition.get(p)!);
          retryError = new ShiftleftError('BROKER_UNAVAILABLE', `partition(s) ${partitions.join(', ')} of topic '${topic}' have no leader on ${this.#wire.bootstrapName}`);
          return;
        }
        let connection = await this.#wire.connectionTo(this.#wire.producePool, leader, ctx.action);
        // Behind batches whose fate is unknown (see #sendProduce) nothing new may land, or the
        // broker's memory of recent batches could forget them before they are resent.
        const keys = partitions.map((p) => `${topic} ${p}`);
        if (await this.#inDoubt.waitFor(keys)) {
          connection = await this.#wire.connectionTo(this.#wire.producePool, leader, ctx.action);
        }
        const ticket = await this.#inFlight.acquire(keys);
        // The producer id is read after the slot: a reset while this call waited must not leave it
        // with the old id. Calls awaiting the same promise resume in slot order, and nothing else
        // is awaited before the sequence numbers are taken and the request is written, so
        // requests on a connection carry increasing sequences in the order they are written.
        let producerPromise: Promise<{ producerId: bigint; producerEpoch: number }>;
        let producer: { producerId: bigint; producerEpoch: number };
        try {
          producerPromise = this.#producerState();
          producer = await producerPromise;
        } catch (error) {
          this.#inFlight.release(keys, ticket);
          throw error;
        }
        const batches: PartitionBatch[] = partitions.map((p) => {
          const list = byPartition.get(p)!;
          // Keyed by producer id too: a batch prepared for a replaced id must not advance the
          // sequences of the new one.
          const seqKey = `${producer.producerId}.${producer.producerEpoch} ${topic} ${p}`;
          const baseSequence = this.#sequences.get(seqKey) ?? 0;
          this.#sequences.set(seqKey, (baseSequence + list.length) % 2 ** 31);
          return {
            partition: p,
            batch: encodeRecordBatch(
              list.map((r) => r.record),
              { producerId: producer.producerId, producerEpoch: producer.producerEpoch, baseSequence },
            ),
          };
        });
        let response: produceV11.ProduceResponse;
        try {
          response = await this.#sendProduce(leader, connection, ctx, topic, batches, ticket);
        } catch (error) {
          // Unknown outcome: a later retry must not reuse these sequence numbers.
          this.#resetProducer(producerPromise);
          throw error;
        } finally {
          this.#inFlight.release(keys, ticket);
        }
        const byIndex = new Map<number, produceV11.ProduceResponsePartition>();
        for (const t of response.responses) if (t.name === topic) for (const pr of t.partitionResponses) byIndex.set(pr.index, pr);
        for (const p of partitions) {
          const list = byPartition.get(p)!;
          const pr = byIndex.get(p);
          if (!pr) {
            errors.push(new ShiftleftError('INTERNAL', `Kafka broker ${this.#wire.brokerLabel(leader)} did not answer for partition ${p} of '${topic}'`));
            this.#resetProducer(producerPromise);
            continue;
          }
          if (pr.errorCode === 0) {
            const base = Number(pr.baseOffset);
            const appendTime = Number(pr.logAppendTimeMs);
            list.forEach((r, i) => {
              results[r.index] = { topic, partition: p, offset: base + i, timestamp: appendTime >= 0 ? appendTime : r.record.timestamp };
            });
            continue;
          }
          const id = errorIdOf(pr.errorCode);
          this.#resetProducer(producerPromise);
          if ((RETRY_LEADER.has(id) || RESET_PRODUCER.has(id)) && attempt < 2) {
            retry.set(p, list);
            retryError = errorFromCode(pr.errorCode, pr.errorMessage, { ...ctx, broker: this.#wire.brokerLabel(leader), details: { partition: p } });
            continue;
          }
          if (id === 'UNKNOWN_TOPIC_OR_PARTITION') {
            errors.push(topicNotFound(topic, this.#wire.bootstrapName));
            continue;
          }
          const err = errorFromCode(pr.errorCode, pr.errorMessage, { ...ctx, broker: this.#wire.brokerLabel(leader), details: { partition: p } });
          if (err.code === 'RECORD_TOO_LARGE') {
            const bytes = batches.find((b) => b.partition === p)?.batch.length ?? 0;
            errors.push(
              new ShiftleftError('RECORD_TOO_LARGE', `batch of ${list.length} record(s), ${bytes} bytes, to partition ${p} of topic '${topic}' is larger than the topic's max.message.bytes (Kafka broker ${this.#wire.brokerLabel(leader)}: ${id})`, {
                hint: err.hint,
                details: { topic, partition: p, records: list.length, bytes, kafkaError: id },
                cause: err,
              }),
            );
            continue;
          }
          errors.push(err);
        }
      }),
    );
    if (errors.length > 0) throw errors[0]!;
    if (retry.size > 0) {
      if (attempt >= 2) throw retryError!;
      // Is the topic still there? (UNKNOWN_TOPIC_OR_PARTITION right after a delete.)
      this.#wire.forgetTopic(topic);
      await this.#wire.topic(topic, { refresh: true });
      await new Promise((r) => setTimeout(r, 100 * (attempt + 1)));
      await this.#produceBatches(topic, retry, results, attempt + 1);
    }
  }

  /**
   * Sends one Produce request. When the connection is lost (a broker restart, a dropped socket)
   * the outcome is unknown: the broker may have appended the batches before the failure. So the
   * very same batches (same producer id, same sequence numbers) are sent again until the
   * delivery timeout; a broker that already has them recognizes their sequence numbers and
   * answers with the offsets it gave them the first time, so a retry never writes twice.
   */
  async #sendProduce(leader: number, first: Connection, ctx: MapContext, topic: string, batches: PartitionBatch[], ticket: number): Promise<produceV11.ProduceResponse> {
    const deadline = Date.now() + this.#deliveryTimeoutMs;
    const keys = batches.map((b) => `${topic} ${b.partition}`);
    let inDoubt = false;
    try {
      return await this.#sendProduceAttempts(leader, first, ctx, topic, batches, deadline, ticket, () => {
        if (!inDoubt) this.#inDoubt.enter(keys);
        inDoubt = true;
      });
    } finally {
      if (inDoubt) this.#inDoubt.exit(keys);
    }
  }

  async #sendProduceAttempts(
    leader: number,
    first: Connection,
    ctx: MapContext,
    topic: string,
    batches: PartitionBatch[],
    deadline: number,
    ticket: number,
    markInDoubt: () => void,
  ): Promise<produceV11.ProduceResponse> {
    for (let attempt = 0; ; attempt++) {
      try {
        const connection = attempt === 0 ? first : await this.#wire.connectionTo(this.#wire.producePool, leader, ctx.action);
        const response = await this.#wire.call<produceV11.ProduceResponse>(produceApi, connection, ctx, -1, this.#wire.options.requestTimeoutMs, topic, batches, null);
        // After a lost connection, concurrent calls retry independently: one may arrive before
        // an earlier sequence of the same partition has landed again (even on its first attempt,
        // when it took a fresh connection before the earlier call saw the old one die). While an
        // earlier batch of the partition is unanswered, wait for it and resend the same bytes.
        const outOfOrder = response.responses.some((t) => t.partitionResponses.some((p) => errorIdOf(p.errorCode) === 'OUT_OF_ORDER_SEQUENCE_NUMBER'));
        const earlierPending = this.#inFlight.hasEarlier(batches.map((b) => `${topic} ${b.partition}`), ticket);
        if (outOfOrder && (attempt > 0 || earlierPending) && Date.now() < deadline) {
          await sleep(Math.min(50 * 2 ** attempt, 1000));
          continue;
        }
        return response;
      } catch (error) {
        const connectionLost = error instanceof ShiftleftError && error.code === 'BROKER_UNAVAILABLE' && error.details.kafkaError === undefined;
        if (!connectionLost) throw error;
        markInDoubt();
        if (Date.now() >= deadline) {
          throw new ShiftleftError('BROKER_UNAVAILABLE', `${error.message}; gave up after ${this.#deliveryTimeoutMs} ms of retries, so the records of this call may or may not have been written to '${topic}'`, {
            hint: error.hint ?? 'check the Kafka brokers',
            details: { ...error.details, topic, outcome: 'unknown' },
            cause: error,
          });
        }
        await sleep(Math.min(100 * 2 ** attempt, 1000));
      }
    }
  }

  // ---------------------------------------------------------------------------------------------
  // Fetch

  /** Validates a topic-partition and returns the topic's metadata. */
  async #partitionMeta(tp: TopicPartition): Promise<TopicMetadata> {
    if (!tp || typeof tp !== 'object') throw new ShiftleftError('INVALID_ARGUMENT', 'expected { topic, partition }');
    validateTopicName(tp.topic);
    if (!isNonNegativeInt(tp.partition)) {
      throw new ShiftleftError('PARTITION_NOT_FOUND', `invalid partition '${String(tp.partition)}' of topic '${tp.topic}'`, { details: { ...tp } });
    }
    let meta = await this.#wire.topic(tp.topic);
    if (tp.partition >= meta.partitions.length) meta = await this.#wire.topic(tp.topic, { refresh: true });
    if (tp.partition >= meta.partitions.length) {
      throw new ShiftleftError('PARTITION_NOT_FOUND', `topic '${tp.topic}' has no partition ${tp.partition} (it has ${meta.partitions.length})`, {
        hint: `use a partition between 0 and ${meta.partitions.length - 1}`,
        details: { topic: tp.topic, partition: tp.partition, partitions: meta.partitions.length },
      });
    }
    return meta;
  }

  /**
   * One Fetch per leader for the given positions; resolves when any leader answers with data
   * (or all answered/timed out). Per-partition errors are reported in the results, not thrown.
   */
  async #fetchMany(
    positions: FetchPosition[],
    options: { maxWaitMs: number; maxBytes: number; partitionMaxBytes: number; isolation: IsolationLevel; signal?: AbortSignal; firstAnswer?: boolean },
  ): Promise<MultiFetchResult[]> {
    const byLeader = new Map<number, FetchPosition[]>();
    for (const pos of positions) {
      const meta = await this.#wire.topic(pos.topic);
      const leader = meta.partitions[pos.partition]?.leader ?? -1;
      const list = byLeader.get(leader);
      if (list) list.push(pos);
      else byLeader.set(leader, [pos]);
    }
    const isolationLevel = options.isolation === 'read_committed' ? 1 : 0;
    const one = async (leader: number, list: FetchPosition[]): Promise<MultiFetchResult[]> => {
      if (leader < 0) {
        return list.map((p) => ({ ...p, fromOffset: p.offset, error: 'LEADER_NOT_AVAILABLE', records: undefined, aborted: [], highWatermark: -1, lastStableOffset: -1, logStartOffset: -1 }));
      }
      const topics = new Map<string, fetchV12.FetchRequestPartition[]>();
      for (const p of list) {
        const parts = topics.get(p.topic) ?? [];
        parts.push({ partition: p.partition, currentLeaderEpoch: -1, fetchOffset: BigInt(p.offset), lastFetchedEpoch: -1, partitionMaxBytes: options.partitionMaxBytes });
        topics.set(p.topic, parts);
      }
      const request = [...topics].map(([topic, partitions]) => ({ topicId: topic, partitions }));
      const ctx = this.#ctx(`fetching from ${list.map((p) => `${p.topic}/${p.partition}@${p.offset}`).join(', ')}`);
      // The lane goes back to the pool only when Kafka has answered, even if the caller gave up
      // (abort): a new request on that connection would wait behind the pending long poll.
      const inFlight = this.#wire.withLane(async (lane: ConnectionPool) => {
        const connection = await this.#wire.connectionTo(lane, leader, ctx.action);
        return this.#wire.call<fetchV12.FetchResponse>(fetchV12.api, connection, ctx, Math.max(0, Math.floor(options.maxWaitMs)), 1, options.maxBytes, isolationLevel, 0, -1, request, [], '');
      });
      const response = await raceAbort(inFlight, options.signal);
      if (response.errorCode !== 0) throw errorFromCode(response.errorCode, null, { ...ctx, broker: this.#wire.brokerLabel(leader) });
      const out: MultiFetchResult[] = [];
      for (const p of list) {
        const t = response.responses.find((r) => r.topicId === p.topic);
        const pr = t?.partitions.find((x) => x.partitionIndex === p.partition);
        if (!pr) {
          out.push({ ...p, fromOffset: p.offset, records: undefined, aborted: [], highWatermark: -1, lastStableOffset: -1, logStartOffset: -1 });
          continue;
        }
        // A moved leader or a recreated topic: the next request asks for fresh metadata.
        if (pr.errorCode !== 0 && RETRY_LEADER.has(errorIdOf(pr.errorCode))) this.#wire.forgetTopic(p.topic);
        out.push({
          topic: p.topic,
          partition: p.partition,
          offset: p.offset,
          fromOffset: p.offset,
          ...(pr.errorCode !== 0 ? { error: errorIdOf(pr.errorCode) } : {}),
          records: pr.records,
          aborted: pr.abortedTransactions,
          highWatermark: Number(pr.highWatermark),
          lastStableOffset: Number(pr.lastStableOffset),
          logStartOffset: Number(pr.logStartOffset),
        } as MultiFetchResult);
      }
      return out;
    };
    const calls = [...byLeader].map(([leader, list]) => one(leader, list));
    if (options.firstAnswer && calls.length > 1) {
      // Resolve with the first leader that has something; the others finish in the background.
      for (const c of calls) c.catch(() => undefined);
      return new Promise<MultiFetchResult[]>((resolve, reject) => {
        let pending = calls.length;
        const all: MultiFetchResult[] = [];
        for (const c of calls) {
          c.then(
            (r) => {
              all.push(...r);
              if (r.some((x) => x.error !== undefined || (x.records?.length ?? 0) > 0 || readableEnd(x, options.isolation) > x.fromOffset) || --pending === 0) resolve(all);
            },
            (e: unknown) => reject(e),
          );
        }
      });
    }
    return (await Promise.all(calls)).flat();
  }

  async fetch(tp: TopicPartition, offset: number, options: FetchOptions = {}): Promise<FetchResult> {
    this.#wire.checkOpen();
    await this.#partitionMeta(tp);
    if (!isNonNegativeInt(offset)) {
      throw new ShiftleftError('OFFSET_OUT_OF_RANGE', `invalid offset '${String(offset)}' for ${tp.topic}/${tp.partition}`, {
        hint: 'offsets are non-negative integers',
        details: { topic: tp.topic, partition: tp.partition, offset },
      });
    }
    const maxRecords = options.maxRecords ?? DEFAULT_MAX_RECORDS;
    const maxBytes = options.maxBytes ?? DEFAULT_MAX_BYTES;
    const isolation = options.isolation ?? 'read_uncommitted';
    const deadline = Date.now() + (options.maxWaitMs ?? 0);
    for (let attempt = 0; ; attempt++) {
      // An aborted signal ends the wait, not the fetch: answer with what is there now (as the
      // embedded log does), through a request that does not wait.
      const aborted = options.signal?.aborted ?? false;
      const wait = aborted ? 0 : Math.min(Math.max(0, deadline - Date.now()), MAX_WAIT_CHUNK_MS);
      let r: MultiFetchResult | undefined;
      try {
        [r] = await this.#fetchMany([{ topic: tp.topic, partition: tp.partition, offset }], {
          maxWaitMs: wait,
          maxBytes,
          partitionMaxBytes: maxBytes,
          isolation,
          ...(options.signal && !aborted ? { signal: options.signal } : {}),
        });
      } catch (error) {
        if (!aborted && options.signal?.aborted) continue;
        throw error;
      }
      if (!r) throw new ShiftleftError('INTERNAL', `no fetch result for ${tp.topic}/${tp.partition}`);
      if (r.error) {
        if (RETRY_LEADER.has(r.error) && attempt < 20) {
          await new Promise((res) => setTimeout(res, 100));
          await this.#wire.topic(tp.topic, { refresh: true });
          continue;
        }
        if (r.error === 'OFFSET_OUT_OF_RANGE') throw await this.#outOfRange(tp, offset);
        if (r.error === 'UNKNOWN_TOPIC_OR_PARTITION') throw topicNotFound(tp.topic, this.#wire.bootstrapName);
        throw errorFromId(r.error, null, this.#ctx(`fetching ${tp.topic}/${tp.partition} at offset ${offset}`, tp.topic));
      }
      const decoded = decodePartition(tp.topic, tp.partition, r.records, r.aborted, offset, { maxRecords, maxBytes, isolation });
      const result: FetchResult = { records: decoded.records, nextOffset: decoded.nextOffset, highWatermark: r.highWatermark, logStartOffset: r.logStartOffset };
      if (decoded.records.length > 0 || decoded.nextOffset > offset || Date.now() >= deadline || aborted) return result;
    }
  }

  async #outOfRange(tp: TopicPartition, offset: number): Promise<ShiftleftError> {
    let range = '';
    const details: Record<string, unknown> = { topic: tp.topic, partition: tp.partition, offset };
    try {
      const [start, end] = await Promise.all([this.listOffsets(tp, 'earliest'), this.listOffsets(tp, 'latest')]);
      range = ` (valid offsets: ${start} to ${end})`;
      Object.assign(details, { logStartOffset: start, highWatermark: end });
    } catch {
      // keep the message without the range
    }
    return new ShiftleftError('OFFSET_OUT_OF_RANGE', `offset ${offset} is out of range for ${tp.topic}/${tp.partition} on Kafka cluster ${this.#wire.bootstrapName}${range}`, {
      hint: 'read from the log start offset or the high watermark (listOffsets earliest/latest)',
      details,
    });
  }

  async waitForRecords(positions: TopicPartitionOffset[], options: { timeoutMs: number; signal?: AbortSignal; isolation?: IsolationLevel }): Promise<boolean> {
    this.#wire.checkOpen();
    for (const p of positions) {
      await this.#partitionMeta(p);
      if (!isNonNegativeInt(p.offset)) throw new ShiftleftError('OFFSET_OUT_OF_RANGE', `invalid offset '${String(p.offset)}' for ${p.topic}/${p.partition}`);
    }
    const deadline = Date.now() + Math.max(0, options.timeoutMs);
    if (positions.length === 0) {
      await sleep(options.timeoutMs, options.signal);
      return false;
    }
    for (;;) {
      if (options.signal?.aborted) return false;
      const wait = Math.min(Math.max(0, deadline - Date.now()), MAX_WAIT_CHUNK_MS);
      let results: MultiFetchResult[];
      try {
        results = await this.#fetchMany(
          positions.map((p) => ({ topic: p.topic, partition: p.partition, offset: p.offset })),
          { maxWaitMs: wait, maxBytes: 1, partitionMaxBytes: 1, isolation: options.isolation ?? 'read_uncommitted', firstAnswer: true, ...(options.signal ? { signal: options.signal } : {}) },
        );
      } catch (error) {
        if (options.signal?.aborted) return false;
        throw error;
      }
      for (const r of results) {
        if (r.error === 'OFFSET_OUT_OF_RANGE') throw await this.#outOfRange(r, r.fromOffset);
        if (r.error === 'UNKNOWN_TOPIC_OR_PARTITION') throw topicNotFound(r.topic, this.#wire.bootstrapName);
        if (!r.error && ((r.records?.length ?? 0) > 0 || readableEnd(r, options.isolation ?? 'read_uncommitted') > r.fromOffset)) return true;
      }
      if (Date.now() >= deadline) return false;
      if (results.some((r) => r.error)) await sleep(100, options.signal);
    }
  }

  async listOffsets(tp: TopicPartition, spec: OffsetSpec): Promise<number> {
    this.#wire.checkOpen();
    const meta = await this.#partitionMeta(tp);
    let ts: bigint;
    if (spec === 'earliest') ts = EARLIEST;
    else if (spec === 'latest') ts = LATEST;
    else if (spec && typeof spec === 'object' && isNonNegativeInt(spec.timestamp)) ts = BigInt(spec.timestamp);
    else throw new ShiftleftError('INVALID_ARGUMENT', `invalid offset spec ${JSON.stringify(spec)}`, { hint: "use 'earliest', 'latest' or { timestamp: <ms> }" });
    const offsets = await this.#listOffsetsMany(meta, [tp.partition], ts, 'read_uncommitted');
    const offset = offsets.get(tp.partition)!;
    if (offset >= 0) return offset;
    // No record at or after the timestamp: the next record will be the first one.
    return (await this.#listOffsetsMany(meta, [tp.partition], LATEST, 'read_uncommitted')).get(tp.partition)!;
  }

  async #listOffsetsMany(meta: TopicMetadata, partitions: number[], timestamp: bigint, isolation: IsolationLevel): Promise<Map<number, number>> {
    // Right after a topic is created (or a leader moves) the metadata can name a leader that
    // does not know yet that it leads: ask again for a few seconds.
    for (let attempt = 0; ; attempt++) {
      try {
        return await this.#listOffsetsOnce(meta, partitions, timestamp, isolation);
      } catch (error) {
        const id = error instanceof ShiftleftError ? (error.details.kafkaError as string | undefined) : undefined;
        if (!id || !RETRY_LEADER.has(id) || attempt >= 30) throw error;
        await new Promise((r) => setTimeout(r, 100));
        meta = await this.#wire.topic(meta.name, { refresh: true });
      }
    }
  }

  async #listOffsetsOnce(meta: TopicMetadata, partitions: number[], timestamp: bigint, isolation: IsolationLevel): Promise<Map<number, number>> {
    const byLeader = new Map<number, number[]>();
    for (const p of partitions) {
      const leader = meta.partitions[p]?.leader ?? -1;
      const list = byLeader.get(leader) ?? [];
      list.push(p);
      byLeader.set(leader, list);
    }
    const out = new Map<number, number>();
    await Promise.all(
      [...byLeader].map(async ([leader, list]) => {
        const ctx = this.#ctx(`listing offsets of topic '${meta.name}'`, meta.name);
        if (leader < 0) throw new ShiftleftError('BROKER_UNAVAILABLE', `partition(s) ${list.join(', ')} of topic '${meta.name}' have no leader on ${this.#wire.bootstrapName}`);
        const connection = await this.#wire.connectionTo(this.#wire.control, leader, ctx.action);
        const response = await this.#wire.call<listOffsetsV9.ListOffsetsResponse>(listOffsetsV9.api, connection, ctx, -1, isolation === 'read_committed' ? 1 : 0, [
          { name: meta.name, partitions: list.map((p) => ({ partitionIndex: p, currentLeaderEpoch: -1, timestamp })) },
        ]);
        for (const t of response.topics) {
          for (const p of t.partitions) {
            if (p.errorCode !== 0) {
              // UNKNOWN_TOPIC_OR_PARTITION too is retried by the caller, after a metadata
              // refresh that says TOPIC_NOT_FOUND when the topic is really gone.
              throw errorFromCode(p.errorCode, null, { ...ctx, broker: this.#wire.brokerLabel(leader), details: { partition: p.partitionIndex } });
            }
            out.set(p.partitionIndex, Number(p.offset));
          }
        }
      }),
    );
    return out;
  }

  // ---------------------------------------------------------------------------------------------
  // Groups

  createConsumer(options: ConsumerOptions): Consumer {
    this.#wire.checkOpen();
    // The shared consumer over LogClient primitives: same behaviour as the embedded log's.
    return new LogConsumer(this, options);
  }

  commitOffsets(groupId: string, offsets: TopicPartitionOffset[]): Promise<void> {
    this.#wire.checkOpen();
    return this.#groups.commit(groupId, offsets);
  }

  fetchCommittedOffsets(groupId: string, topics?: string[]): Promise<TopicPartitionOffset[]> {
    this.#wire.checkOpen();
    return this.#groups.fetchCommitted(groupId, topics);
  }

  listGroups(): Promise<string[]> {
    this.#wire.checkOpen();
    return this.#groups.list();
  }

  deleteGroup(groupId: string): Promise<void> {
    this.#wire.checkOpen();
    return this.#groups.delete(groupId);
  }

  async close(): Promise<void> {
    if (this.#wire.closed) return;
    await this.#wire.close();
  }
}

/**
 * At most `limit` unanswered batches per `topic partition` key, as Kafka's own producer allows
 * (max.in.flight.requests.per.connection <= 5 with idempotence): the broker remembers the last
 * five batches of a producer on a partition, so a batch resent after a lost connection is still
 * among them however many newer batches landed meanwhile. Waiters are served in arrival order.
 */
class InFlightBatches {
  /** Unanswered tickets per key; tickets grow, so a smaller one was sent earlier. */
  readonly #tickets = new Map<string, Set<number>>();
  readonly #waiters: { keys: string[]; resolve: (ticket: number) => void }[] = [];
  #nextTicket = 0;

  constructor(readonly limit: number) {}

  /** Resolves with this call's ticket once every key has a free slot. */
  acquire(keys: string[]): Promise<number> {
    if (this.#waiters.length === 0 && this.#fits(keys)) return Promise.resolve(this.#take(keys));
    return new Promise((resolve) => this.#waiters.push({ keys, resolve }));
  }

  release(keys: string[], ticket: number): void {
    for (const key of keys) {
      const set = this.#tickets.get(key);
      set?.delete(ticket);
      if (set?.size === 0) this.#tickets.delete(key);
    }
    // FIFO: a waiter that does not fit yet blocks the ones behind it, so order is kept.
    while (this.#waiters.length > 0 && this.#fits(this.#waiters[0]!.keys)) {
      const next = this.#waiters.shift()!;
      next.resolve(this.#take(next.keys));
    }
  }

  /** Whether a batch sent before `ticket` on one of the keys is still unanswered. */
  hasEarlier(keys: string[], ticket: number): boolean {
    return keys.some((k) => [...(this.#tickets.get(k) ?? [])].some((t) => t < ticket));
  }

  #fits(keys: string[]): boolean {
    return keys.every((k) => (this.#tickets.get(k)?.size ?? 0) < this.limit);
  }

  #take(keys: string[]): number {
    const ticket = this.#nextTicket++;
    for (const key of keys) {
      const set = this.#tickets.get(key) ?? new Set<number>();
      set.add(ticket);
      this.#tickets.set(key, set);
    }
    return ticket;
  }
}

/**
 * Partitions with batches in flight whose outcome is unknown (their connection was lost), by
 * `topic partition` key. New batches for such a partition wait until every one of them has been
 * resent and answered: Kafka recognizes a resent batch only among the last five of a producer
 * on a partition, so newer batches must not push it out of that window.
 */
class InDoubtPartitions {
  readonly #entries = new Map<string, { count: number; done: Promise<void>; resolve: () => void }>();

  enter(keys: string[]): void {
    for (const key of keys) {
      const entry = this.#entries.get(key);
      if (entry) {
        entry.count++;
        continue;
      }
      let resolve!: () => void;
      const done = new Promise<void>((r) => (resolve = r));
      this.#entries.set(key, { count: 1, done, resolve });
    }
  }

  exit(keys: string[]): void {
    for (const key of keys) {
      const entry = this.#entries.get(key);
      if (!entry || --entry.count > 0) continue;
      this.#entries.delete(key);
      entry.resolve();
    }
  }

  /** Waits until none of the keys is in doubt; true when it had to wait. */
  async waitFor(keys: string[]): Promise<boolean> {
    let waited = false;
    for (;;) {
      const pending = keys.map((k) => this.#entries.get(k)?.done).filter((d): d is Promise<void> => d !== undefined);
      if (pending.length === 0) return waited;
      waited = true;
      await Promise.all(pending);
    }
  }
}

/** Where a reader with this isolation stops: read_committed readers stop at the last stable offset. */
function readableEnd(r: MultiFetchResult, isolation: IsolationLevel): number {
  return isolation === 'read_committed' ? r.lastStableOffset : r.highWatermark;
}

function sleep(ms: number, signal?: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    if (signal?.aborted) return resolve();
    const timer = setTimeout(done, Math.max(0, ms));
    function done(): void {
      clearTimeout(timer);
      signal?.removeEventListener('abort', done);
      resolve();
    }
    signal?.addEventListener('abort', done, { once: true });
  });
}

/** Creates a LogClient over the Kafka cluster at `bootstrap` (`host:port[,host:port...]`). */
export function createKafkaLogClient(options: KafkaLogClientOptions): KafkaLogClient {
  return new KafkaLogClient(options);
}

