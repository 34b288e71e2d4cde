/**
 * The Stream Catalog: tag definitions (DataProduct, PII, ...), tags on topics / schemas /
 * records / fields, business metadata definitions (owner, description, domain, SLO) and their
 * values on entities, and search over all of it. Semantics follow Confluent's Catalog API (v1);
 * state lives in the compacted `_catalog` topic (catalog-topic.ts).
 *
 * Field tags also come from the schemas themselves (`metadata.tags`, inline `confluent:tags`):
 * they are listed and searchable with `source: 'schema'`, but changed through a contract
 * evolution, not here.
 */
import { ShiftleftError } from '../common/errors.ts';
import type { LogClient } from '../log/log-client.ts';
import type { Registry } from '../registry/registry.ts';
import { attributeDefs, objectList, optionalString, stringArray, stringMap, typeName } from './catalog-input.ts';
import { CatalogTopic, recordKey, type CatalogLogClient } from './catalog-topic.ts';
import { ANY_ENTITY, ENTITY_TYPES, type BusinessMetadataDef, type CatalogRecord, type EntityBusinessMetadata, type EntityTag, type EntityType, type TagDef } from './catalog-types.ts';
import { requireEntityType, resolveEntity, schemaFieldsOf, type EntityWorld, type ResolvedEntity } from './entity-names.ts';
import { searchCatalog, type SearchRequest, type SearchResult } from './catalog-search.ts';

export interface StreamCatalogOptions {
  now?: () => number;
  topic?: string;
}

export class StreamCatalog {
  readonly tagDefs = new Map<string, TagDef>();
  readonly businessMetadataDefs = new Map<string, BusinessMetadataDef>();
  /** record key → tag / business metadata value. */
  readonly tags = new Map<string, EntityTag>();
  readonly businessMetadata = new Map<string, EntityBusinessMetadata>();
  private topic!: CatalogTopic;
  private readonly now: () => number;

  private constructor(
    readonly world: EntityWorld,
    options: StreamCatalogOptions,
  ) {
    this.now = options.now ?? Date.now;
  }

  /** Opens the catalog on the log, replaying `_catalog`. */
  static async open(log: CatalogLogClient & Pick<LogClient, 'listTopics'>, registry: Registry, options: StreamCatalogOptions = {}): Promise<StreamCatalog> {
    const catalog = new StreamCatalog({ log, registry }, options);
    catalog.topic = await CatalogTopic.open(log, (key, record) => catalog.apply(key, record), options.topic);
    return catalog;
  }

  private apply(key: string, record: CatalogRecord | null): void {
    // Tombstones carry no kind: drop the key from whichever map holds it.
    if (record === null) {
      const kind = (JSON.parse(key) as string[])[0];
      if (kind === 'tagdef') this.tagDefs.delete((JSON.parse(key) as string[])[1]!);
      else if (kind === 'bmdef') this.businessMetadataDefs.delete((JSON.parse(key) as string[])[1]!);
      else if (kind === 'tag') this.tags.delete(key);
      else this.businessMetadata.delete(key);
      return;
    }
    if (record.kind === 'tagdef') this.tagDefs.set(record.value.name, record.value);
    else if (record.kind === 'bmdef') this.businessMetadataDefs.set(record.value.name, record.value);
    else if (record.kind === 'tag') this.tags.set(key, record.value);
    else this.businessMetadata.set(key, record.value);
  }

  async close(): Promise<void> {
    await this.topic.close();
  }

  // ---- tag definitions ----

  listTagDefs(): TagDef[] {
    return [...this.tagDefs.values()].sort((a, b) => a.name.localeCompare(b.name));
  }

  getTagDef(name: string): TagDef {
    const def = this.tagDefs.get(name);
    if (!def) throw new ShiftleftError('NOT_FOUND', `tag definition '${name}' does not exist`, { hint: 'create it with POST /catalog/v1/types/tagdefs' });
    return def;
  }

  /** POST creates (ALREADY_EXISTS for a name in use), PUT (`update`) creates or replaces. */
  async putTagDefs(body: unknown, update: boolean): Promise<TagDef[]> {
    const inputs = objectList(body, 'tag definitions').map((raw, i) => {
      const entityTypes = stringArray(raw.entityTypes, `[${i}].entityTypes`) ?? [ANY_ENTITY];
      for (const t of entityTypes) if (t !== ANY_ENTITY) requireEntityType(t);
      return {
        name: typeName(raw.name, `[${i}].name`),
        description: optionalString(raw.description, `[${i}].description`) ?? '',
        entityTypes,
        attributeDefs: attributeDefs(raw.attributeDefs, `[${i}].attributeDefs`),
      };
    });
    return this.topic.exclusive(async () => {
      const now = this.now();
      const defs = inputs.map((input): TagDef => {
        const existing = this.tagDefs.get(input.name);
        if (existing && !update) throw new ShiftleftError('ALREADY_EXISTS', `tag definition '${input.name}' already exists`, { hint: 'update it with PUT /catalog/v1/types/tagdefs' });
        return { category: 'CLASSIFICATION', ...input, version: (existing?.version ?? 0) + 1, createTime: existing?.createTime ?? now, updateTime: now };
      });
      await this.topic.append(defs.map((value) => [recordKey({ kind: 'tagdef', value }), { kind: 'tagdef', value }]));
      return defs;
    });
  }

  /** Deleting a definition also removes its tags from every entity (they would mean nothing). */
  async deleteTagDef(name: string): Promise<void> {
    await this.topic.exclusive(async () => {
      const def = this.getTagDef(name);
      const keys = [...this.tags.entries()].filter(([, tag]) => tag.typeName === def.name).map(([key]) => key);
      await this.topic.append([...keys.map((key): [string, null] => [key, null]), [recordKey({ kind: 'tagdef', value: def }), null]]);
    });
  }

  // ---- business metadata definitions ----

  listBusinessMetadataDefs(): BusinessMetadataDef[] {
    return [...this.businessMetadataDefs.values()].sort((a, b) => a.name.localeCompare(b.name));
  }

  getBusinessMetadataDef(name: string): BusinessMetadataDef {
    const def = this.businessMetadataDefs.get(name);
    if (!def) throw new ShiftleftError('NOT_FOUND', `business metadata definition '${name}' does not exist`, { hint: 'create it with POST /catalog/v1/types/businessmetadatadefs' });
    return def;
  }

  async putBusinessMetadataDefs(body: unknown, update: boolean): Promise<BusinessMetadataDef[]> {
    const inputs = objectList(body, 'business metadata definitions').map((raw, i) => ({
      name: typeName(raw.name, `[${i}].name`),
      description: optionalString(raw.description, `[${i}].description`) ?? '',
      attributeDefs: attributeDefs(raw.attributeDefs, `[${i}].attributeDefs`),
    }));
    return this.topic.exclusive(async () => {
      const now = this.now();
      const defs = inputs.map((input): BusinessMetadataDef => {
        const existing = this.businessMetadataDefs.get(input.name);
        if (existing && !update) throw new ShiftleftError('ALREADY_EXISTS', `business metadata definition '${input.name}' already exists`, { hint: 'update it with PUT /catalog/v1/types/businessmetadatadefs' });
        return { category: 'BUSINESS_METADATA', ...input, version: (existing?.version ?? 0) + 1, createTime: existing?.createTime ?? now, updateTime: now };
      });
      await this.topic.append(defs.map((value) => [recordKey({ kind: 'bmdef', value }), { kind: 'bmdef', value }]));
      return defs;
    });
  }

  async deleteBusinessMetadataDef(name: string): Promise<void> {
    await this.topic.exclusive(async () => {
      const def = this.getBusinessMetadataDef(name);
      const keys = [...this.businessMetadata.entries()].filter(([, bm]) => bm.typeName === def.name).map(([key]) => key);
      await this.topic.append([...keys.map((key): [string, null] => [key, null]), [recordKey({ kind: 'bmdef', value: def }), null]]);
    });
  }

  // ---- tags on entities ----

  /** `POST /catalog/v1/entity/tags`: attaches tags (re-attaching replaces the attributes). */
  async addTags(body: unknown): Promise<EntityTag[]> {
    const items = objectList(body, 'tags ({entityType, entityName, typeName})');
    const tags: EntityTag[] = [];
    for (const [i, raw] of items.entries()) {
      const def = this.getTagDef(typeName(raw.typeName, `[${i}].typeName`));
      const entity = await resolveEntity(this.world, raw.entityType, raw.entityName);
      if (!def.entityTypes.includes(ANY_ENTITY) && !def.entityTypes.includes(entity.entityType)) {
        throw new ShiftleftError('INVALID_ARGUMENT', `tag '${def.name}' applies to ${def.entityTypes.join(', ')}, not to ${entity.entityType}`);
      }
      const attributes = stringMap(raw.attributes, `[${i}].attributes`);
      checkAttributes(def.attributeDefs, attributes, `tag '${def.name}'`);
      tags.push({ typeName: def.name, entityType: entity.entityType, entityName: entity.entityName, attributes });
    }
    return this.topic.exclusive(async () => {
      await this.topic.append(tags.map((value) => [recordKey({ kind: 'tag', value }), { kind: 'tag', value }]));
      return tags;
    });
  }

  /** Tags of one entity: the catalog's and, for fields, those written in the schema. */
  async entityTags(entityType: unknown, entityName: unknown): Promise<EntityTag[]> {
    const entity = await resolveEntity(this.world, entityType, entityName);
    return this.tagsOf(entity);
  }

  tagsOf(entity: Pick<ResolvedEntity, 'entityType' | 'entityName' | 'schemaId' | 'path'>): EntityTag[] {
    const own: EntityTag[] = [...this.tags.values()].filter((t) => t.entityType === entity.entityType && t.entityName === entity.entityName).map((t) => ({ ...t, source: 'catalog' }));
    if (entity.entityType !== 'sr_field' || entity.schemaId === undefined || entity.path === undefined) return own;
    const fromSchema = this.schemaFieldTags(entity.schemaId).get(entity.path) ?? [];
    for (const name of fromSchema) {
      if (!own.some((t) => t.typeName === name)) own.push({ typeName: name, entityType: 'sr_field', entityName: entity.entityName, attributes: {}, source: 'schema' });
    }
    return own;
  }

  /** path → tags written in the schema with this id (metadata.tags and inline confluent:tags). */
  schemaFieldTags(schemaId: number): Map<string, string[]> {
    const out = new Map<string, string[]>();
    let version;
    try {
      version = this.world.registry.schemas.schemaById(schemaId);
    } catch {
      return out;
    }
    const add = (path: string, tags: string[]) => out.set(path, [...new Set([...(out.get(path) ?? []), ...tags])]);
    for (const use of this.world.registry.schemas.state.usesOf(schemaId)) {
      for (const [path, tags] of Object.entries(use.metadata?.tags ?? {})) add(path, tags);
    }
    for (const [path, tags] of schemaFieldsOf(this.world, version.id)?.inlineTags ?? []) add(path, tags);
    return out;
  }

  async removeTag(entityType: unknown, entityName: unknown, tagName: string): Promise<void> {
    const entity = await resolveEntity(this.world, entityType, entityName);
    await this.topic.exclusive(async () => {
      const key = recordKey({ kind: 'tag', value: { typeName: tagName, entityType: entity.entityType, entityName: entity.entityName, attributes: {} } });
      if (!this.tags.has(key)) throw new ShiftleftError('NOT_FOUND', `${entity.entityType} '${entity.entityName}' has no tag '${tagName}'`);
      await this.topic.append([[key, null]]);
    });
  }

  // ---- business metadata on entities ----

  /**
   * `POST` / `PUT /catalog/v1/entity/businessmetadata`: sets the values of one definition on an
   * entity. POST merges into existing values, PUT replaces them.
   */
  async setBusinessMetadata(body: unknown, replace: boolean): Promise<EntityBusinessMetadata[]> {
    const items = objectList(body, 'business metadata ({entityType, entityName, typeName, attributes})');
    const resolved: { def: BusinessMetadataDef; entity: ResolvedEntity; attributes: Record<string, string> }[] = [];
    for (const [i, raw] of items.entries()) {
      const def = this.getBusinessMetadataDef(typeName(raw.typeName, `[${i}].typeName`));
      const entity = await resolveEntity(this.world, raw.entityType, raw.entityName);
      resolved.push({ def, entity, attributes: stringMap(raw.attributes, `[${i}].attributes`) });
    }
    return this.topic.exclusive(async () => {
      const values = resolved.map(({ def, entity, attributes }): EntityBusinessMetadata => {
        const key = recordKey({ kind: 'bm', value: { typeName: def.name, entityType: entity.entityType, entityName: entity.entityName, attributes: {} } });
        const merged = replace ? attributes : { ...(this.businessMetadata.get(key)?.attributes ?? {}), ...attributes };
        checkAttributes(def.attributeDefs, merged, `business metadata '${def.name}'`);
        return { typeName: def.name, entityType: entity.entityType, entityName: entity.entityName, attributes: merged };
      });
      await this.topic.append(values.map((value) => [recordKey({ kind: 'bm', value }), { kind: 'bm', value }]));
      return values;
    });
  }

  async entityBusinessMetadata(entityType: unknown, entityName: unknown): Promise<EntityBusinessMetadata[]> {
    const entity = await resolveEntity(this.world, entityType, entityName);
    return this.businessMetadataOf(entity);
  }

  businessMetadataOf(entity: Pick<ResolvedEntity, 'entityType' | 'entityName'>): EntityBusinessMetadata[] {
    return [...this.businessMetadata.values()].filter((b) => b.entityType === entity.entityType && b.entityName === entity.entityName);
  }

  async removeBusinessMetadata(entityType: unknown, entityName: unknown, bmName: string): Promise<void> {
    const entity = await resolveEntity(this.world, entityType, entityName);
    await this.topic.exclusive(async () => {
      const key = recordKey({ kind: 'bm', value: { typeName: bmName, entityType: entity.entityType, entityName: entity.entityName, attributes: {} } });
      if (!this.businessMetadata.has(key)) throw new ShiftleftError('NOT_FOUND', `${entity.entityType} '${entity.entityName}' has no business metadata '${bmName}'`);
      await this.topic.append([[key, null]]);
    });
  }

  // ---- entities and search ----

  /** `GET /catalog/v1/entity/type/{type}/name/{name}`: the entity with its tags and business metadata. */
  async entity(entityType: unknown, entityName: unknown): Promise<Record<string, unknown>> {
    const entity = await resolveEntity(this.world, entityType, entityName);
    const tags = this.tagsOf(entity);
    return {
      referredEntities: {},
      entity: {
        typeName: entity.entityType,
        status: 'ACTIVE',
        attributes: { qualifiedName: entity.entityName, name: entity.name },
        classifications: tags,
        classificationNames: [...new Set(tags.map((t) => t.typeName))],
        businessMetadata: Object.fromEntries(this.businessMetadataOf(entity).map((b) => [b.typeName, b.attributes])),
      },
    };
  }

  async search(request: SearchRequest): Promise<SearchResult> {
    return searchCatalog(this, request);
  }

  get entityTypes(): readonly EntityType[] {
    return ENTITY_TYPES;
  }
}

/** Values must be declared attributes; required ones must be present. */
function checkAttributes(defs: BusinessMetadataDef['attributeDefs'], values: Record<string, string>, what: string): void {
  for (const key of Object.keys(values)) {
    if (!defs.some((d) => d.name === key)) {
      throw new ShiftleftError('INVALID_ARGUMENT', `${what} has no attribute '${key}'`, { hint: defs.length ? `its attributes: ${defs.map((d) => d.name).join(', ')}` : 'it declares no attributes' });
    }
  }
  for (const def of defs) {
    if (!def.isOptional && values[def.name] === undefined) throw new ShiftleftError('INVALID_ARGUMENT', `${what} requires attribute '${def.name}'`);
  }
}
