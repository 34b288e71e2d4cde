/**
 * Qualified names of catalog entities. Confluent's form is accepted and reduced to a short
 * canonical one (this platform has one cluster and one schema context, so the ids add nothing):
 *
 * | entity type | canonical name | Confluent form also accepted |
 * |---|---|---|
 * | kafka_topic | `payments` | `lkc-abc123:payments` |
 * | sr_schema | `100003` (the schema id) | `lsrc-abc123:.:100003` |
 * | sr_record | `100003:Sale` | `lsrc-abc123:.:100003:Sale` |
 * | sr_field | `100003:Sale.cc_number` | `lsrc-abc123:.:100003:Sale.cc_number` |
 *
 * `resolveEntity` also checks the entity exists (the topic is on the log, the schema id is
 * registered, the record or field is in that schema), so tags never point at nothing.
 */
import { ShiftleftError } from '../common/errors.ts';
import type { LogClient } from '../log/log-client.ts';
import type { Registry } from '../registry/registry.ts';
import { ENTITY_TYPES, type EntityType } from './catalog-types.ts';
import { avroSchemaFields, type SchemaFields } from './schema-fields.ts';

export interface ResolvedEntity {
  entityType: EntityType;
  /** Canonical qualified name. */
  entityName: string;
  /** Display name: the topic, `schema <id>`, the record or field path. */
  name: string;
  schemaId?: number;
  path?: string;
}

export interface EntityWorld {
  log: Pick<LogClient, 'listTopics'>;
  registry: Registry;
}

export function requireEntityType(value: unknown): EntityType {
  if (typeof value !== 'string' || !(ENTITY_TYPES as readonly string[]).includes(value)) {
    throw new ShiftleftError('INVALID_ARGUMENT', `unknown entity type ${JSON.stringify(value)}`, { hint: `use one of ${ENTITY_TYPES.join(', ')}` });
  }
  return value as EntityType;
}

/** Strips Confluent's `<cluster>:.:` (schemas) or `<cluster>:` (topics) prefix. */
function shortName(entityType: EntityType, name: string): string {
  if (entityType === 'kafka_topic') return name.includes(':') ? name.slice(name.lastIndexOf(':') + 1) : name;
  const context = /^[^:]*:\.[^:]*:(.*)$/.exec(name);
  if (context) return context[1]!;
  if (name.startsWith(':.:')) return name.slice(3);
  return name;
}

export function schemaFieldsOf(world: EntityWorld, id: number): SchemaFields | undefined {
  const version = world.registry.schemas.schemaById(id);
  return version.schemaType === 'AVRO' ? avroSchemaFields(version.schema) : undefined;
}

export async function resolveEntity(world: EntityWorld, entityTypeInput: unknown, entityNameInput: unknown): Promise<ResolvedEntity> {
  const entityType = requireEntityType(entityTypeInput);
  if (typeof entityNameInput !== 'string' || entityNameInput.trim() === '') {
    throw new ShiftleftError('INVALID_ARGUMENT', 'entityName must be a non-empty string', { hint: 'e.g. "payments" for a topic, "100003:Sale.cc_number" for a field' });
  }
  const name = shortName(entityType, entityNameInput.trim());
  if (entityType === 'kafka_topic') {
    const topics = await world.log.listTopics({ includeInternal: false });
    if (!topics.includes(name)) throw new ShiftleftError('NOT_FOUND', `topic '${name}' does not exist`, { details: { entityType, entityName: name } });
    return { entityType, entityName: name, name };
  }
  const separator = name.indexOf(':');
  const idText = separator < 0 ? name : name.slice(0, separator);
  const path = separator < 0 ? undefined : name.slice(separator + 1);
  const id = Number(idText);
  if (!Number.isInteger(id) || id < 0) {
    throw new ShiftleftError('INVALID_ARGUMENT', `'${entityNameInput}' is not a qualified ${entityType} name`, { hint: entityType === 'sr_schema' ? 'write the schema id, e.g. "100003"' : `write <schema id>:<path>, e.g. "100003:Sale${entityType === 'sr_field' ? '.cc_number' : ''}"` });
  }
  try {
    world.registry.schemas.schemaById(id);
  } catch {
    throw new ShiftleftError('NOT_FOUND', `schema ${id} does not exist`, { details: { entityType, entityName: name } });
  }
  if (entityType === 'sr_schema') {
    if (path !== undefined) throw new ShiftleftError('INVALID_ARGUMENT', `an sr_schema name is the schema id alone, not '${name}'`);
    return { entityType, entityName: String(id), name: `schema ${id}`, schemaId: id };
  }
  if (!path) throw new ShiftleftError('INVALID_ARGUMENT', `'${name}' lacks the ${entityType === 'sr_field' ? 'field' : 'record'} path`, { hint: `write <schema id>:<path>, e.g. "${id}:Sale${entityType === 'sr_field' ? '.cc_number' : ''}"` });
  const fields = schemaFieldsOf(world, id);
  const known = fields === undefined ? undefined : entityType === 'sr_field' ? fields.fields : fields.records;
  if (known && !known.includes(path)) {
    throw new ShiftleftError('NOT_FOUND', `schema ${id} has no ${entityType === 'sr_field' ? 'field' : 'record'} '${path}'`, {
      hint: `known: ${known.join(', ')}`,
      details: { entityType, entityName: `${id}:${path}` },
    });
  }
  return { entityType, entityName: `${id}:${path}`, name: path, schemaId: id, path };
}
