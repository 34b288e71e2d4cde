/**
 * Access control of a real platform started with `auth` (what `shiftleft up --auth` runs):
 * API keys on the platform and registry APIs, the admin API, KEK grants on the DEK registry's
 * plaintext key material, the platform's own calls through its capability URL, deletion, the
 * signed key records, and no secret in what the servers answer.
 */
import { describe, it, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startPlatform, type RunningPlatform } from '../../src/platform.ts';
import { ContractEnforcementStore } from '../../src/contracts/enforcement-store.ts';
import { API_KEYS_TOPIC } from '../../src/server/auth/api-key-store.ts';
import { readAuthorization } from '../../src/server/auth/credentials.ts';
import { canDecrypt } from '../../src/server/auth/principal.ts';
import { redactSecrets } from '../../src/server/auth/redact.ts';

interface Key {
  key: string;
  secret: string;
}

interface Answer {
  status: number;
  headers: Headers;
  text: string;
  // eslint-disable-next-line @typescript-eslint/no-explicit-any
  body: any;
}

const basic = (k: Key) => `Basic ${Buffer.from(`${k.key}:${k.secret}`).toString('base64')}`;

async function call(url: string, options: { method?: string; auth?: string; body?: unknown } = {}): Promise<Answer> {
  const response = await fetch(url, {
    method: options.method ?? 'GET',
    headers: { ...(options.auth && { authorization: options.auth }), ...(options.body !== undefined && { 'content-type': 'application/json' }) },
    ...(options.body !== undefined && { body: JSON.stringify(options.body) }),
  });
  const text = await response.text();
  let body: unknown = undefined;
  try {
    body = text ? JSON.parse(text) : undefined;
  } catch {
    body = text;
  }
  return { status: response.status, headers: response.headers, text, body };
}

function assertUnauthenticated(answer: Answer): void {
  assert.equal(answer.status, 401, answer.text);
  assert.equal(answer.body.code, 'UNAUTHENTICATED');
  assert.match(answer.headers.get('www-authenticate') ?? '', /Basic realm="shiftleft"/);
}

describe('platform with access control', { timeout: 120_000 }, () => {
  let dir: string;
  let platform: RunningPlatform;
  let admin: Key;
  let granted: Key;
  let plain: Key;
  const secretsSeen: string[] = [];

  const createKey = async (body: unknown): Promise<Key> => {
    const answer = await call(`${platform.urls.platform}/v1/api-keys`, { method: 'POST', auth: basic(admin), body });
    assert.equal(answer.status, 201, answer.text);
    secretsSeen.push(answer.body.secret);
    return { key: answer.body.key, secret: answer.body.secret };
  };

  before(async () => {
    dir = mkdtempSync(join(tmpdir(), 'shiftleft-auth-'));
    platform = await startPlatform({ dataDir: dir, port: 0, registryPort: 0, auth: true, localKmsSecret: 'test-local-kms-secret' });
    const first = platform.access?.initialAdminKey;
    assert.ok(first, 'a first start creates an admin key');
    admin = { key: first.key, secret: first.secret };
    secretsSeen.push(admin.secret);
    granted = await createKey({ description: 'reads payments', kekGrants: ['payments-kek'] });
    plain = await createKey({ description: 'no grants' });
  });

  after(async () => {
    await platform?.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it('keeps /health open, and it reveals no secret', async () => {
    const health = await call(`${platform.urls.platform}/health`);
    assert.equal(health.status, 200);
    assert.deepEqual(health.body.urls, { platform: platform.urls.platform, registry: platform.urls.registry });
    assert.doesNotMatch(health.text, /_internal/);
    for (const secret of secretsSeen) assert.ok(!health.text.includes(secret));
  });

  it('answers 401 with WWW-Authenticate without a key, with a wrong secret, an unknown key or a malformed header', async () => {
    for (const url of [`${platform.urls.platform}/v1/topics`, `${platform.urls.registry}/subjects`, `${platform.urls.platform}/no/such/route`]) {
      assertUnauthenticated(await call(url));
      assertUnauthenticated(await call(url, { auth: basic({ key: plain.key, secret: 'wrong-secret' }) }));
      assertUnauthenticated(await call(url, { auth: basic({ key: 'AAAAAAAAAAAAAAAA', secret: plain.secret }) }));
      assertUnauthenticated(await call(url, { auth: 'Basic !!!' }));
      assertUnauthenticated(await call(url, { auth: `Digest ${plain.key}` }));
    }
    // The answer never echoes what was presented.
    const wrong = await call(`${platform.urls.platform}/v1/topics`, { auth: basic({ key: plain.key, secret: 'wrong-secret' }) });
    assert.ok(!wrong.text.includes('wrong-secret') && !wrong.text.includes(plain.key));
  });

  it('answers 200 to a valid key, as HTTP Basic or Bearer, on both APIs', async () => {
    assert.equal((await call(`${platform.urls.platform}/v1/topics`, { auth: basic(plain) })).status, 200);
    assert.equal((await call(`${platform.urls.platform}/v1/topics`, { auth: `Bearer ${plain.key}:${plain.secret}` })).status, 200);
    const registered = await call(`${platform.urls.registry}/subjects/orders-value/versions`, {
      method: 'POST',
      auth: basic(plain),
      body: { schema: JSON.stringify({ type: 'record', name: 'Order', fields: [{ name: 'id', type: 'int' }] }) },
    });
    assert.equal(registered.status, 200, registered.text);
    assert.deepEqual((await call(`${platform.urls.registry}/subjects`, { auth: basic(plain) })).body, ['orders-value']);
  });

  it('keeps the admin API to admin keys (403 otherwise) and validates its requests', async () => {
    const forbidden = await call(`${platform.urls.platform}/v1/api-keys`, { auth: basic(plain) });
    assert.equal(forbidden.status, 403);
    assert.equal(forbidden.body.code, 'FORBIDDEN');
    assert.equal((await call(`${platform.urls.platform}/v1/api-keys`, { method: 'POST', auth: basic(granted), body: { admin: true } })).status, 403);

    const listed = await call(`${platform.urls.platform}/v1/api-keys`, { auth: basic(admin) });
    assert.equal(listed.status, 200);
    assert.deepEqual(
      listed.body.map((k: { key: string; admin: boolean; kekGrants: string[] }) => [k.key, k.admin, k.kekGrants]).sort(),
      [
        [admin.key, true, []],
        [granted.key, false, ['payments-kek']],
        [plain.key, false, []],
      ].sort(),
    );
    for (const secret of secretsSeen) assert.ok(!listed.text.includes(secret), 'lists never show secrets');
    assert.doesNotMatch(listed.text, /hash|salt/);

    const bad = async (body: unknown) => call(`${platform.urls.platform}/v1/api-keys`, { method: 'POST', auth: basic(admin), body });
    assert.equal((await bad({ kekGrants: 'payments-kek' })).status, 422);
    assert.equal((await bad({ kekGrants: [''] })).status, 422);
    assert.equal((await bad({ admin: 'yes' })).status, 422);
    const unknownField = await bad({ grants: ['x'] });
    assert.equal(unknownField.status, 422);
    assert.match(unknownField.body.message, /'grants'/);
    assert.equal((await call(`${platform.urls.platform}/v1/api-keys/not-a-key`, { method: 'DELETE', auth: basic(admin) })).status, 422);
    const missing = await call(`${platform.urls.platform}/v1/api-keys/AAAAAAAAAAAAAAAA`, { method: 'DELETE', auth: basic(admin) });
    assert.equal(missing.status, 404);
    assert.match(missing.body.hint, /apikey list/);
  });

  it('keeps the _api_keys topic out of the log API', async () => {
    const read = await call(`${platform.urls.platform}/v1/topics/${API_KEYS_TOPIC}/partitions/0/records?offset=0`, { auth: basic(admin) });
    assert.equal(read.status, 403);
    const write = await call(`${platform.urls.platform}/v1/topics/${API_KEYS_TOPIC}/records`, { method: 'POST', auth: basic(admin), body: { records: [{ key: 'X', value: '{}' }] } });
    assert.equal(write.status, 403);
    const wait = await call(`${platform.urls.platform}/v1/records/wait`, { method: 'POST', auth: basic(plain), body: { positions: [{ topic: API_KEYS_TOPIC, partition: 0, offset: 0 }], timeoutMs: 0 } });
    assert.equal(wait.status, 403);
  });

  it("hands a shared KEK's plaintext DEK only to keys granted that KEK", async () => {
    const kek = await call(`${platform.urls.registry}/dek-registry/v1/keks`, {
      method: 'POST',
      auth: basic(admin),
      body: { name: 'payments-kek', kmsType: 'local-kms', kmsKeyId: 'payments-kek', shared: true },
    });
    assert.equal(kek.status, 200, kek.text);
    const created = await call(`${platform.urls.registry}/dek-registry/v1/keks/payments-kek/deks/payments-value`, { method: 'POST', auth: basic(plain), body: {} });
    assert.equal(created.status, 200, created.text);
    assert.equal(created.body.keyMaterial, undefined, 'the creator without a grant gets no plaintext');
    assert.ok(created.body.encryptedKeyMaterial);

    const path = `${platform.urls.registry}/dek-registry/v1/keks/payments-kek/deks/payments-value`;
    const forGranted = await call(path, { auth: basic(granted) });
    assert.equal(forGranted.status, 200);
    assert.match(forGranted.body.keyMaterial, /^[A-Za-z0-9+/]+=*$/);
    for (const key of [plain, admin]) {
      const answer = await call(path, { auth: basic(key) });
      assert.equal(answer.status, 200);
      assert.equal(answer.body.keyMaterial, undefined);
      assert.equal(answer.body.encryptedKeyMaterial, forGranted.body.encryptedKeyMaterial);
      assert.ok(!answer.text.includes(forGranted.body.keyMaterial));
    }
    const version = await call(`${path}/versions/1`, { auth: basic(plain) });
    assert.equal(version.body.keyMaterial, undefined);
    assert.equal((await call(`${path}/versions/1`, { auth: basic(granted) })).body.keyMaterial, forGranted.body.keyMaterial);
  });

  it("lets the platform's own parts call the registry: contract enforcement checks records through it", async () => {
    assert.equal((await call(`${platform.urls.platform}/v1/topics`, { method: 'POST', auth: basic(plain), body: { name: 'orders' } })).status, 201);
    await (await ContractEnforcementStore.open(platform.log)).setEnforced('orders', true);
    const produce = (value: Buffer) =>
      call(`${platform.urls.platform}/v1/topics/orders/records`, { method: 'POST', auth: basic(plain), body: { records: [{ value: value.toString('base64'), valueEncoding: 'base64' }] } });
    const id = (await call(`${platform.urls.registry}/subjects/orders-value/versions/latest`, { auth: basic(plain) })).body.id as number;
    const wire = (schemaId: number) => Buffer.concat([Buffer.from([0]), Buffer.from([0, 0, 0, schemaId]), Buffer.from([0x02])]);
    // The enforcing producer re-reads its flags every 500 ms: wait until it refuses a record.
    let refused: Answer;
    for (;;) {
      refused = await produce(wire(99));
      if (refused.status !== 200) break;
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
    assert.equal(refused.status, 422, refused.text);
    assert.match(refused.body.message, /schema id 99 is unknown to the schema registry/);
    const accepted = await produce(wire(id));
    assert.equal(accepted.status, 200, accepted.text);
  });

  it('makes a deleted key stop working at once', async () => {
    const doomed = await createKey({ description: 'short-lived' });
    assert.equal((await call(`${platform.urls.platform}/v1/topics`, { auth: basic(doomed) })).status, 200);
    assert.equal((await call(`${platform.urls.platform}/v1/api-keys/${doomed.key}`, { method: 'DELETE', auth: basic(admin) })).status, 204);
    assertUnauthenticated(await call(`${platform.urls.platform}/v1/topics`, { auth: basic(doomed) }));
    assertUnauthenticated(await call(`${platform.urls.registry}/subjects`, { auth: basic(doomed) }));
  });

  it('keeps keys across a restart, stores no secret, and ignores key records it did not sign', async () => {
    const raw = await platform.log.fetch({ topic: API_KEYS_TOPIC, partition: 0 }, 0, { maxRecords: 1000 });
    const stored = raw.records.map((r) => r.value?.toString('utf8') ?? '').join('\n');
    assert.ok(stored.includes(plain.key));
    for (const secret of secretsSeen) assert.ok(!stored.includes(secret), 'the topic holds hashes, never secrets');
    // Someone who can write the log forges an admin key with a secret of their choosing.
    const forged = JSON.parse(raw.records.find((r) => r.key?.toString() === plain.key)!.value!.toString()) as Record<string, unknown>;
    await platform.log.produce(API_KEYS_TOPIC, [{ key: Buffer.from('FORGEDFORGEDFORG'), value: Buffer.from(JSON.stringify({ ...forged, key: 'FORGEDFORGEDFORG', admin: true })), partition: 0 }]);

    await platform.close();
    platform = await startPlatform({ dataDir: dir, port: 0, registryPort: 0, auth: true });
    assert.equal(platform.access?.initialAdminKey, undefined, 'an admin key exists: no new one');
    assert.match(platform.access!.warnings.join('\n'), /ignored 1 record/);
    assert.equal((await call(`${platform.urls.platform}/v1/topics`, { auth: basic(plain) })).status, 200);
    assertUnauthenticated(await call(`${platform.urls.platform}/v1/topics`, { auth: basic({ key: 'FORGEDFORGEDFORG', secret: plain.secret }) }));
  });
});

describe('access control pieces', () => {
  it('reads Basic and Bearer credentials, and nothing else', () => {
    assert.deepEqual(readAuthorization(`Basic ${Buffer.from('K:S:with:colons').toString('base64')}`), { kind: 'api-key', key: 'K', secret: 'S:with:colons' });
    assert.deepEqual(readAuthorization('Bearer K:S'), { kind: 'api-key', key: 'K', secret: 'S' });
    assert.deepEqual(readAuthorization(undefined), { kind: 'none' });
    for (const header of ['Basic', 'Bearer K', 'Bearer :S', 'Bearer K:', `Basic ${Buffer.from('KS').toString('base64')}`, 'Token K:S', 'Basic a b']) {
      assert.deepEqual(readAuthorization(header), { kind: 'malformed' }, header);
    }
  });

  it('grants KEKs only to keys holding them; the platform and an open platform use every KEK', () => {
    const key = { kind: 'api-key' as const, key: 'K', admin: true, kekGrants: new Set(['a']) };
    assert.equal(canDecrypt(key, 'a'), true);
    assert.equal(canDecrypt(key, 'b'), false);
    assert.equal(canDecrypt({ kind: 'platform' }, 'b'), true);
    assert.equal(canDecrypt(undefined, 'b'), true);
  });

  it('redacts the capability path and URL passwords from messages', () => {
    assert.equal(redactSecrets('at http://127.0.0.1:1/_internal/AbC_-9/subjects failed'), 'at http://127.0.0.1:1/_internal/<redacted>/subjects failed');
    assert.equal(redactSecrets('see https://user:pa55@host:8081/x'), 'see https://user:<redacted>@host:8081/x');
    assert.equal(redactSecrets('plain http://host:8081/x'), 'plain http://host:8081/x');
  });
});
