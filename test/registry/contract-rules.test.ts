/**
 * The pure parts of data contracts: how metadata and rule sets merge (Confluent's
 * default < own < override), and which rule definitions registration accepts.
 */
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { effectiveContract, mergeMetadata, mergeRuleSets } from '../../src/registry/rules/contract-inheritance.ts';
import { validateRuleSet } from '../../src/registry/rules/rule-set-validation.ts';
import { isShiftleftError } from '../../src/common/errors.ts';
import type { Rule } from '../../src/registry/types.ts';

const rule = (name: string, extra: Partial<Rule> = {}): Rule => ({ name, kind: 'CONDITION', type: 'CEL', mode: 'WRITE', expr: 'true', ...extra });

describe('contract inheritance', () => {
  test('later rule sets replace same-named rules and come after the rest', () => {
    const merged = mergeRuleSets(
      { domainRules: [rule('a'), rule('b')] },
      { domainRules: [rule('b', { expr: '1 == 1' }), rule('c')], migrationRules: [rule('m', { mode: 'UPGRADE' })] },
    );
    assert.deepEqual(merged?.domainRules?.map((r) => r.name), ['a', 'b', 'c']);
    assert.equal(merged?.domainRules?.[1]?.expr, '1 == 1');
    assert.deepEqual(merged?.migrationRules?.map((r) => r.name), ['m']);
    assert.equal(mergeRuleSets(undefined, undefined), undefined);
  });

  test('metadata merges tags and properties by key and unions sensitive names', () => {
    const merged = mergeMetadata(
      { tags: { 'Sale.cc_number': ['PII'] }, properties: { owner: 'a', tier: 'gold' }, sensitive: ['x'] },
      { properties: { owner: 'b' }, sensitive: ['x', 'y'] },
    );
    assert.deepEqual(merged, { tags: { 'Sale.cc_number': ['PII'] }, properties: { owner: 'b', tier: 'gold' }, sensitive: ['x', 'y'] });
  });

  test('a version without its own contract inherits the previous one, inside the config layers', () => {
    const previous = { metadata: { properties: { owner: 'team' } }, ruleSet: { domainRules: [rule('old')] } };
    const config = { defaultMetadata: { properties: { owner: 'nobody', dept: 'x' } }, overrideRuleSet: { domainRules: [rule('forced')] } };
    const inherited = effectiveContract({ metadata: undefined, ruleSet: undefined }, previous, config);
    assert.deepEqual(inherited.metadata, { properties: { owner: 'team', dept: 'x' } });
    assert.deepEqual(inherited.ruleSet?.domainRules?.map((r) => r.name), ['old', 'forced']);
    // An explicit (even empty) rule set replaces the previous one.
    const cleared = effectiveContract({ metadata: undefined, ruleSet: {} }, previous, {});
    assert.deepEqual(cleared.ruleSet, {});
  });
});

describe('rule set validation', () => {
  test('accepts what Confluent clients run', () => {
    assert.doesNotThrow(() =>
      validateRuleSet({
        domainRules: [
          rule('guarded', { expr: "has(message.code) ; message.code.matches('^[A-Z]+$')" }),
          rule('fieldCheck', { type: 'CEL_FIELD', kind: 'TRANSFORM', expr: "name == 'code' ; value + '!'" }),
          rule('encrypt', { type: 'ENCRYPT', kind: 'TRANSFORM', mode: 'WRITEREAD', expr: undefined, tags: ['PII'], params: { 'encrypt.kek.name': 'k' }, onFailure: 'ERROR,NONE' }),
          rule('dlq', { onFailure: 'DLQ', params: { 'dlq.topic': 'errors' } }),
        ],
        migrationRules: [rule('upgrade', { type: 'JSONATA', kind: 'TRANSFORM', mode: 'UPDOWN', expr: '$merge([$, {"b": a}])', onSuccess: 'NONE,NONE' })],
      }),
    );
  });

  const refuses = (ruleSet: unknown, reason: RegExp) =>
    assert.throws(() => validateRuleSet(ruleSet), (e: unknown) => isShiftleftError(e, 'INVALID_RULE_SET') && reason.test(e.message));

  test('refuses malformed rules with the reason', () => {
    refuses({ domainRules: [rule('a', { mode: 'UPDOWN' })] }, /mode 'UPDOWN'/);
    refuses({ migrationRules: [rule('a', { mode: 'WRITE' })] }, /mode 'WRITE'/);
    refuses({ domainRules: [rule('a', { mode: undefined })] }, /missing mode/);
    refuses({ domainRules: [rule('a', { type: 'cel' })] }, /type 'cel'/);
    refuses({ domainRules: [rule('a', { expr: undefined })] }, /needs an expr/);
    refuses({ domainRules: [rule('a', { type: 'JSONATA', kind: 'TRANSFORM', expr: '$foo(' })] }, /JSONata/);
    refuses({ domainRules: [rule('a', { onSuccess: 'NONE,NONE,NONE' })] }, /more than two/);
    refuses({ domainRules: [rule('a', { params: { n: 1 as unknown as string } })] }, /params/);
    refuses({ domainRules: [rule('a')], migrationRules: [rule('a', { mode: 'UPGRADE' })] }, /duplicate/);
    refuses({ domainRules: rule('a') }, /array/);
    refuses('rules', /object/);
  });
});
