/**
 * The DLQ rule action, with the semantics Confluent clients give it (the npm client ships no
 * DLQ action; its RuleRegistry lets us add one):
 * - the record's original key and its value as JSON go to the topic named by the rule's
 *   `dlq.topic` param, with headers `__rule.name`, `__rule.mode`, `__rule.subject`,
 *   `__rule.topic` and `__rule.exception`;
 * - fields under ENCRYPT rules never reach the DLQ in plaintext: if the encryption rule has
 *   already run (it precedes the failing rule on write) they are ciphertext already, otherwise
 *   they are redacted (`dlq.redact.rule.types`, default ENCRYPT);
 * - then the record fails: the serializer throws and the producer skips it.
 *
 * The serializer API knows nothing of keys or of the log, so the producer puts the original key
 * in an AsyncLocalStorage context around each `serialize` call; the action reads it there. The
 * fast serializer (fast/) has the key at hand and calls the DlqWriter directly.
 */
import { AsyncLocalStorage } from 'node:async_hooks';
import { RuleContext, SerializationError, type RuleAction, type Rule, type SchemaInfo } from '@confluentinc/schemaregistry';
import type { LogClient, RecordHeader } from '../log/log-client.ts';
import { toJsonSafe } from './json-safe.ts';

export interface ProduceContext {
  key: Buffer | null;
  headers: RecordHeader[];
  /** Filled by the action so the producer can count refusals per DLQ. */
  dlqWrites: { topic: string; rule: string }[];
}

export const produceContext = new AsyncLocalStorage<ProduceContext>();

export const REDACTED = '<redacted>';

/** Thrown (as the SerializationError the client expects) when a record went to the DLQ. */
export class RecordSentToDlq extends SerializationError {
  constructor(
    readonly dlqTopic: string,
    readonly ruleName: string,
    cause: string,
  ) {
    super(`record refused by rule '${ruleName}' and written to DLQ topic '${dlqTopic}': ${cause}`);
  }
}

/** One refused record, with what the DLQ copy and its headers need to know about the rule. */
export interface DlqRequest {
  rule: Rule;
  /** The rules of the run, in run order, and the index of the failing one. */
  rules: Rule[];
  index: number;
  ruleMode: string;
  subject: string;
  topic: string;
  /** The writer schema (its text, for redaction). */
  target: SchemaInfo;
  /** A rule parameter, falling back to the schema metadata's properties (RuleContext.getParameter). */
  param: (name: string) => string | null;
  /** Metadata tags of a field by full name (RuleContext.getTags). */
  tagsOf: (fullName: string) => Set<string>;
  message: unknown;
  error: Error | null;
  key: Buffer | null;
}

/**
 * Writes refused records to their DLQ topic; shared by the rule action below (Confluent client
 * path) and by the fast serializer, so both write the same record with the same headers.
 */
export class DlqWriter {
  private readonly createdTopics = new Set<string>();

  constructor(private readonly log: LogClient) {}

  /**
   * Writes the record and returns the thrown-to-refuse error; throws a SerializationError when the
   * rule names no DLQ topic or the write fails.
   */
  async send(request: DlqRequest): Promise<RecordSentToDlq> {
    const { rule } = request;
    const topic = request.param('dlq.topic');
    const cause = request.error?.message ?? `rule '${rule.name}' failed`;
    if (!topic) {
      throw new SerializationError(`rule '${rule.name}' has onFailure DLQ but no 'dlq.topic' param: ${cause}`);
    }
    const value = redactUnencrypted(request);
    const headers: RecordHeader[] = [
      { key: '__rule.name', value: Buffer.from(rule.name) },
      { key: '__rule.mode', value: Buffer.from(String(request.ruleMode)) },
      { key: '__rule.subject', value: Buffer.from(request.subject) },
      { key: '__rule.topic', value: Buffer.from(request.topic) },
      { key: '__rule.exception', value: Buffer.from(cause) },
    ];
    try {
      if (!this.createdTopics.has(topic)) {
        await this.log.createTopic(topic, { ifNotExists: true });
        this.createdTopics.add(topic);
      }
      await this.log.produce(topic, [{ key: request.key, value: Buffer.from(JSON.stringify(toJsonSafe(value))), headers }]);
    } catch (error) {
      throw new SerializationError(`rule '${rule.name}' failed (${cause}) and its DLQ write to '${topic}' failed too: ${(error as Error).message}`);
    }
    return new RecordSentToDlq(topic, rule.name, cause);
  }
}

export class DlqAction implements RuleAction {
  private readonly writer: DlqWriter;

  constructor(log: LogClient) {
    this.writer = new DlqWriter(log);
  }

  configure(): void {}

  type(): string {
    return 'DLQ';
  }

  close(): void {}

  async run(ctx: RuleContext, msg: unknown, err: Error | null): Promise<void> {
    const context = produceContext.getStore();
    const refusal = await this.writer.send({
      rule: ctx.rule,
      rules: ctx.rules,
      index: ctx.index,
      ruleMode: String(ctx.ruleMode),
      subject: ctx.subject,
      topic: ctx.topic,
      target: ctx.target,
      param: (name) => ctx.getParameter(name),
      tagsOf: (fullName) => ctx.getTags(fullName),
      message: msg,
      error: err,
      key: context?.key ?? null,
    });
    context?.dlqWrites.push({ topic: refusal.dlqTopic, rule: ctx.rule.name });
    throw refusal;
  }
}

/**
 * Replaces the values of fields that an ENCRYPT rule later in the list would have encrypted.
 * Rules run in list order on write, so an ENCRYPT rule before the failing one already turned
 * its fields into ciphertext and they are kept as they are.
 */
function redactUnencrypted(request: DlqRequest): unknown {
  const msg = request.message;
  const redactTypes = (request.param('dlq.redact.rule.types') ?? 'ENCRYPT').split(',').map((s) => s.trim());
  const pending = request.rules.filter((rule: Rule, i: number) => i > request.index && redactTypes.includes(rule.type ?? '') && !rule.disabled);
  if (pending.length === 0 || msg === null || typeof msg !== 'object') return msg;
  const tags = new Set(pending.flatMap((rule: Rule) => rule.tags ?? []));
  let schema: unknown;
  try {
    schema = JSON.parse(request.target.schema);
  } catch {
    return msg;
  }
  return redactRecord(request.tagsOf, schema, msg as Record<string, unknown>, tags, undefined);
}

interface AvroField {
  name: string;
  type: unknown;
  'confluent:tags'?: string[];
}

function redactRecord(tagsOf: (fullName: string) => Set<string>, schema: unknown, value: Record<string, unknown>, tags: Set<string>, namespace: string | undefined): Record<string, unknown> {
  if (!schema || typeof schema !== 'object' || (schema as { type?: string }).type !== 'record') return value;
  const record = schema as { name: string; namespace?: string; fields: AvroField[] };
  const ns = record.namespace ?? namespace;
  const fullName = record.name.includes('.') || !ns ? record.name : `${ns}.${record.name}`;
  const out: Record<string, unknown> = { ...value };
  for (const field of record.fields) {
    const fieldName = `${fullName}.${field.name}`;
    const fieldTags = new Set([...tagsOf(fieldName), ...(field['confluent:tags'] ?? [])]);
    if ([...fieldTags].some((t) => tags.has(t))) {
      if (out[field.name] !== null && out[field.name] !== undefined) out[field.name] = REDACTED;
      continue;
    }
    const branches = Array.isArray(field.type) ? field.type : [field.type];
    for (const branch of branches) {
      const nested = out[field.name];
      if (nested && typeof nested === 'object' && !Buffer.isBuffer(nested)) {
        out[field.name] = redactRecord(tagsOf, branch, nested as Record<string, unknown>, tags, ns);
      }
    }
  }
  return out;
}
