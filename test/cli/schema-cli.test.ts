/**
 * `shiftleft schema ...` against a running platform (started in this process, as `shiftleft up`
 * would: the CLI finds its registry URL in the data directory's LOCK file), round trips and bad
 * input. Commands are few and grouped in parallel: each one is a whole node process.
 */
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startPlatform, type RunningPlatform } from '../../src/platform.ts';
import { runCli, type RunResult } from '../support/child.ts';

const SALE_V1 = { type: 'record', name: 'Sale', fields: [{ name: 'order_id', type: 'int' }, { name: 'confirmation_code', type: 'string' }] };
const SALE_V2_OK = { ...SALE_V1, fields: [...SALE_V1.fields, { name: 'channel', type: 'string', default: 'web' }] };
const SALE_V2_BAD = { ...SALE_V1, fields: [{ name: 'order_id', type: 'string' }, ...SALE_V1.fields.slice(1), { name: 'channel', type: 'string' }] };
const RULES = {
  domainRules: [
    { name: 'validateConfirmationCode', kind: 'CONDITION', type: 'CEL', mode: 'WRITE', expr: "message.confirmation_code.matches('^[A-Z0-9]{8}$')", onFailure: 'DLQ', params: { 'dlq.topic': 'error-payments' } },
  ],
};

function assertCleanFailure(r: RunResult, code: RegExp): void {
  assert.equal(r.code, 1, `exit 1 expected: ${r.stderr}`);
  assert.match(r.stderr, code);
  assert.match(r.stderr, /hint: /);
  assert.doesNotMatch(r.stderr, /\n\s+at /, 'no stack trace');
}

describe('shiftleft schema (CLI) against a running platform', () => {
  let dir: string;
  let platform: RunningPlatform;
  const file = (name: string, content: unknown): string => {
    const path = join(dir, name);
    writeFileSync(path, typeof content === 'string' ? content : JSON.stringify(content, null, 2));
    return path;
  };
  const cli = (...args: string[]) => runCli(['--data-dir', join(dir, 'data'), ...args]);

  before(async () => {
    dir = mkdtempSync(join(tmpdir(), 'shiftleft-schema-cli-'));
    platform = await startPlatform({ dataDir: join(dir, 'data'), port: 0, registryPort: 0 });
  });
  after(async () => {
    await platform?.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it('registers with rules and metadata, lists, gets, checks and configures', async () => {
    const v1 = file('sale-v1.avsc', SALE_V1);
    const [registered, badJson] = await Promise.all([
      cli('schema', 'register', 'payments-value', '--file', v1, '--rules', file('rules.json', RULES), '--metadata', file('meta.json', { properties: { owner: 'payments-team' } })),
      cli('schema', 'register', 'orders-value', '--file', v1, '--format', 'json'),
    ]);
    assert.equal(registered.code, 0, registered.stderr);
    assert.match(registered.stdout, /registered payments-value version 1 \(schema id \d+, AVRO\)/);
    assert.equal(badJson.code, 0, badJson.stderr);
    assert.deepEqual(Object.keys(JSON.parse(badJson.stdout) as object).sort(), ['id', 'subject', 'version']);

    const [list, get, getJson] = await Promise.all([
      cli('schema', 'list', '--prefix', 'p'),
      cli('schema', 'get', 'payments-value'),
      cli('schema', 'get', 'payments-value', '-v', '1', '--format', 'json'),
    ]);
    assert.equal(list.code, 0, list.stderr);
    assert.match(list.stdout, /^subject\s+latest\s+id\s+type\s+rules/);
    assert.doesNotMatch(list.stdout, /orders-value/, '--prefix');
    assert.match(list.stdout, /payments-value\s+1\s+\d+\s+AVRO\s+validateConfirmationCode/);
    assert.match(get.stdout, /validateConfirmationCode \(CONDITION CEL WRITE, onFailure DLQ\)/);
    assert.match(get.stdout, /metadata\s+\{"properties":\{"owner":"payments-team"\}\}/);
    assert.match(get.stdout, /"name": "confirmation_code"/);
    const got = JSON.parse(getJson.stdout) as { version: number; schema: string; ruleSet: typeof RULES };
    assert.equal(got.version, 1);
    assert.deepEqual(JSON.parse(got.schema), SALE_V1);
    assert.equal(got.ruleSet.domainRules[0]!.name, 'validateConfirmationCode');

    const [compatible, incompatible, configBefore] = await Promise.all([
      cli('schema', 'check', 'payments-value', '--file', file('sale-v2-ok.avsc', SALE_V2_OK)),
      cli('schema', 'check', 'payments-value', '--file', file('sale-v2-bad.avsc', SALE_V2_BAD)),
      cli('schema', 'config', 'payments-value'),
    ]);
    assert.equal(compatible.code, 0, compatible.stderr);
    assert.match(compatible.stdout, /compatible: .* \(compatibility BACKWARD\)/);
    assertCleanFailure(incompatible, /INCOMPATIBLE_SCHEMA.*2 incompatibilities/);
    assert.match(incompatible.stdout, /incompatible with payments-value \(compatibility BACKWARD, against version 1\)/);
    assert.match(incompatible.stdout, /- TYPE_MISMATCH: .*fields\/0\/type/);
    assert.match(incompatible.stdout, /- READER_FIELD_MISSING_DEFAULT_VALUE: .*'channel'/);
    assert.match(configBefore.stdout, /payments-value: BACKWARD \(global default\)/);

    const setLevel = await cli('schema', 'config', 'payments-value', '--compatibility', 'none');
    assert.match(setLevel.stdout, /compatibility of payments-value set to NONE/);
    const config = await (await fetch(`${platform.urls.registry}/config/payments-value`)).json();
    assert.equal((config as { compatibilityLevel: string }).compatibilityLevel, 'NONE');
  });

  it('explains bad input with the reason, a hint and no stack trace, and stores nothing', async () => {
    const [invalidSchema, badRules, unknownSubject, unknownVersion] = await Promise.all([
      cli('schema', 'register', 'bad-value', '--file', file('bad.avsc', { type: 'record', name: 'Bad', fields: [{ name: 'x', type: 'strang' }] })),
      cli('schema', 'register', 'bad-value', '--file', join(dir, 'sale-v1.avsc'), '--rules', file('bad-rules.json', '{"domainRules": [\n  {"name": "r",}\n]}')),
      cli('schema', 'get', 'nobody-value'),
      cli('schema', 'get', 'payments-value', '7'),
    ]);
    assertCleanFailure(invalidSchema, /INVALID_SCHEMA.*strang/);
    assertCleanFailure(badRules, /INVALID_ARGUMENT.*bad-rules\.json line 2 column \d+ is not valid JSON/);
    assertCleanFailure(unknownSubject, /SUBJECT_NOT_FOUND.*nobody-value/);
    assertCleanFailure(unknownVersion, /VERSION_NOT_FOUND/);
    const subjects = await (await fetch(`${platform.urls.registry}/subjects`)).json();
    assert.ok(!(subjects as string[]).includes('bad-value'), 'nothing registered');
  });

  it('soft-deletes, lists deleted subjects, then deletes permanently', async () => {
    const permanentFirst = await cli('schema', 'delete', 'orders-value', '--permanent');
    assertCleanFailure(permanentFirst, /SUBJECT_NOT_SOFT_DELETED/);
    assert.match(permanentFirst.stderr, /without --permanent/);
    const soft = await cli('schema', 'delete', 'orders-value');
    assert.equal(soft.code, 0, soft.stderr);
    assert.match(soft.stdout, /soft-deleted orders-value \(versions 1\)/);
    const withDeleted = await cli('schema', 'list', '--deleted');
    assert.match(withDeleted.stdout, /orders-value\s+1\s+\d+\s+AVRO\s+yes/);
    assert.match(withDeleted.stdout, /payments-value\s+1\s+\d+\s+AVRO\s+validateConfirmationCode\s*\n/);
    const hard = await cli('schema', 'delete', 'orders-value', '--permanent', '--format', 'json');
    assert.deepEqual(JSON.parse(hard.stdout), { subject: 'orders-value', versions: [1], permanent: true });
    const subjects = await (await fetch(`${platform.urls.registry}/subjects?deleted=true`)).json();
    assert.deepEqual(subjects, ['payments-value']);
  });
});
