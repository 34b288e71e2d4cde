/**
 * The fast Avro serdes against the Confluent client, on a real registry: bytes written by one
 * are read by the other (decryption included), refusals go to the same DLQ with the same
 * headers, a principal without the key reads ciphertext, a new latest version is picked up after
 * the TTL, schemas the fast path does not cover fall back, and bad inputs fail clearly.
 */
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { createCipheriv, createDecipheriv, randomBytes } from 'node:crypto';
import { SchemaRegistryClient } from '@confluentinc/schemaregistry';
import { ContractSerdes } from '../../src/contracts/contract-serdes.ts';
import { AesGcmError, AesGcmKey } from '../../src/contracts/fast/aes-gcm.ts';
import { compileCelCondition } from '../../src/contracts/fast/cel-condition.ts';
import { celEnv, isCelError, parse, plan } from '@bufbuild/cel';
import { STRINGS_EXT_FUNCS } from '@bufbuild/cel/ext/strings';
import { FALLBACK, FastAvroSerdes } from '../../src/contracts/fast/fast-avro-serdes.ts';
import { KMS_SECRET_CONFIG, registerLocalKms } from '../../src/contracts/local-kms.ts';
import { isShiftleftError } from '../../src/common/errors.ts';
import type { LogRecord } from '../../src/log/log-client.ts';
import { startRegistry, TEST_LOCAL_SECRET, type RunningRegistry } from '../registry/registry-harness.ts';

const SALE = {
  type: 'record',
  name: 'Sale',
  fields: [
    { name: 'order_id', type: 'int' },
    { name: 'confirmation_code', type: 'string' },
    { name: 'cc_number', type: 'string' },
    { name: 'amount', type: 'double' },
    { name: 'ts', type: { type: 'long', logicalType: 'timestamp-millis' } },
  ],
};

const encryptPii = (kek: string, onFailure = 'ERROR,NONE', params: Record<string, string> = {}) => ({
  name: 'Encrypt_PII',
  kind: 'TRANSFORM',
  type: 'ENCRYPT',
  mode: 'WRITEREAD',
  tags: ['PII'],
  params: { 'encrypt.kek.name': kek, 'encrypt.kms.type': 'local-kms', 'encrypt.kms.key.id': kek, ...params },
  onFailure,
});

const validateCode = (dlqTopic: string) => ({
  name: 'validateConfirmationCode',
  kind: 'CONDITION',
  type: 'CEL',
  mode: 'WRITE',
  expr: "message.confirmation_code.matches('^[A-Z0-9]{8}$')",
  params: { 'dlq.topic': dlqTopic },
  onFailure: 'DLQ',
});

function sale(orderId: number, code = 'AB12CD34') {
  return { order_id: orderId, confirmation_code: code, cc_number: `4111-${String(orderId).padStart(4, '0')}-2222-3333`, amount: 12.5, ts: 1_700_000_000_000 + orderId };
}

async function register(server: RunningRegistry, subject: string, body: Record<string, unknown>): Promise<number> {
  const response = await fetch(`${server.url}/subjects/${subject}/versions`, {
    method: 'POST',
    headers: { 'Content-Type': 'application/vnd.schemaregistry.v1+json' },
    body: JSON.stringify({ schemaType: 'AVRO', schema: JSON.stringify(SALE), metadata: { tags: { 'Sale.cc_number': ['PII'] } }, ...body }),
  });
  const text = await response.text();
  assert.equal(response.status, 200, text);
  return (JSON.parse(text) as { id: number }).id;
}

async function readAll(server: RunningRegistry, topic: string): Promise<LogRecord[]> {
  return (await server.log.fetch({ topic, partition: 0 }, 0)).records;
}

describe('AES-GCM for fields', () => {
  it('matches Node’s aes-*-gcm both ways and refuses tampered or short ciphertexts', () => {
    for (const keySize of [16, 32]) {
      const raw = randomBytes(keySize);
      const key = new AesGcmKey(raw);
      const algorithm = keySize === 16 ? 'aes-128-gcm' : 'aes-256-gcm';
      for (const length of [0, 1, 15, 16, 17, 63, 64, 65, 200, 1000]) {
        const plaintext = randomBytes(length);
        const ours = key.encrypt(plaintext);
        const decipher = createDecipheriv(algorithm, raw, ours.subarray(0, 12));
        decipher.setAuthTag(ours.subarray(ours.length - 16));
        assert.deepEqual(Buffer.concat([decipher.update(ours.subarray(12, ours.length - 16)), decipher.final()]), plaintext);
        const iv = randomBytes(12);
        const cipher = createCipheriv(algorithm, raw, iv);
        const theirs = Buffer.concat([iv, cipher.update(plaintext), cipher.final(), cipher.getAuthTag()]);
        assert.deepEqual(key.decrypt(theirs), plaintext);
        const tampered = Buffer.from(theirs);
        tampered[tampered.length - 1]! ^= 1;
        assert.throws(() => key.decrypt(tampered), AesGcmError);
      }
    }
    const key = new AesGcmKey(randomBytes(32));
    for (const text of ['', '4111-1111-2222-3333', 'é'.repeat(10), 'x'.repeat(64), 'y'.repeat(65), `${'z'.repeat(30)}€`, '𝄞'.repeat(40)]) {
      assert.equal(key.decrypt(key.encryptString(text)).toString(), text);
    }
    assert.throws(() => key.decrypt(Buffer.alloc(27)), /too short/);
    assert.throws(() => new AesGcmKey(randomBytes(20)), /16 or 32 bytes/);
    // Every encryption takes a fresh IV.
    const ivs = new Set(Array.from({ length: 2000 }, () => key.encrypt(Buffer.from('x')).subarray(0, 12).toString('hex')));
    assert.equal(ivs.size, 2000);
  });
});

describe('CEL conditions', () => {
  it('give the results of Confluent’s CelExecutor (the plain interpreter) on every expression and record', () => {
    const env = celEnv({ funcs: STRINGS_EXT_FUNCS });
    const expressions = [
      "message.confirmation_code.matches('^[A-Z0-9]{8}$')",
      "message.code.matches('(?i)^ab')",
      "message.code.matches('a\\1')",
      "message.code.matches('[')",
      'message.amount > 0.0',
      'message.amount > 0',
      'message.amount <= 10 && message.amount >= 2.5',
      'message.count == 3',
      'message.count != 3.0',
      "message.code == 'AB12CD34' || message.flag",
      '!message.flag',
      "message.code.startsWith('AB') && message.code.endsWith('34') && message.code.contains('12')",
      'size(message.code) == 8',
      'message.code.size() < 9',
      "message.code < 'B'",
      'message.flag < true',
      'message.missing == 1 || true',
      'message.missing == 1 && false',
      "message.nested.inner == 'x'",
      'message.code + message.code == message.code',
      "message.flag ? 'a' : 'b'",
      "has(message.code) ; message.code.matches('^A')",
      "message.amount > 100.0 ; message.code == 'never'",
      'message.big > 5',
      'message.nothing == null',
      'size(message.list) > 0',
      'message.code.lowerAscii() == "ab12cd34"',
      'message.(',
    ];
    const records: Record<string, unknown>[] = [
      { confirmation_code: 'AB12CD34', code: 'AB12CD34', amount: 12.5, count: 3, flag: true, big: 10n, nothing: null, list: [1], nested: { inner: 'x' } },
      { confirmation_code: 'bad', code: 'ab', amount: -1, count: 3.0, flag: false, big: 1n, nothing: 'x', list: [], nested: { inner: 'y' } },
      { confirmation_code: 'é€𝄞', code: '𝄞é', amount: Number.NaN, count: '3', flag: 'yes', nested: null },
      { code: '', amount: 0, count: 2 ** 60, flag: null },
      {},
    ];
    for (const expr of expressions) {
      const ours = compileCelCondition(expr, true);
      for (const record of records) {
        const semicolon = expr.indexOf(';');
        let expected: unknown;
        try {
          const run = (e: string) => plan(env, parse(e))({ message: structuredClone(record) as never });
          const guard = semicolon >= 0 ? expr.slice(0, semicolon) : '';
          expected = guard.trim() && run(guard) === false ? true : run(semicolon >= 0 ? expr.slice(semicolon + 1) : expr);
        } catch (error) {
          expected = error;
        }
        let actual: unknown;
        try {
          actual = ours(record);
        } catch (error) {
          actual = error;
        }
        const describe = (v: unknown) => (isCelError(v) ? 'CelError' : v instanceof Error ? `throws ${v.message}` : typeof v === 'bigint' ? `${v}n` : JSON.stringify(v));
        assert.equal(describe(actual), describe(expected), `${expr} on ${JSON.stringify(record, (_k, v: unknown) => (typeof v === 'bigint' ? `${v}n` : v))}`);
      }
    }
  });
});

describe('fast Avro serdes against the Confluent client', () => {
  let server: RunningRegistry;
  let fastWriter: ContractSerdes;
  let clientWriter: ContractSerdes;
  let fastReader: ContractSerdes;
  let clientReader: ContractSerdes;
  let outsider: ContractSerdes;

  before(async () => {
    server = await startRegistry();
    for (const topic of ['pay', 'pay_fast', 'pay_client', 'evolving', 'strict', 'lenient', 'rotating', 'fallback']) await server.log.createTopic(topic);
    await register(server, 'pay-value', { ruleSet: { domainRules: [encryptPii('FastKey'), validateCode('error-pay')] } });
    fastWriter = new ContractSerdes({ registryUrl: server.url, log: server.log, kmsSecret: TEST_LOCAL_SECRET });
    clientWriter = new ContractSerdes({ registryUrl: server.url, log: server.log, kmsSecret: TEST_LOCAL_SECRET, fastPath: false });
    fastReader = new ContractSerdes({ registryUrl: server.url, log: server.log, kmsSecret: TEST_LOCAL_SECRET });
    clientReader = new ContractSerdes({ registryUrl: server.url, log: server.log, kmsSecret: TEST_LOCAL_SECRET, fastPath: false });
    outsider = new ContractSerdes({ registryUrl: server.url, log: server.log });
  });
  after(async () => {
    for (const serdes of [fastWriter, clientWriter, fastReader, clientReader, outsider]) serdes?.close();
    await server?.destroy();
  });

  it('writes bytes the Confluent deserializer decrypts, and reads the bytes the Confluent serializer writes', async () => {
    registerLocalKms();
    const fast = new FastAvroSerdes({ client: fastWriter.client, log: server.log, ruleConfig: { [KMS_SECRET_CONFIG]: TEST_LOCAL_SECRET }, decrypts: true });
    const input = sale(1);
    const fastBytes = await fast.serialize('pay', input, null);
    assert.ok(Buffer.isBuffer(fastBytes), 'the fast path covers the payments contract');
    assert.deepEqual(input, sale(1), "the caller's value keeps its plaintext");
    assert.equal(fastBytes[0], 0);
    assert.ok(!fastBytes.includes(Buffer.from(input.cc_number)), 'no plaintext card number in the bytes');
    const byClient = (await clientReader.deserializer('avro').deserialize('pay', fastBytes)) as Record<string, unknown>;
    assert.deepEqual({ ...byClient }, input);

    const clientBytes = await clientWriter.serializer('avro').serialize('pay', structuredClone(sale(2)));
    assert.equal(clientBytes.readInt32BE(1), fastBytes.readInt32BE(1), 'same schema id');
    const byFast = await fast.deserialize('pay', clientBytes);
    assert.notEqual(byFast, FALLBACK);
    assert.deepEqual({ ...(byFast as object) }, sale(2));
    // Same shape as the client's output (an avsc record), ciphertext for an outsider either way.
    const outsiderFast = (await outsider.deserialize('pay', fastBytes)) as Record<string, unknown>;
    const outsiderClient = (await new ContractSerdes({ registryUrl: server.url, log: server.log, fastPath: false }).deserialize('pay', fastBytes)) as Record<string, unknown>;
    assert.deepEqual({ ...outsiderFast }, { ...outsiderClient });
    assert.match(String(outsiderFast.cc_number), /^[A-Za-z0-9+/]{40,}={0,2}$/, 'ciphertext as base64');
    assert.equal(outsiderFast.confirmation_code, 'AB12CD34');
    await fast.close();
  });

  it('sends CEL refusals to the DLQ with the same records and headers as the client path', async () => {
    await register(server, 'pay_fast-value', { ruleSet: { domainRules: [encryptPii('FastKey'), validateCode('error-pay-fast')] } });
    await register(server, 'pay_client-value', { ruleSet: { domainRules: [encryptPii('FastKey'), validateCode('error-pay-client')] } });
    const inputs = [sale(11), sale(12, 'bad'), sale(13), sale(14, 'lowercase!')];
    const records = inputs.map((value) => ({ key: Buffer.from(String(value.order_id)), value, headers: [{ key: 'origin', value: Buffer.from('test') }] }));
    const fastOutcome = await fastWriter.produce('pay_fast', records);
    const clientOutcome = await clientWriter.produce('pay_client', records);
    const shape = (o: typeof fastOutcome) => ({ sent: o.sent.map((s) => s.index), refused: o.refused.map((r) => [r.index, r.rule, r.reason.replace(/-fast|-client/, '')]) });
    assert.deepEqual(shape(fastOutcome), shape(clientOutcome));
    assert.deepEqual(shape(fastOutcome).refused.map((r) => r[0]), [1, 3]);

    const fastDlq = await readAll(server, 'error-pay-fast');
    const clientDlq = await readAll(server, 'error-pay-client');
    const normalize = (records: LogRecord[]) =>
      records.map((r) => {
        const value = JSON.parse(r.value!.toString()) as Record<string, unknown>;
        assert.notEqual(value.cc_number, undefined);
        assert.ok(!String(value.cc_number).includes('2222-3333'), 'the DLQ copy holds ciphertext, never the card number');
        return {
          key: r.key!.toString(),
          value: { ...value, cc_number: '<ciphertext>' },
          headers: r.headers.map((h) => [h.key, h.value!.toString().replace(/pay_fast|pay_client/, 'pay_x')]),
        };
      });
    assert.deepEqual(normalize(fastDlq), normalize(clientDlq));
    const headers = Object.fromEntries(fastDlq[0]!.headers.map((h) => [h.key, h.value!.toString()]));
    assert.deepEqual(headers, {
      '__rule.name': 'validateConfirmationCode',
      '__rule.mode': 'WRITE',
      '__rule.subject': 'pay_fast-value',
      '__rule.topic': 'pay_fast',
      '__rule.exception': "Expr failed: 'message.confirmation_code.matches('^[A-Z0-9]{8}$')'",
    });
    // The accepted records decode through the client with the card number back.
    const stored = await readAll(server, 'pay_fast');
    assert.equal(stored.length, 2);
    const decoded = (await clientReader.deserialize('pay_fast', stored[1]!.value!)) as Record<string, unknown>;
    assert.equal(decoded.cc_number, inputs[2]!.cc_number);
  });

  it('runs ERROR and NONE actions like the client: refused without a DLQ write, or written anyway', async () => {
    const outcomes: unknown[] = [];
    for (const [topic, onFailure] of [
      ['act_error_fast', 'ERROR'],
      ['act_none_fast', 'NONE'],
    ] as const) {
      await server.log.createTopic(topic);
      await register(server, `${topic}-value`, { ruleSet: { domainRules: [{ ...validateCode('unused-dlq'), onFailure }] } });
      for (const writer of [fastWriter, clientWriter]) {
        const outcome = await writer.produce(topic, [{ key: null, value: sale(71, 'bad') }, { key: null, value: sale(72) }]);
        outcomes.push({ topic, sent: outcome.sent.map((x) => x.index), refused: outcome.refused.map((r) => [r.index, r.rule, r.reason, r.dlqTopic]) });
      }
    }
    assert.deepEqual(outcomes[0], outcomes[1]);
    assert.deepEqual(outcomes[2], outcomes[3]);
    assert.deepEqual(outcomes[0], { topic: 'act_error_fast', sent: [1], refused: [[0, 'validateConfirmationCode', "rule validateConfirmationCode failed: Expr failed: 'message.confirmation_code.matches('^[A-Z0-9]{8}$')'", undefined]] });
    assert.deepEqual(outcomes[2], { topic: 'act_none_fast', sent: [0, 1], refused: [] });
    await assert.rejects(server.log.describeTopic('unused-dlq'));
  });

  it('shows ciphertext to a principal without the key, and refuses to write without it', async () => {
    const bytes = await fastWriter.serialize('pay', sale(21));
    const masked = (await outsider.deserialize('pay', bytes)) as Record<string, unknown>;
    assert.notEqual(masked.cc_number, sale(21).cc_number);
    assert.equal(masked.order_id, 21);
    const clear = (await fastReader.deserialize('pay', bytes)) as Record<string, unknown>;
    assert.equal(clear.cc_number, sale(21).cc_number);
    await assert.rejects(outsider.produce('pay', [{ key: null, value: sale(22) }]), (error: unknown) => isShiftleftError(error, 'ENCRYPTION_FAILED') && /no secret|KMS/i.test((error as Error).message + String((error as { hint?: string }).hint)));
  });

  it('picks up a new latest version after the TTL', async () => {
    const v1 = await register(server, 'evolving-value', { ruleSet: { domainRules: [validateCode('error-evolving')] } });
    registerLocalKms();
    const client = new SchemaRegistryClient({ baseURLs: [server.url], cacheLatestTtlSecs: 1 });
    const fast = new FastAvroSerdes({ client, log: server.log, ruleConfig: {}, decrypts: false });
    const first = (await fast.serialize('evolving', sale(31), null)) as Buffer;
    assert.equal(first.readInt32BE(1), v1);
    // v2 drops the condition: a code v1 refuses is accepted once v2 is seen.
    const v2 = await register(server, 'evolving-value', { schema: JSON.stringify({ ...SALE, fields: [...SALE.fields, { name: 'note', type: 'string', default: '' }] }), ruleSet: { domainRules: [] } });
    assert.notEqual(v2, v1);
    const soon = (await fast.serialize('evolving', sale(32), null)) as Buffer;
    assert.equal(soon.readInt32BE(1), v1, 'within the TTL the cached latest version is used');
    await new Promise((resolve) => setTimeout(resolve, 1100));
    const later = (await fast.serialize('evolving', { ...sale(33, 'not-a-code'), note: 'v2' }, null)) as Buffer;
    assert.equal(later.readInt32BE(1), v2);
    const decoded = (await fast.deserialize('evolving', later)) as Record<string, unknown>;
    assert.equal(decoded.note, 'v2');
    await fast.close();
  });

  it('encrypts the same fields as the client in nested records, unions, arrays and maps', async () => {
    const NESTED = {
      type: 'record',
      name: 'Order',
      namespace: 'shop',
      fields: [
        { name: 'id', type: 'int' },
        { name: 'email', type: ['null', 'string'], 'confluent:tags': ['PII'] },
        { name: 'notes', type: { type: 'array', items: 'string' }, 'confluent:tags': ['PII'] },
        { name: 'phones', type: { type: 'map', values: 'string' } },
        {
          name: 'customer',
          type: {
            type: 'record',
            name: 'Customer',
            fields: [
              { name: 'name', type: 'string' },
              { name: 'ssn', type: ['null', 'string'], default: null },
            ],
          },
        },
        { name: 'lines', type: { type: 'array', items: { type: 'record', name: 'Line', fields: [{ name: 'sku', type: 'string' }, { name: 'card', type: 'string' }] } } },
      ],
    };
    await server.log.createTopic('nested');
    await register(server, 'nested-value', {
      schema: JSON.stringify(NESTED),
      metadata: { tags: { 'shop.Customer.ssn': ['PII'], 'shop.Order.phones': ['PII'], '**.card': ['PII'] } },
      ruleSet: { domainRules: [encryptPii('FastKey')] },
    });
    const order = {
      id: 1,
      email: 'a@example.com',
      notes: ['first', 'second'],
      phones: { home: '555-0100', work: '555-0199' },
      customer: { name: 'Ada', ssn: '123-45-6789' },
      lines: [
        { sku: 'S1', card: '4111' },
        { sku: 'S2', card: '4222' },
      ],
    };
    const withNulls = { ...order, id: 2, email: null, customer: { name: 'Bob', ssn: null } };
    const clientOutsider = new ContractSerdes({ registryUrl: server.url, log: server.log, fastPath: false });
    registerLocalKms();
    const fast = new FastAvroSerdes({ client: fastWriter.client, log: server.log, ruleConfig: { [KMS_SECRET_CONFIG]: TEST_LOCAL_SECRET }, decrypts: true });
    assert.ok(Buffer.isBuffer(await fast.serialize('nested', order, null)), 'the fast path covers this schema');
    await fast.close();
    /** Which leaves differ from the input: the encrypted ones. */
    const encryptedPaths = (value: unknown, input: unknown, path = ''): string[] => {
      if (typeof input === 'object' && input !== null) return Object.keys(input).flatMap((k) => encryptedPaths((value as Record<string, unknown>)[k], (input as Record<string, unknown>)[k], `${path}.${k}`));
      return value === input ? [] : [path];
    };
    for (const input of [order, withNulls]) {
      const fastBytes = await fastWriter.serialize('nested', input);
      const clientBytes = await clientWriter.serialize('nested', input);
      assert.deepEqual(JSON.parse(JSON.stringify(await clientReader.deserialize('nested', fastBytes))), input);
      assert.deepEqual(JSON.parse(JSON.stringify(await fastReader.deserialize('nested', clientBytes))), input);
      const fastView = JSON.parse(JSON.stringify(await clientOutsider.deserialize('nested', fastBytes))) as unknown;
      const clientView = JSON.parse(JSON.stringify(await clientOutsider.deserialize('nested', clientBytes))) as unknown;
      assert.deepEqual(encryptedPaths(fastView, input), encryptedPaths(clientView, input));
      const expected = ['.email', '.notes.0', '.notes.1', '.phones.home', '.phones.work', '.customer.ssn', '.lines.0.card', '.lines.1.card'];
      assert.deepEqual(encryptedPaths(fastView, input), input === order ? expected : expected.filter((p) => p !== '.email' && p !== '.customer.ssn'));
    }
    clientOutsider.close();
  });

  it('decrypts rotating DEKs (version-prefixed ciphertext) the same way as the client', async () => {
    await register(server, 'rotating-value', { ruleSet: { domainRules: [encryptPii('RotKey', 'ERROR,NONE', { 'encrypt.dek.expiry.days': '30' })] } });
    const bytes = await fastWriter.serialize('rotating', sale(41));
    assert.equal((await clientReader.deserialize('rotating', bytes) as Record<string, unknown>).cc_number, sale(41).cc_number);
    const clientBytes = await clientWriter.serialize('rotating', sale(42));
    assert.equal((await fastReader.deserialize('rotating', clientBytes) as Record<string, unknown>).cc_number, sale(42).cc_number);
  });

  it('falls back to the client for rules it does not cover, with the same result', async () => {
    await register(server, 'fallback-value', { ruleSet: { domainRules: [{ name: 'upper', kind: 'TRANSFORM', type: 'CEL_FIELD', mode: 'WRITE', expr: "name == 'confirmation_code' ; value + '-X'" }] } });
    registerLocalKms();
    const fast = new FastAvroSerdes({ client: fastWriter.client, log: server.log, ruleConfig: {}, decrypts: false });
    assert.equal(await fast.serialize('fallback', sale(51), null), FALLBACK);
    await fast.close();
    const bytes = await fastWriter.serialize('fallback', sale(51));
    const decoded = (await fastReader.deserialize('fallback', bytes)) as Record<string, unknown>;
    assert.equal(decoded.confirmation_code, 'AB12CD34-X');
  });

  it('fails bad inputs with ShiftleftErrors that say what and where', async () => {
    // A record that does not match the schema.
    await assert.rejects(fastWriter.produce('pay', [{ key: null, value: { ...sale(61), amount: 'twelve' } }]), (error: unknown) => {
      assert.ok(isShiftleftError(error, 'SERIALIZATION_FAILED'));
      assert.match(error.message, /topic 'pay'.*Invalid message at amount/);
      return true;
    });
    // An unknown schema id, a foreign magic byte, a truncated payload.
    const valid = await fastWriter.serialize('pay', sale(62));
    const unknownId = Buffer.from(valid);
    unknownId.writeInt32BE(987654, 1);
    await assert.rejects(fastReader.deserialize('pay', unknownId), (error: unknown) => isShiftleftError(error, 'DESERIALIZATION_FAILED') && /topic 'pay'/.test((error as Error).message) && /987654|not found/i.test((error as Error).message));
    await assert.rejects(fastReader.deserialize('pay', Buffer.from([7, 0, 0, 0, 1, 2])), (error: unknown) => isShiftleftError(error, 'DESERIALIZATION_FAILED') && /magic byte 7/.test((error as Error).message));
    await assert.rejects(fastReader.deserialize('pay', valid.subarray(0, valid.length - 3)), (error: unknown) => isShiftleftError(error, 'DESERIALIZATION_FAILED'));

    // Corrupt ciphertext: an ERROR read action fails the read; NONE returns it as it is, like the client.
    await register(server, 'strict-value', { ruleSet: { domainRules: [encryptPii('FastKey', 'ERROR,ERROR')] } });
    await register(server, 'lenient-value', { ruleSet: { domainRules: [encryptPii('FastKey', 'ERROR,NONE')] } });
    const corrupt = async (topic: string) => {
      const bytes = await fastWriter.serialize(topic, sale(63));
      const decoded = (await clientReader.deserializer('avro').deserialize(topic, bytes)) as Record<string, unknown>;
      assert.equal(decoded.cc_number, sale(63).cc_number);
      // Re-encode with a flipped ciphertext byte through an outsider's view of the record.
      const masked = (await outsider.deserialize(topic, bytes)) as Record<string, unknown>;
      const ciphertext = Buffer.from(String(masked.cc_number), 'base64');
      ciphertext[20]! ^= 0xff;
      const avro = (await import('avsc')).default;
      const type = avro.Type.forSchema(SALE as never);
      return Buffer.concat([bytes.subarray(0, 5), type.toBuffer({ ...masked, cc_number: ciphertext.toString('base64') })]);
    };
    const strictBytes = await corrupt('strict');
    await assert.rejects(fastReader.deserialize('strict', strictBytes), (error: unknown) => {
      assert.ok(isShiftleftError(error, 'DESERIALIZATION_FAILED'));
      assert.match(error.message, /rule Encrypt_PII failed: .*authentication failed/);
      return true;
    });
    await assert.rejects(clientReader.deserialize('strict', strictBytes), (error: unknown) => isShiftleftError(error, 'DESERIALIZATION_FAILED'));
    const lenientBytes = await corrupt('lenient');
    const fastLenient = (await fastReader.deserialize('lenient', lenientBytes)) as Record<string, unknown>;
    const clientLenient = (await clientReader.deserialize('lenient', lenientBytes)) as Record<string, unknown>;
    assert.deepEqual({ ...fastLenient }, { ...clientLenient });
    assert.notEqual(fastLenient.cc_number, sale(63).cc_number);
  });
});
