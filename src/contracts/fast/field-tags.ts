/**
 * The tags of a record field, as Confluent's RuleContext computes them when a field rule enters a
 * field: the schema's inline `confluent:tags` plus the subject metadata's `tags`, whose keys are
 * wildcard patterns over the field's full name (`Sale.cc_number`, `**.ssn`).
 */
import type { SchemaInfo } from '@confluentinc/schemaregistry';
import { match } from '@confluentinc/schemaregistry/dist/serde/wildcard-matcher.js';

export type TagResolver = (fullName: string) => Set<string>;

/** Tags from the subject metadata only (what the DLQ redaction uses, like RuleContext.getTags). */
export function metadataTags(info: SchemaInfo): TagResolver {
  const entries = Object.entries(info.metadata?.tags ?? {});
  return (fullName) => {
    const tags = new Set<string>();
    for (const [pattern, values] of entries) {
      if (match(fullName, pattern)) for (const tag of values) tags.add(tag);
    }
    return tags;
  };
}

/** Inline tags and metadata tags of a field. */
export function fieldTags(info: SchemaInfo): TagResolver {
  const inline = inlineTags(JSON.parse(info.schema) as unknown);
  const fromMetadata = metadataTags(info);
  return (fullName) => new Set([...(inline.get(fullName) ?? []), ...fromMetadata(fullName)]);
}

/** Port of the Avro serde's getInlineTagsRecursively: `confluent:tags` keyed by `ns.Record.field`. */
function inlineTags(schema: unknown): Map<string, Set<string>> {
  const tags = new Map<string, Set<string>>();
  const visit = (ns: string, name: string, node: unknown): void => {
    if (node === null || node === undefined || typeof node === 'string') return;
    if (Array.isArray(node)) {
      for (const branch of node) visit(ns, name, branch);
      return;
    }
    if (typeof node !== 'object') return;
    const object = node as Record<string, unknown>;
    switch (object.type) {
      case 'array':
        visit(ns, name, object.items);
        break;
      case 'map':
        visit(ns, name, object.values);
        break;
      case 'record': {
        let recordNs = object.namespace as string | undefined | null;
        let recordName = String(object.name);
        if (recordNs === undefined) recordNs = impliedNamespace(name);
        if (recordNs === null || recordNs === undefined) recordNs = ns;
        if (recordNs !== '' && !recordName.startsWith(recordNs)) recordName = `${recordNs}.${recordName}`;
        for (const field of (object.fields as Record<string, unknown>[] | undefined) ?? []) {
          const fieldTags = field['confluent:tags'];
          if (Array.isArray(fieldTags) && field.name !== undefined) tags.set(`${recordName}.${String(field.name)}`, new Set(fieldTags as string[]));
          if (field.type !== undefined) visit(recordNs, recordName, field.type);
        }
        break;
      }
    }
  };
  visit('', '', schema);
  return tags;
}

function impliedNamespace(name: string): string | null {
  const found = /^(.*)\.[^.]+$/.exec(name);
  return found ? found[1]! : null;
}
