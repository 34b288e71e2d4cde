/**
 * Choosing the log (src/log/open-log.ts) and the Kafka security options (kafka-security.ts),
 * without a broker: flags win over the environment, the password comes from the environment
 * only, Kafka-only options without a cluster are refused, and the options handed to
 * `@platformatic/kafka` are what a SASL_SSL cluster needs.
 */
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { isShiftleftError } from '../../src/common/errors.ts';
import { connectionSecurityOptions, securityProtocolName } from '../../src/log/kafka/kafka-security.ts';
import { logSettingsFrom } from '../../src/log/open-log.ts';

const invalid = (pattern: RegExp) => (e: unknown) => isShiftleftError(e, 'INVALID_CONFIG') && pattern.test(`${e.message} ${e.hint ?? ''}`);

describe('log selection', () => {
  it('is embedded unless a bootstrap address is given', () => {
    assert.deepEqual(logSettingsFrom({}, {}), { kind: 'embedded' });
    assert.deepEqual(logSettingsFrom({}, { SHIFTLEFT_KAFKA_BOOTSTRAP: '  ' }), { kind: 'embedded' });
  });

  it('takes --kafka over SHIFTLEFT_KAFKA_BOOTSTRAP', () => {
    assert.deepEqual(logSettingsFrom({ kafka: 'a:9092,b:9093' }, { SHIFTLEFT_KAFKA_BOOTSTRAP: 'c:1' }), { kind: 'kafka', kafka: { bootstrap: 'a:9092,b:9093' } });
    assert.deepEqual(logSettingsFrom({}, { SHIFTLEFT_KAFKA_BOOTSTRAP: 'c:1' }), { kind: 'kafka', kafka: { bootstrap: 'c:1' } });
  });

  it('refuses a bad bootstrap address and Kafka options without a cluster', () => {
    assert.throws(() => logSettingsFrom({ kafka: 'no-port' }, {}), invalid(/no-port/));
    assert.throws(() => logSettingsFrom({ kafkaTls: true }, {}), invalid(/--kafka-tls.*without a Kafka cluster/));
    assert.throws(() => logSettingsFrom({ kafkaSaslUsername: 'u' }, {}), invalid(/--kafka-sasl-username/));
  });

  it('reads SASL from flags and env, the password from env only', () => {
    const env = { SHIFTLEFT_KAFKA_SASL_PASSWORD: 's3cret', SHIFTLEFT_KAFKA_SASL_MECHANISM: 'PLAIN', SHIFTLEFT_KAFKA_SASL_USERNAME: 'env-user' };
    assert.deepEqual(logSettingsFrom({ kafka: 'h:9092', kafkaSaslMechanism: 'scram-sha-512', kafkaSaslUsername: 'alice' }, env), {
      kind: 'kafka',
      kafka: { bootstrap: 'h:9092', security: { sasl: { mechanism: 'SCRAM-SHA-512', username: 'alice', password: 's3cret' } } },
    });
    assert.deepEqual(logSettingsFrom({ kafka: 'h:9092' }, env), {
      kind: 'kafka',
      kafka: { bootstrap: 'h:9092', security: { sasl: { mechanism: 'PLAIN', username: 'env-user', password: 's3cret' } } },
    });
    assert.throws(() => logSettingsFrom({ kafka: 'h:9092', kafkaSaslMechanism: 'PLAIN', kafkaSaslUsername: 'u' }, {}), invalid(/SHIFTLEFT_KAFKA_SASL_PASSWORD/));
    assert.throws(() => logSettingsFrom({ kafka: 'h:9092', kafkaSaslMechanism: 'GSSAPI', kafkaSaslUsername: 'u' }, env), invalid(/GSSAPI/));
    assert.throws(() => logSettingsFrom({ kafka: 'h:9092', kafkaSaslUsername: 'u' }, { SHIFTLEFT_KAFKA_SASL_PASSWORD: 'x' }), invalid(/without a mechanism/));
  });

  it('turns TLS on with --kafka-tls, SHIFTLEFT_KAFKA_TLS or a CA file', () => {
    const tlsOf = (options: Parameters<typeof logSettingsFrom>[0], env: NodeJS.ProcessEnv) => {
      const s = logSettingsFrom({ kafka: 'h:9093', ...options }, env);
      return s.kind === 'kafka' ? s.kafka.security?.tls : undefined;
    };
    assert.deepEqual(tlsOf({ kafkaTls: true }, {}), {});
    assert.deepEqual(tlsOf({}, { SHIFTLEFT_KAFKA_TLS: 'true' }), {});
    assert.deepEqual(tlsOf({ kafkaCa: '/etc/ca.pem' }, {}), { caFile: '/etc/ca.pem' });
    assert.equal(tlsOf({}, { SHIFTLEFT_KAFKA_TLS: 'no' }), undefined);
  });
});

describe('Kafka connection security options', () => {
  it('names the security protocol', () => {
    assert.equal(securityProtocolName(undefined), 'PLAINTEXT');
    assert.equal(securityProtocolName({ tls: {} }), 'SSL');
    assert.equal(securityProtocolName({ sasl: { mechanism: 'PLAIN', username: 'u', password: 'p' } }), 'SASL_PLAINTEXT');
    assert.equal(securityProtocolName({ sasl: { mechanism: 'PLAIN', username: 'u', password: 'p' }, tls: {} }), 'SASL_SSL');
  });

  it('builds SASL/TLS options for @platformatic/kafka, with the CA read and SNI for host names', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'shiftleft-ca-'));
    try {
      const ca = join(dir, 'ca.pem');
      writeFileSync(ca, '-----BEGIN CERTIFICATE-----\nMIIB\n-----END CERTIFICATE-----\n');
      const options = connectionSecurityOptions({ sasl: { mechanism: 'SCRAM-SHA-256', username: 'bob', password: 'pw' }, tls: { caFile: ca } }, ['kafka-1.example.com']);
      assert.equal(options.sasl?.mechanism, 'SCRAM-SHA-256');
      assert.equal(typeof options.sasl?.password, 'function', 'the password is a provider, not a string in the options');
      assert.equal(await (options.sasl!.password as () => string)(), 'pw');
      assert.ok(Buffer.isBuffer(options.tls?.ca) && options.tls.ca.toString().includes('BEGIN CERTIFICATE'));
      assert.equal(options.tlsServerName, true);
      assert.equal(connectionSecurityOptions({ tls: {} }, ['127.0.0.1']).tlsServerName, undefined, 'no SNI for IP addresses');
      assert.deepEqual(connectionSecurityOptions(undefined, ['h']), {});
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
