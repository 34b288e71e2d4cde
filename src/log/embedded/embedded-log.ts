/**
 * The embedded log: Kafka's data model on local files, in-process.
 *
 * Layout under the log directory:
 *   <topic>/topic.json                  name, partition count, configs, creation time
 *   <topic>/<partition>/<base>.log      record batches (Kafka's v2 format), see segment.ts
 *   <topic>/<partition>/<base>.index    sparse offset index of a sealed segment
 *   <topic>/<partition>/<base>.timeindex
 *   <topic>/<partition>/aborted-txns.jsonl  ranges of aborted transactions
 *   transactions.json                   open transactions (see transactions.ts)
 *   .trash/                             topics being deleted
 * Committed consumer offsets live in the compacted internal topic `__consumer_offsets`, as in
 * Kafka, so they share the log's durability and recovery.
 *
 * The caller owns the directory (see DataDirectory's lock): this class assumes it is alone.
 */
import { existsSync, mkdirSync, readdirSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { randomUUID } from 'node:crypto';
import { ShiftleftError } from '../../common/errors.ts';
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
  ProduceRecord,
  RecordMetadata,
  TopicDescription,
  TopicPartition,
  TopicPartitionOffset,
} from '../log-client.ts';
import { LogConsumer } from '../log-consumer.ts';
import { defaultPartition } from '../partitioner.ts';
import { isInternalTopic, parseTopicConfig, resolveTopicConfig, validatePartitionCount, validateTopicName, type TopicConfig } from '../topic-config.ts';
import { compactPartition, type CompactionStats } from './compactor.ts';
import { PartitionLog, type AppendRecord } from './partition-log.ts';
import type { ScanProblem } from './segment.ts';
import { validateProduceRecord } from './validate-record.ts';
import { EmbeddedTransaction, TransactionCoordinator } from './transactions.ts';

export const CONSUMER_OFFSETS_TOPIC = '__consumer_offsets';

export type FsyncPolicy = 'always' | { intervalMs: number };

export interface EmbeddedLogOptions {
  /** The directory holding only the log. */
  dir: string;
  /**
   * When appended data is forced to disk. Appends always reach the OS before they are
   * acknowledged, so a killed process loses nothing; fsync protects against power loss.
   * Default: every 200 ms.
   */
  fsync?: FsyncPolicy;
  /** How often retention and compaction run (default 30 s; 0 disables the timer). */
  maintenanceIntervalMs?: number;
  /** Clock, for tests of retention and compaction. */
  now?: () => number;
}

interface TopicMeta {
  name: string;
  id: string;
  partitions: number;
  config: TopicConfig;
  createdAt: string;
}

interface Topic {
  meta: TopicMeta;
  partitions: PartitionLog[];
  /** Partition for the next batch of null-key records (round-robin per produce call). */
  stickyPartition: number;
}

export interface MaintenanceReport {
  segmentsDeleted: number;
  compaction: CompactionStats;
}

export class EmbeddedLog implements LogClient {
  readonly kind = 'embedded' as const;
  private readonly topics = new Map<string, Topic>();
  /** group -> "topic\0partition" -> offset */
  private readonly groups = new Map<string, Map<string, number>>();
  private readonly timers: NodeJS.Timeout[] = [];
  private closed = false;
  /** What recovery found at open: torn tails truncated, corrupt batches kept and reported. */
  readonly recoveryProblems: ScanProblem[] = [];
  private readonly now: () => number;
  private readonly transactions: TransactionCoordinator;
  /** Transactions a previous process left open, aborted at open. */
  recoveredTransactions = 0;

  private constructor(
    readonly dir: string,
    private readonly options: EmbeddedLogOptions,
  ) {
    this.now = options.now ?? Date.now;
    this.transactions = new TransactionCoordinator(dir, {
      partition: (topic, partition) => this.topics.get(topic)?.partitions[partition],
      appendMarker: (log, producerId, commit) => {
        const topic = this.topics.get(log.topic);
        if (topic) log.appendMarker(producerId, commit, topic.meta.config, this.now());
        if (this.options.fsync === 'always') log.flush();
      },
      produce: (topic, records, transaction) => this.produceSync(topic, records, transaction),
    });
  }

  static async open(options: EmbeddedLogOptions): Promise<EmbeddedLog> {
    const log = new EmbeddedLog(options.dir, options);
    mkdirSync(options.dir, { recursive: true });
    rmSync(join(options.dir, '.trash'), { recursive: true, force: true });
    for (const entry of readdirSync(options.dir, { withFileTypes: true })) {
      if (!entry.isDirectory() || entry.name.startsWith('.')) continue;
      log.loadTopic(entry.name);
    }
    if (!log.topics.has(CONSUMER_OFFSETS_TOPIC)) {
      log.createTopicSync(CONSUMER_OFFSETS_TOPIC, 1, { 'cleanup.policy': 'compact', 'segment.bytes': 16 * 1024 * 1024 });
    }
    log.loadCommittedOffsets();
    log.recoveredTransactions = log.transactions.recover();
    const fsync = options.fsync ?? { intervalMs: 200 };
    if (fsync !== 'always') log.timers.push(setInterval(() => log.flushAll(), fsync.intervalMs).unref());
    const maintenanceMs = options.maintenanceIntervalMs ?? 30_000;
    if (maintenanceMs > 0) log.timers.push(setInterval(() => log.runMaintenance(), maintenanceMs).unref());
    return log;
  }

  private loadTopic(dirName: string): void {
    const topicDir = join(this.dir, dirName);
    const metaPath = join(topicDir, 'topic.json');
    if (!existsSync(metaPath)) {
      // A creation that crashed before its metadata was renamed into place: not a topic.
      return;
    }
    let meta: TopicMeta;
    try {
      const raw = JSON.parse(readFileSync(metaPath, 'utf8')) as TopicMeta;
      meta = { ...raw, config: resolveTopicConfig(raw.config) };
    } catch (error) {
      throw new ShiftleftError('DATA_DIR_INVALID', `cannot read topic metadata ${metaPath}: ${(error as Error).message}`, {
        hint: 'restore the file from a backup, or move the topic directory away to drop the topic',
        cause: error,
      });
    }
    const partitions: PartitionLog[] = [];
    for (let p = 0; p < meta.partitions; p++) {
      partitions.push(PartitionLog.open(meta.name, p, join(topicDir, String(p)), this.recoveryProblems));
    }
    this.topics.set(meta.name, { meta, partitions, stickyPartition: 0 });
  }

  private writeMeta(topicDir: string, meta: TopicMeta): void {
    const tmp = join(topicDir, 'topic.json.tmp');
    writeFileSync(tmp, JSON.stringify(meta, null, 2));
    renameSync(tmp, join(topicDir, 'topic.json'));
  }

  private createTopicSync(name: string, partitions: number, config: Partial<TopicConfig>): Topic {
    const meta: TopicMeta = { name, id: randomUUID(), partitions, config: resolveTopicConfig(config), createdAt: new Date(this.now()).toISOString() };
    const topicDir = join(this.dir, name);
    mkdirSync(topicDir, { recursive: true });
    const logs: PartitionLog[] = [];
    for (let p = 0; p < partitions; p++) logs.push(PartitionLog.create(name, p, join(topicDir, String(p))));
    // topic.json last: a topic exists once its metadata does.
    this.writeMeta(topicDir, meta);
    const topic: Topic = { meta, partitions: logs, stickyPartition: 0 };
    this.topics.set(name, topic);
    return topic;
  }

  private ensureOpen(): void {
    if (this.closed) throw new ShiftleftError('CLOSED', 'the log is closed');
  }

  private topic(name: string): Topic {
    this.ensureOpen();
    const topic = this.topics.get(name);
    if (!topic) {
      validateTopicName(name);
      throw new ShiftleftError('TOPIC_NOT_FOUND', `topic '${name}' does not exist`, {
        hint: `create it first (shiftleft topic create ${name}) or list topics with shiftleft topic list`,
        details: { topic: name },
      });
    }
    return topic;
  }

  private partitionLog(tp: TopicPartition): PartitionLog {
    const topic = this.topic(tp.topic);
    const log = Number.isInteger(tp.partition) ? topic.partitions[tp.partition] : undefined;
    if (!log) {
      throw new ShiftleftError('PARTITION_NOT_FOUND', `topic '${tp.topic}' has no partition ${String(tp.partition)}`, {
        hint: `partitions are numbered 0..${topic.partitions.length - 1}`,
        details: { topic: tp.topic, partition: tp.partition, partitions: topic.partitions.length },
      });
    }
    return log;
  }

  private describe(topic: Topic): TopicDescription {
    return {
      name: topic.meta.name,
      internal: isInternalTopic(topic.meta.name),
      config: { ...topic.meta.config },
      partitions: topic.partitions.map((p) => ({
        partition: p.partition,
        logStartOffset: p.logStartOffset,
        highWatermark: p.highWatermark,
        lastStableOffset: p.lastStableOffset,
        sizeBytes: p.sizeBytes,
      })),
    };
  }

  // ---- topics ----------------------------------------------------------------------------

  async createTopic(name: string, options: CreateTopicOptions = {}): Promise<TopicDescription> {
    this.ensureOpen();
    validateTopicName(name);
    const partitions = options.partitions ?? 1;
    validatePartitionCount(partitions);
    const config = parseTopicConfig(options.config ?? {});
    const existing = this.topics.get(name);
    if (existing) {
      if (options.ifNotExists) return this.describe(existing);
      throw new ShiftleftError('TOPIC_ALREADY_EXISTS', `topic '${name}' already exists`, {
        hint: 'choose another name, or delete the topic first',
        details: { topic: name },
      });
    }
    return this.describe(this.createTopicSync(name, partitions, config));
  }

  async deleteTopic(name: string): Promise<void> {
    const topic = this.topic(name);
    if (name === CONSUMER_OFFSETS_TOPIC) {
      throw new ShiftleftError('OPERATION_NOT_PERMITTED', `internal topic '${name}' cannot be deleted`);
    }
    for (const p of topic.partitions) p.close();
    this.topics.delete(name);
    // Rename first (atomic), then remove: a crash in between leaves only trash, never half a topic.
    const trash = join(this.dir, '.trash');
    mkdirSync(trash, { recursive: true });
    const target = join(trash, `${name}-${randomUUID()}`);
    renameSync(join(this.dir, name), target);
    rmSync(target, { recursive: true, force: true });
    for (const offsets of this.groups.values()) {
      for (const k of [...offsets.keys()]) if (k.startsWith(name + '\u0000')) offsets.delete(k);
    }
  }

  async listTopics(options: { includeInternal?: boolean } = {}): Promise<string[]> {
    this.ensureOpen();
    return [...this.topics.keys()].filter((t) => options.includeInternal || !isInternalTopic(t)).sort();
  }

  async describeTopic(name: string): Promise<TopicDescription> {
    return this.describe(this.topic(name));
  }

  async alterTopicConfig(name: string, config: Partial<TopicConfig>): Promise<TopicDescription> {
    const topic = this.topic(name);
    const changes = parseTopicConfig(config);
    const meta = { ...topic.meta, config: { ...topic.meta.config, ...changes } };
    this.writeMeta(join(this.dir, name), meta);
    topic.meta = meta;
    return this.describe(topic);
  }

  // ---- produce & fetch -------------------------------------------------------------------

  async produce(topicName: string, records: ProduceRecord[]): Promise<RecordMetadata[]> {
    return this.produceSync(topicName, records);
  }

  /** Synchronous core of produce: validation of every record first, then the appends. */
  produceSync(topicName: string, records: ProduceRecord[], transaction?: EmbeddedTransaction): RecordMetadata[] {
    const topic = this.topic(topicName);
    if (!Array.isArray(records)) {
      throw new ShiftleftError('INVALID_RECORD', 'produce expects an array of records');
    }
    const partitionCount = topic.partitions.length;
    const compacted = topic.meta.config['cleanup.policy'].includes('compact');
    const byPartition = new Map<number, { index: number; record: AppendRecord }[]>();
    const sticky = topic.stickyPartition;
    for (let i = 0; i < records.length; i++) {
      const r = records[i]!;
      validateProduceRecord(r, i, topicName, partitionCount, compacted);
      const key = r.key ?? null;
      const partition = r.partition ?? (key === null ? sticky : defaultPartition(key, partitionCount));
      let list = byPartition.get(partition);
      if (!list) byPartition.set(partition, (list = []));
      list.push({ index: i, record: { key, value: r.value, headers: r.headers, timestamp: r.timestamp } });
    }
    topic.stickyPartition = (sticky + 1) % partitionCount;

    const now = this.now();
    const config = topic.meta.config;
    // Prepare every partition before writing any: a record over the size limit refuses the
    // whole call and nothing is written.
    const prepared = [...byPartition].map(([partition, list]) => ({
      partition,
      list,
      plan: topic.partitions[partition]!.prepareAppend(
        list.map((e) => e.record),
        config,
        now,
        transaction?.producerId ?? -1,
      ),
    }));
    // The coordinator learns of every partition before the transaction's first batch lands
    // there, so a crash can never leave transactional records it does not know to abort.
    if (transaction) for (const { partition, plan } of prepared) transaction.enlist(topicName, partition, plan.baseOffset);
    const results: RecordMetadata[] = new Array(records.length);
    for (const { partition, list, plan } of prepared) {
      const log = topic.partitions[partition]!;
      const appended = log.commitAppend(plan, config, now);
      for (let j = 0; j < list.length; j++) {
        results[list[j]!.index] = { topic: topicName, partition, offset: appended.baseOffset + j, timestamp: appended.timestamps[j]! };
      }
      if (this.options.fsync === 'always') log.flush();
    }
    return results;
  }

  async fetch(tp: TopicPartition, offset: number, options: FetchOptions = {}): Promise<FetchResult> {
    const log = this.partitionLog(tp);
    log.checkOffset(offset);
    const stableEnd = options.isolation === 'read_committed' ? log.lastStableOffset : log.highWatermark;
    if (offset >= stableEnd && (options.maxWaitMs ?? 0) > 0) {
      await this.waitForRecords([{ ...tp, offset }], { timeoutMs: options.maxWaitMs!, signal: options.signal, isolation: options.isolation });
    }
    const readCommitted = options.isolation === 'read_committed';
    const { records, nextOffset } = log.fetch(offset, options.maxRecords ?? 10_000, options.maxBytes ?? 1024 * 1024, readCommitted);
    return { records, nextOffset, highWatermark: log.highWatermark, logStartOffset: log.logStartOffset };
  }

  waitForRecords(positions: TopicPartitionOffset[], options: { timeoutMs: number; signal?: AbortSignal; isolation?: IsolationLevel }): Promise<boolean> {
    const logs = positions.map((p) => ({ log: this.partitionLog(p), offset: p.offset }));
    // A read_committed reader waits for the stable offset: records of an open transaction
    // would wake it for nothing (markers append, so a commit wakes it).
    const readable = options.isolation === 'read_committed' ? (log: PartitionLog) => log.lastStableOffset : (log: PartitionLog) => log.highWatermark;
    if (logs.some(({ log, offset }) => readable(log) > offset)) return Promise.resolve(true);
    if (options.signal?.aborted || options.timeoutMs <= 0) return Promise.resolve(false);
    return new Promise<boolean>((resolve) => {
      const cancels: (() => void)[] = [];
      const finish = (value: boolean): void => {
        clearTimeout(timer);
        for (const cancel of cancels) cancel();
        options.signal?.removeEventListener('abort', onAbort);
        resolve(value);
      };
      const onAbort = (): void => finish(false);
      const timer = setTimeout(() => finish(false), options.timeoutMs);
      options.signal?.addEventListener('abort', onAbort);
      for (const { log } of logs) cancels.push(log.onNextAppend(() => finish(!this.closed)));
    });
  }

  async listOffsets(tp: TopicPartition, spec: OffsetSpec): Promise<number> {
    const log = this.partitionLog(tp);
    if (spec === 'earliest') return log.logStartOffset;
    if (spec === 'latest') return log.highWatermark;
    if (typeof spec !== 'object' || typeof spec.timestamp !== 'number' || !Number.isFinite(spec.timestamp)) {
      throw new ShiftleftError('INVALID_ARGUMENT', `invalid offset spec ${JSON.stringify(spec)}`, {
        hint: "use 'earliest', 'latest' or { timestamp: <epoch millis> }",
      });
    }
    return log.offsetForTimestamp(spec.timestamp);
  }

  // ---- consumer groups -------------------------------------------------------------------

  createConsumer(options: ConsumerOptions): Consumer {
    this.ensureOpen();
    return new LogConsumer(this, options);
  }

  private loadCommittedOffsets(): void {
    const log = this.partitionLog({ topic: CONSUMER_OFFSETS_TOPIC, partition: 0 });
    let offset = log.logStartOffset;
    while (offset < log.highWatermark) {
      const { records, nextOffset } = log.fetch(offset, 10_000, 4 * 1024 * 1024);
      for (const r of records) {
        if (!r.key) continue;
        const [group, topic, partition] = JSON.parse(r.key.toString('utf8')) as [string, string, number];
        let offsets = this.groups.get(group);
        if (!offsets) this.groups.set(group, (offsets = new Map()));
        const k = `${topic}\u0000${partition}`;
        if (r.value === null) offsets.delete(k);
        else offsets.set(k, (JSON.parse(r.value.toString('utf8')) as { offset: number }).offset);
      }
      for (const [group, offsets] of this.groups) if (offsets.size === 0) this.groups.delete(group);
      if (nextOffset === offset) break;
      offset = nextOffset;
    }
  }

  async commitOffsets(groupId: string, offsets: TopicPartitionOffset[]): Promise<void> {
    this.ensureOpen();
    if (typeof groupId !== 'string' || groupId.length === 0) {
      throw new ShiftleftError('INVALID_OFFSET_COMMIT', 'a consumer group id is required to commit offsets');
    }
    for (const o of offsets) {
      const log = this.partitionLog(o);
      if (!Number.isSafeInteger(o.offset) || o.offset < 0 || o.offset > log.highWatermark) {
        throw new ShiftleftError('INVALID_OFFSET_COMMIT', `cannot commit offset ${o.offset} for ${o.topic}-${o.partition}: the high watermark is ${log.highWatermark}`, {
          details: { ...o, highWatermark: log.highWatermark },
        });
      }
    }
    const now = this.now();
    this.produceSync(
      CONSUMER_OFFSETS_TOPIC,
      offsets.map((o) => ({
        key: Buffer.from(JSON.stringify([groupId, o.topic, o.partition])),
        value: Buffer.from(JSON.stringify({ offset: o.offset, commitTimestamp: now })),
        partition: 0,
      })),
    );
    let group = this.groups.get(groupId);
    if (!group) this.groups.set(groupId, (group = new Map()));
    for (const o of offsets) group.set(`${o.topic}\u0000${o.partition}`, o.offset);
  }

  async fetchCommittedOffsets(groupId: string, topics?: string[]): Promise<TopicPartitionOffset[]> {
    this.ensureOpen();
    const group = this.groups.get(groupId);
    if (!group) return [];
    const out: TopicPartitionOffset[] = [];
    for (const [k, offset] of group) {
      const [topic, partition] = k.split('\u0000') as [string, string];
      if (!topics || topics.includes(topic)) out.push({ topic, partition: Number(partition), offset });
    }
    return out.sort((a, b) => a.topic.localeCompare(b.topic) || a.partition - b.partition);
  }

  async listGroups(): Promise<string[]> {
    this.ensureOpen();
    return [...this.groups.keys()].sort();
  }

  async deleteGroup(groupId: string): Promise<void> {
    this.ensureOpen();
    const group = this.groups.get(groupId);
    if (!group) {
      throw new ShiftleftError('GROUP_NOT_FOUND', `consumer group '${groupId}' does not exist`, { details: { groupId } });
    }
    this.produceSync(
      CONSUMER_OFFSETS_TOPIC,
      [...group.keys()].map((k) => {
        const [topic, partition] = k.split('\u0000') as [string, string];
        return { key: Buffer.from(JSON.stringify([groupId, topic, Number(partition)])), value: null, partition: 0 };
      }),
    );
    this.groups.delete(groupId);
  }

  // ---- transactions ------------------------------------------------------------------------

  async beginTransaction(transactionalId: string): Promise<LogTransaction> {
    this.ensureOpen();
    return this.transactions.begin(transactionalId);
  }

  // ---- maintenance & lifecycle -----------------------------------------------------------

  /** Applies retention and compaction to every partition now (also run on a timer). */
  runMaintenance(): MaintenanceReport {
    const report: MaintenanceReport = { segmentsDeleted: 0, compaction: { segmentsRewritten: 0, recordsRemoved: 0, tombstonesRemoved: 0 } };
    if (this.closed) return report;
    const now = this.now();
    for (const topic of this.topics.values()) {
      const config = topic.meta.config;
      for (const p of topic.partitions) {
        report.segmentsDeleted += p.applyRetention(config, now);
        if (config['cleanup.policy'].includes('compact')) {
          const stats = compactPartition(p, config, now);
          report.compaction.segmentsRewritten += stats.segmentsRewritten;
          report.compaction.recordsRemoved += stats.recordsRemoved;
          report.compaction.tombstonesRemoved += stats.tombstonesRemoved;
        }
      }
    }
    return report;
  }

  /** Seals every active segment so the next appends start new ones (tests of retention/compaction). */
  rollAll(): void {
    for (const topic of this.topics.values()) for (const p of topic.partitions) p.roll();
  }

  flushAll(): void {
    if (this.closed) return;
    for (const topic of this.topics.values()) for (const p of topic.partitions) p.flush();
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    for (const t of this.timers) clearInterval(t);
    for (const topic of this.topics.values()) for (const p of topic.partitions) p.close();
    this.topics.clear();
  }
}
