/**
 * Kafka transactions for KafkaLogClient: exactly-once writers (SQL statements) on Kafka.
 *
 * The protocol as Kafka's own producer speaks it with transaction version 1 (the client adds
 * partitions explicitly; EndTxn does not bump the epoch):
 *
 *   1. FindCoordinator (key type 1) names the broker that coordinates the transactional id.
 *   2. InitProducerId(transactional id) returns a producer id and a new epoch. The coordinator
 *      first aborts an open transaction of the same id (answering CONCURRENT_TRANSACTIONS until
 *      that abort is done) and fences every older epoch: a restarted writer gets rid of what its
 *      dead predecessor left open, and a zombie writer is stopped (PRODUCER_FENCED).
 *   3. AddPartitionsToTxn registers each partition before the first batch goes there (brokers
 *      check it since KIP-890).
 *   4. Produce with the transactional id: batches carry the transactional attribute, the
 *      producer id/epoch and per-partition sequence numbers (from 0 for a new epoch).
 *   5. EndTxn(committed) makes the coordinator write commit/abort markers on every partition.
 *      It answers once the decision is durable and writes the markers afterwards, so commit and
 *      abort then wait (DescribeTransactions) until the markers are down: when commit() resolves,
 *      read_committed readers see the records, as on the embedded log.
 *
 * Sequential transactions of one id reuse the producer id and epoch, sequences continuing, as
 * Kafka's producer does (one InitProducerId, many transactions): a statement checkpointing every
 * 200 ms would otherwise write to the coordinator's log and burn an epoch each time.
 * InitProducerId runs again only for the first transaction of an id in this client, when a
 * transaction of the id is still open here (it is fenced, as the LogClient contract says), or
 * after a failed write left the sequence numbers in doubt.
 *
 * Requests (the library's API modules encode them; Produce is produce-request.ts):
 *
 *   FindCoordinator Request (Version: 4) => key_type [coordinator_keys] TAG_BUFFER
 *     key_type => INT8 (1: transaction)    coordinator_keys => COMPACT_STRING
 *   InitProducerId Request (Version: 4) => transactional_id transaction_timeout_ms producer_id producer_epoch TAG_BUFFER
 *     transactional_id => COMPACT_NULLABLE_STRING   transaction_timeout_ms => INT32
 *     producer_id => INT64 (-1)                     producer_epoch => INT16 (-1)
 *   AddPartitionsToTxn Request (Version: 3) => transactional_id producer_id producer_epoch [topics] TAG_BUFFER
 *     topics => name [partitions] TAG_BUFFER        partitions => INT32
 *     (v4+ is the brokers' batched verification form from KIP-890; clients use v3 or below)
 *   Produce Request (Version: 11) => transactional_id acks timeout_ms [topic_data] TAG_BUFFER
 *   EndTxn Request (Version: 4) => transactional_id producer_id producer_epoch committed TAG_BUFFER
 *     committed => BOOLEAN (true: commit, false: abort)
 *   DescribeTransactions Request (Version: 0) => [transactional_ids] TAG_BUFFER
 *     answers transaction_state: Empty, Ongoing, PrepareCommit, PrepareAbort, CompleteCommit, ...
 */
import { addPartitionsToTxnV3, describeTransactionsV0, endTxnV4, findCoordinatorV4, initProducerIdV4, type Connection, type produceV11 } from '@platformatic/kafka';
import { ShiftleftError } from '../../common/errors.ts';
import type { LogTransaction, ProduceRecord, RecordMetadata } from '../log-client.ts';
import type { MapContext } from './kafka-errors.ts';
import { encodeRecordBatch, produceApi, type PartitionBatch, type PlannedRecord } from './produce-request.ts';
import { errorFromCode, errorIdOf, type KafkaWire } from './kafka-wire.ts';

const KEY_TYPE_TRANSACTION = 1;
/** "Not now" or "ask another broker": the coordinator is moving, loading, or finishing an earlier end. */
const COORDINATOR_BUSY = new Set(['COORDINATOR_LOAD_IN_PROGRESS', 'CONCURRENT_TRANSACTIONS']);
const COORDINATOR_MOVED = new Set(['NOT_COORDINATOR', 'COORDINATOR_NOT_AVAILABLE']);
/** This producer epoch is no longer the transactional id's: a newer writer (or a timeout) took over. */
const FENCED = new Set(['PRODUCER_FENCED', 'INVALID_PRODUCER_EPOCH', 'INVALID_PRODUCER_ID_MAPPING', 'TRANSACTIONAL_ID_NOT_FOUND']);
/** Produce errors after which the very same batch can be resent (sequence numbers make it safe). */
const RESEND = new Set([
  'NOT_LEADER_OR_FOLLOWER',
  'LEADER_NOT_AVAILABLE',
  'FENCED_LEADER_EPOCH',
  'UNKNOWN_LEADER_EPOCH',
  'UNKNOWN_TOPIC_OR_PARTITION',
  'NOT_ENOUGH_REPLICAS',
  'NOT_ENOUGH_REPLICAS_AFTER_APPEND',
  'REQUEST_TIMED_OUT',
]);
const MAX_TRANSACTIONAL_ID_BYTES = 32_767;

/** What KafkaLogClient lends its transactions. */
export interface TransactionHost {
  wire: KafkaWire;
  /** Validates a produce call and groups its records by partition, exactly as a plain produce. */
  plan(topic: string, records: ProduceRecord[]): Promise<Map<number, PlannedRecord[]>>;
  /** How long a batch whose connection was lost is resent. */
  deliveryTimeoutMs: number;
  transactionTimeoutMs: number;
}

interface Coordinator {
  nodeId: number;
  broker: string;
}

/** One producer id and epoch of a transactional id; its transactions run one after the other. */
class ProducerSession {
  /** Next sequence number per `topic partition`: continues across the transactions of this epoch. */
  readonly sequences = new Map<string, number>();
  current: KafkaTransaction | undefined;
  /** This epoch must not start another transaction (fenced, or sequence numbers in doubt). */
  retired = false;

  constructor(
    readonly transactionalId: string,
    readonly producerId: bigint,
    readonly producerEpoch: number,
  ) {}
}

function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

/** A request that never reached an answer (socket closed, broker gone): worth sending again. */
function connectionLost(error: unknown): error is ShiftleftError {
  return error instanceof ShiftleftError && error.code === 'BROKER_UNAVAILABLE' && error.details.kafkaError === undefined;
}

function validateTransactionalId(id: unknown): asserts id is string {
  if (typeof id !== 'string' || id.length === 0 || Buffer.byteLength(id) > MAX_TRANSACTIONAL_ID_BYTES) {
    throw new ShiftleftError('INVALID_ARGUMENT', `invalid transactional id '${String(id)}'`, {
      hint: `a transactional id is a non-empty string of at most ${MAX_TRANSACTIONAL_ID_BYTES} bytes`,
    });
  }
}

/** The transaction coordinator's side of KafkaLogClient: sessions per transactional id. */
export class KafkaTransactions {
  readonly #host: TransactionHost;
  readonly #sessions = new Map<string, ProducerSession>();
  readonly #coordinators = new Map<string, Coordinator>();
  /** beginTransaction calls of one id run one at a time (each may fence the one before). */
  readonly #beginning = new Map<string, Promise<unknown>>();

  constructor(host: TransactionHost) {
    this.#host = host;
  }

  get wire(): KafkaWire {
    return this.#host.wire;
  }

  get host(): TransactionHost {
    return this.#host;
  }

  begin(transactionalId: string): Promise<LogTransaction> {
    try {
      validateTransactionalId(transactionalId);
    } catch (error) {
      return Promise.reject(error);
    }
    const previous = this.#beginning.get(transactionalId) ?? Promise.resolve();
    const next = previous.catch(() => undefined).then(() => this.#begin(transactionalId));
    this.#beginning.set(transactionalId, next);
    const forget = (): void => {
      if (this.#beginning.get(transactionalId) === next) this.#beginning.delete(transactionalId);
    };
    next.then(forget, forget);
    return next;
  }

  async #begin(transactionalId: string): Promise<KafkaTransaction> {
    const session = this.#sessions.get(transactionalId);
    if (session && !session.retired && session.current === undefined) return this.#start(session);
    // A transaction of this id is open here: the contract says it is fenced. InitProducerId
    // aborts it on the brokers; the handle learns it at once.
    session?.current?.fenceLocally();
    this.#sessions.delete(transactionalId);
    const fresh = await this.#initProducer(transactionalId);
    this.#sessions.set(transactionalId, fresh);
    return this.#start(fresh);
  }

  #start(session: ProducerSession): KafkaTransaction {
    const transaction = new KafkaTransaction(this, session);
    session.current = transaction;
    return transaction;
  }

  /** The session ended its transaction; `retire` when its epoch must not be used again. */
  release(session: ProducerSession, transaction: KafkaTransaction, retire: boolean): void {
    if (session.current === transaction) session.current = undefined;
    if (retire) {
      session.retired = true;
      if (this.#sessions.get(session.transactionalId) === session) this.#sessions.delete(session.transactionalId);
    }
  }

  ctx(action: string, transactionalId: string, broker = this.wire.bootstrapName): MapContext {
    return { action, broker, details: { transactionalId } };
  }

  async #initProducer(transactionalId: string): Promise<ProducerSession> {
    const action = `initializing the transactional producer '${transactionalId}'`;
    const timeoutMs = this.#host.transactionTimeoutMs;
    const r = await this.callCoordinator(
      transactionalId,
      action,
      (connection, ctx) => this.wire.call<initProducerIdV4.InitProducerIdResponse>(initProducerIdV4.api, connection, ctx, transactionalId, timeoutMs, -1n, -1),
      (response) => response.errorCode,
    );
    if (r.errorCode !== 0) {
      const id = errorIdOf(r.errorCode);
      if (id === 'INVALID_TRANSACTION_TIMEOUT') {
        throw new ShiftleftError('INVALID_CONFIG', `Kafka cluster ${this.wire.bootstrapName} refuses a transaction timeout of ${timeoutMs} ms for '${transactionalId}' (${id})`, {
          hint: "lower transactionTimeoutMs to at most the brokers' transaction.max.timeout.ms (default 900000)",
          details: { transactionalId, transactionTimeoutMs: timeoutMs, kafkaError: id },
        });
      }
      throw this.failure(r.errorCode, this.ctx(action, transactionalId, this.#coordinators.get(transactionalId)?.broker));
    }
    return new ProducerSession(transactionalId, r.producerId, r.producerEpoch);
  }

  /** A ShiftleftError for an error code a coordinator or leader answered, with transaction hints. */
  failure(code: number, ctx: MapContext): ShiftleftError {
    const error = errorFromCode(code, null, ctx);
    const id = String(ctx.details?.transactionalId ?? '<id>');
    const withHint = (errorCode: ShiftleftError['code'], hint: string): ShiftleftError => new ShiftleftError(errorCode, error.message, { hint, details: error.details, cause: error });
    switch (errorIdOf(code)) {
      case 'TRANSACTIONAL_ID_AUTHORIZATION_FAILED':
        return withHint(error.code, `the cluster's ACLs do not let this principal use transactional id '${id}': grant WRITE on it (kafka-acls.sh --add --allow-principal User:... --operation Write --transactional-id '${id}')`);
      case 'COORDINATOR_NOT_AVAILABLE':
        return withHint(
          'BROKER_UNAVAILABLE',
          "Kafka has no transaction coordinator: its __transaction_state topic cannot be created or has no leader. On a cluster with fewer brokers than transaction.state.log.replication.factor (default 3), lower it and transaction.state.log.min.isr on the brokers",
        );
      case 'CONCURRENT_TRANSACTIONS':
        return withHint('TIMEOUT', `the coordinator is still ending an earlier transaction of '${id}' (writing its markers): check that every partition it wrote to has a leader`);
      default:
        return error;
    }
  }

  async #coordinator(transactionalId: string, action: string, refresh: boolean): Promise<Coordinator> {
    const cached = this.#coordinators.get(transactionalId);
    if (cached && !refresh) return cached;
    const ctx = this.ctx(action, transactionalId);
    const deadline = Date.now() + this.wire.options.requestTimeoutMs;
    for (let attempt = 0; ; attempt++) {
      const connection = await this.wire.anyConnection(this.wire.control, action);
      const r = await this.wire.call<findCoordinatorV4.FindCoordinatorResponse>(findCoordinatorV4.api, connection, ctx, KEY_TYPE_TRANSACTION, [transactionalId]);
      const c = r.coordinators[0];
      if (c && c.errorCode === 0) {
        if (!this.wire.broker(c.nodeId)) await this.wire.metadata([]);
        const coordinator = { nodeId: c.nodeId, broker: `${c.host}:${c.port}` };
        this.#coordinators.set(transactionalId, coordinator);
        return coordinator;
      }
      const code = c?.errorCode ?? 15;
      const id = errorIdOf(code);
      // The transaction state topic is created on first use: its coordinator is briefly missing.
      if ((COORDINATOR_MOVED.has(id) || COORDINATOR_BUSY.has(id)) && Date.now() < deadline) {
        await sleep(Math.min(20 * 2 ** attempt, 500));
        continue;
      }
      throw this.failure(code, ctx);
    }
  }

  /**
   * Sends a request to the id's coordinator, again while it answers "busy" (loading, or still
   * writing the markers of an earlier end) or "moved", or the connection drops. Returns the last
   * answer; the caller reads its other errors.
   */
  async callCoordinator<R>(transactionalId: string, action: string, send: (connection: Connection, ctx: MapContext) => Promise<R>, errorOf: (response: R) => number): Promise<R> {
    const deadline = Date.now() + this.wire.options.requestTimeoutMs;
    let refresh = false;
    for (let attempt = 0; ; attempt++) {
      this.wire.checkOpen();
      const coordinator = await this.#coordinator(transactionalId, action, refresh);
      const ctx = this.ctx(action, transactionalId, coordinator.broker);
      let response: R;
      try {
        const connection = await this.wire.connectionTo(this.wire.control, coordinator.nodeId, action);
        response = await send(connection, ctx);
      } catch (error) {
        if (!connectionLost(error) || Date.now() >= deadline) throw error;
        refresh = true;
        await sleep(Math.min(50 * 2 ** attempt, 1000));
        continue;
      }
      const id = errorIdOf(errorOf(response));
      refresh = COORDINATOR_MOVED.has(id);
      if (!(refresh || COORDINATOR_BUSY.has(id)) || Date.now() >= deadline) return response;
      await sleep(Math.min(20 * 2 ** attempt, 500));
    }
  }

  /** Registers partitions of `topic` with the transaction before anything is produced to them. */
  async addPartitions(session: ProducerSession, topic: string, partitions: number[]): Promise<{ ok: true } | { ok: false; code: number; broker: string }> {
    const action = `adding partition(s) ${partitions.join(', ')} of topic '${topic}' to transaction '${session.transactionalId}'`;
    const firstError = (r: addPartitionsToTxnV3.AddPartitionsToTxnResponse): number => {
      const codes = r.resultsByTransaction.flatMap((t) => t.topicResults.flatMap((tr) => tr.resultsByPartition.map((p) => p.partitionErrorCode)));
      // OPERATION_NOT_ATTEMPTED only says another partition of the request failed: report that one.
      return codes.find((c) => c !== 0 && errorIdOf(c) !== 'OPERATION_NOT_ATTEMPTED') ?? codes.find((c) => c !== 0) ?? 0;
    };
    const r = await this.callCoordinator(
      session.transactionalId,
      action,
      (connection, ctx) =>
        this.wire.call<addPartitionsToTxnV3.AddPartitionsToTxnResponse>(addPartitionsToTxnV3.api, connection, ctx, [
          { transactionalId: session.transactionalId, producerId: session.producerId, producerEpoch: session.producerEpoch, verifyOnly: false, topics: [{ name: topic, partitions }] },
        ]),
      firstError,
    );
    const code = firstError(r);
    return code === 0 ? { ok: true } : { ok: false, code, broker: this.#coordinators.get(session.transactionalId)?.broker ?? this.wire.bootstrapName };
  }

  /** EndTxn; resolves with the coordinator's error code (0 when the decision is made). */
  async end(session: ProducerSession, commit: boolean): Promise<{ code: number; broker: string }> {
    const action = `${commit ? 'committing' : 'aborting'} transaction '${session.transactionalId}'`;
    const r = await this.callCoordinator(
      session.transactionalId,
      action,
      (connection, ctx) => this.wire.call<endTxnV4.EndTxnResponse>(endTxnV4.api, connection, ctx, session.transactionalId, session.producerId, session.producerEpoch, commit),
      (response) => response.errorCode,
    );
    return { code: r.errorCode, broker: this.#coordinators.get(session.transactionalId)?.broker ?? this.wire.bootstrapName };
  }

  /**
   * Waits until the coordinator has written the markers of the ended transaction (its state
   * leaves PrepareCommit/PrepareAbort). The decision is already durable, so a coordinator that
   * cannot say (no DESCRIBE permission, a lost connection) ends the wait without an error.
   */
  async awaitMarkers(session: ProducerSession): Promise<void> {
    const action = `waiting for the markers of transaction '${session.transactionalId}'`;
    const deadline = Date.now() + this.wire.options.requestTimeoutMs;
    for (let attempt = 0; Date.now() < deadline; attempt++) {
      let state: string | undefined;
      try {
        const r = await this.callCoordinator(
          session.transactionalId,
          action,
          (connection, ctx) => this.wire.call<describeTransactionsV0.DescribeTransactionsResponse>(describeTransactionsV0.api, connection, ctx, [session.transactionalId]),
          (response) => response.transactionStates[0]?.errorCode ?? 0,
        );
        const s = r.transactionStates[0];
        state = s && s.errorCode === 0 ? s.transactionState : undefined;
      } catch {
        return;
      }
      if (state === undefined || !state.startsWith('Prepare')) return;
      await sleep(Math.min(2 ** attempt, 100));
    }
  }

  /**
   * Sends the encoded batches of one produce call, resending the same bytes (same sequence
   * numbers: the broker drops what it already has) after a lost connection or a moved leader,
   * until the delivery timeout. Fills `results`; throws on any other error.
   */
  async send(session: ProducerSession, topic: string, byPartition: Map<number, PlannedRecord[]>, batches: Map<number, PartitionBatch>, results: RecordMetadata[]): Promise<void> {
    const ctxBase = this.ctx(`producing to topic '${topic}' in transaction '${session.transactionalId}'`, session.transactionalId);
    const deadline = Date.now() + this.#host.deliveryTimeoutMs;
    const pending = new Set(batches.keys());
    let lastError: ShiftleftError | undefined;
    for (let attempt = 0; ; attempt++) {
      const meta = await this.wire.topic(topic, { refresh: attempt > 0 });
      const byLeader = new Map<number, number[]>();
      for (const p of pending) {
        const leader = meta.partitions[p]?.leader ?? -1;
        byLeader.set(leader, [...(byLeader.get(leader) ?? []), p]);
      }
      await Promise.all(
        [...byLeader].map(async ([leader, partitions]) => {
          const ctx: MapContext = { ...ctxBase, topic, broker: this.wire.brokerLabel(leader) };
          if (leader < 0) {
            lastError = new ShiftleftError('BROKER_UNAVAILABLE', `partition(s) ${partitions.join(', ')} of topic '${topic}' have no leader on ${this.wire.bootstrapName}`);
            return;
          }
          let response: produceV11.ProduceResponse;
          try {
            const connection = await this.wire.connectionTo(this.wire.producePool, leader, ctx.action);
            const list = partitions.map((p) => batches.get(p)!);
            response = await this.wire.call<produceV11.ProduceResponse>(produceApi, connection, ctx, -1, this.wire.options.requestTimeoutMs, topic, list, session.transactionalId);
          } catch (error) {
            if (!connectionLost(error)) throw error;
            lastError = error;
            return;
          }
          for (const t of response.responses) {
            if (t.name !== topic) continue;
            for (const pr of t.partitionResponses) {
              if (!pending.has(pr.index)) continue;
              if (pr.errorCode === 0) {
                const base = Number(pr.baseOffset);
                const appendTime = Number(pr.logAppendTimeMs);
                byPartition.get(pr.index)!.forEach((r, i) => {
                  results[r.index] = { topic, partition: pr.index, offset: base + i, timestamp: appendTime >= 0 ? appendTime : r.record.timestamp };
                });
                pending.delete(pr.index);
                continue;
              }
              const id = errorIdOf(pr.errorCode);
              const error = this.failure(pr.errorCode, { ...ctx, details: { ...ctx.details, partition: pr.index } });
              if (FENCED.has(id)) throw new ShiftleftError('TRANSACTION_FENCED', error.message, { details: { ...error.details, kafkaError: id }, cause: error });
              if (!RESEND.has(id)) throw error;
              lastError = error;
            }
          }
        }),
      );
      if (pending.size === 0) return;
      if (Date.now() >= deadline) {
        throw new ShiftleftError('BROKER_UNAVAILABLE', `${lastError?.message ?? 'no answer'}; gave up after ${this.#host.deliveryTimeoutMs} ms of retries, so the records may or may not be in transaction '${session.transactionalId}' (abort it)`, {
          hint: lastError?.hint ?? 'check the Kafka brokers',
          details: { ...lastError?.details, topic, transactionalId: session.transactionalId, outcome: 'unknown' },
          ...(lastError ? { cause: lastError } : {}),
        });
      }
      await sleep(Math.min(100 * 2 ** attempt, 1000));
    }
  }
}

type TransactionState = 'open' | 'committed' | 'aborted' | 'fenced';

/** A transaction on Kafka; its calls run one at a time, in the order they were made. */
export class KafkaTransaction implements LogTransaction {
  readonly transactionalId: string;
  #state: TransactionState = 'open';
  /** Why the transaction cannot commit any more (a write failed): it can only be aborted. */
  #failure: ShiftleftError | undefined;
  /** Kafka's reason when the brokers fenced this transaction. */
  #fencedBy: string | undefined;
  readonly #partitions = new Set<string>();
  #queue: Promise<unknown> = Promise.resolve();
  readonly #manager: KafkaTransactions;
  readonly #session: ProducerSession;

  constructor(manager: KafkaTransactions, session: ProducerSession) {
    this.#manager = manager;
    this.#session = session;
    this.transactionalId = session.transactionalId;
  }

  get state(): TransactionState {
    return this.#state;
  }

  /** A newer beginTransaction of the same id in this client took over. */
  fenceLocally(): void {
    if (this.#state !== 'open') return;
    this.#state = 'fenced';
    this.#fencedBy ??= 'a newer beginTransaction of the same transactional id';
    this.#manager.release(this.#session, this, true);
  }

  produce(topic: string, records: ProduceRecord[]): Promise<RecordMetadata[]> {
    return this.#serialized(() => this.#produce(topic, records));
  }

  commit(): Promise<void> {
    return this.#serialized(() => this.#end(true));
  }

  abort(): Promise<void> {
    return this.#serialized(() => this.#end(false));
  }

  #serialized<T>(fn: () => Promise<T>): Promise<T> {
    const run = this.#queue.then(fn);
    this.#queue = run.catch(() => undefined);
    return run;
  }

  #ensureOpen(action: string): void {
    this.#manager.wire.checkOpen();
    if (this.#state !== 'open') throw this.#notOpen(action);
  }

  #notOpen(action: string): ShiftleftError {
    const fenced = this.#state === 'fenced';
    return new ShiftleftError(
      'TRANSACTION_FENCED',
      `cannot ${action}: transaction '${this.transactionalId}' is ${this.#state}${fenced && this.#fencedBy ? ` (${this.#fencedBy})` : ''} on Kafka cluster ${this.#manager.wire.bootstrapName}`,
      {
        hint: fenced
          ? `a newer writer with the same transactional id took over, or the transaction stayed open longer than its timeout (${this.#manager.host.transactionTimeoutMs} ms) and Kafka aborted it; stop this writer`
          : 'begin a new transaction',
        details: { transactionalId: this.transactionalId, state: this.#state, ...(this.#fencedBy ? { kafkaError: this.#fencedBy } : {}) },
      },
    );
  }

  /** The brokers say this epoch is gone: the transaction is fenced, and so are its later calls. */
  #fenced(kafkaError: string, action: string): ShiftleftError {
    this.#state = 'fenced';
    this.#fencedBy = kafkaError;
    this.#manager.release(this.#session, this, true);
    return this.#notOpen(action);
  }

  async #produce(topic: string, records: ProduceRecord[]): Promise<RecordMetadata[]> {
    this.#ensureOpen('produce');
    const byPartition = await this.#manager.host.plan(topic, records);
    const results: RecordMetadata[] = new Array(records.length);
    if (byPartition.size === 0) return results;
    const fresh = [...byPartition.keys()].filter((p) => !this.#partitions.has(`${topic} ${p}`));
    if (fresh.length > 0) {
      const added = await this.#manager.addPartitions(this.#session, topic, fresh);
      if (!added.ok) {
        const id = errorIdOf(added.code);
        if (FENCED.has(id)) throw this.#fenced(id, `produce to '${topic}'`);
        // Nothing was written: the transaction stays usable.
        throw this.#manager.failure(added.code, { ...this.#manager.ctx(`adding topic '${topic}' to transaction '${this.transactionalId}'`, this.transactionalId, added.broker), topic });
      }
      for (const p of fresh) this.#partitions.add(`${topic} ${p}`);
    }
    const session = this.#session;
    const batches = new Map<number, PartitionBatch>();
    for (const [partition, list] of byPartition) {
      const key = `${topic} ${partition}`;
      const baseSequence = session.sequences.get(key) ?? 0;
      session.sequences.set(key, (baseSequence + list.length) % 2 ** 31);
      const batch = encodeRecordBatch(
        list.map((r) => r.record),
        { producerId: session.producerId, producerEpoch: session.producerEpoch, baseSequence, transactional: true },
      );
      batches.set(partition, { partition, batch });
    }
    try {
      await this.#manager.send(session, topic, byPartition, batches, results);
    } catch (error) {
      if (error instanceof ShiftleftError && error.code === 'TRANSACTION_FENCED') throw this.#fenced(String(error.details.kafkaError), `produce to '${topic}'`);
      // Some batches may be in, some not, and the sequence numbers are in doubt: this
      // transaction can only be aborted, and the next one takes a new epoch.
      this.#failure ??= error instanceof ShiftleftError ? error : new ShiftleftError('INTERNAL', String(error), { cause: error });
      throw error;
    }
    return results;
  }

  async #end(commit: boolean): Promise<void> {
    const action = commit ? 'commit' : 'abort';
    this.#ensureOpen(action);
    if (commit && this.#failure) {
      throw new ShiftleftError(this.#failure.code, `cannot commit transaction '${this.transactionalId}': an earlier write in it failed (${this.#failure.message})`, {
        hint: 'abort the transaction and write its records again in a new one',
        details: { transactionalId: this.transactionalId, ...this.#failure.details },
        cause: this.#failure,
      });
    }
    if (this.#partitions.size > 0) {
      const ended = await this.#manager.end(this.#session, commit);
      if (ended.code !== 0) {
        const id = errorIdOf(ended.code);
        if (FENCED.has(id)) throw this.#fenced(id, action);
        throw this.#manager.failure(ended.code, this.#manager.ctx(`${commit ? 'committing' : 'aborting'} transaction '${this.transactionalId}'`, this.transactionalId, ended.broker));
      }
      this.#state = commit ? 'committed' : 'aborted';
      await this.#manager.awaitMarkers(this.#session);
    } else {
      // Nothing was added: there is no transaction on the coordinator to end.
      this.#state = commit ? 'committed' : 'aborted';
    }
    this.#manager.release(this.#session, this, this.#failure !== undefined);
  }
}
