/**
 * Validates a data contract's rule set at registration, so a broken rule is refused by the
 * registry instead of failing later in every producer. Mirrors what Confluent's server checks
 * (name syntax and uniqueness, kind, mode per rule list, actions) and also compiles CEL and
 * JSONata expressions, the way the client executors will, so syntax errors surface now.
 */
import { celEnv, parse, plan } from '@bufbuild/cel';
import { STRINGS_EXT_FUNCS } from '@bufbuild/cel/ext/strings';
import jsonata from 'jsonata';
import { ShiftleftError } from '../../common/errors.ts';
import type { Rule, RuleSet } from '../types.ts';

const RULE_NAME = /^[A-Za-z_][A-Za-z0-9_]*$/;
const KINDS = ['CONDITION', 'TRANSFORM'];
const DOMAIN_MODES = ['WRITE', 'READ', 'WRITEREAD'];
const MIGRATION_MODES = ['UPGRADE', 'DOWNGRADE', 'UPDOWN'];
/** Modes that run in two directions, whose actions may be a pair "onWrite,onRead". */
const TWO_WAY_MODES = ['WRITEREAD', 'UPDOWN'];
const ACTIONS = ['NONE', 'ERROR', 'DLQ'];
/** The rule executors Confluent's clients ship; an unknown type would fail in every client. */
export const RULE_TYPES = ['CEL', 'CEL_FIELD', 'JSONATA', 'ENCRYPT', 'ENCRYPT_PAYLOAD'];

const RULE_LISTS = [
  { field: 'domainRules', modes: DOMAIN_MODES },
  { field: 'migrationRules', modes: MIGRATION_MODES },
  { field: 'encodingRules', modes: DOMAIN_MODES },
] as const;

// The same environment as the client's CEL executor (standard library plus string extensions).
const celEnvironment = celEnv({ funcs: STRINGS_EXT_FUNCS });

function invalid(message: string, rule?: Rule): never {
  throw new ShiftleftError('INVALID_RULE_SET', rule ? `Invalid rule '${rule.name}': ${message}` : `Invalid rule set: ${message}`, {
    details: rule ? { rule: rule.name } : {},
  });
}

/** Throws INVALID_RULE_SET naming the rule and the problem; returns the rule set unchanged. */
export function validateRuleSet(ruleSet: unknown): RuleSet | undefined {
  if (ruleSet === undefined || ruleSet === null) return undefined;
  if (typeof ruleSet !== 'object' || Array.isArray(ruleSet)) invalid('ruleSet must be an object');
  const names = new Set<string>();
  for (const { field, modes } of RULE_LISTS) {
    const rules = (ruleSet as Record<string, unknown>)[field];
    if (rules === undefined || rules === null) continue;
    if (!Array.isArray(rules)) invalid(`${field} must be an array`);
    for (const rule of rules) {
      validateRule(rule, modes);
      if (names.has((rule as Rule).name)) invalid(`duplicate rule name '${(rule as Rule).name}'`);
      names.add((rule as Rule).name);
    }
  }
  return ruleSet as RuleSet;
}

function validateRule(candidate: unknown, modes: readonly string[]): void {
  if (typeof candidate !== 'object' || candidate === null || Array.isArray(candidate)) invalid('each rule must be an object');
  const rule = candidate as Rule;
  if (typeof rule.name !== 'string' || !RULE_NAME.test(rule.name)) {
    invalid(`rule name '${String(rule.name)}' must match [A-Za-z_][A-Za-z0-9_]*`);
  }
  const kind = rule.kind ?? 'TRANSFORM';
  if (!KINDS.includes(kind)) invalid(`unknown kind '${kind}', expected one of ${KINDS.join(', ')}`, rule);
  if (typeof rule.mode !== 'string' || !modes.includes(rule.mode)) {
    invalid(`${rule.mode === undefined ? 'missing mode' : `unknown mode '${String(rule.mode)}'`}, expected one of ${modes.join(', ')}`, rule);
  }
  if (typeof rule.type !== 'string' || rule.type.length === 0) invalid('missing type', rule);
  // Clients look executors up by the exact type name, so 'cel' would never run: be exact too.
  if (!RULE_TYPES.includes(rule.type)) invalid(`unknown type '${rule.type}', expected one of ${RULE_TYPES.join(', ')}`, rule);
  if (rule.disabled !== undefined && typeof rule.disabled !== 'boolean') invalid('disabled must be true or false', rule);
  if (rule.doc !== undefined && typeof rule.doc !== 'string') invalid('doc must be a string', rule);
  validateAction(rule, 'onSuccess', rule.onSuccess);
  validateAction(rule, 'onFailure', rule.onFailure);
  if (rule.tags !== undefined && (!Array.isArray(rule.tags) || rule.tags.some((tag) => typeof tag !== 'string'))) {
    invalid('tags must be an array of strings', rule);
  }
  if (rule.params !== undefined && (typeof rule.params !== 'object' || rule.params === null || Object.values(rule.params).some((v) => typeof v !== 'string'))) {
    invalid('params must be an object of string values', rule);
  }
  if (rule.expr !== undefined && typeof rule.expr !== 'string') invalid('expr must be a string', rule);
  validateExpression(rule);
}

function validateAction(rule: Rule, field: 'onSuccess' | 'onFailure', action: unknown): void {
  if (action === undefined || action === null) return;
  if (typeof action !== 'string') invalid(`${field} must be a string`, rule);
  const parts = action.split(',').map((part) => part.trim());
  if (parts.length > 2) invalid(`${field} '${action}' has more than two actions`, rule);
  if (parts.length === 2 && !TWO_WAY_MODES.includes(rule.mode ?? '')) {
    invalid(`${field} '${action}' is a pair of actions, allowed only for modes ${TWO_WAY_MODES.join(' and ')}`, rule);
  }
  for (const part of parts) {
    if (!ACTIONS.includes(part)) invalid(`unknown ${field} action '${part}', expected one of ${ACTIONS.join(', ')}`, rule);
  }
}

function validateExpression(rule: Rule): void {
  const type = rule.type;
  if (rule.expr === undefined) {
    if (type === 'CEL' || type === 'CEL_FIELD' || type === 'JSONATA') invalid(`a ${type} rule needs an expr`, rule);
    return;
  }
  if (type === 'CEL' || type === 'CEL_FIELD') {
    // "guard ; expr": the executor compiles the two halves separately.
    const index = rule.expr.indexOf(';');
    const parts = index >= 0 ? [rule.expr.slice(0, index), rule.expr.slice(index + 1)] : [rule.expr];
    // An empty guard means "no guard"; the expression itself must be there.
    const toCompile = parts.length === 2 && parts[0]!.trim().length === 0 ? [parts[1]!] : parts;
    for (const part of toCompile) {
      try {
        plan(celEnvironment, parse(part));
      } catch (error) {
        invalid(`invalid CEL expression '${part.trim()}': ${(error as Error).message}`, rule);
      }
    }
  } else if (type === 'JSONATA') {
    try {
      jsonata(rule.expr);
    } catch (error) {
      invalid(`invalid JSONata expression: ${(error as Error).message}`, rule);
    }
  }
}
