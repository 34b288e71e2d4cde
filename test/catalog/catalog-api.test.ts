/**
 * The Stream Catalog API on the registry URL of a real platform: tag definitions, tags on
 * topics / schemas / fields, business metadata definitions and values, entity views, search by
 * name, tag, type and owner, persistence across a restart, and clear errors for bad requests.
 */
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { createPayments, startPortalPlatform, type PortalPlatform } from './portal-support.ts';

const names = (entities: { attributes: { qualifiedName: string } }[]) => entities.map((e) => e.attributes.qualifiedName);

describe('stream catalog API', () => {
  let p: PortalPlatform;
  let schemaId: number;

  before(async () => {
    p = await startPortalPlatform();
    schemaId = await createPayments(p);
    await p.platform.log.createTopic('orders', { partitions: 1 });
  });
  after(async () => {
    await p.destroy();
  });

  it('creates, lists, reads, updates and deletes tag definitions', async () => {
    const created = await p.registry('POST', '/catalog/v1/types/tagdefs', [
      { name: 'PII', description: 'Personally identifiable information', entityTypes: ['sr_field'] },
      { name: 'DataProduct', description: 'A data product' },
      { name: 'Temp' },
    ]);
    assert.equal(created.status, 200, JSON.stringify(created.body));
    assert.deepEqual(created.body.map((d: { name: string }) => d.name), ['PII', 'DataProduct', 'Temp']);
    assert.deepEqual(created.body[1].entityTypes, ['cf_entity']);

    const list = await p.registry('GET', '/catalog/v1/types/tagdefs');
    assert.deepEqual(list.body.map((d: { name: string }) => d.name), ['DataProduct', 'PII', 'Temp']);
    assert.equal((await p.registry('GET', '/catalog/v1/types/tagdefs/PII')).body.description, 'Personally identifiable information');

    const duplicate = await p.registry('POST', '/catalog/v1/types/tagdefs', [{ name: 'PII' }]);
    assert.equal(duplicate.status, 409);
    const updated = await p.registry('PUT', '/catalog/v1/types/tagdefs', [{ name: 'Temp', description: 'changed' }]);
    assert.equal(updated.body[0].version, 2);
    assert.equal((await p.registry('DELETE', '/catalog/v1/types/tagdefs/Temp')).status, 204);
    assert.equal((await p.registry('GET', '/catalog/v1/types/tagdefs/Temp')).status, 404);
  });

  it('tags topics, schemas and fields (Confluent qualified names accepted)', async () => {
    const tagged = await p.registry('POST', '/catalog/v1/entity/tags', [
      { entityType: 'kafka_topic', entityName: 'lkc-abc123:orders', typeName: 'DataProduct' },
      { entityType: 'sr_field', entityName: `lsrc-xyz:.:${schemaId}:Sale.cc_number`, typeName: 'PII' },
      { entityType: 'sr_schema', entityName: String(schemaId), typeName: 'DataProduct' },
    ]);
    assert.equal(tagged.status, 200, JSON.stringify(tagged.body));
    assert.deepEqual(
      tagged.body.map((t: { entityName: string }) => t.entityName),
      ['orders', `${schemaId}:Sale.cc_number`, String(schemaId)],
    );
    const fieldTags = await p.registry('GET', `/catalog/v1/entity/type/sr_field/name/${schemaId}:Sale.cc_number/tags`);
    assert.deepEqual(fieldTags.body, [{ typeName: 'PII', entityType: 'sr_field', entityName: `${schemaId}:Sale.cc_number`, attributes: {}, source: 'catalog' }]);

    const entity = await p.registry('GET', '/catalog/v1/entity/type/kafka_topic/name/orders');
    assert.deepEqual(entity.body.entity.classificationNames, ['DataProduct']);
  });

  it('refuses tags on what does not exist and malformed bodies', async () => {
    const cases: [unknown, number, RegExp][] = [
      [[{ entityType: 'kafka_topic', entityName: 'nope', typeName: 'DataProduct' }], 404, /topic 'nope' does not exist/],
      [[{ entityType: 'kafka_topic', entityName: 'orders', typeName: 'Unknown' }], 404, /tag definition 'Unknown'/],
      [[{ entityType: 'sr_field', entityName: `${schemaId}:Sale.card`, typeName: 'PII' }], 404, /no field 'Sale.card'/],
      [[{ entityType: 'sr_field', entityName: '999:Sale.cc_number', typeName: 'PII' }], 404, /schema 999/],
      [[{ entityType: 'table', entityName: 'orders', typeName: 'PII' }], 422, /unknown entity type/],
      [[{ entityType: 'kafka_topic', entityName: 'orders', typeName: 'PII' }], 422, /applies to sr_field/],
      [[42], 400, /JSON object/],
    ];
    for (const [body, status, message] of cases) {
      const answer = await p.registry('POST', '/catalog/v1/entity/tags', body);
      assert.equal(answer.status, status, JSON.stringify(body));
      assert.match(answer.body.message, message);
    }
    assert.equal((await p.registry('POST', '/catalog/v1/entity/tags', undefined, '[{"entityType"')).status, 400);
    assert.equal((await p.registry('DELETE', '/catalog/v1/entity/type/kafka_topic/name/orders/tags/PII')).status, 404);
  });

  it('business metadata definitions and values', async () => {
    const def = await p.registry('POST', '/catalog/v1/types/businessmetadatadefs', [
      {
        name: 'Ownership',
        description: 'Who owns it',
        attributeDefs: [
          { name: 'owner', isOptional: false },
          { name: 'description' },
          { name: 'domain' },
          { name: 'slo' },
        ],
      },
    ]);
    assert.equal(def.status, 200, JSON.stringify(def.body));
    assert.equal((await p.registry('GET', '/catalog/v1/types/businessmetadatadefs/Ownership')).body.attributeDefs.length, 4);

    const set = await p.registry('POST', '/catalog/v1/entity/businessmetadata', [
      { entityType: 'kafka_topic', entityName: 'orders', typeName: 'Ownership', attributes: { owner: 'orders-team', description: 'Enriched orders', domain: 'sales' } },
    ]);
    assert.equal(set.status, 200, JSON.stringify(set.body));
    // POST merges, PUT replaces.
    await p.registry('POST', '/catalog/v1/entity/businessmetadata', [{ entityType: 'kafka_topic', entityName: 'orders', typeName: 'Ownership', attributes: { slo: '99.9%' } }]);
    const values = await p.registry('GET', '/catalog/v1/entity/type/kafka_topic/name/orders/businessmetadata');
    assert.deepEqual(values.body[0].attributes, { owner: 'orders-team', description: 'Enriched orders', domain: 'sales', slo: '99.9%' });

    const unknownAttribute = await p.registry('POST', '/catalog/v1/entity/businessmetadata', [{ entityType: 'kafka_topic', entityName: 'orders', typeName: 'Ownership', attributes: { colour: 'red' } }]);
    assert.equal(unknownAttribute.status, 422);
    assert.match(unknownAttribute.body.hint, /owner, description, domain, slo/);
    const missingOwner = await p.registry('PUT', '/catalog/v1/entity/businessmetadata', [{ entityType: 'kafka_topic', entityName: 'payments', typeName: 'Ownership', attributes: { domain: 'x' } }]);
    assert.equal(missingOwner.status, 422);
    assert.match(missingOwner.body.message, /requires attribute 'owner'/);
  });

  it('searches by name, type, tag and owner', async () => {
    const byTag = await p.registry('GET', '/catalog/v1/search/basic?tag=DataProduct');
    assert.deepEqual(names(byTag.body.entities), ['orders', String(schemaId)]);
    const topicsOnly = await p.registry('GET', '/catalog/v1/search/basic?types=kafka_topic&tag=DataProduct');
    assert.deepEqual(names(topicsOnly.body.entities), ['orders']);
    const byOwner = await p.registry('GET', '/catalog/v1/search/basic?owner=orders-team');
    assert.deepEqual(names(byOwner.body.entities), ['orders']);
    assert.equal(byOwner.body.entities[0].attributes['Ownership.domain'], 'sales');
    const byName = await p.registry('GET', '/catalog/v1/search/basic?query=cc_num&types=sr_field');
    assert.deepEqual(names(byName.body.entities), [`${schemaId}:Sale.cc_number`]);
    assert.deepEqual(byName.body.entities[0].classificationNames, ['PII']);
    const byText = await p.registry('GET', '/catalog/v1/search/basic?query=enriched');
    assert.deepEqual(names(byText.body.entities), ['orders']);
    const topics = await p.registry('GET', '/catalog/v1/search/basic?type=kafka_topic');
    assert.deepEqual(names(topics.body.entities), ['orders', 'payments'], 'internal topics are not entities');
    assert.equal((await p.registry('GET', '/catalog/v1/search/basic?limit=x')).status, 422);
    assert.equal((await p.registry('GET', '/catalog/v1/search/basic?types=kafka_table')).status, 422);
    const paged = await p.registry('GET', '/catalog/v1/search/basic?type=kafka_topic&limit=1&offset=1');
    assert.deepEqual(names(paged.body.entities), ['payments']);
    assert.equal(paged.body.approximateCount, 2);
  });

  it('keeps everything across a restart (the _catalog topic)', async () => {
    p = await p.restart();
    assert.deepEqual((await p.registry('GET', '/catalog/v1/types/tagdefs')).body.map((d: { name: string }) => d.name), ['DataProduct', 'PII']);
    assert.deepEqual(names((await p.registry('GET', '/catalog/v1/search/basic?owner=orders-team')).body.entities), ['orders']);
    const fieldTags = await p.registry('GET', `/catalog/v1/entity/type/sr_field/name/${schemaId}:Sale.cc_number/tags`);
    assert.deepEqual(fieldTags.body.map((t: { typeName: string }) => t.typeName), ['PII']);

    // Removing a tag and a definition survives a restart too.
    assert.equal((await p.registry('DELETE', '/catalog/v1/entity/type/kafka_topic/name/orders/tags/DataProduct')).status, 204);
    assert.equal((await p.registry('DELETE', '/catalog/v1/entity/type/kafka_topic/name/orders/businessmetadata/Ownership')).status, 204);
    p = await p.restart();
    assert.deepEqual((await p.registry('GET', '/catalog/v1/entity/type/kafka_topic/name/orders/tags')).body, []);
    assert.deepEqual((await p.registry('GET', '/catalog/v1/entity/type/kafka_topic/name/orders/businessmetadata')).body, []);
  });

  it('field tags set in the catalog join the contract when it evolves', async () => {
    const evolved = await p.api('POST', '/v1/actions/evolve-contract', { subject: 'payments-value' });
    assert.equal(evolved.status, 200, JSON.stringify(evolved.body));
    const latest = await p.registry('GET', '/subjects/payments-value/versions/latest');
    assert.deepEqual(latest.body.metadata.tags, { 'Sale.cc_number': ['PII'] });
    assert.equal((await p.api('POST', '/v1/actions/evolve-contract', { subject: 'nope-value' })).status, 404);
  });
});
