/**
 * The "Create data product" action (walkthrough: tag `orders` DataProduct with an owner and a
 * description): tags the topic `DataProduct` and sets its business metadata, creating the tag
 * and business metadata definitions on first use.
 */
import { ShiftleftError } from '../common/errors.ts';
import { resolveEntity } from './entity-names.ts';
import type { EntityBusinessMetadata, EntityTag } from './catalog-types.ts';
import type { StreamCatalog } from './stream-catalog.ts';

export const DATA_PRODUCT_TAG = 'DataProduct';
export const DATA_PRODUCT_METADATA = 'DataProductInfo';
const ATTRIBUTES = ['owner', 'description', 'domain', 'slo'] as const;

export interface DataProductResult {
  topic: string;
  tag: EntityTag;
  businessMetadata: EntityBusinessMetadata;
}

export async function createDataProduct(catalog: StreamCatalog, body: Record<string, unknown>): Promise<DataProductResult> {
  const topic = body.topic;
  if (typeof topic !== 'string' || topic === '') throw new ShiftleftError('INVALID_ARGUMENT', 'topic must be a non-empty string');
  const attributes: Record<string, string> = {};
  for (const key of ATTRIBUTES) {
    const value = body[key];
    if (value === undefined || value === null) continue;
    if (typeof value !== 'string') throw new ShiftleftError('INVALID_ARGUMENT', `${key} must be a string`);
    attributes[key] = value;
  }
  if (!attributes.owner) throw new ShiftleftError('INVALID_ARGUMENT', 'a data product needs an owner', { hint: 'e.g. {"topic": "orders", "owner": "orders-team", "description": "..."}' });
  // Check the topic before creating definitions, so a typo leaves nothing behind.
  await resolveEntity(catalog.world, 'kafka_topic', topic);
  if (!catalog.tagDefs.has(DATA_PRODUCT_TAG)) {
    await catalog.putTagDefs([{ name: DATA_PRODUCT_TAG, description: 'A topic curated and governed as a data product', entityTypes: ['kafka_topic'] }], true);
  }
  if (!catalog.businessMetadataDefs.has(DATA_PRODUCT_METADATA)) {
    await catalog.putBusinessMetadataDefs(
      [{ name: DATA_PRODUCT_METADATA, description: 'Ownership and service level of a data product', attributeDefs: ATTRIBUTES.map((name) => ({ name, typeName: 'string', isOptional: name !== 'owner' })) }],
      true,
    );
  }
  const [tag] = await catalog.addTags([{ entityType: 'kafka_topic', entityName: topic, typeName: DATA_PRODUCT_TAG }]);
  const [businessMetadata] = await catalog.setBusinessMetadata([{ entityType: 'kafka_topic', entityName: topic, typeName: DATA_PRODUCT_METADATA, attributes }], false);
  return { topic: tag!.entityName, tag: tag!, businessMetadata: businessMetadata! };
}
