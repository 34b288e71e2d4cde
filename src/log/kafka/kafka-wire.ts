/**
 * The connections and raw protocol calls under KafkaLogClient.
 *
 * We call `@platformatic/kafka`'s protocol APIs directly rather than its Producer/Consumer
 * classes: the LogClient contract needs exact control (no silent partition wrap-around, fetches
 * from arbitrary offsets without group membership, per-partition errors, log-append timestamps,
 * no hidden retry loops against a dead broker).
 *
 * Connection pools are separated by purpose because Kafka answers the requests of one connection
 * in order: a long-poll Fetch must not hold up a Produce or an admin call. Each concurrent fetch
 * borrows its own "lane" (a pool with its own sockets).
 */
import { ConnectionPool, metadataV12, protocolErrors, protocolErrorsCodesById, type Broker, type Connection } from '@platformatic/kafka';
import { ShiftleftError } from '../../common/errors.ts';
import { connectionFailure, toKafkaError, type MapContext } from './kafka-errors.ts';
import { connectionSecurityOptions, securityProtocolName, type KafkaSecuritySettings } from './kafka-security.ts';

export interface KafkaWireOptions {
  bootstrap: Broker[];
  clientId: string;
  connectTimeoutMs: number;
  requestTimeoutMs: number;
  /** How long topic metadata (partition count, leaders) is reused before asking again. */
  metadataMaxAgeMs: number;
  /** SASL and TLS; plain TCP without authentication when absent. */
  security?: KafkaSecuritySettings;
}

export interface PartitionLeader {
  leader: number;
  leaderEpoch: number;
}

export interface TopicMetadata {
  name: string;
  topicId: string;
  internal: boolean;
  partitions: PartitionLeader[];
  fetchedAt: number;
}

/** Kafka's error id for a numeric error code (`3` → `UNKNOWN_TOPIC_OR_PARTITION`). */
export function errorIdOf(code: number): string {
  return protocolErrorsCodesById[code] ?? `KAFKA_ERROR_${code}`;
}

/** A ShiftleftError for a Kafka error code found inside a response. */
export function errorFromCode(code: number, serverMessage: string | null | undefined, ctx: MapContext): ShiftleftError {
  return errorFromId(errorIdOf(code), serverMessage, ctx);
}

/** A ShiftleftError for a Kafka error id (`OFFSET_OUT_OF_RANGE`). */
export function errorFromId(id: string, serverMessage: string | null | undefined, ctx: MapContext): ShiftleftError {
  const def = protocolErrors[id];
  // Reuse the generic mapping by shaping the failure like the client's ProtocolError.
  return toKafkaError({ message: def?.message ?? id, apiId: id, apiCode: def?.code ?? -1, serverErrorMessage: serverMessage ?? null }, ctx);
}

export function brokerName(broker: Broker): string {
  return `${broker.host}:${broker.port}`;
}

type AnyApi = { async: (connection: Connection, ...args: never[]) => Promise<unknown> };

export class KafkaWire {
  readonly options: KafkaWireOptions;
  readonly bootstrapName: string;
  /** Admin, metadata, offsets and group calls. */
  readonly control: ConnectionPool;
  /** Produce requests (kept off the control sockets so they pipeline freely). */
  readonly producePool: ConnectionPool;
  readonly #idleLanes: ConnectionPool[] = [];
  readonly #allLanes = new Set<ConnectionPool>();
  readonly #brokers = new Map<number, Broker>();
  readonly #topics = new Map<string, TopicMetadata>();
  #closed = false;
  readonly #security: ReturnType<typeof connectionSecurityOptions>;

  constructor(options: KafkaWireOptions) {
    this.options = options;
    this.bootstrapName = options.bootstrap.map(brokerName).join(',');
    // Validated once, up front: a bad mechanism or CA file fails before any socket opens.
    this.#security = connectionSecurityOptions(options.security, options.bootstrap.map((b) => b.host));
    this.control = this.#newPool('control');
    this.producePool = this.#newPool('produce');
  }

  #newPool(purpose: string): ConnectionPool {
    return new ConnectionPool(`${this.options.clientId}-${purpose}`, {
      connectTimeout: this.options.connectTimeoutMs,
      requestTimeout: this.options.requestTimeoutMs,
      maxInflights: 5,
      ...this.#security,
    });
  }

  /** PLAINTEXT, SSL, SASL_PLAINTEXT or SASL_SSL: what these connections speak, for messages. */
  get securityProtocol(): string {
    return securityProtocolName(this.options.security);
  }

  get closed(): boolean {
    return this.#closed;
  }

  checkOpen(): void {
    if (this.#closed) throw new ShiftleftError('CLOSED', `the Kafka log client for ${this.bootstrapName} is closed`);
  }

  /** The broker with this node id, as the last metadata response named it. */
  broker(nodeId: number): Broker | undefined {
    return this.#brokers.get(nodeId);
  }

  brokerLabel(nodeId: number): string {
    const b = this.#brokers.get(nodeId);
    return b ? brokerName(b) : this.bootstrapName;
  }

  /** A connection to any bootstrap broker (tried in order); BROKER_UNAVAILABLE naming them all. */
  async anyConnection(pool: ConnectionPool = this.control, action = 'connecting'): Promise<Connection> {
    this.checkOpen();
    // Prefer a broker we already know from metadata, then the bootstrap list.
    const candidates = [...this.#brokers.values(), ...this.options.bootstrap];
    const seen = new Set<string>();
    let lastError: unknown;
    for (const broker of candidates) {
      const key = brokerName(broker);
      if (seen.has(key)) continue;
      seen.add(key);
      try {
        return await pool.get(broker);
      } catch (error) {
        lastError = error;
      }
    }
    throw connectionFailure({ action, broker: [...seen].join(',') || this.bootstrapName, details: { securityProtocol: this.securityProtocol } }, lastError);
  }

  async connectionTo(pool: ConnectionPool, nodeId: number, action: string): Promise<Connection> {
    this.checkOpen();
    let broker = this.#brokers.get(nodeId);
    if (!broker) {
      await this.metadata([]);
      broker = this.#brokers.get(nodeId);
    }
    if (!broker) {
      throw new ShiftleftError('BROKER_UNAVAILABLE', `Kafka broker with node id ${nodeId} is not in the cluster metadata from ${this.bootstrapName} (${action})`, {
        details: { nodeId },
      });
    }
    try {
      return await pool.get(broker);
    } catch (error) {
      throw connectionFailure({ action, broker: brokerName(broker), details: { securityProtocol: this.securityProtocol } }, error);
    }
  }

  /**
   * Calls a protocol API and returns its decoded response even when Kafka reported errors for
   * some items inside it (the caller reads the per-item error codes); transport failures and
   * top-level failures throw mapped errors.
   */
  async call<R>(api: AnyApi, connection: Connection, ctx: MapContext, ...args: unknown[]): Promise<R> {
    try {
      return (await (api.async as (c: Connection, ...a: unknown[]) => Promise<unknown>)(connection, ...args)) as R;
    } catch (error) {
      const e = error as { code?: unknown; response?: unknown };
      if (e && e.code === 'PLT_KFK_RESPONSE' && e.response && typeof e.response === 'object') return e.response as R;
      throw toKafkaError(error, { ...ctx, broker: `${connection.host}:${connection.port}` });
    }
  }

  /**
   * Cluster metadata for the given topics (null: all topics). Remembers brokers and topics.
   * Unknown topics come back with errorCode 3 rather than throwing.
   */
  async metadata(topics: string[] | null): Promise<metadataV12.MetadataResponse> {
    const connection = await this.anyConnection(this.control, 'reading cluster metadata');
    const response = await this.call<metadataV12.MetadataResponse>(metadataV12.api, connection, { action: 'reading cluster metadata', broker: this.bootstrapName }, topics, false, false);
    for (const b of response.brokers) this.#brokers.set(b.nodeId, { host: b.host, port: b.port });
    const now = Date.now();
    for (const t of response.topics) {
      if (!t.name) continue;
      if (t.errorCode !== 0) {
        this.#topics.delete(t.name);
        continue;
      }
      const partitions: PartitionLeader[] = [];
      for (const p of t.partitions) partitions[p.partitionIndex] = { leader: p.leaderId, leaderEpoch: p.leaderEpoch };
      this.#topics.set(t.name, { name: t.name, topicId: t.topicId, internal: t.isInternal, partitions, fetchedAt: now });
    }
    return response;
  }

  /** Partition count and leaders of a topic, from a recent cache or a fresh Metadata request. */
  async topic(name: string, options: { refresh?: boolean } = {}): Promise<TopicMetadata> {
    const cached = this.#topics.get(name);
    if (cached && !options.refresh && Date.now() - cached.fetchedAt < this.options.metadataMaxAgeMs) return cached;
    const response = await this.metadata([name]);
    const t = response.topics.find((x) => x.name === name);
    if (!t || t.errorCode === 3 || t.errorCode === 100) throw topicNotFound(name, this.bootstrapName);
    if (t.errorCode !== 0) throw errorFromCode(t.errorCode, null, { action: `reading metadata of topic '${name}'`, broker: this.bootstrapName, topic: name });
    return this.#topics.get(name)!;
  }

  forgetTopic(name: string): void {
    this.#topics.delete(name);
  }

  /** Runs `fn` with a fetch lane nobody else is using (created on demand). */
  async withLane<T>(fn: (pool: ConnectionPool) => Promise<T>): Promise<T> {
    this.checkOpen();
    const lane = this.#idleLanes.pop() ?? this.#newLane();
    try {
      return await fn(lane);
    } finally {
      if (this.#closed) void lane.close().catch(() => undefined);
      else this.#idleLanes.push(lane);
    }
  }

  #newLane(): ConnectionPool {
    const lane = this.#newPool(`fetch-${this.#allLanes.size}`);
    this.#allLanes.add(lane);
    return lane;
  }

  async close(): Promise<void> {
    if (this.#closed) return;
    this.#closed = true;
    const pools = [this.control, this.producePool, ...this.#allLanes];
    await Promise.allSettled(pools.map((p) => p.close()));
  }
}

export function topicNotFound(topic: string, broker: string): ShiftleftError {
  return new ShiftleftError('TOPIC_NOT_FOUND', `topic '${topic}' does not exist on Kafka cluster ${broker}`, {
    hint: `create it first (shiftleft topic create ${topic})`,
    details: { topic, broker },
  });
}
