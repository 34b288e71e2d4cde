/**
 * Confluent's own SchemaRegistryClient (its REST client, not its mock) against our server:
 * registration, lookups, versions, compatibility, config, deletes, references and the
 * inheritance of metadata and rule sets.
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { Compatibility, RestError, SchemaRegistryClient, type SchemaInfo } from '@confluentinc/schemaregistry';
import { call, startRegistry, type RunningRegistry } from './registry-harness.ts';

function record(name: string, fields: { name: string; type: unknown; default?: unknown }[]): SchemaInfo {
  return { schemaType: 'AVRO', schema: JSON.stringify({ type: 'record', name, fields }) };
}

const userV1 = record('User', [{ name: 'id', type: 'long' }]);
const userV2 = record('User', [
  { name: 'id', type: 'long' },
  { name: 'email', type: ['null', 'string'], default: null },
]);
const userBreaking = record('User', [
  { name: 'id', type: 'long' },
  { name: 'age', type: 'int' },
]);

async function restError(promise: Promise<unknown>): Promise<RestError> {
  try {
    await promise;
  } catch (error) {
    if (error instanceof RestError) return error;
    throw error;
  }
  assert.fail('expected a RestError');
}

describe('SchemaRegistryClient against the shiftleft registry', () => {
  let server: RunningRegistry;
  let client: SchemaRegistryClient;

  before(async () => {
    server = await startRegistry();
    client = new SchemaRegistryClient({ baseURLs: [server.url] });
  });
  after(async () => {
    await server.destroy();
  });

  test('register, look up and read back', async () => {
    const id = await client.register('users-value', userV1);
    assert.equal(id, 1);
    // Registering the same schema again is idempotent.
    assert.equal(await new SchemaRegistryClient({ baseURLs: [server.url] }).register('users-value', userV1), 1);
    // Same schema, another subject: same global id.
    assert.equal(await client.register('users-copy-value', userV1), 1);

    const fresh = new SchemaRegistryClient({ baseURLs: [server.url] });
    assert.equal(await fresh.getId('users-value', userV1), 1);
    assert.equal(await fresh.getVersion('users-value', userV1), 1);
    const info = await fresh.getBySubjectAndId('users-value', 1);
    assert.equal(info.schema, userV1.schema);
    assert.deepEqual(await fresh.getAllVersions('users-value'), [1]);
    assert.deepEqual((await fresh.getAllSubjects()).sort(), ['users-copy-value', 'users-value']);
    const v1 = await fresh.getSchemaMetadata('users-value', 1);
    assert.equal(v1.id, 1);
    assert.equal(v1.version, 1);
    // One GUID per global id, shared by every subject using it.
    assert.match(v1.guid ?? '', /^[0-9a-f-]{36}$/);
    assert.equal((await fresh.getSchemaMetadata('users-copy-value', 1)).guid, v1.guid);
    assert.equal((await fresh.getByGuid(v1.guid!)).schema, userV1.schema);
  });

  test('normalize makes whitespace and key order irrelevant', async () => {
    const spaced = { schemaType: 'AVRO', schema: `{ "name": "User",  "type": "record", "fields": [ {"type": "long", "name": "id"} ] }` };
    assert.equal(await client.register('users-value', spaced, true), 1);
    assert.deepEqual(await client.getAllVersions('users-value'), [1]);
  });

  test('compatibility: compatible evolution, incompatible one refused with 409', async () => {
    assert.equal(await client.testSubjectCompatibility('users-value', userV2), true);
    assert.equal(await client.testCompatibility('users-value', 1, userBreaking), false);
    const id2 = await client.register('users-value', userV2);
    assert.equal(id2, 2);
    const refused = await restError(client.register('users-value', userBreaking));
    assert.equal(refused.status, 409);
    assert.equal(refused.errorCode, 409);
    assert.match(refused.message, /incompatible/);
    assert.deepEqual(await client.getAllVersions('users-value'), [1, 2]);

    const verbose = await call(server.url, 'POST', '/compatibility/subjects/users-value/versions/latest?verbose=true', userBreaking);
    assert.equal(verbose.status, 200);
    assert.equal(verbose.body.is_compatible, false);
    assert.ok(verbose.body.messages.some((m: string) => m.includes('READER_FIELD_MISSING_DEFAULT_VALUE')));
    assert.ok(verbose.body.messages.includes("{compatibility: 'BACKWARD'}"));
  });

  test('config: global and per subject, with defaultToGlobal', async () => {
    assert.equal(await client.getDefaultCompatibility(), Compatibility.BACKWARD);
    const missing = await restError(client.getCompatibility('users-value'));
    assert.equal(missing.errorCode, 40408);
    assert.equal((await call(server.url, 'GET', '/config/users-value?defaultToGlobal=true')).body.compatibilityLevel, 'BACKWARD');

    assert.equal(await client.updateCompatibility('users-value', Compatibility.NONE), Compatibility.NONE);
    assert.equal(await client.getCompatibility('users-value'), Compatibility.NONE);
    // NONE accepts the breaking change.
    assert.equal(await client.register('users-value', userBreaking), 3);

    assert.equal(await client.updateDefaultCompatibility(Compatibility.FULL_TRANSITIVE), Compatibility.FULL_TRANSITIVE);
    assert.equal(await client.getDefaultCompatibility(), Compatibility.FULL_TRANSITIVE);
    await client.updateDefaultCompatibility(Compatibility.BACKWARD);
  });

  test('mode: READONLY refuses writes, IMPORT keeps given ids', async () => {
    assert.deepEqual((await call(server.url, 'PUT', '/mode/users-value', { mode: 'READONLY' })).body, { mode: 'READONLY' });
    const refused = await call(server.url, 'POST', '/subjects/users-value/versions', record('User', [{ name: 'x', type: 'int' }]));
    assert.equal(refused.status, 422);
    assert.equal(refused.body.error_code, 42205);
    await call(server.url, 'DELETE', '/mode/users-value');
    assert.equal((await call(server.url, 'GET', '/mode/users-value')).body.error_code, 40409);

    assert.equal((await call(server.url, 'PUT', '/mode/imported', { mode: 'IMPORT' })).status, 200);
    const imported = await call(server.url, 'POST', '/subjects/imported/versions', { ...record('Imported', [{ name: 'a', type: 'int' }]), id: 100, version: 7 });
    assert.equal(imported.status, 200);
    assert.equal(imported.body.id, 100);
    assert.equal(imported.body.version, 7);
    await call(server.url, 'PUT', '/mode/imported', { mode: 'READWRITE' });
    // New ids continue after the highest one, imported ones included.
    assert.equal(await client.register('after-import', record('After', [{ name: 'a', type: 'string' }])), 101);
  });

  test('soft delete, deleted listings, hard delete', async () => {
    await client.register('temp-value', record('Temp', [{ name: 'a', type: 'int' }]));
    await client.register('temp-value', record('Temp', [{ name: 'a', type: 'int' }, { name: 'b', type: 'int', default: 0 }]));

    const notSoft = await restError(client.deleteSubjectVersion('temp-value', 1, true));
    assert.equal(notSoft.errorCode, 40407);
    assert.equal(await client.deleteSubjectVersion('temp-value', 1), 1);
    assert.deepEqual(await client.getAllVersions('temp-value'), [2]);
    assert.deepEqual((await call(server.url, 'GET', '/subjects/temp-value/versions?deleted=true')).body, [1, 2]);
    assert.equal((await call(server.url, 'GET', '/subjects/temp-value/versions/1')).body.error_code, 40402);
    assert.equal((await call(server.url, 'GET', '/subjects/temp-value/versions/1?deleted=true')).body.version, 1);
    assert.equal((await restError(client.deleteSubjectVersion('temp-value', 1))).errorCode, 40406);

    const hardFirst = await restError(client.deleteSubject('temp-value', true));
    assert.equal(hardFirst.errorCode, 40405);
    assert.deepEqual(await client.deleteSubject('temp-value'), [2]);
    assert.ok(!(await client.getAllSubjects()).includes('temp-value'));
    assert.ok((await call(server.url, 'GET', '/subjects?deleted=true')).body.includes('temp-value'));
    assert.equal((await restError(client.deleteSubject('temp-value'))).errorCode, 40404);
    assert.deepEqual(await client.deleteSubject('temp-value', true), [1, 2]);
    assert.ok(!(await call(server.url, 'GET', '/subjects?deleted=true')).body.includes('temp-value'));
    assert.equal((await restError(client.getAllVersions('temp-value'))).errorCode, 40401);
  });

  test('references: resolved, listed by referencedby, protected from deletion', async () => {
    const address = record('Address', [{ name: 'street', type: 'string' }]);
    const addressId = await client.register('address-value', address);
    const customer: SchemaInfo = {
      schemaType: 'AVRO',
      schema: JSON.stringify({ type: 'record', name: 'Customer', fields: [{ name: 'home', type: 'Address' }] }),
      references: [{ name: 'Address', subject: 'address-value', version: 1 }],
    };
    const customerId = await client.register('customer-value', customer);
    assert.notEqual(customerId, addressId);
    const fetched = await client.getSchemaMetadata('customer-value', 1);
    assert.deepEqual(fetched.references, [{ name: 'Address', subject: 'address-value', version: 1 }]);
    assert.deepEqual((await call(server.url, 'GET', '/subjects/address-value/versions/1/referencedby')).body, [customerId]);

    const refused = await call(server.url, 'DELETE', '/subjects/address-value/versions/1');
    assert.equal(refused.status, 422);
    assert.equal(refused.body.error_code, 42206);
    assert.deepEqual(await client.getAllVersions('address-value'), [1]);

    const dangling = await call(server.url, 'POST', '/subjects/bad-ref/versions', { ...customer, references: [{ name: 'Address', subject: 'nowhere', version: 1 }] });
    assert.equal(dangling.status, 422);
    assert.equal(dangling.body.error_code, 42201);
  });

  test('metadata and rule sets: inherited by new versions, merged with config defaults and overrides', async () => {
    const ruleSet = { domainRules: [{ name: 'checkId', kind: 'CONDITION', type: 'CEL', mode: 'WRITE', expr: 'message.id > 0' }] };
    const v1 = { ...record('Order', [{ name: 'id', type: 'long' }]), metadata: { properties: { owner: 'team-a' } }, ruleSet } as SchemaInfo;
    await client.register('orders-value', v1);
    // v2 without metadata/ruleSet inherits v1's.
    await client.register('orders-value', record('Order', [{ name: 'id', type: 'long' }, { name: 'note', type: ['null', 'string'], default: null }]));
    const v2 = await client.getLatestSchemaMetadata('orders-value');
    assert.equal(v2.version, 2);
    assert.deepEqual(v2.metadata, { properties: { owner: 'team-a' } });
    assert.deepEqual(v2.ruleSet?.domainRules?.map((r) => r.name), ['checkId']);

    await client.updateConfig('orders-value', {
      defaultMetadata: { properties: { owner: 'default-owner', tier: 'gold' } },
      overrideRuleSet: { domainRules: [{ name: 'mandatory', kind: 'CONDITION', type: 'CEL', mode: 'WRITE', expr: 'true' }] },
    } as never);
    await client.register('orders-value', {
      ...record('Order', [{ name: 'id', type: 'long' }, { name: 'note', type: ['null', 'string'], default: null }, { name: 'x', type: 'int', default: 0 }]),
      metadata: { properties: { owner: 'team-b' } },
    });
    const v3 = await new SchemaRegistryClient({ baseURLs: [server.url] }).getLatestSchemaMetadata('orders-value');
    assert.deepEqual(v3.metadata?.properties, { owner: 'team-b', tier: 'gold' });
    assert.deepEqual(v3.ruleSet?.domainRules?.map((r) => r.name), ['checkId', 'mandatory']);
    assert.equal((await call(server.url, 'GET', '/subjects/orders-value/metadata?key=owner&value=team-a')).body.version, 2);
  });

  test('compatibilityGroup: a new major version may break compatibility', async () => {
    await client.updateConfig('grouped-value', { compatibilityGroup: 'major' } as never);
    await client.register('grouped-value', { ...record('G', [{ name: 'a', type: 'int' }]), metadata: { properties: { major: '1' } } });
    const breaking = record('G', [{ name: 'b', type: 'string' }]);
    // Same group (inherited major=1): refused.
    assert.equal((await restError(client.register('grouped-value', breaking))).status, 409);
    // New group: accepted.
    await client.register('grouped-value', { ...breaking, metadata: { properties: { major: '2' } } });
    assert.deepEqual(await client.getAllVersions('grouped-value'), [1, 2]);
  });

  test('schemas by id: versions and subjects', async () => {
    assert.deepEqual((await call(server.url, 'GET', '/schemas/ids/1/versions')).body, [
      { subject: 'users-copy-value', version: 1 },
      { subject: 'users-value', version: 1 },
    ]);
    assert.deepEqual((await call(server.url, 'GET', '/schemas/ids/1/subjects')).body, ['users-copy-value', 'users-value']);
    const raw = await call(server.url, 'GET', '/schemas/ids/1/schema');
    assert.deepEqual(raw.body, JSON.parse(userV1.schema));
    assert.deepEqual((await call(server.url, 'GET', '/schemas/types')).body.sort(), ['AVRO', 'JSON', 'PROTOBUF']);
    assert.deepEqual((await call(server.url, 'GET', '/contexts')).body, [':.:']);
    assert.deepEqual((await call(server.url, 'GET', '/')).body, {});
  });

  test('associations: created ones are found, then deleted', async () => {
    const created = await client.createAssociation({
      resourceName: 'orders',
      resourceNamespace: 'lkc-local',
      resourceId: 'orders-topic-id',
      resourceType: 'topic',
      associations: [{ subject: 'orders-value', associationType: 'value' }],
    });
    assert.equal(created.associations?.[0]?.subject, 'orders-value');
    const found = await client.getAssociationsByResourceName('orders', 'lkc-local', 'topic', ['value'], null, 0, -1);
    assert.deepEqual(found.map((a) => a.subject), ['orders-value']);
    const wildcard = await client.getAssociationsByResourceName('orders', '-', 'topic', ['value'], null, 0, -1);
    assert.equal(wildcard.length, 1);
    await client.deleteAssociations('orders-topic-id', 'topic', null, false);
    assert.equal((await restError(client.getAssociationsByResourceName('orders', 'lkc-local', 'topic', ['value'], null, 0, -1))).status, 404);
  });

  test('subject names are URL-decoded', async () => {
    const subject = 'team a/orders:value ü';
    const id = await client.register(subject, record('Odd', [{ name: 'a', type: 'int' }]));
    assert.ok((await client.getAllSubjects()).includes(subject));
    assert.equal((await call(server.url, 'GET', `/subjects/${encodeURIComponent(subject)}/versions/latest`)).body.id, id);
  });

  test('JSON Schema and Protobuf register and check compatibility too', async () => {
    const jsonV1 = { schemaType: 'JSON', schema: JSON.stringify({ type: 'object', properties: { a: { type: 'string' } } }) };
    const jsonId = await client.register('json-value', jsonV1);
    assert.ok(jsonId > 0);
    assert.equal((await client.getBySubjectAndId('json-value', jsonId)).schemaType, 'JSON');
    const proto = { schemaType: 'PROTOBUF', schema: 'syntax = "proto3";\nmessage Ping { string id = 1; }\n' };
    const protoId = await client.register('proto-value', proto);
    assert.equal((await call(server.url, 'GET', `/schemas/ids/${protoId}`)).body.schemaType, 'PROTOBUF');

    // JSON Schema compatibility: a closed content model refuses a new required property.
    const jsonBreaking = {
      schemaType: 'JSON',
      schema: JSON.stringify({ type: 'object', properties: { a: { type: 'string' }, b: { type: 'integer' } }, required: ['b'] }),
    };
    assert.equal(await client.testSubjectCompatibility('json-value', jsonBreaking), false);
    const protoBreaking = { schemaType: 'PROTOBUF', schema: 'syntax = "proto3";\nmessage Ping { int64 id = 1; }\n' };
    assert.equal(await client.testSubjectCompatibility('proto-value', protoBreaking), false);
    const protoAdded = { schemaType: 'PROTOBUF', schema: 'syntax = "proto3";\nmessage Ping { string id = 1; string note = 2; }\n' };
    assert.equal(await client.testSubjectCompatibility('proto-value', protoAdded), true);
  });
});
