/**
 * Durability: the registry's state is the `_schemas` topic. After closing and reopening the
 * same directory (and after the log compacts the topic), every subject, version, id, config,
 * mode, KEK and DEK reads back identical, and new ids continue where they stopped.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { call, startRegistry, type RunningRegistry } from './registry-harness.ts';

const paths = [
  '/subjects?deleted=true',
  '/subjects/a-value/versions?deleted=true',
  '/subjects/a-value/versions/1?deleted=true',
  '/subjects/a-value/versions/2',
  '/subjects/a-value/versions/3',
  '/subjects/b-value/versions/1',
  '/schemas/ids/1',
  '/schemas/ids/2',
  '/schemas/ids/3',
  '/schemas/ids/1/versions?deleted=true',
  '/schemas/ids/2?fetchMaxId=true',
  '/config',
  '/config/a-value',
  '/mode',
  '/mode/b-value',
  '/associations/resources/-/a',
  '/dek-registry/v1/keks?deleted=true',
  '/dek-registry/v1/keks/k1',
  '/dek-registry/v1/keks/shared',
  '/dek-registry/v1/keks/k1/deks/a-value/versions?deleted=true',
  '/dek-registry/v1/keks/k1/deks/a-value/versions/1',
  '/dek-registry/v1/keks/k1/deks/a-value/versions/2?deleted=true',
  '/dek-registry/v1/keks/shared/deks/a-value/versions/-1',
];

async function readAll(server: RunningRegistry): Promise<unknown[]> {
  return Promise.all(paths.map(async (path) => ({ path, ...(await call(server.url, 'GET', path)) })));
}

function schema(fields: number): { schema: string } {
  const list = Array.from({ length: fields }, (_, i) => ({ name: `f${i}`, type: 'int', default: 0 }));
  return { schema: JSON.stringify({ type: 'record', name: 'A', fields: list }) };
}

test('everything survives a restart and a compaction', async () => {
  let server = await startRegistry();
  try {
    const post = async (path: string, body: unknown) => {
      const response = await call(server.url, 'POST', path, body);
      assert.ok(response.status < 300, `${path}: ${JSON.stringify(response.body)}`);
      return response.body;
    };
    await post('/subjects/a-value/versions', schema(1));
    await post('/subjects/a-value/versions', { ...schema(2), metadata: { properties: { owner: 'x' } } });
    await post('/subjects/a-value/versions', schema(3));
    await post('/subjects/b-value/versions', schema(1));
    await call(server.url, 'DELETE', '/subjects/a-value/versions/1');
    await call(server.url, 'PUT', '/config', { compatibility: 'FULL' });
    await call(server.url, 'PUT', '/config/a-value', { compatibility: 'NONE', defaultMetadata: { properties: { tier: 'gold' } } });
    await call(server.url, 'PUT', '/mode/b-value', { mode: 'READONLY' });
    await post('/associations', { resourceName: 'a', resourceId: 'a-id', associations: [{ subject: 'a-value' }] });
    await post('/dek-registry/v1/keks', { name: 'k1', kmsType: 'local-kms', kmsKeyId: 'key1' });
    await post('/dek-registry/v1/keks', { name: 'shared', kmsType: 'local-kms', kmsKeyId: 'key2', shared: true });
    await post('/dek-registry/v1/keks/k1/deks/a-value', { subject: 'a-value', version: 1, encryptedKeyMaterial: 'AAAA' });
    await post('/dek-registry/v1/keks/k1/deks/a-value', { subject: 'a-value', version: 2, encryptedKeyMaterial: 'BBBB' });
    await call(server.url, 'DELETE', '/dek-registry/v1/keks/k1/deks/a-value/versions/2');
    await post('/dek-registry/v1/keks/shared/deks/a-value', { subject: 'a-value' });
    // A hard-deleted subject must stay gone.
    await post('/subjects/gone/versions', schema(5));
    await call(server.url, 'DELETE', '/subjects/gone');
    await call(server.url, 'DELETE', '/subjects/gone?permanent=true');

    const before = await readAll(server);
    server = await server.restart();
    assert.deepEqual(await readAll(server), before);

    // Compaction keeps the latest record per key (tombstones included) and nothing else.
    await call(server.url, 'PUT', '/mode/b-value', { mode: 'READONLY' });
    server.log.rollAll();
    const report = server.log.runMaintenance();
    assert.ok(report.compaction.recordsRemoved > 0, 'the topic had superseded records to compact');
    server = await server.restart();
    assert.deepEqual(await readAll(server), before);
    assert.equal((await call(server.url, 'GET', '/subjects/gone/versions?deleted=true')).status, 404);

    // Ids continue after the highest one ever assigned.
    const next = await call(server.url, 'POST', '/subjects/c-value/versions', { schema: JSON.stringify({ type: 'record', name: 'C', fields: [] }) });
    assert.equal(next.body.id, 5);
  } finally {
    await server.destroy();
  }
});
