/**
 * How a new version gets its metadata and rule set, as Confluent does it: a version registered
 * without them inherits the previous version's, then the subject's config applies around it:
 * defaultX < the version's own X < overrideX (later entries win).
 */
import type { Metadata, RegistryConfig, Rule, RuleSet } from '../types.ts';

export function mergeMetadata(...layers: (Metadata | undefined)[]): Metadata | undefined {
  let merged: Metadata | undefined;
  for (const layer of layers) {
    if (!layer) continue;
    if (!merged) {
      merged = structuredClone(layer);
      continue;
    }
    const tags = layer.tags || merged.tags ? { ...merged.tags, ...layer.tags } : undefined;
    const properties = layer.properties || merged.properties ? { ...merged.properties, ...layer.properties } : undefined;
    const sensitive = layer.sensitive || merged.sensitive ? [...new Set([...(merged.sensitive ?? []), ...(layer.sensitive ?? [])])] : undefined;
    merged = { ...(tags && { tags }), ...(properties && { properties }), ...(sensitive && { sensitive }) };
  }
  return merged;
}

/** Rules of a later layer replace same-named earlier ones and come after the rest. */
function mergeRules(earlier: Rule[] | undefined, later: Rule[] | undefined): Rule[] | undefined {
  if (!earlier?.length) return later;
  if (!later?.length) return earlier;
  const replaced = new Set(later.map((rule) => rule.name));
  return [...earlier.filter((rule) => !replaced.has(rule.name)), ...later];
}

export function mergeRuleSets(...layers: (RuleSet | undefined)[]): RuleSet | undefined {
  let merged: RuleSet | undefined;
  for (const layer of layers) {
    if (!layer) continue;
    if (!merged) {
      merged = structuredClone(layer);
      continue;
    }
    const migrationRules = mergeRules(merged.migrationRules, layer.migrationRules);
    const domainRules = mergeRules(merged.domainRules, layer.domainRules);
    const encodingRules = mergeRules(merged.encodingRules, layer.encodingRules);
    merged = { ...(migrationRules && { migrationRules }), ...(domainRules && { domainRules }), ...(encodingRules && { encodingRules }) };
  }
  return merged;
}

export interface Contract {
  metadata: Metadata | undefined;
  ruleSet: RuleSet | undefined;
}

/** The metadata and rule set a new version is stored with. */
export function effectiveContract(requested: Contract, previous: Contract | undefined, config: RegistryConfig): Contract {
  const metadata = requested.metadata ?? previous?.metadata;
  const ruleSet = requested.ruleSet ?? previous?.ruleSet;
  return {
    metadata: mergeMetadata(config.defaultMetadata, metadata, config.overrideMetadata),
    ruleSet: mergeRuleSets(config.defaultRuleSet, ruleSet, config.overrideRuleSet),
  };
}
