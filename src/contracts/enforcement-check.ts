/**
 * The platform-side check of one record against its topic's contract.
 *
 * A record on an enforced topic must
 *   1. be in the Confluent wire format (magic byte 0, 4-byte big-endian schema id, payload),
 *   2. name a schema id registered (and not deleted) under the subject `<topic>-value`,
 *   3. decode with that schema, and
 *   4. pass the subject's CONDITION rules in WRITE mode (WRITE and WRITEREAD rules), whose
 *      onFailure actions run here too: a DLQ rule writes the record to its DLQ topic.
 *
 * How the rules run: Confluent's Deserializer already knows how to fetch the writer schema by
 * id, decode every format and run rules with the right executors (CEL, CEL_FIELD, JSONata) and
 * field walkers; it just runs them in READ mode. Each subclass below overrides `executeRules`
 * (the deserializer's last step, called once with the decoded message) to run the writer's
 * rules in WRITE mode instead, restricted to CONDITION rules: transforms never run on the
 * platform, because the stored bytes are the producer's bytes, unchanged. ENCRYPT rules are
 * disabled (the platform neither decrypts nor re-encrypts) but kept, moved after the
 * conditions, so that our DLQ action redacts the fields they cover: the platform cannot tell
 * ciphertext from plaintext sent by a producer that skipped the serializer, so no PII field
 * ever reaches a DLQ from here in clear.
 *
 * Limitation: payload-level encryption (encodingRules, ENCRYPT_PAYLOAD) cannot be checked
 * without the key, so such records fail at step 3.
 */
import {
  AvroDeserializer,
  CelExecutor,
  CelFieldExecutor,
  JsonDeserializer,
  JsonataExecutor,
  ProtobufDeserializer,
  RestError,
  RuleMode,
  RuleRegistry,
  SchemaRegistryClient,
  SerdeType,
  SerializationError,
  SubjectNameStrategyType,
  type Deserializer,
  type Rule,
  type RuleContext,
  type SchemaInfo,
} from '@confluentinc/schemaregistry';
import { ShiftleftError } from '../common/errors.ts';
import type { LogClient, RecordHeader } from '../log/log-client.ts';
import { DlqAction, produceContext, RecordSentToDlq } from './dlq-action.ts';
import { apiKeyHeaders, confluentClientAuth } from '../server/auth/client-credentials.ts';

/** Rule types whose fields the DLQ copy must redact (see the module comment). */
const ENCRYPTION_RULE_TYPES = new Set(['ENCRYPT', 'ENCRYPT_PAYLOAD']);

/** The writer's rules as the platform runs them: its CONDITIONs in order, then (disabled) ENCRYPTs. */
function platformRuleSet(target: SchemaInfo): SchemaInfo {
  const rules: Rule[] = target.ruleSet?.domainRules ?? [];
  const conditions = rules.filter((rule) => rule.kind === 'CONDITION');
  const encryptions = rules.filter((rule) => ENCRYPTION_RULE_TYPES.has(rule.type ?? ''));
  return { ...target, ruleSet: { domainRules: [...conditions, ...encryptions] } };
}

/**
 * The deserializer's final READ-mode run becomes the platform's WRITE-mode run of the
 * conditions; any other run (encoding phase, migrations) is left as it is.
 */
function platformRun(ruleMode: RuleMode, target: SchemaInfo | null): [RuleMode, SchemaInfo | null] {
  return ruleMode === RuleMode.READ && target ? [RuleMode.WRITE, platformRuleSet(target)] : [ruleMode, target];
}

type InlineTags = Map<string, Set<string>> | null;

/**
 * The client fails a CONDITION only when it returns exactly `false`; an evaluation error comes
 * back as a value and would let the record pass. On the platform a condition that does not
 * evaluate to a boolean fails the rule (and so takes its onFailure action): fail closed.
 */
function strictCondition(ctx: RuleContext, result: unknown): unknown {
  if (ctx.rule.kind === 'CONDITION' && typeof result !== 'boolean') {
    throw new Error(`condition '${ctx.rule.name}' did not evaluate to a boolean: ${result instanceof Error ? result.message : String(result)}`);
  }
  return result;
}

class StrictCelExecutor extends CelExecutor {
  override async transform(ctx: RuleContext, msg: unknown): Promise<unknown> {
    return strictCondition(ctx, await super.transform(ctx, msg));
  }
}

class StrictJsonataExecutor extends JsonataExecutor {
  override async transform(ctx: RuleContext, msg: unknown): Promise<unknown> {
    return strictCondition(ctx, await super.transform(ctx, msg));
  }
}

class AvroConditionChecker extends AvroDeserializer {
  override executeRules(subject: string, topic: string, ruleMode: RuleMode, source: SchemaInfo | null, target: SchemaInfo | null, msg: unknown, tags: InlineTags): Promise<unknown> {
    const [mode, rules] = platformRun(ruleMode, target);
    // avsc decodes records into class instances, which CEL refuses as input ("Unsupported
    // input"); serializers see plain objects, so conditions get a plain copy, as on write.
    return super.executeRules(subject, topic, mode, source, rules, structuredClone(msg), tags);
  }
}

class JsonConditionChecker extends JsonDeserializer {
  override executeRules(subject: string, topic: string, ruleMode: RuleMode, source: SchemaInfo | null, target: SchemaInfo | null, msg: unknown, tags: InlineTags): Promise<unknown> {
    const [mode, rules] = platformRun(ruleMode, target);
    return super.executeRules(subject, topic, mode, source, rules, msg, tags);
  }
}

class ProtobufConditionChecker extends ProtobufDeserializer {
  override executeRules(subject: string, topic: string, ruleMode: RuleMode, source: SchemaInfo | null, target: SchemaInfo | null, msg: unknown, tags: InlineTags): Promise<unknown> {
    const [mode, rules] = platformRun(ruleMode, target);
    return super.executeRules(subject, topic, mode, source, rules, msg, tags);
  }
}

export type CheckVerdict = { ok: true } | { ok: false; reason: string; rule?: string; dlqTopic?: string };

export interface ContractCheckerOptions {
  registryUrl: string;
  /** Where DLQ records go: the raw log, never an enforcing one. */
  log: LogClient;
  /** How long "schema id N is registered under subject S" is believed (default 5 s). */
  cacheTtlMs?: number;
}

const RULE_FAILURE = /^rule (\S+) failed: /;

export class ContractChecker {
  private readonly client: SchemaRegistryClient;
  private readonly checkers: Record<'AVRO' | 'JSON' | 'PROTOBUF', Deserializer>;
  private readonly subjectsById = new Map<number, { subjects: Set<string>; schemaType: string; until: number }>();

  constructor(private readonly options: ContractCheckerOptions) {
    this.client = new SchemaRegistryClient({ baseURLs: [options.registryUrl], cacheLatestTtlSecs: 5, ...confluentClientAuth() });
    const rules = new RuleRegistry();
    rules.registerExecutor(new StrictCelExecutor());
    rules.registerExecutor(new CelFieldExecutor());
    rules.registerExecutor(new StrictJsonataExecutor());
    rules.registerAction(new DlqAction(options.log));
    for (const type of ENCRYPTION_RULE_TYPES) rules.registerOverride({ type, disabled: true });
    // The subject is `<topic>-value` by definition of enforcement, whatever associations say.
    const config = { subjectNameStrategyType: SubjectNameStrategyType.TOPIC };
    this.checkers = {
      AVRO: new AvroConditionChecker(this.client, SerdeType.VALUE, config, rules),
      JSON: new JsonConditionChecker(this.client, SerdeType.VALUE, config, rules),
      PROTOBUF: new ProtobufConditionChecker(this.client, SerdeType.VALUE, config, rules),
    };
  }

  /** Checks one record's value; throws only when the registry cannot answer (not the record's fault). */
  async check(topic: string, value: Buffer | null, key: Buffer | null, headers: RecordHeader[]): Promise<CheckVerdict> {
    // Tombstones carry no data: compacted topics need them, and serializers write them as null.
    if (value === null) return { ok: true };
    const subject = `${topic}-value`;
    if (value.length < 5 || value[0] !== 0) {
      const first = value.length === 0 ? 'an empty value' : `first byte 0x${value[0]!.toString(16).padStart(2, '0')}`;
      return { ok: false, reason: `not in the Confluent wire format (${first}, expected magic byte 0 and a 4-byte schema id): produce it with a serializer for subject '${subject}'` };
    }
    const id = value.readInt32BE(1);
    const registered = await this.registration(id);
    if (!registered || !registered.subjects.has(subject)) {
      return {
        ok: false,
        reason: registered
          ? `schema id ${id} is not registered under subject '${subject}' (it belongs to ${[...registered.subjects].join(', ') || 'no live subject'})`
          : `schema id ${id} is unknown to the schema registry`,
      };
    }
    const checker = this.checkers[registered.schemaType as 'AVRO' | 'JSON' | 'PROTOBUF'];
    if (!checker) return { ok: false, reason: `schema id ${id} has unsupported type ${registered.schemaType}` };
    try {
      await produceContext.run({ key, headers, dlqWrites: [] }, () => checker.deserialize(topic, value));
      return { ok: true };
    } catch (error) {
      if (error instanceof RecordSentToDlq) return { ok: false, reason: error.message, rule: error.ruleName, dlqTopic: error.dlqTopic };
      if (error instanceof SerializationError && RULE_FAILURE.test(error.message)) {
        return { ok: false, reason: error.message, rule: RULE_FAILURE.exec(error.message)![1]! };
      }
      if (error instanceof RestError) throw registryFailure(this.options.registryUrl, error);
      return { ok: false, reason: `payload does not decode with schema id ${id} (${registered.schemaType}): ${(error as Error).message}` };
    }
  }

  /** The live subjects a schema id is registered under, from `GET /schemas/ids/{id}/versions`, cached briefly. */
  private async registration(id: number): Promise<{ subjects: Set<string>; schemaType: string } | undefined> {
    const cached = this.subjectsById.get(id);
    if (cached && cached.until > Date.now()) return cached;
    const url = this.options.registryUrl;
    let versions: Response;
    let schema: Response;
    try {
      [versions, schema] = await Promise.all([fetch(`${url}/schemas/ids/${id}/versions`, { headers: apiKeyHeaders() }), fetch(`${url}/schemas/ids/${id}`, { headers: apiKeyHeaders() })]);
    } catch (error) {
      throw registryFailure(url, error as Error);
    }
    if (versions.status === 404 || schema.status === 404) {
      await Promise.all([versions.body?.cancel(), schema.body?.cancel()]);
      return undefined;
    }
    if (!versions.ok || !schema.ok) throw registryFailure(url, new Error(`HTTP ${versions.ok ? schema.status : versions.status}`));
    const list = (await versions.json()) as { subject: string }[];
    const info = (await schema.json()) as { schemaType?: string };
    const entry = { subjects: new Set(list.map((v) => v.subject)), schemaType: info.schemaType ?? 'AVRO', until: Date.now() + (this.options.cacheTtlMs ?? 5000) };
    this.subjectsById.set(id, entry);
    return entry;
  }

  close(): void {
    for (const checker of Object.values(this.checkers)) checker.close();
  }
}

function registryFailure(url: string, error: Error): ShiftleftError {
  return new ShiftleftError('BROKER_UNAVAILABLE', `cannot check records against their contract: the schema registry at ${url} failed: ${error.message}`, {
    hint: 'records of contract-enforced topics are accepted only once the registry can vouch for them; check that it is running',
    cause: error,
  });
}
