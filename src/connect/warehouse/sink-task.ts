/**
 * The shared engine of the warehouse sinks: consume topics, decode, collapse, write.
 *
 * Exactly-once, without any help from the log: each batch is written to the warehouse in one
 * transaction *together with* the next offsets of the partitions it consumed (table
 * `_shiftleft_offsets`). On start the sink seeks every partition to the offset stored in the
 * warehouse, so whatever happened before — a crash between the rows and any other bookkeeping,
 * a kill -9 in the middle of a batch — the rows and the offsets agree: nothing is written twice,
 * nothing is skipped. The consumer group's committed offsets are only updated afterwards, for
 * lag monitoring; they are never read back.
 *
 * Per batch: decode every record (undecodable ones → error topic), create/evolve tables for
 * the schemas seen, collapse to the last operation per key, write rows + offsets, commit.
 */
import { ShiftleftError } from '../../common/errors.ts';
import { ContractSerdes } from '../../contracts/contract-serdes.ts';
import type { Consumer, LogClient, LogRecord } from '../../log/log-client.ts';
import type { JsonValue } from '../framework/connector.ts';
import { BatchCollapser } from './batch-collapse.ts';
import { ErrorTopic } from './error-topic.ts';
import { DEFAULT_BATCH_SIZE, tableNameOf, type WarehouseSinkConfig } from './sink-config.ts';
import { TableSync } from './table-sync.ts';
import { TopicDecoder } from './topic-decoder.ts';
import type { PartitionOffset, TableWrite, Warehouse } from './warehouse.ts';

export interface SinkTaskOptions {
  connector: string;
  config: WarehouseSinkConfig;
  log: LogClient;
  registryUrl: string;
  /** The runtime's KMS secret: handed to the serdes only when `config.decrypt` is true. */
  kmsSecret: string | undefined;
  warehouse: Warehouse;
  /** A failure of the background loop (the connector reports it through `context.fail`). */
  onFailure(error: unknown): void;
  /** Count undecodable records without writing them to the error topic (one-shot exports). */
  discardErrors?: boolean;
}

interface TopicState {
  decoder: TopicDecoder;
  sync: TableSync;
}

interface PreparedBatch {
  records: number;
  writes: TableWrite[];
  failures: { record: LogRecord; reason: string }[];
  offsets: Map<string, PartitionOffset>;
  deletes: number;
  skipped: number;
}

export interface SinkCounters {
  records: number;
  rowsWritten: number;
  deletes: number;
  errors: number;
  skipped: number;
  batches: number;
}

export class WarehouseSinkTask {
  private serdes: ContractSerdes | undefined;
  private consumer: Consumer | undefined;
  private readonly topics = new Map<string, TopicState>();
  private errorTopic: ErrorTopic | undefined;
  private loop: Promise<void> | undefined;
  private abort: AbortController | undefined;
  private readonly positions = new Map<string, PartitionOffset>();
  private lastCommitAt: number | undefined;
  readonly counters: SinkCounters = { records: 0, rowsWritten: 0, deletes: 0, errors: 0, skipped: 0, batches: 0 };

  constructor(private readonly options: SinkTaskOptions) {}

  /** Opens the warehouse, prepares the tables and positions, then runs the loop in the background. */
  async start(): Promise<void> {
    const { config, connector, log, warehouse } = this.options;
    if (config.decrypt && !this.options.kmsSecret) {
      throw new ShiftleftError('CONNECTOR_CONFIG_INVALID', `connector config /config/decrypt: this runtime holds no KMS secret to decrypt with`, {
        hint: 'set SHIFTLEFT_KMS_SECRET for the platform, or remove "decrypt" to store ciphertext',
        details: { field: '/config/decrypt' },
      });
    }
    await warehouse.open();
    // Without the KMS secret the serdes skips ENCRYPT on read: PII stays ciphertext (the default).
    this.serdes = new ContractSerdes({ registryUrl: this.options.registryUrl, log, kmsSecret: config.decrypt ? this.options.kmsSecret : undefined });
    this.errorTopic = new ErrorTopic(log, config.errorTopic ?? `${connector}-errors`, connector);
    for (const topic of config.topics) {
      const decoder = new TopicDecoder({ topic, mode: config.mode ?? 'auto', keyFields: config.keyFields, serdes: this.serdes, log });
      await decoder.init();
      const sync = new TableSync(warehouse, topic, tableNameOf(topic, config.tables), decoder.keyColumns);
      await sync.init(decoder.latestColumns ? decoder.tableColumns(decoder.latestColumns) : undefined);
      this.topics.set(topic, { decoder, sync });
    }
    await this.openConsumer();
    this.resume();
  }

  private async openConsumer(): Promise<void> {
    const { config, connector, log, warehouse } = this.options;
    const stored = new Map((await warehouse.readOffsets(connector)).map((o) => [`${o.topic}/${o.partition}`, o]));
    // read_committed: a statement's output lands once its checkpoint commits, never before.
    this.consumer = log.createConsumer({ topics: config.topics, groupId: `${connector}`, maxPollRecords: config.batchSize ?? DEFAULT_BATCH_SIZE, isolation: 'read_committed' });
    for (const topic of config.topics) {
      for (const { partition } of (await log.describeTopic(topic)).partitions) {
        const offset = stored.get(`${topic}/${partition}`)?.nextOffset ?? (await log.listOffsets({ topic, partition }, config.startFrom ?? 'earliest'));
        this.consumer.seek({ topic, partition }, offset);
        this.positions.set(`${topic}/${partition}`, { topic, partition, nextOffset: offset });
      }
    }
  }

  /** Starts the background loop (after start or pause). */
  resume(): void {
    if (this.loop) return;
    const abort = new AbortController();
    this.abort = abort;
    this.loop = this.run(abort.signal).catch((error: unknown) => {
      if (!abort.signal.aborted) this.options.onFailure(error);
    });
  }

  /** Stops the loop after the batch in flight (which commits or not, atomically). */
  async pause(): Promise<void> {
    this.abort?.abort();
    await this.loop;
    this.loop = undefined;
  }

  async stop(): Promise<void> {
    await this.pause();
    await this.consumer?.close();
    this.serdes?.close();
    await this.options.warehouse.close();
  }

  /**
   * Two stages overlap: while the warehouse commits batch N (mostly outside the JavaScript
   * thread), batch N+1 is polled and decoded. Commits stay strictly in order, and any DDL of
   * batch N+1 (a new table or column) first waits for batch N's commit, so a statement of one
   * batch never lands inside another's transaction.
   */
  private async run(signal: AbortSignal): Promise<void> {
    const batchSize = this.options.config.batchSize ?? DEFAULT_BATCH_SIZE;
    let inFlight: Promise<void> | undefined;
    const idle = async (): Promise<void> => {
      await inFlight;
    };
    try {
      while (!signal.aborted) {
        const records = await this.consumer!.poll({ timeoutMs: 500, maxRecords: batchSize, signal });
        if (signal.aborted) continue;
        if (records.length === 0) {
          await inFlight;
          await this.commitIdlePositions();
          continue;
        }
        const prepared = await this.prepareBatch(records, idle);
        await inFlight;
        inFlight = this.commitBatch(prepared);
        inFlight.catch(() => undefined); // awaited (and rethrown) by the next round or below
      }
    } finally {
      await inFlight;
    }
  }

  private idleCommitted = '';

  /**
   * Caught up: the consumer may stand past offsets that hold no record (transaction markers).
   * The group's offsets (for lag views) follow it there; the warehouse keeps the offsets of the
   * last row, which re-read at most the markers after a restart.
   */
  private async commitIdlePositions(): Promise<void> {
    const positions = this.consumer!.positions();
    const key = JSON.stringify(positions);
    if (key === this.idleCommitted) return;
    this.idleCommitted = key;
    await this.consumer!.commit(positions).catch(() => undefined);
  }

  /** Decodes, collapses and writes one batch with its offsets in one warehouse transaction. */
  async writeBatch(records: LogRecord[]): Promise<void> {
    await this.commitBatch(await this.prepareBatch(records, async () => undefined));
  }

  /** Decodes and collapses a batch; `beforeDdl` resolves when table DDL may run. */
  private async prepareBatch(records: LogRecord[], beforeDdl: () => Promise<void>): Promise<PreparedBatch> {
    const collapser = new BatchCollapser();
    const batch: PreparedBatch = { records: records.length, writes: [], failures: [], offsets: new Map(), deletes: 0, skipped: 0 };
    for (const record of records) {
      batch.offsets.set(`${record.topic}/${record.partition}`, { topic: record.topic, partition: record.partition, nextOffset: record.offset + 1 });
      const topic = this.topics.get(record.topic)!;
      const operation = await topic.decoder.decode(record);
      switch (operation.op) {
        case 'error':
          batch.failures.push({ record, reason: operation.reason });
          break;
        case 'skip':
          batch.skipped++;
          break;
        case 'delete':
          // A delete before the table exists has nothing to delete.
          if (topic.sync.shape) collapser.delete(topic.sync.shape, operation.key);
          batch.deletes++;
          break;
        case 'put': {
          const shape = await topic.sync.accept(operation.columns, `schema ${operation.schemaId}`, beforeDdl);
          collapser.put(shape, operation.key, operation.values);
          break;
        }
      }
    }
    batch.writes = collapser.build();
    return batch;
  }

  private async commitBatch(batch: PreparedBatch): Promise<void> {
    if (!this.options.discardErrors) await this.errorTopic!.write(batch.failures);
    const offsets = [...batch.offsets.values()];
    await this.options.warehouse.writeBatch(this.options.connector, batch.writes, offsets);
    this.lastCommitAt = Date.now();
    for (const [key, offset] of batch.offsets) this.positions.set(key, offset);
    this.counters.records += batch.records;
    this.counters.rowsWritten += batch.writes.reduce((n, w) => n + w.rows.length, 0);
    this.counters.deletes += batch.deletes;
    this.counters.errors += batch.failures.length;
    this.counters.skipped += batch.skipped;
    this.counters.batches++;
    // For `consumer group` lag views only: the warehouse's offsets are the truth.
    await this.consumer!.commit(offsets.map((o) => ({ topic: o.topic, partition: o.partition, offset: o.nextOffset }))).catch(() => undefined);
  }

  /** Records not yet in the warehouse, summed over the partitions. */
  async lag(): Promise<number> {
    let lag = 0;
    for (const p of this.positions.values()) lag += Math.max(0, (await this.options.log.listOffsets(p, 'latest')) - p.nextOffset);
    return lag;
  }

  metrics(): Record<string, JsonValue> {
    const positions: Record<string, number> = {};
    for (const [key, p] of this.positions) positions[key] = p.nextOffset;
    return {
      ...this.counters,
      tables: Object.fromEntries([...this.topics].map(([topic, t]) => [topic, t.sync.table])),
      modes: Object.fromEntries([...this.topics].map(([topic, t]) => [topic, t.decoder.upsert ? 'upsert' : 'append'])),
      positions,
      errorTopic: this.errorTopic?.topic ?? null,
      warehouse: this.options.warehouse.description,
      lastCommitAt: this.lastCommitAt ? new Date(this.lastCommitAt).toISOString() : null,
    };
  }
}
