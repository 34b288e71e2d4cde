/**
 * Which of a schema's rules run, in which order and with which actions, for one direction
 * (WRITE or READ), decided once per schema the way the client's executeRulesWithPhase decides it
 * per record; and whether the fast path covers all of it. Anything it does not cover makes the
 * plan a fallback, and the caller uses the Confluent client for that schema, so behaviour never
 * depends on which path ran.
 *
 * Covered: Avro schemas without references; domain rules CEL (CONDITION, WRITE) and ENCRYPT
 * (field TRANSFORM, AES-GCM DEKs); actions NONE, ERROR and DLQ (WRITE only); `enableAt`,
 * `disabled` and the ENCRYPT-disabled override of principals without a key.
 * Not covered (fallback): other schema types, references, encoding and migration rules, CEL
 * transforms, CEL_FIELD, JSONata, deterministic AES-SIV encryption, wrapped unions, rules with
 * odd kinds or actions, and rules running on READ other than decryption.
 */
import avro from 'avsc';
import { RuleMode, type Rule, type SchemaInfo } from '@confluentinc/schemaregistry';
import { compileCelCondition, type CelCondition } from './cel-condition.ts';
import { DekFormat, type DekKeys, type DekScope } from './dek-keys.ts';
import { fieldTags } from './field-tags.ts';
import { FieldWalker, UnsupportedSchemaError } from './field-walker.ts';

export type RuleAction = 'NONE' | 'ERROR' | 'DLQ';

interface StepBase {
  rule: Rule;
  /** Index in `rules`, the rules in run order (reversed on READ, as the client does). */
  index: number;
  rules: Rule[];
  onFailure: RuleAction;
}

export type RuleStep = (StepBase & { kind: 'condition'; condition: CelCondition }) | (StepBase & { kind: 'encrypt'; walker: FieldWalker; rotated: boolean; scope: DekScope });

export type SchemaPlan =
  | { kind: 'fast'; id: number; subject: string; info: SchemaInfo; type: avro.Type; steps: RuleStep[] }
  | { kind: 'fallback'; id: number; reason: string };

export interface PlanRequest {
  id: number;
  info: SchemaInfo;
  subject: string;
  topic: string;
  isKey: boolean;
  mode: RuleMode.WRITE | RuleMode.READ;
  /** The principal's override: ENCRYPT disabled (reading without the key). */
  encryptDisabled: boolean;
  dekKeys: DekKeys;
}

class NotCovered extends Error {}

export function compilePlan(request: PlanRequest): SchemaPlan {
  try {
    return compile(request);
  } catch (error) {
    if (error instanceof NotCovered || error instanceof UnsupportedSchemaError) return { kind: 'fallback', id: request.id, reason: error.message };
    // Anything else (a schema avsc rejects, a misconfigured rule): the client reports it its way.
    return { kind: 'fallback', id: request.id, reason: (error as Error).message };
  }
}

function compile(request: PlanRequest): SchemaPlan {
  const { info, mode } = request;
  if ((info.schemaType ?? 'AVRO') !== 'AVRO') throw new NotCovered(`schema type ${info.schemaType}`);
  if ((info.references ?? []).length > 0) throw new NotCovered('schema references');
  if ((info.ruleSet?.encodingRules ?? []).length > 0) throw new NotCovered('encoding rules');
  if ((info.ruleSet?.migrationRules ?? []).length > 0) throw new NotCovered('migration rules');
  const type = avro.Type.forSchema(JSON.parse(info.schema) as avro.Schema);
  const declared = info.ruleSet?.domainRules ?? [];
  const rules = mode === RuleMode.READ ? [...declared].reverse() : declared;
  const enabledEnv = info.ruleSet?.enableAt ?? 'ALL';
  const tagsOf = fieldTags(info);
  const steps: RuleStep[] = [];
  rules.forEach((rule, index) => {
    if (rule.type === 'ENCRYPT' && request.encryptDisabled) return;
    if (enabledEnv !== 'ALL' && enabledEnv !== 'CLIENT') return;
    if (rule.disabled) return;
    if (!runsIn(rule, mode)) return;
    const onSuccess = actionFor(rule, mode, rule.onSuccess, 'NONE');
    if (onSuccess !== 'NONE') throw new NotCovered(`rule '${rule.name}' has onSuccess ${onSuccess}`);
    const onFailure = actionFor(rule, mode, rule.onFailure, 'ERROR');
    if (onFailure === 'DLQ' && mode === RuleMode.READ) throw new NotCovered(`rule '${rule.name}' has a DLQ action on read`);
    const base = { rule, index, rules, onFailure };
    if (rule.type === 'CEL' && rule.kind === 'CONDITION' && mode === RuleMode.WRITE) {
      steps.push({ ...base, kind: 'condition', condition: compileCelCondition(rule.expr, true) });
    } else if (rule.type === 'ENCRYPT' && rule.kind === 'TRANSFORM') {
      const scope: DekScope = { lookups: new Map(), loading: new Map(), rule, rules, index, subject: request.subject, topic: request.topic, isKey: request.isKey, target: info };
      const { algorithm, rotated } = request.dekKeys.describe(scope, mode);
      if (algorithm !== DekFormat.AES256_GCM && algorithm !== DekFormat.AES128_GCM) throw new NotCovered(`rule '${rule.name}' uses DEK algorithm ${String(algorithm)}`);
      const ruleTags = rule.tags ?? [];
      const walker = FieldWalker.compile(type, (fullName) => ruleTags.length === 0 || ruleTags.some((tag) => tagsOf(fullName).has(tag)));
      steps.push({ ...base, kind: 'encrypt', walker, rotated, scope });
    } else {
      throw new NotCovered(`rule '${rule.name}' (${rule.type} ${rule.kind ?? ''}) on ${mode}`);
    }
  });
  return { kind: 'fast', id: request.id, subject: request.subject, info, type, steps };
}

function runsIn(rule: Rule, mode: RuleMode): boolean {
  switch (rule.mode) {
    case RuleMode.WRITEREAD:
      return mode === RuleMode.WRITE || mode === RuleMode.READ;
    case RuleMode.UPDOWN:
      return false;
    default:
      return rule.mode === mode;
  }
}

/** The client's getRuleActionName: `A,B` splits into write/read actions for WRITEREAD rules. */
function actionFor(rule: Rule, mode: RuleMode, configured: string | undefined, fallback: RuleAction): RuleAction {
  let name = configured;
  if (name && (rule.mode === RuleMode.WRITEREAD || rule.mode === RuleMode.UPDOWN) && name.includes(',')) {
    name = name.split(',')[mode === RuleMode.WRITE ? 0 : 1];
  }
  if (name === undefined || name === null || name === '') return fallback;
  if (name === 'NONE' || name === 'ERROR' || name === 'DLQ') return name;
  throw new NotCovered(`rule '${rule.name}' has action ${name}`);
}
