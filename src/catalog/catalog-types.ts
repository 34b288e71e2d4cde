/**
 * The Stream Catalog's entities, shaped like Confluent's Catalog API (v1) JSON so the REST layer
 * returns them as they are: tag definitions, business metadata definitions, tags attached to
 * entities and business metadata values on entities.
 */

/** Entity types the catalog can tag; `cf_entity` in a definition means "any of them". */
export const ENTITY_TYPES = ['kafka_topic', 'sr_schema', 'sr_record', 'sr_field'] as const;
export type EntityType = (typeof ENTITY_TYPES)[number];
export const ANY_ENTITY = 'cf_entity';

export interface AttributeDef {
  name: string;
  typeName: string;
  isOptional: boolean;
  cardinality: 'SINGLE';
  options?: Record<string, string>;
}

export interface TagDef {
  category: 'CLASSIFICATION';
  name: string;
  description: string;
  entityTypes: string[];
  attributeDefs: AttributeDef[];
  version: number;
  createTime: number;
  updateTime: number;
}

export interface BusinessMetadataDef {
  category: 'BUSINESS_METADATA';
  name: string;
  description: string;
  attributeDefs: AttributeDef[];
  version: number;
  createTime: number;
  updateTime: number;
}

/** A tag on one entity (Confluent's `TagResponse`). */
export interface EntityTag {
  typeName: string;
  entityType: EntityType;
  entityName: string;
  attributes: Record<string, string>;
  /** Where the tag comes from: the catalog, or the schema's own metadata (read-only here). */
  source?: 'catalog' | 'schema';
}

/** Business metadata values of one definition on one entity. */
export interface EntityBusinessMetadata {
  typeName: string;
  entityType: EntityType;
  entityName: string;
  attributes: Record<string, string>;
}

/** What `_catalog` stores under one key; the key says which kind. */
export type CatalogRecord =
  | { kind: 'tagdef'; value: TagDef }
  | { kind: 'bmdef'; value: BusinessMetadataDef }
  | { kind: 'tag'; value: EntityTag }
  | { kind: 'bm'; value: EntityBusinessMetadata };
