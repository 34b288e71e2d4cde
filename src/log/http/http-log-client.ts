/**
 * A LogClient that talks to a running platform's log API (src/server/routes/topics.ts) instead
 * of opening the data directory: how every CLI command reaches the log while `shiftleft up` owns
 * the directory. It passes the same conformance suite as the embedded log and Kafka.
 *
 * Long polls (fetch with maxWaitMs, waitForRecords) wait on the server; the client only slices
 * very long waits into requests of at most LONG_POLL_SLICE_MS, so no HTTP timeout on the way
 * (undici's headers timeout, a proxy's idle timeout) cuts a legitimate wait short.
 */
import { ShiftleftError } from '../../common/errors.ts';
import type {
  Consumer,
  ConsumerOptions,
  CreateTopicOptions,
  FetchOptions,
  FetchResult,
  IsolationLevel,
  LogClient,
  OffsetSpec,
  ProduceRecord,
  RecordMetadata,
  TopicDescription,
  TopicPartition,
  TopicPartitionOffset,
} from '../log-client.ts';
import { LogConsumer } from '../log-consumer.ts';
import type { TopicConfig } from '../topic-config.ts';
import { validateTopicName } from '../topic-config.ts';
import { errorFromAnswer, unreachable } from './http-errors.ts';
import { produceRecordToWire, recordFromWire, type WireFetchResult } from './log-wire.ts';
import { apiKeyHeaders } from '../../server/auth/client-credentials.ts';

/** The longest single long-poll request; longer waits are several requests in a row. */
const LONG_POLL_SLICE_MS = 30_000;

export interface HttpLogClientOptions {
  /** The platform API's base URL, e.g. http://127.0.0.1:8080 (the `platform` URL of the lock). */
  url: string;
  /** What backs the log on the server; `connect` reads it from /health. */
  kind?: LogClient['kind'];
  /** Sent with every request; default: the API key of $SHIFTLEFT_API_KEY / $SHIFTLEFT_API_SECRET, if set (`up --auth`). */
  headers?: Record<string, string>;
}

interface RequestOptions {
  query?: Record<string, string | number | string[] | undefined>;
  body?: unknown;
  signal?: AbortSignal;
}

class Aborted extends Error {}

export class HttpLogClient implements LogClient {
  readonly kind: LogClient['kind'];
  readonly url: string;
  /** Aborted by close(), so pending long polls end with the client. */
  private readonly closing = new AbortController();
  private readonly headers: Record<string, string>;

  constructor(options: HttpLogClientOptions) {
    this.url = options.url.replace(/\/+$/, '');
    this.kind = options.kind ?? 'embedded';
    this.headers = options.headers ?? apiKeyHeaders();
  }

  /** A client for the platform at `url`, after checking that it answers (BROKER_UNAVAILABLE if not). */
  static async connect(url: string, options: { timeoutMs?: number } = {}): Promise<HttpLogClient> {
    const probe = new HttpLogClient({ url });
    const health = await probe.request<{ log?: unknown }>('GET', '/health', { signal: AbortSignal.timeout(options.timeoutMs ?? 5000) });
    const kind = health.log === 'kafka' ? 'kafka' : 'embedded';
    return new HttpLogClient({ url, kind });
  }

  // ---- HTTP plumbing ---------------------------------------------------------------------

  private async request<T>(method: string, path: string, options: RequestOptions = {}): Promise<T> {
    if (this.closing.signal.aborted) throw new ShiftleftError('CLOSED', 'the log client is closed');
    const url = new URL(this.url + path);
    for (const [name, value] of Object.entries(options.query ?? {})) {
      if (value === undefined) continue;
      for (const v of Array.isArray(value) ? value : [value]) url.searchParams.append(name, String(v));
    }
    const signal = options.signal ? AbortSignal.any([options.signal, this.closing.signal]) : this.closing.signal;
    let response: Response;
    let text: string;
    try {
      response = await fetch(url, {
        method,
        headers: options.body === undefined ? this.headers : { ...this.headers, 'content-type': 'application/json' },
        body: options.body === undefined ? undefined : JSON.stringify(options.body),
        signal,
      });
      text = await response.text();
    } catch (error) {
      if (signal.aborted) {
        // A timeout of `connect` means no answer; any other abort is the caller's (or close()).
        if (signal.reason instanceof DOMException && signal.reason.name === 'TimeoutError') throw unreachable(this.url, signal.reason);
        throw new Aborted('aborted');
      }
      throw unreachable(this.url, error);
    }
    if (!response.ok) throw errorFromAnswer(response.status, text, `${method} ${url.pathname}`);
    return (text.length > 0 ? JSON.parse(text) : undefined) as T;
  }

  /**
   * A topic name as a path segment. Names a URL cannot carry ('', '.', '..': a URL resolves the
   * dot segments) are invalid topic names anyway, so they get the log's own refusal here.
   */
  private topicPath(name: string): string {
    if (name === '' || name === '.' || name === '..') validateTopicName(name);
    return `/v1/topics/${encodeURIComponent(name)}`;
  }

  private partitionPath(tp: TopicPartition): string {
    return `${this.topicPath(tp.topic)}/partitions/${encodeURIComponent(String(tp.partition))}`;
  }

  private groupPath(groupId: string): string {
    return `/v1/consumer-groups/${encodeURIComponent(groupId)}`;
  }

  // ---- topics ----------------------------------------------------------------------------

  createTopic(name: string, options: CreateTopicOptions = {}): Promise<TopicDescription> {
    return this.request('POST', '/v1/topics', { body: { name, ...options } });
  }

  async deleteTopic(name: string): Promise<void> {
    await this.request('DELETE', this.topicPath(name));
  }

  async listTopics(options: { includeInternal?: boolean } = {}): Promise<string[]> {
    const topics = await this.request<{ name: string }[]>('GET', '/v1/topics', { query: { includeInternal: options.includeInternal ? 'true' : undefined } });
    return topics.map((t) => t.name);
  }

  describeTopic(name: string): Promise<TopicDescription> {
    return this.request('GET', this.topicPath(name));
  }

  alterTopicConfig(name: string, config: Partial<TopicConfig>): Promise<TopicDescription> {
    return this.request('PATCH', `${this.topicPath(name)}/config`, { body: config });
  }

  // ---- produce & fetch -------------------------------------------------------------------

  produce(topic: string, records: ProduceRecord[]): Promise<RecordMetadata[]> {
    if (!Array.isArray(records)) return Promise.reject(new ShiftleftError('INVALID_RECORD', 'produce expects an array of records'));
    return this.request('POST', `${this.topicPath(topic)}/records`, { body: { records: records.map(produceRecordToWire) } });
  }

  async fetch(tp: TopicPartition, offset: number, options: FetchOptions = {}): Promise<FetchResult> {
    const deadline = Date.now() + (options.maxWaitMs ?? 0);
    for (;;) {
      const waitMs = Math.max(0, Math.min(deadline - Date.now(), LONG_POLL_SLICE_MS));
      let wire: WireFetchResult;
      try {
        wire = await this.request<WireFetchResult>('GET', `${this.partitionPath(tp)}/records`, {
          query: { offset, maxRecords: options.maxRecords, maxBytes: options.maxBytes, maxWaitMs: waitMs, isolation: options.isolation },
          signal: waitMs > 0 ? options.signal : undefined,
        });
      } catch (error) {
        if (!(error instanceof Aborted) || this.closing.signal.aborted) throw error;
        // The caller stopped waiting: answer with what is there now, as the embedded log does.
        return this.fetch(tp, offset, { ...options, maxWaitMs: 0, signal: undefined });
      }
      const result: FetchResult = {
        records: wire.records.map((r) => recordFromWire(r, tp.topic, tp.partition)),
        nextOffset: wire.nextOffset,
        highWatermark: wire.highWatermark,
        logStartOffset: wire.logStartOffset,
      };
      if (result.records.length > 0 || result.nextOffset !== offset || Date.now() >= deadline || options.signal?.aborted) return result;
    }
  }

  async waitForRecords(positions: TopicPartitionOffset[], options: { timeoutMs: number; signal?: AbortSignal; isolation?: IsolationLevel }): Promise<boolean> {
    const deadline = Date.now() + options.timeoutMs;
    for (;;) {
      if (options.signal?.aborted) return false;
      const timeoutMs = Math.max(0, Math.min(deadline - Date.now(), LONG_POLL_SLICE_MS));
      try {
        const answer = await this.request<{ available: boolean }>('POST', '/v1/records/wait', {
          body: { positions: positions.map((p) => ({ topic: p.topic, partition: p.partition, offset: p.offset })), timeoutMs, ...(options.isolation ? { isolation: options.isolation } : {}) },
          signal: options.signal,
        });
        if (answer.available || Date.now() >= deadline) return answer.available;
      } catch (error) {
        if (error instanceof Aborted) return false;
        throw error;
      }
    }
  }

  async listOffsets(tp: TopicPartition, spec: OffsetSpec): Promise<number> {
    const query = typeof spec === 'object' && spec !== null ? { timestamp: spec.timestamp } : { spec: String(spec) };
    const answer = await this.request<{ offset: number }>('GET', `${this.partitionPath(tp)}/offsets`, { query });
    return answer.offset;
  }

  // ---- consumer groups -------------------------------------------------------------------

  createConsumer(options: ConsumerOptions): Consumer {
    if (this.closing.signal.aborted) throw new ShiftleftError('CLOSED', 'the log client is closed');
    return new LogConsumer(this, options);
  }

  async commitOffsets(groupId: string, offsets: TopicPartitionOffset[]): Promise<void> {
    // An empty group id has no URL; refuse it as the log itself does.
    if (typeof groupId !== 'string' || groupId.length === 0) {
      throw new ShiftleftError('INVALID_OFFSET_COMMIT', 'a consumer group id is required to commit offsets');
    }
    await this.request('POST', `${this.groupPath(groupId)}/offsets`, {
      body: { offsets: offsets.map((o) => ({ topic: o.topic, partition: o.partition, offset: o.offset })) },
    });
  }

  async fetchCommittedOffsets(groupId: string, topics?: string[]): Promise<TopicPartitionOffset[]> {
    if (groupId === '') return [];
    // No `topic` parameter means every topic; an empty list means none, so say it explicitly.
    if (topics !== undefined && topics.length === 0) return [];
    return this.request('GET', `${this.groupPath(groupId)}/offsets`, { query: { topic: topics } });
  }

  listGroups(): Promise<string[]> {
    return this.request('GET', '/v1/consumer-groups');
  }

  async deleteGroup(groupId: string): Promise<void> {
    if (groupId === '') throw new ShiftleftError('GROUP_NOT_FOUND', `consumer group '' does not exist`, { details: { groupId } });
    await this.request('DELETE', this.groupPath(groupId));
  }

  async close(): Promise<void> {
    this.closing.abort();
  }
}
