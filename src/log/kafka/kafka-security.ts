/**
 * How shiftleft authenticates to and encrypts its connections to a Kafka cluster: SASL (PLAIN,
 * SCRAM-SHA-256, SCRAM-SHA-512) and TLS with an optional CA bundle, turned into
 * `@platformatic/kafka`'s connection options (`sasl`, `tls`, `tlsServerName`).
 *
 * Validation happens here, before any socket is opened, so that a typo in a mechanism or a
 * missing password is a configuration error rather than a confusing broker disconnect.
 */
import { readFileSync } from 'node:fs';
import { isIP } from 'node:net';
import type { ConnectionOptions } from '@platformatic/kafka';
import { ShiftleftError } from '../../common/errors.ts';

export const SASL_MECHANISMS = ['PLAIN', 'SCRAM-SHA-256', 'SCRAM-SHA-512'] as const;
export type SaslMechanism = (typeof SASL_MECHANISMS)[number];

export interface KafkaSaslSettings {
  mechanism: SaslMechanism;
  username: string;
  password: string;
}

export interface KafkaTlsSettings {
  /** PEM file of the CA(s) that signed the brokers' certificates; default: Node's trusted CAs. */
  caFile?: string;
  /** Skip certificate verification (only for test clusters with self-signed certificates). */
  insecureSkipVerify?: boolean;
}

export interface KafkaSecuritySettings {
  sasl?: KafkaSaslSettings;
  /** TLS on (SSL / SASL_SSL listeners) when present. */
  tls?: KafkaTlsSettings;
}

export function isSaslMechanism(value: string): value is SaslMechanism {
  return (SASL_MECHANISMS as readonly string[]).includes(value);
}

/** The Kafka name of the security protocol these settings speak, for messages. */
export function securityProtocolName(security: KafkaSecuritySettings | undefined): string {
  const sasl = security?.sasl !== undefined;
  const tls = security?.tls !== undefined;
  return sasl ? (tls ? 'SASL_SSL' : 'SASL_PLAINTEXT') : tls ? 'SSL' : 'PLAINTEXT';
}

/**
 * The connection options of every socket to the cluster. `hosts` are the bootstrap hosts: SNI
 * (the TLS server name) is sent only for host names, as RFC 6066 forbids IP addresses there.
 */
export function connectionSecurityOptions(security: KafkaSecuritySettings | undefined, hosts: string[]): Pick<ConnectionOptions, 'sasl' | 'tls' | 'tlsServerName'> {
  const out: Pick<ConnectionOptions, 'sasl' | 'tls' | 'tlsServerName'> = {};
  if (security?.sasl) {
    const { mechanism, username, password } = security.sasl;
    if (!isSaslMechanism(mechanism)) {
      throw new ShiftleftError('INVALID_CONFIG', `unsupported Kafka SASL mechanism '${String(mechanism)}'`, { hint: `use one of ${SASL_MECHANISMS.join(', ')}` });
    }
    if (!username) throw new ShiftleftError('INVALID_CONFIG', `Kafka SASL ${mechanism} needs a username`, { hint: 'pass --kafka-sasl-username (or SHIFTLEFT_KAFKA_SASL_USERNAME)' });
    if (!password) throw new ShiftleftError('INVALID_CONFIG', `Kafka SASL ${mechanism} needs a password`, { hint: 'set SHIFTLEFT_KAFKA_SASL_PASSWORD in the environment' });
    // Providers rather than strings: the password is read at each (re)authentication and never
    // appears in the options object that the client might log in diagnostics.
    out.sasl = { mechanism, username: () => username, password: () => password };
  }
  if (security?.tls) {
    const tls: NonNullable<ConnectionOptions['tls']> = {};
    if (security.tls.caFile !== undefined) tls.ca = readCaFile(security.tls.caFile);
    if (security.tls.insecureSkipVerify) tls.rejectUnauthorized = false;
    out.tls = tls;
    if (hosts.every((h) => isIP(h) === 0)) out.tlsServerName = true;
  }
  return out;
}

function readCaFile(file: string): Buffer {
  try {
    return readFileSync(file);
  } catch (error) {
    throw new ShiftleftError('INVALID_CONFIG', `cannot read the Kafka CA file ${file}: ${(error as Error).message}`, {
      hint: 'pass a readable PEM file with --kafka-ca (or SHIFTLEFT_KAFKA_CA)',
      details: { file },
      cause: error,
    });
  }
}
