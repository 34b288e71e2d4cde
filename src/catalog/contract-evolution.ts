/**
 * Evolving a data contract the way the portal's "Evolve" does: a new version of the subject
 * with the same schema text and an updated contract (metadata, rule set). Field tags attached
 * in the catalog to the latest schema are written into `metadata.tags` on the way, so tags set
 * through the catalog become part of the contract that serializers enforce (ENCRYPT rules
 * select fields by these tags). The registry checks the subject's compatibility as for any
 * registration.
 */
import { ShiftleftError } from '../common/errors.ts';
import type { Registry } from '../registry/registry.ts';
import type { Metadata, RuleSet, SubjectVersion } from '../registry/types.ts';
import type { StreamCatalog } from './stream-catalog.ts';

export interface ContractChange {
  metadata?: Metadata;
  ruleSet?: RuleSet;
}

function mergeTags(into: Record<string, string[]>, path: string, tags: string[]): void {
  into[path] = [...new Set([...(into[path] ?? []), ...tags])];
}

/** Field tags the catalog holds for this schema id, by field path. */
export function catalogFieldTags(catalog: StreamCatalog, schemaId: number): Record<string, string[]> {
  const out: Record<string, string[]> = {};
  for (const tag of catalog.tags.values()) {
    if (tag.entityType !== 'sr_field') continue;
    const separator = tag.entityName.indexOf(':');
    if (Number(tag.entityName.slice(0, separator)) !== schemaId) continue;
    mergeTags(out, tag.entityName.slice(separator + 1), [tag.typeName]);
  }
  return out;
}

/**
 * Registers the next version of `subject`: `change(latest)` returns the new metadata and rule
 * set (omitted parts are inherited, as the registry does). Resolves to the version registered
 * (the latest one when nothing changed).
 */
export async function evolveContract(registry: Registry, catalog: StreamCatalog, subject: string, change: (latest: SubjectVersion) => ContractChange): Promise<SubjectVersion> {
  const latest = registry.schemas.getVersion(subject, 'latest');
  const next = change(latest);
  const metadata: Metadata = { ...(latest.metadata ?? {}), ...(next.metadata ?? {}) };
  const tags: Record<string, string[]> = {};
  for (const [path, list] of Object.entries(metadata.tags ?? {})) mergeTags(tags, path, list);
  for (const [path, list] of Object.entries(catalogFieldTags(catalog, latest.id))) mergeTags(tags, path, list);
  if (Object.keys(tags).length > 0) metadata.tags = tags;
  const ruleSet = next.ruleSet ?? latest.ruleSet;
  try {
    return await registry.schemas.register(subject, {
      schema: latest.schema,
      schemaType: latest.schemaType,
      references: latest.references,
      metadata,
      ...(ruleSet && { ruleSet }),
    });
  } catch (error) {
    if (error instanceof ShiftleftError && error.code === 'INCOMPATIBLE_SCHEMA') {
      throw new ShiftleftError('INCOMPATIBLE_SCHEMA', `the evolved contract of '${subject}' fails its compatibility check: ${error.message}`, { hint: error.hint, details: error.details, cause: error });
    }
    throw error;
  }
}
