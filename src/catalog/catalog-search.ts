/**
 * Search over the catalog (Confluent's `GET /catalog/v1/search/basic`): every topic, the latest
 * schema of every subject with its records and fields, and any entity carrying a tag or business
 * metadata; filtered by entity types, a tag, an owner (our addition: the `owner` attribute of any
 * business metadata), and a free-text query matched against names and metadata values.
 */
import type { EntityType } from './catalog-types.ts';
import type { StreamCatalog } from './stream-catalog.ts';
import { schemaFieldsOf } from './entity-names.ts';

export interface SearchRequest {
  query?: string;
  types?: string[];
  tag?: string;
  owner?: string;
  limit?: number;
  offset?: number;
}

export interface SearchEntity {
  typeName: EntityType;
  status: 'ACTIVE';
  displayText: string;
  attributes: Record<string, string>;
  classificationNames: string[];
  businessMetadata: Record<string, Record<string, string>>;
}

export interface SearchResult {
  searchParameters: Record<string, unknown>;
  types: string[];
  entities: SearchEntity[];
  approximateCount: number;
}

interface Candidate {
  entityType: EntityType;
  entityName: string;
  name: string;
  schemaId?: number;
  path?: string;
}

async function candidates(catalog: StreamCatalog): Promise<Candidate[]> {
  const out = new Map<string, Candidate>();
  const add = (c: Candidate) => out.set(`${c.entityType}\u0000${c.entityName}`, c);
  for (const topic of await catalog.world.log.listTopics({ includeInternal: false })) add({ entityType: 'kafka_topic', entityName: topic, name: topic });
  const schemas = catalog.world.registry.schemas;
  const ids = new Set<number>(schemas.listSchemas({ latestOnly: true }).map((v) => v.id));
  // Older schema ids stay searchable when the catalog holds something about them.
  for (const item of [...catalog.tags.values(), ...catalog.businessMetadata.values()]) {
    if (item.entityType === 'kafka_topic') add({ entityType: 'kafka_topic', entityName: item.entityName, name: item.entityName });
    else ids.add(Number(item.entityName.split(':')[0]));
  }
  for (const id of ids) {
    if (!Number.isInteger(id)) continue;
    add({ entityType: 'sr_schema', entityName: String(id), name: `schema ${id}`, schemaId: id });
    let fields;
    try {
      fields = schemaFieldsOf(catalog.world, id);
    } catch {
      continue;
    }
    for (const record of fields?.records ?? []) add({ entityType: 'sr_record', entityName: `${id}:${record}`, name: record, schemaId: id, path: record });
    for (const field of fields?.fields ?? []) add({ entityType: 'sr_field', entityName: `${id}:${field}`, name: field, schemaId: id, path: field });
  }
  return [...out.values()];
}

export async function searchCatalog(catalog: StreamCatalog, request: SearchRequest): Promise<SearchResult> {
  const types = request.types?.length ? request.types : undefined;
  const query = request.query?.trim().toLowerCase();
  const owner = request.owner?.trim().toLowerCase();
  const matches: SearchEntity[] = [];
  for (const c of await candidates(catalog)) {
    if (types && !types.includes(c.entityType)) continue;
    const tags = [...new Set(catalog.tagsOf(c).map((t) => t.typeName))];
    if (request.tag && !tags.includes(request.tag)) continue;
    const bm = Object.fromEntries(catalog.businessMetadataOf(c).map((b) => [b.typeName, b.attributes]));
    const values = Object.values(bm).flatMap((attributes) => Object.values(attributes));
    if (owner && !Object.values(bm).some((attributes) => attributes.owner?.toLowerCase() === owner)) continue;
    if (query && query !== '*' && ![c.name, c.entityName, ...values].some((text) => text.toLowerCase().includes(query))) continue;
    const attributes: Record<string, string> = { qualifiedName: c.entityName, name: c.name };
    for (const [bmName, attrs] of Object.entries(bm)) for (const [key, value] of Object.entries(attrs)) attributes[`${bmName}.${key}`] = value;
    matches.push({ typeName: c.entityType, status: 'ACTIVE', displayText: c.name, attributes, classificationNames: tags, businessMetadata: bm });
  }
  matches.sort((a, b) => a.typeName.localeCompare(b.typeName) || a.attributes.qualifiedName!.localeCompare(b.attributes.qualifiedName!));
  const offset = request.offset ?? 0;
  const limit = request.limit ?? 100;
  return {
    searchParameters: { query: request.query ?? null, types: types ?? null, tag: request.tag ?? null, owner: request.owner ?? null, limit, offset },
    types: types ?? [...catalog.entityTypes],
    entities: matches.slice(offset, offset + limit),
    approximateCount: matches.length,
  };
}
