/**
 * The fast Avro serializer and deserializer: the Confluent wire format and the client's rule
 * semantics (see rule-plan.ts for what is covered), without the client's per-record costs.
 *
 * Per record the client resolves the subject, looks up the latest schema through a mutex-guarded
 * cache keyed by JSON, builds a RuleContext per rule, re-plans CEL through a JSON-keyed cache,
 * converts the whole message for CEL at every field access, runs WebCrypto AES-GCM through a
 * promise chain and concatenates buffers. Here everything that depends only on the schema is
 * compiled once per schema id (an avsc Type, the CEL programs, the field walkers of ENCRYPT
 * rules), the latest version is cached for the registry client's TTL, DEKs are unwrapped once,
 * and a record whose caches are warm runs synchronously from the first rule to the last byte.
 *
 * Results that are not a Buffer or a value: FALLBACK, when the schema is one the fast path does
 * not cover; the caller then uses the client for it.
 */
import type avro from 'avsc';
import {
  AssociatedNameStrategy,
  FieldType,
  RuleConditionError,
  RuleError,
  RuleMode,
  SerdeType,
  SerializationError,
  type SchemaRegistryClient,
  type SubjectNameStrategyFunc,
} from '@confluentinc/schemaregistry';
import type { LogClient } from '../../log/log-client.ts';
import { DlqWriter, type RecordSentToDlq } from '../dlq-action.ts';
import { DekKeys, type DekKey } from './dek-keys.ts';
import { metadataTags } from './field-tags.ts';
import { copyContainer, type LeafTransform } from './field-walker.ts';
import { compilePlan, type RuleStep, type SchemaPlan } from './rule-plan.ts';

export const FALLBACK = Symbol('fallback to the Confluent client');
export type Fallback = typeof FALLBACK;

type FastPlan = SchemaPlan & { kind: 'fast' };

export interface FastAvroSerdesOptions {
  client: SchemaRegistryClient;
  /** Where DLQ records go. */
  log: LogClient;
  /** The principal's rule config (its KMS secret). */
  ruleConfig: Record<string, string>;
  /** Principals without a key read with ENCRYPT disabled (ciphertext stays ciphertext). */
  decrypts: boolean;
}

/** Thrown by a field leaf that needs a DEK not loaded yet; the run loads it and resumes. */
class NeedDek {
  constructor(
    readonly step: RuleStep & { kind: 'encrypt' },
    readonly version: number | null,
  ) {}
}

/** A run must start over from the decoded bytes (a read that changed fields before a DEK load). */
const RESTART = Symbol('restart');

interface Run {
  plan: FastPlan;
  topic: string;
  mode: RuleMode.WRITE | RuleMode.READ;
  key: Buffer | null;
}

const HEADER_SIZE = 5;

export class FastAvroSerdes {
  private readonly client: SchemaRegistryClient;
  private readonly dekKeys: DekKeys;
  private readonly dlq: DlqWriter;
  private readonly subjectStrategy: SubjectNameStrategyFunc;
  /** Subject of each topic's values and keys (the strategy's answer never changes). */
  private readonly subjects = { value: new Map<string, string>(), key: new Map<string, string>() };
  private readonly latest = new Map<string, { expiresAt: number; plan: SchemaPlan }>();
  private readonly latestLoading = new Map<string, Promise<SchemaPlan>>();
  /** Plans by schema id: read plans per subject, write plans by subject and id (ids never change). */
  private readonly readPlans = new Map<string, Map<number, SchemaPlan>>();
  private readonly writePlans = new Map<string, SchemaPlan>();
  private readonly latestTtlMs: number;
  private scratch = Buffer.allocUnsafe(64 * 1024);
  private readonly leaves = new WeakMap<RuleStep, LeafTransform>();
  /**
   * Set by read leaves once they changed a field in place. Shared, not per run: it is reset
   * before a step walks a record and read right after, with no await in between.
   */
  private mutated = false;

  constructor(private readonly options: FastAvroSerdesOptions) {
    this.client = options.client;
    const config = this.client.config();
    this.latestTtlMs = (config.cacheLatestTtlSecs ?? 0) * 1000;
    this.dekKeys = new DekKeys(config, options.ruleConfig);
    this.dlq = new DlqWriter(options.log);
    // The client's default strategy: the topic's associated subject, else `<topic>-key|value`.
    this.subjectStrategy = AssociatedNameStrategy(this.client, {}, async () => '');
  }

  /**
   * Serializes a value for the topic's latest schema; DLQ refusals throw RecordSentToDlq, other
   * refusals the client's SerializationError (`rule <name> failed: ...`, `Invalid message ...`).
   */
  serialize(topic: string, value: unknown, key: Buffer | null, isKey = false): Buffer | Fallback | Promise<Buffer | Fallback> {
    if (value === null || value === undefined) throw new Error('message is empty');
    const subject = (isKey ? this.subjects.key : this.subjects.value).get(topic);
    const cached = subject === undefined ? undefined : this.latest.get(subject);
    if (cached && cached.expiresAt > Date.now()) return this.serializeWith(cached.plan, topic, value, key);
    return this.latestPlan(topic, isKey).then((plan) => this.serializeWith(plan, topic, value, key));
  }

  /** Decodes a record in the wire format, decrypting fields when this principal holds the key. */
  deserialize(topic: string, bytes: Buffer, isKey = false): unknown {
    if (bytes.length === 0) return null;
    if (bytes[0] !== 0) {
      // Magic byte 1 (schema GUIDs) is the client's business; anything else is not the format.
      if (bytes[0] === 1) return FALLBACK;
      throw new SerializationError(`unknown magic byte ${bytes[0]}: not the Confluent wire format (magic byte 0, 4-byte schema id, payload)`);
    }
    if (bytes.length < HEADER_SIZE) throw new SerializationError(`record of ${bytes.length} bytes is too short for the wire format header (5 bytes)`);
    const id = bytes.readInt32BE(1);
    const subject = (isKey ? this.subjects.key : this.subjects.value).get(topic);
    const plan = subject === undefined ? undefined : this.readPlans.get(subject)?.get(id);
    if (plan) return this.deserializeWith(plan, topic, bytes);
    return this.idPlan(topic, isKey, id).then((loaded) => this.deserializeWith(loaded, topic, bytes));
  }

  async close(): Promise<void> {
    await this.dekKeys.close();
  }

  private serializeWith(plan: SchemaPlan, topic: string, value: unknown, key: Buffer | null): Buffer | Fallback | Promise<Buffer | Fallback> {
    if (plan.kind === 'fallback') return FALLBACK;
    const run: Run = { plan, topic, mode: RuleMode.WRITE, key };
    const result = this.runSteps(run, 0, value);
    if (result instanceof Promise) return result.then((msg) => this.encode(plan, msg));
    return this.encode(plan, result);
  }

  private deserializeWith(plan: SchemaPlan, topic: string, bytes: Buffer): unknown {
    if (plan.kind === 'fallback') return FALLBACK;
    const msg = plan.type.fromBuffer(bytes.subarray(HEADER_SIZE));
    const run: Run = { plan, topic, mode: RuleMode.READ, key: null };
    const result = this.runSteps(run, 0, msg);
    if (result instanceof Promise) return result.then((out) => (out === RESTART ? this.deserializeWith(plan, topic, bytes) : out));
    return result;
  }

  private encode(plan: FastPlan, msg: unknown): Buffer {
    const type = plan.type;
    if (!type.isValid(msg)) {
      type.isValid(msg, {
        errorHook: (path: string[], any: unknown, expected: avro.Type) => {
          throw new SerializationError(`Invalid message at ${path.join('.')}, expected ${String(expected)}, got ${safeStringify(any)}`);
        },
      });
      throw new SerializationError(`Invalid message for schema ${plan.id}`);
    }
    let end = type.encode(msg, this.scratch, HEADER_SIZE);
    while (end < 0) {
      this.scratch = Buffer.allocUnsafe(Math.max(this.scratch.length * 2, HEADER_SIZE - end));
      end = type.encode(msg, this.scratch, HEADER_SIZE);
    }
    this.scratch[0] = 0;
    this.scratch.writeInt32BE(plan.id, 1);
    const out = Buffer.allocUnsafe(end);
    out.set(this.scratch.subarray(0, end));
    return out;
  }

  /**
   * Runs the plan's rules from step `from`, synchronously while nothing needs I/O: a DEK load
   * or a DLQ write continues in a promise.
   */
  private runSteps(run: Run, from: number, msg: unknown): unknown {
    const steps = run.plan.steps;
    for (let i = from; i < steps.length; i++) {
      const step = steps[i]!;
      if (step.kind === 'condition') {
        let failure: Error | null = null;
        try {
          if (step.condition(msg) === false) failure = new RuleConditionError(step.rule);
        } catch (error) {
          failure = error as Error;
        }
        if (failure) {
          const refused = this.fail(run, step, msg, failure);
          if (refused) return refused;
        }
        continue;
      }
      // ENCRYPT: on write, work on a copy (the caller's value is never changed); on read, the
      // freshly decoded record is ours and changes in place, as in the client.
      const working = run.mode === RuleMode.WRITE ? copyContainer(msg) : msg;
      this.mutated = false;
      try {
        msg = step.walker.apply(working, this.leaf(run.mode, step), run.mode === RuleMode.WRITE);
      } catch (error) {
        if (error instanceof NeedDek) {
          const before = msg;
          const restart = this.mutated;
          return this.dekKeys.load(step.scope, run.mode, error.version).then(
            () => (restart ? RESTART : this.runSteps(run, i, before)),
            (loadError: Error) => this.fail(run, step, before, loadError) ?? this.runSteps(run, i + 1, before),
          );
        }
        if (run.mode === RuleMode.WRITE) msg = working;
        const refused = this.fail(run, step, msg, error as Error);
        if (refused) return refused;
      }
    }
    return msg;
  }

  /**
   * The rule's onFailure action: NONE carries on (returns undefined), ERROR throws the client's
   * SerializationError, DLQ writes the record and rejects with RecordSentToDlq.
   */
  private fail(run: Run, step: RuleStep, msg: unknown, error: Error): Promise<never> | undefined {
    switch (step.onFailure) {
      case 'NONE':
        return undefined;
      case 'ERROR':
        throw new SerializationError(`rule ${step.rule.name} failed: ${error.message}`);
      case 'DLQ': {
        const info = run.plan.info;
        const params = step.rule.params ?? {};
        const properties = info.metadata?.properties ?? {};
        return this.dlq
          .send({
            rule: step.rule,
            rules: step.rules,
            index: step.index,
            ruleMode: run.mode,
            subject: run.plan.subject,
            topic: run.topic,
            target: info,
            param: (name) => params[name] ?? properties[name] ?? null,
            tagsOf: metadataTags(info),
            message: msg,
            error,
            key: run.key,
          })
          .then((refusal: RecordSentToDlq) => {
            throw refusal;
          });
      }
    }
  }

  private leaf(mode: RuleMode, step: RuleStep & { kind: 'encrypt' }): LeafTransform {
    let leaf = this.leaves.get(step);
    if (!leaf) {
      leaf = mode === RuleMode.WRITE ? this.encryptLeaf(step) : this.decryptLeaf(step);
      this.leaves.set(step, leaf);
    }
    return leaf;
  }

  /** The field transform of an ENCRYPT step on write: the client's FieldEncryptionExecutor. */
  private encryptLeaf(step: RuleStep & { kind: 'encrypt' }): LeafTransform {
    const dekKeys = this.dekKeys;
    const version = step.rotated ? -1 : 1;
    return (fieldType, value) => {
      // Type check first, key second, as the client does (an int field fails even without a key).
      if (fieldType !== FieldType.STRING && fieldType !== FieldType.BYTES) throw new RuleError(`type ${fieldType} not supported for encryption`);
      const dek = dekKeys.peek(step.scope, version);
      if (!dek) throw new NeedDek(step, step.rotated ? -1 : null);
      let ciphertext: Buffer;
      if (fieldType === FieldType.STRING) {
        ciphertext = typeof value === 'string' ? dek.aes.encryptString(value) : dek.aes.encrypt(Buffer.from(value as string));
      } else {
        ciphertext = dek.aes.encrypt(value instanceof Uint8Array ? value : new Uint8Array(value as ArrayLike<number>));
      }
      if (step.rotated) ciphertext = prefixVersion(dek, ciphertext);
      return fieldType === FieldType.STRING ? ciphertext.toString('base64') : ciphertext;
    };
  }

  /** The field transform of an ENCRYPT step on read; changes the decoded record in place. */
  private decryptLeaf(step: RuleStep & { kind: 'encrypt' }): LeafTransform {
    const dekKeys = this.dekKeys;
    return (fieldType, value) => {
      let ciphertext: Buffer;
      if (fieldType === FieldType.STRING) ciphertext = Buffer.from(value as string, 'base64');
      else if (fieldType === FieldType.BYTES) ciphertext = value as Buffer;
      else return value;
      let version = 1;
      if (step.rotated) {
        if (ciphertext[0] !== 0) throw new RuleError(`Message encoded with magic byte ${ciphertext[0]}, expected 0`);
        version = ciphertext.readInt32BE(1);
        ciphertext = ciphertext.subarray(HEADER_SIZE);
      }
      const dek = dekKeys.peek(step.scope, version);
      if (!dek) throw new NeedDek(step, step.rotated ? version : null);
      const plaintext = dek.aes.decrypt(ciphertext);
      this.mutated = true;
      return fieldType === FieldType.STRING ? plaintext.toString() : plaintext;
    };
  }

  private async subject(topic: string, isKey: boolean): Promise<string> {
    const subjects = isKey ? this.subjects.key : this.subjects.value;
    let subject = subjects.get(topic);
    if (subject === undefined) {
      subject = await this.subjectStrategy(topic, isKey ? SerdeType.KEY : SerdeType.VALUE);
      subjects.set(topic, subject);
    }
    return subject;
  }

  /** The plan of the subject's latest version, fetched at most once per TTL (and once at a time). */
  private async latestPlan(topic: string, isKey: boolean): Promise<SchemaPlan> {
    const subject = await this.subject(topic, isKey);
    const cached = this.latest.get(subject);
    if (cached && cached.expiresAt > Date.now()) return cached.plan;
    let loading = this.latestLoading.get(subject);
    if (!loading) {
      loading = (async () => {
        try {
          const info = await this.client.getLatestSchemaMetadata(subject);
          const id = info.id ?? -1;
          const key = `${subject}\u0000${id}`;
          const plan = this.writePlans.get(key) ?? this.compile(topic, subject, isKey, id, info, RuleMode.WRITE);
          this.writePlans.set(key, plan);
          this.latest.set(subject, { expiresAt: Date.now() + this.latestTtlMs, plan });
          return plan;
        } finally {
          this.latestLoading.delete(subject);
        }
      })();
      this.latestLoading.set(subject, loading);
    }
    return loading;
  }

  private async idPlan(topic: string, isKey: boolean, id: number): Promise<SchemaPlan> {
    const subject = await this.subject(topic, isKey);
    let plans = this.readPlans.get(subject);
    if (!plans) {
      plans = new Map();
      this.readPlans.set(subject, plans);
    }
    let plan = plans.get(id);
    if (!plan) {
      const info = await this.client.getBySubjectAndId(subject, id);
      plan = this.compile(topic, subject, isKey, id, info, RuleMode.READ);
      plans.set(id, plan);
    }
    return plan;
  }

  private compile(topic: string, subject: string, isKey: boolean, id: number, info: Parameters<typeof compilePlan>[0]['info'], mode: RuleMode.WRITE | RuleMode.READ): SchemaPlan {
    const plan = compilePlan({ id, info, subject, topic, isKey, mode, encryptDisabled: mode === RuleMode.READ && !this.options.decrypts, dekKeys: this.dekKeys });
    if (plan.kind === 'fast' && plan.type.typeName === 'bytes') return { kind: 'fallback', id, reason: 'bytes schema (payload written as is)' };
    return plan;
  }
}

function prefixVersion(dek: DekKey, ciphertext: Buffer): Buffer {
  const out = Buffer.allocUnsafe(HEADER_SIZE + ciphertext.length);
  out[0] = 0;
  out.writeInt32BE(dek.version, 1);
  out.set(ciphertext, HEADER_SIZE);
  return out;
}

function safeStringify(value: unknown): string {
  try {
    return JSON.stringify(value, (_k, v: unknown) => (typeof v === 'bigint' ? v.toString() : v)) ?? String(value);
  } catch {
    return String(value);
  }
}
