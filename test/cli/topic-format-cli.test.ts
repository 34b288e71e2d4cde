/**
 * `topic produce/consume --format avro` with the payments contract of REFERENCE.md §2 (CEL rule
 * with a DLQ, ENCRYPT on the PII card number), and `topic enforce`, through the CLI with no
 * platform running (each command runs one in-process). The contract is set up and the results
 * are checked through the platform API in this process, between commands.
 */
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startPlatform } from '../../src/platform.ts';
import { runCli } from '../support/child.ts';

const SALE = {
  type: 'record',
  name: 'Sale',
  fields: [
    { name: 'order_id', type: 'int' },
    { name: 'confirmation_code', type: 'string' },
    { name: 'cc_number', type: 'string' },
    { name: 'amount', type: 'double' },
  ],
};

const RULES = {
  domainRules: [
    {
      name: 'Encrypt_PII',
      kind: 'TRANSFORM',
      type: 'ENCRYPT',
      mode: 'WRITEREAD',
      tags: ['PII'],
      params: { 'encrypt.kek.name': 'CSFLE_Key', 'encrypt.kms.type': 'local-kms', 'encrypt.kms.key.id': 'CSFLE_Key' },
      onFailure: 'ERROR,NONE',
    },
    {
      name: 'validateConfirmationCode',
      kind: 'CONDITION',
      type: 'CEL',
      mode: 'WRITE',
      expr: "message.confirmation_code.matches('^[A-Z0-9]{8}$')",
      params: { 'dlq.topic': 'error-payments', 'dlq.auto.flush': 'true' },
      onFailure: 'DLQ',
    },
  ],
};

const SECRET = { SHIFTLEFT_KMS_SECRET: 'topic-format-test-secret' };

const payment = (id: number, code: string) => ({ order_id: id, confirmation_code: code, cc_number: `4000-1234-5678-${String(id).padStart(4, '0')}`, amount: 10.5 });
const lines = (...values: unknown[]) => values.map((v) => JSON.stringify(v)).join('\n') + '\n';

describe('shiftleft topic produce/consume --format avro and topic enforce (CLI)', () => {
  let dir: string;
  let dataDir: string;
  const cli = (args: string[], options: { input?: string; env?: Record<string, string> } = {}) => runCli(['--data-dir', dataDir, ...args], options);

  /** Opens the data directory between CLI commands to set up or inspect it. */
  async function withPlatform<T>(work: (platform: Awaited<ReturnType<typeof startPlatform>>) => Promise<T>): Promise<T> {
    const platform = await startPlatform({ dataDir, port: 0, registryPort: 0 });
    try {
      return await work(platform);
    } finally {
      await platform.close();
    }
  }

  before(async () => {
    dir = mkdtempSync(join(tmpdir(), 'shiftleft-topic-format-'));
    dataDir = join(dir, 'data');
    await withPlatform(async (platform) => {
      await platform.log.createTopic('payments');
      await platform.log.createTopic('schemaless');
      const response = await fetch(`${platform.urls.registry}/subjects/payments-value/versions`, {
        method: 'POST',
        headers: { 'Content-Type': 'application/vnd.schemaregistry.v1+json' },
        body: JSON.stringify({ schema: JSON.stringify(SALE), metadata: { tags: { 'Sale.cc_number': ['PII'] } }, ruleSet: RULES }),
      });
      assert.equal(response.status, 200, await response.text());
    });
  });
  after(() => rmSync(dir, { recursive: true, force: true }));

  it('produces through the contract (DLQ accounted for) and consumes ciphertext or clear text by key holding', async () => {
    const produced = await cli(['topic', 'produce', 'payments', '--format', 'avro', '--key-field', 'order_id'], {
      input: lines(payment(1, 'AB12CD34'), payment(2, 'bad'), payment(3, 'ZZ99YY88'), payment(4, 'lower')),
      env: SECRET,
    });
    assert.equal(produced.code, 0, produced.stderr);
    assert.match(produced.stderr, /produced 2 record\(s\) to payments; refused 2 by the contract \(2 to DLQ error-payments\)/);
    assert.match(produced.stderr, /refused line 2: .*validateConfirmationCode/);

    // One at a time: without a running platform each command opens the data directory itself.
    const raw = await cli(['topic', 'consume', 'payments', '--from-beginning', '--max', '2', '--format', 'json']);
    const masked = await cli(['topic', 'consume', 'payments', '--from-beginning', '--max', '2', '--format', 'avro']);
    const clear = await cli(['topic', 'consume', 'payments', '--from-beginning', '--max', '2', '--value-format', 'avro'], { env: SECRET });
    assert.equal(raw.code, 0, raw.stderr);
    const records = raw.stdout.trim().split('\n').map((l) => JSON.parse(l) as { key: string; value: string; valueEncoding?: string });
    assert.deepEqual(
      records.map((r) => r.key),
      ['1', '3'],
    );
    for (const r of records) {
      assert.equal(r.valueEncoding, 'base64');
      const bytes = Buffer.from(r.value, 'base64');
      assert.equal(bytes[0], 0, 'Confluent wire format');
      assert.ok(!bytes.includes(Buffer.from('4000-1234-5678')), 'no card number in plaintext in the stored bytes');
    }
    assert.equal(masked.code, 0, masked.stderr);
    const maskedValues = masked.stdout.trim().split('\n').map((l) => JSON.parse(l) as ReturnType<typeof payment>);
    assert.deepEqual(
      maskedValues.map((v) => [v.order_id, v.confirmation_code]),
      [
        [1, 'AB12CD34'],
        [3, 'ZZ99YY88'],
      ],
    );
    assert.ok(maskedValues.every((v) => !v.cc_number.startsWith('4000-')), 'ciphertext without the KMS secret');
    assert.equal(clear.code, 0, clear.stderr);
    assert.deepEqual(
      clear.stdout.trim().split('\n').map((l) => JSON.parse(l) as unknown),
      [payment(1, 'AB12CD34'), payment(3, 'ZZ99YY88')],
      'decrypted with SHIFTLEFT_KMS_SECRET',
    );

    await withPlatform(async (platform) => {
      const dlq = (await platform.log.fetch({ topic: 'error-payments', partition: 0 }, 0)).records;
      assert.deepEqual(
        dlq.map((r) => r.key?.toString()),
        ['2', '4'],
      );
      assert.ok(dlq.every((r) => !r.value!.toString().includes('4000-1234-5678')), 'no plaintext PII in the DLQ');
    });
  });

  it('names the malformed line and refuses topics without a schema', async () => {
    const malformed = await cli(['topic', 'produce', 'payments', '--format', 'avro'], { input: `${JSON.stringify(payment(5, 'GOOD5555'))}\n{"order_id": 6,\n`, env: SECRET });
    const noSchema = await cli(['topic', 'produce', 'schemaless', '--format', 'avro'], { input: '{}\n' });
    assert.equal(malformed.code, 1, malformed.stderr);
    assert.match(malformed.stderr, /produced 1 record\(s\) to payments/, 'what came before the bad line is sent and counted');
    assert.match(malformed.stderr, /error \[INVALID_ARGUMENT\]: line 2: not valid JSON/);
    assert.equal(noSchema.code, 1);
    assert.match(noSchema.stderr, /SUBJECT_NOT_FOUND.*schemaless-value/);
    assert.match(noSchema.stderr, /hint: register one first: shiftleft schema register schemaless-value/);
  });

  it('enforces the contract on raw produce once the topic is marked', async () => {
    const enforce = await cli(['topic', 'enforce', 'payments']);
    assert.equal(enforce.code, 0, enforce.stderr);
    assert.match(enforce.stdout, /topic payments is contract-enforced/);
    const raw = await cli(['topic', 'produce', 'payments'], { input: 'k\t{"order_id": 7}\n' });
    assert.equal(raw.code, 0, raw.stderr);
    assert.match(raw.stderr, /refused line 1: not in the Confluent wire format/);
    assert.match(raw.stderr, /produced 0 record\(s\) to payments; refused 1 by the contract \[contract-enforced topic\]/);
    await withPlatform(async (platform) => {
      const stored = (await platform.log.fetch({ topic: 'payments', partition: 0 }, 0)).records;
      assert.ok(!stored.some((r) => r.key?.toString() === 'k'), 'the raw record was not written');
    });
  });
});
