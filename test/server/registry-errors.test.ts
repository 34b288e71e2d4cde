/**
 * Bad input over raw HTTP: every refusal has Confluent's status and `{error_code, message}`
 * shape with a useful message, and leaves the stored state exactly as it was.
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { call, startRegistry, type RunningRegistry } from '../registry/registry-harness.ts';

const base = { type: 'record', name: 'Payment', fields: [{ name: 'code', type: 'string' }] };
const goodSchema = { schema: JSON.stringify(base) };

function withRules(domainRules: unknown[]): Record<string, unknown> {
  return { schema: JSON.stringify({ ...base, fields: [...base.fields, { name: 'n', type: 'int', default: 0 }] }), ruleSet: { domainRules } };
}

const validRule = { name: 'checkCode', kind: 'CONDITION', type: 'CEL', mode: 'WRITE', expr: "message.code.matches('^[A-Z]{8}$')" };

describe('registry error responses', () => {
  let server: RunningRegistry;
  /** A snapshot of what is stored, compared after each refusal. */
  let snapshot: () => Promise<string>;

  before(async () => {
    server = await startRegistry();
    assert.equal((await call(server.url, 'POST', '/subjects/payments-value/versions', goodSchema)).status, 200);
    snapshot = async () =>
      JSON.stringify([
        (await call(server.url, 'GET', '/subjects?deleted=true')).body,
        (await call(server.url, 'GET', '/subjects/payments-value/versions?deleted=true')).body,
        (await call(server.url, 'GET', '/subjects/payments-value/versions/latest')).body,
        (await call(server.url, 'GET', '/config')).body,
        (await call(server.url, 'GET', '/dek-registry/v1/keks?deleted=true')).body,
      ]);
  });
  after(async () => {
    await server.destroy();
  });

  async function refused(method: string, path: string, body: unknown, status: number, errorCode: number, message?: RegExp, rawBody?: string) {
    const before = await snapshot();
    const response = await call(server.url, method, path, body, rawBody);
    assert.equal(response.status, status, JSON.stringify(response.body));
    assert.equal(response.body.error_code, errorCode, JSON.stringify(response.body));
    assert.equal(typeof response.body.message, 'string');
    if (message) assert.match(response.body.message, message);
    assert.match(response.contentType ?? '', /application\/vnd\.schemaregistry\.v1\+json/);
    assert.equal(await snapshot(), before, 'nothing stored changed');
    return response.body;
  }

  test('invalid schemas: 42201 with the parser reason', async () => {
    await refused('POST', '/subjects/payments-value/versions', { schema: '{"type":"record","name":"X","fields":[{"name":"a","type":"strin"}]}' }, 422, 42201, /strin/);
    await refused('POST', '/subjects/payments-value/versions', { schema: '{not json' }, 422, 42201);
    await refused('POST', '/subjects/payments-value/versions', {}, 422, 42201, /Empty schema/);
    await refused('POST', '/subjects/payments-value/versions', { schema: '{}', schemaType: 'XML' }, 422, 42201, /XML/);
  });

  test('malformed JSON bodies: 400', async () => {
    await refused('POST', '/subjects/payments-value/versions', undefined, 400, 400, /JSON/, '{"schema": ');
    await refused('PUT', '/config', undefined, 400, 400, /JSON/, 'compatibility=NONE');
  });

  test('incompatible evolution: 409, verbose lists the reasons', async () => {
    const breaking = { schema: JSON.stringify({ ...base, fields: [...base.fields, { name: 'amount', type: 'double' }] }) };
    await refused('POST', '/subjects/payments-value/versions', breaking, 409, 409, /incompatible.*READER_FIELD_MISSING_DEFAULT_VALUE/);
    const verbose = await call(server.url, 'POST', '/compatibility/subjects/payments-value/versions/1?verbose=true', breaking);
    assert.equal(verbose.body.is_compatible, false);
    assert.ok(verbose.body.messages.length >= 2);
    const quiet = await call(server.url, 'POST', '/compatibility/subjects/payments-value/versions/1', breaking);
    assert.deepEqual(quiet.body, { is_compatible: false });
  });

  test('unknown subject, version and id', async () => {
    await refused('GET', '/subjects/nope/versions', undefined, 404, 40401, /nope/);
    await refused('GET', '/subjects/nope/versions/1', undefined, 404, 40401);
    await refused('GET', '/subjects/payments-value/versions/9', undefined, 404, 40402, /9/);
    await refused('GET', '/subjects/payments-value/versions/zero', undefined, 422, 42202);
    await refused('GET', '/subjects/payments-value/versions/0', undefined, 422, 42202);
    await refused('GET', '/schemas/ids/999', undefined, 404, 40403, /999/);
    await refused('POST', '/subjects/nope', goodSchema, 404, 40401);
    await refused('POST', '/subjects/payments-value', { schema: JSON.stringify({ ...base, name: 'Other' }) }, 404, 40403);
    await refused('DELETE', '/subjects/nope', undefined, 404, 40401);
    await refused('PUT', '/config/payments-value', { compatibility: 'SIDEWAYS' }, 422, 42203);
    await refused('PUT', '/mode', { mode: 'SOMETIMES' }, 422, 42204);
  });

  test('bad rule definitions are refused with the reason', async () => {
    await refused('POST', '/subjects/payments-value/versions', withRules([{ ...validRule, kind: 'CHECK' }]), 422, 42201, /kind 'CHECK'/);
    await refused('POST', '/subjects/payments-value/versions', withRules([{ ...validRule, mode: 'UPGRADE' }]), 422, 42201, /mode 'UPGRADE'/);
    await refused('POST', '/subjects/payments-value/versions', withRules([{ ...validRule, type: 'PYTHON' }]), 422, 42201, /type 'PYTHON'/);
    await refused('POST', '/subjects/payments-value/versions', withRules([{ ...validRule, type: undefined }]), 422, 42201, /missing type/);
    await refused('POST', '/subjects/payments-value/versions', withRules([{ ...validRule, name: '1bad' }]), 422, 42201, /1bad/);
    await refused('POST', '/subjects/payments-value/versions', withRules([validRule, validRule]), 422, 42201, /duplicate/);
    await refused('POST', '/subjects/payments-value/versions', withRules([{ ...validRule, onFailure: 'EXPLODE' }]), 422, 42201, /EXPLODE/);
    // A pair of actions needs a two-way mode.
    await refused('POST', '/subjects/payments-value/versions', withRules([{ ...validRule, onFailure: 'DLQ,NONE' }]), 422, 42201, /pair/);
    await refused('POST', '/subjects/payments-value/versions', withRules([{ ...validRule, expr: "message.code.matches('x' ==" }]), 422, 42201, /invalid CEL expression/);
    await refused('POST', '/subjects/payments-value/versions', withRules([{ ...validRule, type: 'CEL_FIELD', expr: "name == 'code' ; value ==" }]), 422, 42201, /CEL/);

    // The valid rule (pair of actions with WRITEREAD) is accepted.
    const ok = await call(server.url, 'POST', '/subjects/payments-value/versions', withRules([{ ...validRule, mode: 'WRITEREAD', onFailure: 'DLQ,NONE' }]));
    assert.equal(ok.status, 200, JSON.stringify(ok.body));
  });

  test('bad rules in config are refused too', async () => {
    await refused('PUT', '/config/payments-value', { defaultRuleSet: { domainRules: [{ ...validRule, expr: '((' }] } }, 422, 42201, /CEL/);
  });

  test('deletes in the wrong order', async () => {
    await refused('DELETE', '/subjects/payments-value?permanent=true', undefined, 404, 40405);
    await refused('DELETE', '/subjects/payments-value/versions/1?permanent=true', undefined, 404, 40407);
  });

  test('unknown KEK and DEK', async () => {
    await refused('GET', '/dek-registry/v1/keks/missing', undefined, 404, 40470, /missing/);
    await refused('POST', '/dek-registry/v1/keks/missing/deks/payments-value', { subject: 'payments-value', algorithm: 'AES256_GCM' }, 404, 40470);
    await refused('POST', '/dek-registry/v1/keks', { name: 'k', kmsType: 'local-kms' }, 422, 42271, /kmsKeyId/);
    await refused('GET', '/dek-registry/v1/keks/missing/deks/payments-value/versions/1', undefined, 404, 40470);
  });

  test('unknown routes answer 404 in the same shape', async () => {
    await refused('GET', '/no/such/route', undefined, 404, 404);
  });
});
