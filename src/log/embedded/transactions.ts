/**
 * Transactions of the embedded log: the coordinator's side of Kafka's protocol, in-process.
 *
 * A transaction has a producer id; its batches are written as transactional batches and a
 * marker (control batch) on every partition it touched ends it (partition-log.ts keeps the
 * last stable offset and the aborted ranges). The coordinator's own state, which transactions
 * are open and where each started on each partition, is written to `transactions.json` BEFORE a
 * transaction's first batch lands on a partition: after a crash, `recover` aborts exactly those
 * transactions, so their records never become visible to read_committed readers.
 *
 * One process owns the log directory (DataDirectory's lock), so at open every transaction left
 * open belongs to a dead writer: aborting them all is Kafka's transaction timeout, taken at once.
 */
import { existsSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { ShiftleftError } from '../../common/errors.ts';
import type { LogTransaction, ProduceRecord, RecordMetadata } from '../log-client.ts';
import type { PartitionLog } from './partition-log.ts';

const STATE_FILE = 'transactions.json';

interface PersistedTransaction {
  transactionalId: string;
  producerId: number;
  /** [topic, partition, first offset] for every partition the transaction has written to. */
  partitions: [string, number, number][];
}

/** What the coordinator needs from the log. */
export interface TransactionLogAccess {
  /** The partition's log, or undefined when its topic was deleted meanwhile. */
  partition(topic: string, partition: number): PartitionLog | undefined;
  /** Writes a marker on a partition (with the topic's config and the log's clock). */
  appendMarker(log: PartitionLog, producerId: number, commit: boolean): void;
  /** Produces records as part of a transaction (see EmbeddedLog.produceSync). */
  produce(topic: string, records: ProduceRecord[], transaction: EmbeddedTransaction): RecordMetadata[];
}

export class TransactionCoordinator {
  private readonly open = new Map<string, EmbeddedTransaction>();
  private nextProducerId: number;

  constructor(
    private readonly dir: string,
    private readonly access: TransactionLogAccess,
  ) {
    // Producer ids only need to differ from those of transactions still in the aborted
    // indexes; a clock-based start keeps them increasing across restarts.
    this.nextProducerId = Date.now() * 16;
  }

  /** Aborts the transactions a previous process left open (see the file comment). */
  recover(): number {
    const path = join(this.dir, STATE_FILE);
    if (!existsSync(path)) return 0;
    let left: PersistedTransaction[];
    try {
      left = (JSON.parse(readFileSync(path, 'utf8')) as { open: PersistedTransaction[] }).open;
    } catch (error) {
      throw new ShiftleftError('DATA_DIR_INVALID', `cannot read the transaction state ${path}: ${(error as Error).message}`, {
        hint: 'the file is written by rename and should never be partial; restore it from a backup, or delete it to treat every open transaction as committed',
        cause: error,
      });
    }
    for (const t of left) {
      for (const [topic, partition, first] of t.partitions) {
        const log = this.access.partition(topic, partition);
        if (!log) continue;
        log.openTransactions.set(t.producerId, first);
        this.access.appendMarker(log, t.producerId, false);
      }
    }
    this.persist();
    return left.length;
  }

  begin(transactionalId: string): EmbeddedTransaction {
    if (typeof transactionalId !== 'string' || transactionalId === '') {
      throw new ShiftleftError('INVALID_ARGUMENT', 'a transactional id must be a non-empty string');
    }
    // Fencing: the previous incarnation of this writer loses its open transaction.
    const previous = this.open.get(transactionalId);
    if (previous) this.end(previous, false, 'fenced');
    const transaction = new EmbeddedTransaction(transactionalId, this.nextProducerId++, this);
    this.open.set(transactionalId, transaction);
    return transaction;
  }

  /** Registers a partition before the transaction's first batch is appended to it. */
  enlist(transaction: EmbeddedTransaction, topic: string, partition: number, firstOffset: number): void {
    const key = `${topic}\u0000${partition}`;
    if (transaction.partitions.has(key)) return;
    transaction.partitions.set(key, { topic, partition, firstOffset });
    this.persist();
  }

  produce(transaction: EmbeddedTransaction, topic: string, records: ProduceRecord[]): RecordMetadata[] {
    return this.access.produce(topic, records, transaction);
  }

  end(transaction: EmbeddedTransaction, commit: boolean, how: 'committed' | 'aborted' | 'fenced' = commit ? 'committed' : 'aborted'): void {
    for (const { topic, partition } of transaction.partitions.values()) {
      const log = this.access.partition(topic, partition);
      if (log) this.access.appendMarker(log, transaction.producerId, commit);
    }
    transaction.state = how;
    if (this.open.get(transaction.transactionalId) === transaction) this.open.delete(transaction.transactionalId);
    this.persist();
  }

  private persist(): void {
    const state = {
      open: [...this.open.values()]
        .filter((t) => t.partitions.size > 0)
        .map((t): PersistedTransaction => ({
          transactionalId: t.transactionalId,
          producerId: t.producerId,
          partitions: [...t.partitions.values()].map((p) => [p.topic, p.partition, p.firstOffset]),
        })),
    };
    const path = join(this.dir, STATE_FILE);
    writeFileSync(path + '.tmp', JSON.stringify(state));
    renameSync(path + '.tmp', path);
  }
}

export class EmbeddedTransaction implements LogTransaction {
  state: 'open' | 'committed' | 'aborted' | 'fenced' = 'open';
  readonly partitions = new Map<string, { topic: string; partition: number; firstOffset: number }>();

  constructor(
    readonly transactionalId: string,
    readonly producerId: number,
    private readonly coordinator: TransactionCoordinator,
  ) {}

  private ensureOpen(action: string): void {
    if (this.state === 'open') return;
    throw new ShiftleftError('TRANSACTION_FENCED', `cannot ${action}: transaction '${this.transactionalId}' is ${this.state}`, {
      hint: this.state === 'fenced' ? 'a newer writer with the same transactional id took over; stop this one' : 'begin a new transaction',
      details: { transactionalId: this.transactionalId, state: this.state },
    });
  }

  /** Called by the log right before it appends this transaction's batch to a partition. */
  enlist(topic: string, partition: number, firstOffset: number): void {
    this.coordinator.enlist(this, topic, partition, firstOffset);
  }

  async produce(topic: string, records: ProduceRecord[]): Promise<RecordMetadata[]> {
    this.ensureOpen('produce');
    return this.coordinator.produce(this, topic, records);
  }

  async commit(): Promise<void> {
    this.ensureOpen('commit');
    this.coordinator.end(this, true);
  }

  async abort(): Promise<void> {
    this.ensureOpen('abort');
    this.coordinator.end(this, false);
  }
}
