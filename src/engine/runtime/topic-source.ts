/**
 * Reads a topic-backed table as a changelog of rows, with its watermark.
 *
 * - Records are decoded by their schema id into the table's columns; metadata columns come from
 *   the record (`$rowtime` = the record timestamp, partition, offset, headers).
 * - Upsert tables (a primary key) are normalized: the source keeps the last row per key and
 *   turns each record into +I, or -U/+U, and a tombstone into -D (Flink's ChangelogNormalize).
 * - The watermark is generated per partition (the largest watermark expression seen) and the
 *   source emits the minimum over partitions that have data; a partition that is caught up and
 *   quiet for `idleTimeoutMs` stops holding the watermark back (Flink's idle timeout).
 * - A record that cannot be decoded goes to the error topic with the reason in its headers;
 *   the statement keeps going and nothing is dropped silently.
 * - Bounded mode reads up to the offsets that were the end when the source opened.
 * - Reads are read_committed: output of other statements is seen once their checkpoint commits.
 * - `snapshotState`/`restoreState` carry positions, partition watermarks and the upsert state
 *   into checkpoints (see runtime/checkpointer.ts).
 */
import { isShiftleftError, ShiftleftError } from '../../common/errors.ts';
import type { LogClient, LogRecord, TopicPartitionOffset } from '../../log/log-client.ts';
import type { SchemaStore } from '../../sql/catalog/schema-store.ts';
import type { TableDescriptor } from '../../sql/catalog/table-descriptor.ts';
import { BatchBuilder, RowKind, type ChangeBatch, type Row } from '../../types/row.ts';
import { rowKey } from '../state/keyed-state.ts';
import { RowDecoder, schemaIdOf } from './record-codec.ts';
import { markTombstone } from '../operators/tombstone-time.ts';

export interface TopicSourceOptions {
  log: LogClient;
  schemas: SchemaStore;
  table: TableDescriptor;
  /** Positions in `table.columns` of the output fields. */
  columns: number[];
  /** Output field holding the rowtime, and the watermark expression over the output row. */
  rowtimeField: number | undefined;
  watermark: ((row: Row) => unknown) | undefined;
  bounded: boolean;
  /** Start offsets (from a checkpoint); otherwise `startFrom`. */
  startOffsets?: TopicPartitionOffset[];
  startFrom: 'earliest' | 'latest';
  idleTimeoutMs: number;
  errorTopic: string;
  now: () => number;
}

export interface SourcePoll {
  batch: ChangeBatch;
  /** Every partition is caught up and quiet: the source must not hold event time back. */
  idle?: boolean;
  /** The source's watermark after this poll, if it advanced. */
  watermark: number | undefined;
  finished: boolean;
}

/** What a checkpoint keeps of a source. */
export interface TopicSourceSnapshot {
  topic: string;
  partitions: { partition: number; offset: number; watermark: number }[];
  /** The last row per key of an upsert table (ChangelogNormalize state), as entries. */
  upsert: [string, Row][] | null;
}

interface PartitionState {
  partition: number;
  offset: number;
  end: number | undefined;
  watermark: number;
  lastDataAt: number;
}

export class TopicSource {
  private partitions: PartitionState[] = [];
  private decoder!: RowDecoder;
  private keyDecoder: RowDecoder | undefined;
  private readonly upsertState = new Map<string, Row>();
  private emittedWatermark = -Infinity;
  /** Output position and position in the decoded value (or key) row, resolved once. */
  private readonly valueColumns: { outIndex: number; slot: number }[] = [];
  private readonly keyColumns: { outIndex: number; slot: number }[] = [];
  private readonly metadataColumns: { outIndex: number; key: string }[] = [];
  private readonly upsert: boolean;
  private errorTopicReady = false;
  private restored: TopicSourceSnapshot | undefined;
  recordsRead = 0;
  recordsFailed = 0;

  constructor(private readonly options: TopicSourceOptions) {
    const { table } = options;
    this.upsert = table.changelogMode !== 'append' && (table.primaryKey?.length ?? 0) > 0;
    const valueNames = table.columns.filter((c) => c.kind === 'physical' && !c.fromKey).map((c) => c.name);
    const keyNames = table.columns.filter((c) => c.fromKey).map((c) => c.name);
    options.columns.forEach((c, outIndex) => {
      const column = table.columns[c]!;
      if (column.kind === 'metadata') this.metadataColumns.push({ outIndex, key: column.metadataKey ?? column.name });
      else if (column.fromKey) this.keyColumns.push({ outIndex, slot: keyNames.indexOf(column.name) });
      else this.valueColumns.push({ outIndex, slot: valueNames.indexOf(column.name) });
    });
  }

  get name(): string {
    return this.options.table.name;
  }

  async open(): Promise<void> {
    const { log, table, schemas } = this.options;
    const physical = table.columns.filter((c) => c.kind === 'physical' && !c.fromKey);
    this.decoder = new RowDecoder(schemas, physical.map((c) => ({ name: c.name, type: c.type })));
    const keyed = table.columns.filter((c) => c.fromKey);
    if (keyed.length > 0) this.keyDecoder = new RowDecoder(schemas, keyed.map((c) => ({ name: c.name, type: c.type })));
    const description = await log.describeTopic(table.name);
    const restored = new Map((this.restored?.partitions ?? []).map((p) => [p.partition, p]));
    const starts = new Map((this.options.startOffsets ?? []).map((o) => [o.partition, o.offset]));
    for (const p of description.partitions) {
      // A partition added since the checkpoint has not been read at all: from its start.
      const offset = restored.get(p.partition)?.offset ?? starts.get(p.partition) ?? (this.options.startFrom === 'earliest' || this.restored ? p.logStartOffset : p.highWatermark);
      this.partitions.push({
        partition: p.partition,
        offset: Math.max(offset, p.logStartOffset),
        // What is committed now is the end of a bounded read (open transactions are not).
        end: this.options.bounded ? (p.lastStableOffset ?? p.highWatermark) : undefined,
        watermark: restored.get(p.partition)?.watermark ?? -Infinity,
        lastDataAt: this.options.now(),
      });
    }
    for (const [key, row] of this.restored?.upsert ?? []) this.upsertState.set(key, row);
    this.restored = undefined;
  }

  snapshotState(): TopicSourceSnapshot {
    return {
      topic: this.name,
      partitions: this.partitions.map((p) => ({ partition: p.partition, offset: p.offset, watermark: p.watermark })),
      upsert: this.upsert ? [...this.upsertState] : null,
    };
  }

  /** Called before `open`: the source resumes at the checkpoint's positions with its state. */
  restoreState(snapshot: TopicSourceSnapshot): void {
    if (snapshot.topic !== this.name) {
      throw new ShiftleftError('STATEMENT_INCOMPATIBLE', `the checkpoint reads topic '${snapshot.topic}' where the statement now reads '${this.name}'`);
    }
    this.restored = snapshot;
  }

  positions(): TopicPartitionOffset[] {
    return this.partitions.map((p) => ({ topic: this.name, partition: p.partition, offset: p.offset }));
  }

  get finished(): boolean {
    return this.options.bounded && this.partitions.every((p) => p.offset >= p.end!);
  }

  /** Resolves when a record may be available (for the runner's idle wait). */
  waitForData(timeoutMs: number, signal?: AbortSignal): Promise<boolean> {
    const positions = this.partitions.filter((p) => p.end === undefined || p.offset < p.end).map((p) => ({ topic: this.name, partition: p.partition, offset: p.offset }));
    if (positions.length === 0) return Promise.resolve(false);
    return this.options.log.waitForRecords(positions, { timeoutMs, signal, isolation: 'read_committed' });
  }

  async poll(maxRecords = 5000): Promise<SourcePoll> {
    const out = new BatchBuilder();
    const now = this.options.now();
    for (const p of this.partitions) {
      if (p.end !== undefined && p.offset >= p.end) continue;
      let fetched;
      try {
        fetched = await this.options.log.fetch({ topic: this.name, partition: p.partition }, p.offset, {
          maxRecords: p.end !== undefined ? Math.min(maxRecords, p.end - p.offset) : maxRecords,
          isolation: 'read_committed',
        });
      } catch (error) {
        if (isShiftleftError(error, 'CORRUPT_RECORD')) {
          await this.toErrorTopic(null, p.partition, p.offset, error.message);
          p.offset = Number(error.details.nextReadableOffset ?? p.offset + 1);
          continue;
        }
        if (isShiftleftError(error, 'OFFSET_OUT_OF_RANGE')) {
          p.offset = await this.options.log.listOffsets({ topic: this.name, partition: p.partition }, 'earliest');
          continue;
        }
        throw error;
      }
      const records = p.end !== undefined ? fetched.records.filter((r) => r.offset < p.end!) : fetched.records;
      if (records.length > 0) p.lastDataAt = now;
      // Schema lookups are the only async part of decoding: do them first, then decode the
      // whole page synchronously (no promise per record).
      await this.prepareDecoders(records);
      const failures: { record: LogRecord; reason: string }[] = [];
      for (const record of records) {
        const failure = this.emitRecord(record, p, out);
        if (failure) failures.push({ record, reason: failure });
      }
      for (const f of failures) await this.toErrorTopic(f.record, p.partition, f.record.offset, f.reason);
      p.offset = p.end !== undefined ? Math.min(Math.max(fetched.nextOffset, p.offset), p.end) : Math.max(fetched.nextOffset, p.offset);
      if (records.length > 0 && p.end !== undefined && records[records.length - 1]!.offset + 1 >= p.end) p.offset = p.end;
    }
    return { batch: out.take(), watermark: this.currentWatermark(now), idle: this.idle(now), finished: this.finished };
  }

  private currentWatermark(now: number): number | undefined {
    if (this.options.rowtimeField === undefined) return undefined;
    let min = Infinity;
    for (const p of this.partitions) {
      // An idle partition (caught up and quiet for the idle timeout) does not hold time back.
      if (this.isIdle(p, now)) continue;
      if (p.watermark < min) min = p.watermark;
    }
    if (min === Infinity) min = Math.max(...this.partitions.map((p) => p.watermark));
    if (min > this.emittedWatermark && Number.isFinite(min)) {
      this.emittedWatermark = min;
      return min;
    }
    return undefined;
  }

  private isIdle(p: PartitionState, now: number): boolean {
    const caughtUp = p.end === undefined || p.offset >= p.end;
    return caughtUp && now - p.lastDataAt >= this.options.idleTimeoutMs;
  }

  /**
   * The whole source is idle: every partition is caught up and quiet. Downstream operators then
   * let their other inputs drive event time (Flink's idle stream status), so a table that never
   * changes (customers) does not stall the joins that read it.
   */
  idle(now: number): boolean {
    return !this.options.bounded && this.partitions.every((p) => this.isIdle(p, now));
  }

  /** Watermark per partition, for `statement describe` and stall diagnostics. */
  partitionWatermarks(): { partition: number; watermark: number | null; offset: number }[] {
    return this.partitions.map((p) => ({ partition: p.partition, watermark: Number.isFinite(p.watermark) ? p.watermark : null, offset: p.offset }));
  }

  private async prepareDecoders(records: LogRecord[]): Promise<void> {
    for (const record of records) {
      for (const [bytes, decoder] of [[record.value, this.decoder], [record.key, this.keyDecoder]] as const) {
        if (!bytes || !decoder || bytes.length < 5 || bytes[0] !== 0) continue;
        const id = bytes.readInt32BE(1);
        // An unknown id fails for that record alone, in decode, and goes to the error topic.
        if (!decoder.has(id)) await decoder.prepare(id).catch(() => undefined);
      }
    }
  }

  /** Adds the record's row(s) to `out`; returns why it could not be decoded, if it could not. */
  private emitRecord(record: LogRecord, p: PartitionState, out: BatchBuilder): string | undefined {
    this.recordsRead++;
    let row: Row;
    if (record.value === null) {
      if (!this.upsert || !record.key) return; // a tombstone means nothing for an append table
      const key = record.key.toString('latin1');
      const previous = this.upsertState.get(key);
      if (previous) {
        this.upsertState.delete(key);
        // The -D is the deleted row; the temporal join also needs when the key stopped existing.
        out.add(markTombstone(previous, record.timestamp), RowKind.Delete);
      }
      return undefined;
    }
    try {
      row = this.decode(record);
    } catch (error) {
      this.recordsFailed++;
      return (error as Error).message;
    }
    if (this.options.rowtimeField !== undefined && this.options.watermark) {
      const wm = this.options.watermark(row);
      if (typeof wm === 'number' && wm > p.watermark) p.watermark = wm;
    }
    if (this.upsert) {
      const key = record.key ? record.key.toString('latin1') : rowKey(row, this.primaryKeyIndexes());
      const previous = this.upsertState.get(key);
      this.upsertState.set(key, row);
      if (previous) {
        out.add(previous, RowKind.UpdateBefore);
        out.add(row, RowKind.UpdateAfter);
      } else out.add(row, RowKind.Insert);
      return undefined;
    }
    out.add(row);
    return undefined;
  }

  private pkIndexes: number[] | undefined;
  private primaryKeyIndexes(): number[] {
    if (!this.pkIndexes) {
      const pk = this.options.table.primaryKey ?? [];
      this.pkIndexes = pk.map((name) => this.options.columns.findIndex((c) => this.options.table.columns[c]!.name === name)).filter((i) => i >= 0);
    }
    return this.pkIndexes;
  }

  private decode(record: LogRecord): Row {
    const value = record.value!;
    const id = schemaIdOf(value);
    if (!this.decoder.has(id)) throw new ShiftleftError('DESERIALIZATION_FAILED', `schema id ${id} is unknown to the registry`);
    const physical = this.decoder.decode(value);
    const row: Row = new Array(this.options.columns.length);
    // The decoder returns the table's physical value columns in table order.
    for (const { outIndex, slot } of this.valueColumns) row[outIndex] = physical[slot];
    if (this.keyColumns.length > 0) {
      if (!record.key) throw new ShiftleftError('DESERIALIZATION_FAILED', 'the record has no key but the table reads columns from the key');
      const keyId = schemaIdOf(record.key);
      if (!this.keyDecoder!.has(keyId)) throw new ShiftleftError('DESERIALIZATION_FAILED', `key schema id ${keyId} is unknown to the registry`);
      const keyRow = this.keyDecoder!.decode(record.key);
      for (const { outIndex, slot } of this.keyColumns) row[outIndex] = keyRow[slot];
    }
    for (const { outIndex, key } of this.metadataColumns) row[outIndex] = metadataValue(record, key);
    return row;
  }

  private async toErrorTopic(record: LogRecord | null, partition: number, offset: number, reason: string): Promise<void> {
    const { log } = this.options;
    if (!this.errorTopicReady) {
      await log.createTopic(this.options.errorTopic, { ifNotExists: true });
      this.errorTopicReady = true;
    }
    await log.produce(this.options.errorTopic, [
      {
        key: record?.key ?? null,
        value: record?.value ?? null,
        headers: [
          { key: '__error.topic', value: Buffer.from(this.name) },
          { key: '__error.partition', value: Buffer.from(String(partition)) },
          { key: '__error.offset', value: Buffer.from(String(offset)) },
          { key: '__error.reason', value: Buffer.from(reason) },
        ],
      },
    ]);
  }
}

function metadataValue(record: LogRecord, key: string): unknown {
  switch (key) {
    case 'timestamp':
      return record.timestamp;
    case 'partition':
      return record.partition;
    case 'offset':
      return record.offset;
    case 'topic':
      return record.topic;
    case 'headers':
      return new Map(record.headers.map((h) => [h.key, h.value]));
    default:
      return null;
  }
}
