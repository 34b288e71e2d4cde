/**
 * Serializers and deserializers that enforce data contracts, built on Confluent's
 * `@confluentinc/schemaregistry` client talking HTTP to a registry (ours or Confluent's).
 *
 * Records are in the Confluent wire format (magic byte 0, 4-byte schema id, payload), so bytes
 * are identical in embedded and Kafka mode. Contract rules run inside the client: CEL, CEL_FIELD
 * and JSONata conditions and transforms, ENCRYPT (field-level encryption with DEKs from the DEK
 * registry), and our DLQ action. Each ContractSerdes has its own RuleRegistry, so what one
 * principal may do (hold a KMS secret) never leaks into another's serdes.
 *
 * Who can decrypt: a principal configured with the local KMS secret of a KEK. Any other
 * principal's deserializer runs with ENCRYPT disabled and so reads the ciphertext, not an error.
 *
 * Two paths, same bytes and same rule semantics: Avro goes through our fast serdes (fast/),
 * which compiles each schema's rules once and runs a record in a few microseconds; anything it
 * does not cover (Protobuf, JSON Schema, JSONata, migration rules, references, ...) is decided
 * per schema and goes through the Confluent client, as does every record when `fastPath` is off.
 */
import {
  AvroDeserializer,
  AvroSerializer,
  CelExecutor,
  CelFieldExecutor,
  EncryptionExecutor,
  FieldEncryptionExecutor,
  JsonDeserializer,
  JsonSerializer,
  JsonataExecutor,
  ProtobufDeserializer,
  ProtobufSerializer,
  RuleRegistry,
  SchemaRegistryClient,
  SerdeType,
  SerializationError,
  type Deserializer,
  type Serializer,
} from '@confluentinc/schemaregistry';
import { ShiftleftError } from '../common/errors.ts';
import type { LogClient, RecordHeader, RecordMetadata } from '../log/log-client.ts';
import { DlqAction, produceContext, RecordSentToDlq } from './dlq-action.ts';
import { KMS_SECRET_CONFIG, registerLocalKms } from './local-kms.ts';
import { FALLBACK, FastAvroSerdes } from './fast/fast-avro-serdes.ts';
import { confluentClientAuth } from '../server/auth/client-credentials.ts';

export type SerdeFormat = 'avro' | 'json' | 'protobuf';
export const SERDE_FORMATS: readonly SerdeFormat[] = ['avro', 'json', 'protobuf'];

export interface ContractSerdesOptions {
  registryUrl: string;
  /** Where DLQ records go. */
  log: LogClient;
  /**
   * The local KMS secret this principal holds (the embedded stand-in for a cloud KMS grant).
   * Without it, encrypted fields are read as ciphertext and writes under an ENCRYPT rule fail.
   */
  kmsSecret?: string;
  /** Use the fast Avro path where it applies (default true); false forces the Confluent client. */
  fastPath?: boolean;
}

function serdeType(kind: 'key' | 'value'): SerdeType {
  return kind === 'key' ? SerdeType.KEY : SerdeType.VALUE;
}

export interface ProduceOutcome {
  /** Metadata of written records, by input index. */
  sent: { index: number; metadata: RecordMetadata }[];
  /** Records refused by the contract, with the reason and the DLQ topic when one took them. */
  refused: { index: number; reason: string; rule?: string; dlqTopic?: string }[];
}

export interface ContractRecord {
  key: Buffer | null;
  value: unknown;
  headers?: RecordHeader[];
  timestamp?: number;
}

export class ContractSerdes {
  readonly client: SchemaRegistryClient;
  /** Rules for writing: ENCRYPT always runs (without the key it fails, never writes plaintext). */
  private readonly writeRules = new RuleRegistry();
  /** Rules for reading: without the key ENCRYPT is skipped, so fields stay ciphertext. */
  private readonly readRules = new RuleRegistry();
  private readonly serializers = new Map<string, Serializer>();
  private readonly deserializers = new Map<string, Deserializer>();
  private readonly ruleConfig: Record<string, string>;
  private readonly fast: FastAvroSerdes | undefined;

  constructor(private readonly options: ContractSerdesOptions) {
    registerLocalKms();
    this.client = new SchemaRegistryClient({ baseURLs: [options.registryUrl], cacheLatestTtlSecs: 5, ...confluentClientAuth() });
    const dlq = new DlqAction(options.log);
    for (const rules of [this.writeRules, this.readRules]) {
      rules.registerExecutor(new CelExecutor());
      rules.registerExecutor(new CelFieldExecutor());
      rules.registerExecutor(new JsonataExecutor());
      rules.registerExecutor(new EncryptionExecutor());
      rules.registerExecutor(new FieldEncryptionExecutor());
      rules.registerAction(dlq);
    }
    this.ruleConfig = options.kmsSecret ? { [KMS_SECRET_CONFIG]: options.kmsSecret } : {};
    if (!options.kmsSecret) this.readRules.registerOverride({ type: 'ENCRYPT', disabled: true });
    if (options.fastPath !== false) {
      this.fast = new FastAvroSerdes({ client: this.client, log: options.log, ruleConfig: this.ruleConfig, decrypts: options.kmsSecret !== undefined });
    }
  }

  /** Whether this principal can decrypt fields under ENCRYPT rules. */
  get holdsKey(): boolean {
    return this.options.kmsSecret !== undefined;
  }

  serializer(format: SerdeFormat, kind: 'key' | 'value' = 'value'): Serializer {
    const cacheKey = `${format}/${kind}`;
    let serializer = this.serializers.get(cacheKey);
    if (!serializer) {
      // The producer never registers schemas: it writes with the latest registered version so
      // that the contract (its rules and metadata) is the one the data team governs.
      const config = { useLatestVersion: true, autoRegisterSchemas: false, ruleConfig: this.ruleConfig };
      const type = serdeType(kind);
      serializer =
        format === 'avro'
          ? new AvroSerializer(this.client, type, config, this.writeRules)
          : format === 'json'
            ? new JsonSerializer(this.client, type, config, this.writeRules)
            : new ProtobufSerializer(this.client, type, config, this.writeRules);
      this.serializers.set(cacheKey, serializer);
    }
    return serializer;
  }

  deserializer(format: SerdeFormat, kind: 'key' | 'value' = 'value'): Deserializer {
    const cacheKey = `${format}/${kind}`;
    let deserializer = this.deserializers.get(cacheKey);
    if (!deserializer) {
      const config = { ruleConfig: this.ruleConfig };
      const type = serdeType(kind);
      deserializer =
        format === 'avro'
          ? new AvroDeserializer(this.client, type, config, this.readRules)
          : format === 'json'
            ? new JsonDeserializer(this.client, type, config, this.readRules)
            : new ProtobufDeserializer(this.client, type, config, this.readRules);
      this.deserializers.set(cacheKey, deserializer);
    }
    return deserializer;
  }

  /**
   * Serializes one value for `topic` with the latest schema of its subject, running WRITE rules.
   * A record refused by a DLQ rule rejects with RecordSentToDlq (after its DLQ write), one refused
   * by an ERROR action with the client's SerializationError (`rule <name> failed: ...`).
   */
  serialize(topic: string, value: unknown, options: { format?: SerdeFormat; key?: Buffer | null; headers?: RecordHeader[] } = {}): Promise<Buffer> {
    const format = options.format ?? 'avro';
    if (format === 'avro' && this.fast) {
      // Not an async function: a record whose caches are warm is serialized synchronously, and
      // only the returned promise is paid for.
      try {
        const bytes = this.fast.serialize(topic, value, options.key ?? null);
        if (bytes instanceof Promise) return bytes.then((b) => (b === FALLBACK ? this.clientSerialize(topic, value, format, options) : b));
        if (bytes !== FALLBACK) return Promise.resolve(bytes);
      } catch (error) {
        return Promise.reject(error as Error);
      }
    }
    return this.clientSerialize(topic, value, format, options);
  }

  private clientSerialize(topic: string, value: unknown, format: SerdeFormat, options: { key?: Buffer | null; headers?: RecordHeader[] }): Promise<Buffer> {
    const context = { key: options.key ?? null, headers: options.headers ?? [], dlqWrites: [] };
    // The client's field transforms (ENCRYPT) rewrite the message in place: serialize a copy
    // so the caller's object keeps its plaintext (and re-sending it never double-encrypts).
    return produceContext.run(context, () => this.serializer(format).serialize(topic, structuredClone(value)));
  }

  /**
   * Serializes and produces records; records the contract refuses are skipped (and, under a DLQ
   * rule, written to the DLQ by the rule itself). Other failures (registry down, no schema)
   * throw: they are not the record's fault.
   */
  async produce(topic: string, records: ContractRecord[], format: SerdeFormat = 'avro'): Promise<ProduceOutcome> {
    const outcome: ProduceOutcome = { sent: [], refused: [] };
    const accepted: { index: number; record: ContractRecord; bytes: Buffer }[] = [];
    for (let index = 0; index < records.length; index++) {
      const record = records[index]!;
      try {
        const bytes = await this.serialize(topic, record.value, { format, key: record.key, headers: record.headers });
        accepted.push({ index, record, bytes });
      } catch (error) {
        if (error instanceof RecordSentToDlq) {
          outcome.refused.push({ index, reason: error.message, rule: error.ruleName, dlqTopic: error.dlqTopic });
        } else if (error instanceof SerializationError && RULE_FAILURE.test(error.message)) {
          const rule = RULE_FAILURE.exec(error.message)![1]!;
          if ((await this.ruleType(topic, rule)) === 'ENCRYPT') {
            // Not the record's fault: this principal cannot encrypt. Refuse the whole call.
            throw new ShiftleftError('ENCRYPTION_FAILED', `cannot write to '${topic}': encryption rule '${rule}' failed: ${error.message}`, {
              hint: this.holdsKey ? 'check the KEK and the KMS secret configured for this principal' : 'this principal holds no KMS secret; configure SHIFTLEFT_KMS_SECRET for producers of encrypted topics',
              details: { topic, rule },
              cause: error,
            });
          }
          outcome.refused.push({ index, reason: error.message, rule });
        } else {
          throw new ShiftleftError('SERIALIZATION_FAILED', `cannot serialize a record for topic '${topic}': ${(error as Error).message}`, {
            hint: `check that subject '${topic}-value' has a registered ${format} schema and the record matches it`,
            details: { topic, index },
            cause: error,
          });
        }
      }
    }
    if (accepted.length > 0) {
      const metadata = await this.options.log.produce(
        topic,
        accepted.map((a) => ({ key: a.record.key, value: a.bytes, headers: a.record.headers, timestamp: a.record.timestamp })),
      );
      accepted.forEach((a, i) => outcome.sent.push({ index: a.index, metadata: metadata[i]! }));
    }
    return outcome;
  }

  private async ruleType(topic: string, ruleName: string): Promise<string | undefined> {
    try {
      const latest = await this.client.getLatestSchemaMetadata(`${topic}-value`);
      const rules = [...(latest.ruleSet?.domainRules ?? []), ...(latest.ruleSet?.migrationRules ?? [])];
      return rules.find((r) => r.name === ruleName)?.type;
    } catch {
      return undefined;
    }
  }

  /** Decodes a value in the Confluent wire format, running READ rules (decryption if allowed). */
  async deserialize(topic: string, bytes: Buffer, format: SerdeFormat = 'avro', kind: 'key' | 'value' = 'value'): Promise<unknown> {
    try {
      if (format === 'avro' && this.fast) {
        const value = await this.fast.deserialize(topic, bytes, kind === 'key');
        if (value !== FALLBACK) return value;
      }
      return await this.deserializer(format, kind).deserialize(topic, bytes);
    } catch (error) {
      throw new ShiftleftError('DESERIALIZATION_FAILED', `cannot decode a ${kind} of topic '${topic}' as ${format}: ${(error as Error).message}`, {
        hint: 'the record may not be in the Confluent wire format, or its schema id is unknown to this registry',
        details: { topic, format },
        cause: error,
      });
    }
  }

  close(): void {
    void this.fast?.close();
    for (const s of this.serializers.values()) s.close();
    for (const d of this.deserializers.values()) d.close();
  }
}

/**
 * The message of the client's built-in ERROR action (`rule <name> failed: <cause>`): a record
 * the contract refused, as opposed to an infrastructure failure.
 */
const RULE_FAILURE = /^rule (\S+) failed: /;
