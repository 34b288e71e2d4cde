/**
 * How registry entities look on the wire, as Confluent's server writes them: `schemaType` is
 * left out for AVRO (the default), empty references, metadata and rule sets are left out.
 */
import type { SubjectVersion } from '../../registry/types.ts';

export function schemaView(version: SubjectVersion): Record<string, unknown> {
  return {
    ...(version.schemaType !== 'AVRO' && { schemaType: version.schemaType }),
    schema: version.schema,
    ...(version.references.length > 0 && { references: version.references }),
    ...(version.metadata && { metadata: version.metadata }),
    ...(version.ruleSet && { ruleSet: version.ruleSet }),
  };
}

export function subjectVersionView(version: SubjectVersion): Record<string, unknown> {
  return {
    subject: version.subject,
    version: version.version,
    id: version.id,
    ...(version.guid && { guid: version.guid }),
    ...schemaView(version),
    ...(version.deleted && { deleted: true }),
    ts: version.ts,
  };
}

export function registeredView(version: SubjectVersion): Record<string, unknown> {
  return { id: version.id, version: version.version, ...(version.guid && { guid: version.guid }), ...schemaView(version) };
}
