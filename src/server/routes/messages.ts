/**
 * Decoded messages of a topic for the data portal (and curl), on the platform API:
 *
 *   GET /v1/topics/:topic/messages[?from=tail|earliest|latest][&cursor=0:120,1:57][&limit=N][&maxWaitMs=N][&decode=false]
 *       → { topic, messages: [Message], cursor, caughtUp }
 *
 * - `from` is where reading starts without a cursor: `tail` (default) the last `limit` records,
 *   `earliest` the start of the log, `latest` only what arrives from now on.
 * - `cursor` continues a previous answer (its `cursor` field: `partition:nextOffset` pairs).
 * - `limit` (1–500, default 50) caps the messages in one answer; `maxWaitMs` (≤ 30 000) makes
 *   the request a long poll that waits for a first record when none is available.
 * - Message = { partition, offset, timestamp, key: Decoded, value: Decoded, headers: [{ key, value, encoding? }] }
 *   Decoded = { format: 'avro'|'json'|'protobuf', schemaId, data, encryptedFields? }
 *           | { format: 'text'|'json-text', data } | { format: 'binary', data (base64) } | { format: 'null', data: null },
 *   plus `error` when a record in the Confluent wire format could not be decoded.
 *
 * Decoding runs as the platform's own principal, which holds no KMS secret: fields under an
 * ENCRYPT rule stay ciphertext (the rule is skipped on read, see ContractSerdes), and
 * `encryptedFields` names them so the portal can show them as such.
 */
import type { FastifyInstance, FastifyReply } from 'fastify';
import { ShiftleftError } from '../../common/errors.ts';
import { ContractSerdes, type SerdeFormat } from '../../contracts/contract-serdes.ts';
import { toJsonSafe } from '../../contracts/json-safe.ts';
import type { LogClient, LogRecord, PartitionDescription } from '../../log/log-client.ts';
import type { Registry } from '../../registry/registry.ts';
import type { SchemaType } from '../../registry/types.ts';
import { param, queryString } from '../http-support.ts';

export const MAX_MESSAGES = 500;
const DEFAULT_MESSAGES = 50;
const MAX_MESSAGE_WAIT_MS = 30_000;

export interface MessageRoutesContext {
  log: LogClient;
  registry: Registry;
  urls: () => Record<string, string>;
}

export type DecodedPart =
  | { format: 'null'; data: null }
  | { format: 'text' | 'json-text'; data: unknown }
  | { format: 'binary'; data: string }
  | { format: SerdeFormat; schemaId: number; data: unknown; encryptedFields?: string[]; error?: string };

export interface DecodedMessage {
  partition: number;
  offset: number;
  timestamp: number;
  key: DecodedPart;
  value: DecodedPart;
  headers: { key: string; value: string | null; encoding?: 'base64' }[];
}

export interface MessagesAnswer {
  topic: string;
  messages: DecodedMessage[];
  /** Pass back as `?cursor=` to read what comes next. */
  cursor: string;
  /** True when every partition was read to its end. */
  caughtUp: boolean;
}

type Start = 'tail' | 'earliest' | 'latest';

// ---- request parsing -----------------------------------------------------------------------

function integerQuery(value: string | undefined, name: string, min: number, max: number, fallback: number): number {
  if (value === undefined) return fallback;
  const n = Number(value);
  if (!Number.isInteger(n) || n < min || n > max) {
    throw new ShiftleftError('INVALID_ARGUMENT', `query parameter ${name} must be an integer from ${min} to ${max}, not '${value}'`);
  }
  return n;
}

function startOf(value: string | undefined): Start {
  if (value === undefined) return 'tail';
  if (value === 'tail' || value === 'earliest' || value === 'latest') return value;
  throw new ShiftleftError('INVALID_ARGUMENT', `query parameter from must be tail, earliest or latest, not '${value}'`);
}

/** `0:120,1:57` → Map(0 → 120, 1 → 57). */
export function parseCursor(text: string): Map<number, number> {
  const positions = new Map<number, number>();
  for (const part of text.split(',')) {
    const match = /^(\d+):(\d+)$/.exec(part.trim());
    if (!match) {
      throw new ShiftleftError('INVALID_ARGUMENT', `malformed cursor '${text}'`, { hint: 'pass back the cursor of an earlier answer: partition:offset pairs, e.g. 0:120,1:57' });
    }
    positions.set(Number(match[1]), Number(match[2]));
  }
  return positions;
}

export function formatCursor(positions: Map<number, number>): string {
  return [...positions].sort(([a], [b]) => a - b).map(([p, o]) => `${p}:${o}`).join(',');
}

/** Where each partition starts, kept inside what the log still holds. */
function startPositions(partitions: PartitionDescription[], start: Start, cursor: Map<number, number> | undefined, limit: number): Map<number, number> {
  const perPartitionTail = Math.ceil(limit / Math.max(partitions.length, 1));
  const positions = new Map<number, number>();
  for (const p of partitions) {
    const wanted = cursor ? (cursor.get(p.partition) ?? p.logStartOffset) : start === 'earliest' ? p.logStartOffset : start === 'latest' ? p.highWatermark : p.highWatermark - perPartitionTail;
    positions.set(p.partition, Math.min(Math.max(wanted, p.logStartOffset), p.highWatermark));
  }
  return positions;
}

// ---- decoding ------------------------------------------------------------------------------

const SERDE_FORMAT: Record<SchemaType, SerdeFormat> = { AVRO: 'avro', JSON: 'json', PROTOBUF: 'protobuf' };

/** The record names of a field path (`Sale.cc_number` → `cc_number`). */
const leafName = (path: string): string => path.slice(path.lastIndexOf('.') + 1);

/**
 * Decodes keys and values: the Confluent wire format through the registry (as a principal
 * without KMS secret), anything else as text, JSON text or base64.
 */
export class MessageDecoder {
  private serdes: ContractSerdes | undefined;

  constructor(private readonly context: MessageRoutesContext) {}

  private contractSerdes(): ContractSerdes {
    // Created on first use: the registry URL is known only once the registry listens.
    this.serdes ??= new ContractSerdes({ registryUrl: this.context.urls().registry!, log: this.context.log });
    return this.serdes;
  }

  /** The schema a wire-format payload names, when the registry knows it. */
  private schemaOf(bytes: Buffer): { id: number; schemaType: SchemaType; encryptedFields: string[] } | undefined {
    if (bytes.length < 5 || bytes[0] !== 0) return undefined;
    const id = bytes.readUInt32BE(1);
    try {
      const version = this.context.registry.schemas.schemaById(id);
      return { id, schemaType: version.schemaType, encryptedFields: encryptedFieldsOf(version.metadata?.tags, version.ruleSet?.domainRules) };
    } catch {
      return undefined;
    }
  }

  async decode(topic: string, bytes: Buffer | null, kind: 'key' | 'value', decode: boolean): Promise<DecodedPart> {
    if (bytes === null) return { format: 'null', data: null };
    const schema = decode ? this.schemaOf(bytes) : undefined;
    if (!schema) return plainPart(bytes);
    const format = SERDE_FORMAT[schema.schemaType];
    const encrypted = schema.encryptedFields.length > 0 ? { encryptedFields: schema.encryptedFields } : {};
    try {
      const data = await this.contractSerdes().deserialize(topic, Buffer.from(bytes), format, kind);
      return { format, schemaId: schema.id, data: toJsonSafe(data), ...encrypted };
    } catch (error) {
      return { format, schemaId: schema.id, data: bytes.toString('base64'), error: (error as Error).message };
    }
  }

  async message(record: LogRecord, decode: boolean): Promise<DecodedMessage> {
    return {
      partition: record.partition,
      offset: record.offset,
      timestamp: record.timestamp,
      key: await this.decode(record.topic, record.key, 'key', decode),
      value: await this.decode(record.topic, record.value, 'value', decode),
      headers: record.headers.map((h) => {
        if (h.value === null) return { key: h.key, value: null };
        return isUtf8Text(h.value) ? { key: h.key, value: h.value.toString('utf8') } : { key: h.key, value: h.value.toString('base64'), encoding: 'base64' as const };
      }),
    };
  }

  close(): void {
    this.serdes?.close();
  }
}

/** Leaf names of the fields an ENCRYPT rule covers (through their tags in the schema's metadata). */
export function encryptedFieldsOf(tags: Record<string, string[]> | undefined, rules: { type: string; tags?: string[]; disabled?: boolean }[] | undefined): string[] {
  const encryptTags = new Set((rules ?? []).filter((r) => r.type === 'ENCRYPT' && !r.disabled).flatMap((r) => r.tags ?? []));
  if (encryptTags.size === 0) return [];
  return Object.entries(tags ?? {})
    .filter(([, fieldTags]) => fieldTags.some((t) => encryptTags.has(t)))
    .map(([path]) => leafName(path));
}

function isUtf8Text(bytes: Buffer): boolean {
  // Control characters other than tab and newlines mean binary, even when the bytes are valid UTF-8.
  // eslint-disable-next-line no-control-regex
  return Buffer.from(bytes.toString('utf8'), 'utf8').equals(bytes) && !/[\u0000-\u0008\u000e-\u001f]/.test(bytes.toString('utf8'));
}

function plainPart(bytes: Buffer): DecodedPart {
  if (!isUtf8Text(bytes)) return { format: 'binary', data: bytes.toString('base64') };
  const text = bytes.toString('utf8');
  if (/^\s*[[{]/.test(text)) {
    try {
      return { format: 'json-text', data: JSON.parse(text) };
    } catch {
      // Not JSON after all: shown as text.
    }
  }
  return { format: 'text', data: text };
}

// ---- long polls ------------------------------------------------------------------------------

/** Aborts a waiting request when its client leaves or the app closes (shutdown must not wait 30 s). */
class Waits {
  private readonly controllers = new Set<AbortController>();

  signalFor(reply: FastifyReply): { signal: AbortSignal; done: () => void } {
    const controller = new AbortController();
    const onClose = () => controller.abort();
    reply.raw.once('close', onClose);
    this.controllers.add(controller);
    return {
      signal: controller.signal,
      done: () => {
        reply.raw.off('close', onClose);
        this.controllers.delete(controller);
      },
    };
  }

  abortAll(): void {
    for (const controller of this.controllers) controller.abort();
    this.controllers.clear();
  }
}

// ---- the route -------------------------------------------------------------------------------

export async function readMessages(
  log: LogClient,
  decoder: MessageDecoder,
  topic: string,
  options: { start: Start; cursor?: Map<number, number>; limit: number; maxWaitMs: number; decode: boolean; signal?: AbortSignal },
): Promise<MessagesAnswer> {
  const description = await log.describeTopic(topic);
  let positions = startPositions(description.partitions, options.start, options.cursor, options.limit);
  const nothingYet = description.partitions.every((p) => positions.get(p.partition)! >= p.highWatermark);
  if (nothingYet && options.maxWaitMs > 0) {
    const waitOn = [...positions].map(([partition, offset]) => ({ topic, partition, offset }));
    await log.waitForRecords(waitOn, { timeoutMs: options.maxWaitMs, signal: options.signal });
    // Retention may have moved the start meanwhile.
    positions = startPositions((await log.describeTopic(topic)).partitions, options.start, positions, options.limit);
  }
  const fetched = await Promise.all(
    [...positions].map(async ([partition, offset]) => {
      const result = await log.fetch({ topic, partition }, offset, { maxRecords: options.limit });
      return { partition, offset, result };
    }),
  );
  // Oldest first across partitions; the answer keeps the first `limit`, and the cursor moves past exactly those.
  const records = fetched
    .flatMap((f) => f.result.records.filter((r) => r.offset >= f.offset))
    .sort((a, b) => a.timestamp - b.timestamp || a.partition - b.partition || a.offset - b.offset)
    .slice(0, options.limit);
  const next = new Map(positions);
  for (const f of fetched) {
    const returned = records.filter((r) => r.partition === f.partition);
    const all = f.result.records.filter((r) => r.offset >= f.offset);
    // Everything fetched was returned: skip compaction gaps too (nextOffset); otherwise continue after the last returned one.
    next.set(f.partition, returned.length === all.length ? Math.max(f.result.nextOffset, f.offset) : returned.at(-1) ? returned.at(-1)!.offset + 1 : f.offset);
  }
  const caughtUp = fetched.every((f) => next.get(f.partition)! >= f.result.highWatermark);
  const messages: DecodedMessage[] = [];
  for (const record of records) messages.push(await decoder.message(record, options.decode));
  return { topic, messages, cursor: formatCursor(next), caughtUp };
}

export function registerMessageRoutes(app: FastifyInstance, context: MessageRoutesContext): void {
  const decoder = new MessageDecoder(context);
  const waits = new Waits();
  app.addHook('preClose', (done) => {
    waits.abortAll();
    done();
  });
  app.addHook('onClose', async () => decoder.close());

  app.get('/v1/topics/:topic/messages', async (request, reply): Promise<MessagesAnswer> => {
    const cursorText = queryString(request, 'cursor');
    const decodeText = queryString(request, 'decode');
    if (decodeText !== undefined && decodeText !== 'true' && decodeText !== 'false') {
      throw new ShiftleftError('INVALID_ARGUMENT', `query parameter decode must be true or false, not '${decodeText}'`);
    }
    const options = {
      start: startOf(queryString(request, 'from')),
      ...(cursorText !== undefined && { cursor: parseCursor(cursorText) }),
      limit: integerQuery(queryString(request, 'limit'), 'limit', 1, MAX_MESSAGES, DEFAULT_MESSAGES),
      maxWaitMs: integerQuery(queryString(request, 'maxWaitMs'), 'maxWaitMs', 0, MAX_MESSAGE_WAIT_MS, 0),
      decode: decodeText !== 'false',
    };
    const wait = waits.signalFor(reply);
    try {
      return await readMessages(context.log, decoder, param(request, 'topic'), { ...options, signal: wait.signal });
    } finally {
      wait.done();
    }
  });
}
