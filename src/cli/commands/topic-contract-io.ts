/**
 * The contract-aware halves of `topic produce` and `topic consume`:
 * - produce `--format avro|json|protobuf`: JSON lines serialized with the latest schema of
 *   `<topic>-value` through ContractSerdes (rules, encryption and DLQ apply), then written
 *   through the EnforcingProducer (the platform's own check when the topic is enforced);
 * - raw produce through the EnforcingProducer, so bytes that skip the serializer still meet
 *   the contract of an enforced topic;
 * - consume `--format avro|json-schema|protobuf`: values decoded (READ rules run) as JSON lines.
 *
 * The principal's KMS secret comes from the environment variable SHIFTLEFT_KMS_SECRET (never a
 * default): with it, producers can encrypt PII fields and consumers read them in clear; without
 * it, consumers see ciphertext and producers of encrypted topics are refused.
 */
import { createInterface } from 'node:readline';
import { ShiftleftError } from '../../common/errors.ts';
import { ContractSerdes, type ContractRecord, type SerdeFormat } from '../../contracts/contract-serdes.ts';
import { EnforcingProducer } from '../../contracts/enforcement.ts';
import { toJsonSafe } from '../../contracts/json-safe.ts';
import type { LogRecord, ProduceRecord, RecordHeader } from '../../log/log-client.ts';
import { KMS_SECRET_ENV } from '../kms-secret-env.ts';
import { RegistryHttp, type PlatformAccess } from '../registry-access.ts';

/** `json-schema` is accepted as a clearer name of `json` (JSON Schema serialization). */
export function serdeFormatOf(format: string): SerdeFormat {
  return format === 'json-schema' ? 'json' : (format as SerdeFormat);
}

function kmsSecret(): string | undefined {
  const secret = process.env[KMS_SECRET_ENV];
  return secret ? secret : undefined;
}

const REGISTRY_TYPE: Record<SerdeFormat, string> = { avro: 'AVRO', json: 'JSON', protobuf: 'PROTOBUF' };

/** Fails before reading stdin when `<topic>-value` has no schema, or one of another type. */
async function requireValueSchema(registryUrl: string, topic: string, format: SerdeFormat): Promise<void> {
  const subject = `${topic}-value`;
  let latest: { schemaType?: string; version: number };
  try {
    latest = await new RegistryHttp(registryUrl).request('GET', `/subjects/${encodeURIComponent(subject)}/versions/latest`);
  } catch (error) {
    if (error instanceof ShiftleftError && (error.code === 'SUBJECT_NOT_FOUND' || error.code === 'VERSION_NOT_FOUND')) {
      throw new ShiftleftError('SUBJECT_NOT_FOUND', `topic '${topic}' has no schema: subject '${subject}' has no registered version`, {
        hint: `register one first: shiftleft schema register ${subject} --file SCHEMA --type ${REGISTRY_TYPE[format]}`,
        details: { topic, subject },
      });
    }
    throw error;
  }
  const type = latest.schemaType ?? 'AVRO';
  if (type !== REGISTRY_TYPE[format]) {
    throw new ShiftleftError('INVALID_ARGUMENT', `subject '${subject}' holds a ${type} schema (version ${latest.version}), not ${REGISTRY_TYPE[format]}`, {
      hint: `use --format ${type === 'JSON' ? 'json' : type.toLowerCase()}`,
      details: { topic, subject, schemaType: type },
    });
  }
}

export interface ContractProduceOptions {
  format?: string;
  keyField?: string;
  partition?: number;
  nullValue?: string;
  headers: RecordHeader[];
}

/** One input line as a record to send, remembering its line number for messages. */
interface PendingLine {
  line: number;
  key: Buffer | null;
  text: string;
  /** The parsed JSON value (with --format). */
  value?: unknown;
}

/** `key<TAB>value`; a line starting with `{` or `[` is a bare value (JSON may hold tabs between tokens). */
function splitKey(text: string): { key: string | null; value: string } {
  const tab = text.indexOf('\t');
  if (tab < 0 || /^\s*[[{]/.test(text)) return { key: null, value: text };
  return { key: text.slice(0, tab), value: text.slice(tab + 1) };
}

function parseJsonLine(pending: PendingLine): unknown {
  try {
    return JSON.parse(pending.text);
  } catch (error) {
    throw new ShiftleftError('INVALID_ARGUMENT', `line ${pending.line}: not valid JSON: ${(error as Error).message}`, {
      hint: 'give one JSON value per line, optionally prefixed by a key and a TAB',
      details: { line: pending.line },
    });
  }
}

function keyFromField(value: unknown, field: string, line: number): Buffer {
  const found = value !== null && typeof value === 'object' ? (value as Record<string, unknown>)[field] : undefined;
  if (found === undefined || found === null) {
    throw new ShiftleftError('INVALID_ARGUMENT', `line ${line}: no field '${field}' to use as the key (--key-field)`, {
      hint: 'every record needs the key field, or drop --key-field and give keys as key<TAB>json',
      details: { line, field },
    });
  }
  return Buffer.from(typeof found === 'string' ? found : JSON.stringify(found), 'utf8');
}

interface Tally {
  sent: number;
  refused: number;
  byDlq: Map<string, number>;
  shown: number;
}

const MAX_SHOWN_REFUSALS = 20;

function recordRefusal(tally: Tally, line: number, reason: string, dlqTopic: string | undefined): void {
  tally.refused++;
  if (dlqTopic) tally.byDlq.set(dlqTopic, (tally.byDlq.get(dlqTopic) ?? 0) + 1);
  if (tally.shown++ < MAX_SHOWN_REFUSALS) process.stderr.write(`refused line ${line}: ${reason}\n`);
}

function summary(topic: string, tally: Tally, enforced: boolean): string {
  let text = `produced ${tally.sent} record(s) to ${topic}`;
  if (tally.refused > 0 || enforced) {
    const dlq = [...tally.byDlq].map(([t, n]) => `${n} to DLQ ${t}`).join(', ');
    text += `; refused ${tally.refused} by the contract${dlq ? ` (${dlq})` : ''}`;
  }
  return text + (enforced ? ` [contract-enforced topic]` : '') + '\n';
}

/**
 * Reads stdin and produces it. Records are sent in batches; a malformed line stops the command
 * after everything before it was sent (and accounted for), naming the line.
 */
export async function produceFromStdin(access: PlatformAccess, topic: string, opts: ContractProduceOptions): Promise<void> {
  const { log, registryUrl } = access;
  await log.describeTopic(topic); // fail before reading stdin when the topic does not exist
  const format = opts.format ? serdeFormatOf(opts.format) : undefined;
  if (format) await requireValueSchema(registryUrl, topic, format);
  const producer = await EnforcingProducer.open({ log, registryUrl });
  const enforced = await producer.isEnforced(topic);
  const serdes = format ? new ContractSerdes({ registryUrl, log: producer.asLogClient(), kmsSecret: kmsSecret() }) : undefined;
  const tally: Tally = { sent: 0, refused: 0, byDlq: new Map(), shown: 0 };
  let batch: PendingLine[] = [];

  const flush = async (): Promise<void> => {
    if (batch.length === 0) return;
    const lines = batch;
    batch = [];
    if (serdes && format) {
      const records: ContractRecord[] = lines.map((p) => ({
        key: opts.keyField ? keyFromField(p.value, opts.keyField, p.line) : p.key,
        value: p.value,
        headers: opts.headers.length ? opts.headers : undefined,
      }));
      const outcome = await serdes.produce(topic, records, format);
      tally.sent += outcome.sent.length;
      for (const r of outcome.refused) recordRefusal(tally, lines[r.index]!.line, r.reason, r.dlqTopic);
      return;
    }
    const records: ProduceRecord[] = lines.map((p) => ({
      key: p.key,
      value: opts.nullValue !== undefined && p.text === opts.nullValue ? null : Buffer.from(p.text),
      headers: opts.headers.length ? opts.headers : undefined,
      partition: opts.partition,
    }));
    const outcome = await producer.produce(topic, records);
    tally.sent += outcome.sent.length;
    for (const r of outcome.refused) recordRefusal(tally, lines[r.index]!.line, r.reason, r.dlqTopic);
  };

  try {
    let lineNumber = 0;
    for await (const text of createInterface({ input: process.stdin, crlfDelay: Infinity })) {
      lineNumber++;
      if (text.length === 0) continue;
      const { key, value } = opts.keyField && format ? { key: null, value: text } : splitKey(text);
      const pending: PendingLine = { line: lineNumber, key: key === null ? null : Buffer.from(key), text: value };
      if (format) {
        try {
          pending.value = parseJsonLine(pending);
        } catch (error) {
          await flush(); // what came before the bad line is sent and counted, nothing after it
          process.stderr.write(summary(topic, tally, enforced));
          throw error;
        }
      }
      batch.push(pending);
      if (batch.length >= 500) await flush();
    }
    await flush();
    process.stderr.write(summary(topic, tally, enforced));
  } finally {
    serdes?.close();
    producer.close();
  }
}

/** Decodes values with the contract serdes, one JSON line each; undecodable records are reported and skipped. */
export function contractRenderer(access: PlatformAccess, topic: string, format: string): { render(records: LogRecord[]): Promise<string>; close(): void } {
  const serdeFormat = serdeFormatOf(format);
  const serdes = new ContractSerdes({ registryUrl: access.registryUrl, log: access.log, kmsSecret: kmsSecret() });
  return {
    async render(records: LogRecord[]): Promise<string> {
      let out = '';
      for (const record of records) {
        if (record.value === null) {
          out += 'null\n';
          continue;
        }
        try {
          out += JSON.stringify(toJsonSafe(await serdes.deserialize(topic, record.value, serdeFormat))) + '\n';
        } catch (error) {
          process.stderr.write(`warning: partition ${record.partition} offset ${record.offset}: skipped: ${(error as Error).message}\n`);
        }
      }
      return out;
    },
    close: () => serdes.close(),
  };
}
