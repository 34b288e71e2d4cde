/**
 * The DEK registry through Confluent's DekRegistryClient and raw HTTP: KEKs, DEKs with
 * versions (-1 = latest), soft and hard deletes, undelete, and shared KEKs for which the
 * registry generates DEKs with the embedded local KMS.
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { Cryptor, DekFormat, DekRegistryClient, LocalKmsDriver } from '@confluentinc/schemaregistry';
import { call, startRegistry, TEST_LOCAL_SECRET, type RunningRegistry } from './registry-harness.ts';

describe('DEK registry', () => {
  let server: RunningRegistry;
  let client: DekRegistryClient;

  before(async () => {
    server = await startRegistry();
    client = new DekRegistryClient({ baseURLs: [server.url] });
  });
  after(async () => {
    await server.destroy();
  });

  test('KEK create, get, list, update', async () => {
    const kek = await client.registerKek('orders-kek', 'local-kms', 'orders-key', false, { region: 'local' }, 'for orders');
    assert.equal(kek.name, 'orders-kek');
    assert.equal(kek.kmsType, 'local-kms');
    assert.equal(kek.shared, false);
    assert.deepEqual(kek.kmsProps, { region: 'local' });
    assert.equal(kek.doc, 'for orders');
    assert.equal(typeof kek.ts, 'number');

    // The same KEK again is answered with the stored one; a different one under the name is 409.
    assert.equal((await call(server.url, 'POST', '/dek-registry/v1/keks', { name: 'orders-kek', kmsType: 'local-kms', kmsKeyId: 'orders-key', kmsProps: { region: 'local' }, doc: 'for orders' })).status, 200);
    const conflict = await call(server.url, 'POST', '/dek-registry/v1/keks', { name: 'orders-kek', kmsType: 'local-kms', kmsKeyId: 'other' });
    assert.equal(conflict.status, 409);
    assert.equal(conflict.body.error_code, 40971);

    assert.deepEqual((await call(server.url, 'GET', '/dek-registry/v1/keks')).body, ['orders-kek']);
    const updated = await call(server.url, 'PUT', '/dek-registry/v1/keks/orders-kek', { doc: 'updated' });
    assert.equal(updated.body.doc, 'updated');
    assert.equal(updated.body.kmsKeyId, 'orders-key');
  });

  test('DEKs of a non-shared KEK: client-supplied material, versions, latest', async () => {
    const material = Buffer.from('encrypted-by-the-client').toString('base64');
    const dek1 = await client.registerDek('orders-kek', 'orders-value', 'AES256_GCM', 1, material);
    assert.equal(dek1.version, 1);
    assert.equal(dek1.encryptedKeyMaterial, material);
    assert.equal(dek1.keyMaterial, undefined);
    await client.registerDek('orders-kek', 'orders-value', 'AES256_GCM', 2, material);

    const latest = await new DekRegistryClient({ baseURLs: [server.url] }).getDek('orders-kek', 'orders-value', 'AES256_GCM', -1, false);
    assert.equal(latest.version, 2);
    assert.deepEqual((await call(server.url, 'GET', '/dek-registry/v1/keks/orders-kek/deks/orders-value/versions')).body, [1, 2]);
    assert.deepEqual((await call(server.url, 'GET', '/dek-registry/v1/keks/orders-kek/deks')).body, ['orders-value']);
    assert.deepEqual((await call(server.url, 'GET', '/dek-registry/v1/keks?subjectPrefix=orders')).body, ['orders-kek']);
    assert.deepEqual((await call(server.url, 'GET', '/dek-registry/v1/keks?subjectPrefix=payments')).body, []);
    assert.equal((await call(server.url, 'GET', '/dek-registry/v1/keks/orders-kek/deks/orders-value')).body.version, 2);

    const missing = await call(server.url, 'POST', '/dek-registry/v1/keks/orders-kek/deks/other-value', { subject: 'other-value' });
    assert.equal(missing.status, 422);
    assert.equal(missing.body.error_code, 42271);
    const duplicate = await call(server.url, 'POST', '/dek-registry/v1/keks/orders-kek/deks/orders-value', { subject: 'orders-value', version: 1, encryptedKeyMaterial: material });
    assert.equal(duplicate.status, 409);
  });

  test('DEK soft delete, deleted reads, undelete, hard delete', async () => {
    const path = '/dek-registry/v1/keks/orders-kek/deks/orders-value';
    assert.equal((await call(server.url, 'DELETE', `${path}/versions/2?permanent=true`)).body.error_code, 40471);
    assert.equal((await call(server.url, 'DELETE', `${path}/versions/2`)).status, 204);
    assert.equal((await call(server.url, 'GET', `${path}/versions/-1`)).body.version, 1);
    assert.equal((await call(server.url, 'GET', `${path}/versions/2`)).body.error_code, 40470);
    assert.equal((await call(server.url, 'GET', `${path}/versions/2?deleted=true`)).body.deleted, true);
    assert.equal((await call(server.url, 'POST', `${path}/versions/2/undelete`)).status, 204);
    assert.equal((await call(server.url, 'GET', `${path}/versions/-1`)).body.version, 2);

    // A KEK with live DEKs cannot be deleted.
    assert.equal((await call(server.url, 'DELETE', '/dek-registry/v1/keks/orders-kek')).body.error_code, 42272);
    assert.equal((await call(server.url, 'DELETE', path)).status, 204);
    assert.equal((await call(server.url, 'GET', path)).status, 404);
    assert.equal((await call(server.url, 'DELETE', `${path}?permanent=true`)).status, 204);
    assert.equal((await call(server.url, 'GET', `${path}?deleted=true`)).status, 404);

    assert.equal((await call(server.url, 'DELETE', '/dek-registry/v1/keks/orders-kek?permanent=true')).body.error_code, 40471);
    assert.equal((await call(server.url, 'DELETE', '/dek-registry/v1/keks/orders-kek')).status, 204);
    assert.equal((await call(server.url, 'GET', '/dek-registry/v1/keks/orders-kek')).body.error_code, 40470);
    assert.equal((await call(server.url, 'GET', '/dek-registry/v1/keks/orders-kek?deleted=true')).body.deleted, true);
    assert.equal((await call(server.url, 'POST', '/dek-registry/v1/keks/orders-kek/undelete')).status, 204);
    assert.equal((await call(server.url, 'GET', '/dek-registry/v1/keks/orders-kek')).body.deleted, false);
    await call(server.url, 'DELETE', '/dek-registry/v1/keks/orders-kek');
    assert.equal((await call(server.url, 'DELETE', '/dek-registry/v1/keks/orders-kek?permanent=true')).status, 204);
    assert.equal((await call(server.url, 'GET', '/dek-registry/v1/keks/orders-kek?deleted=true')).status, 404);
  });

  test('a shared KEK: the registry generates the DEK and hands out the key', async () => {
    await client.registerKek('shared-kek', 'local-kms', 'shared-key', true);
    const dek = await client.registerDek('shared-kek', 'payments-value', 'AES256_GCM', 1);
    assert.ok(dek.encryptedKeyMaterial);
    assert.ok(dek.keyMaterial);
    // The stored material is the key encrypted by local-kms with the configured secret.
    const kms = new LocalKmsDriver().newKmsClient(new Map([['secret', TEST_LOCAL_SECRET]]), 'local-kms://shared-key');
    const decrypted = await kms.decrypt(Buffer.from(dek.encryptedKeyMaterial, 'base64'));
    assert.equal(decrypted.toString('base64'), dek.keyMaterial);
    // And it is a usable AES256_GCM key.
    const cryptor = new Cryptor(DekFormat.AES256_GCM);
    const ciphertext = await cryptor.encrypt(decrypted, Buffer.from('4111-1111-1111-1111'));
    assert.equal((await cryptor.decrypt(decrypted, ciphertext)).toString(), '4111-1111-1111-1111');
  });
});
