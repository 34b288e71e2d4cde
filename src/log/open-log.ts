/**
 * Chooses and opens the platform's log: the embedded log in the data directory (default), or an
 * Apache Kafka cluster when a bootstrap address is given (`--kafka HOST:PORT[,...]` or env
 * SHIFTLEFT_KAFKA_BOOTSTRAP). Everything above this point sees only a LogClient.
 *
 * Settings come from CLI options first, then the environment. The SASL password is read from
 * the environment only (SHIFTLEFT_KAFKA_SASL_PASSWORD): a flag would leak it into `ps` output
 * and shell history.
 */
import type { DataDirectory } from '../common/data-dir.ts';
import { ShiftleftError } from '../common/errors.ts';
import { EmbeddedLog } from './embedded/embedded-log.ts';
import type { ScanProblem } from './embedded/segment.ts';
import { parseBootstrap } from './kafka/kafka-bootstrap.ts';
import { isSaslMechanism, SASL_MECHANISMS, securityProtocolName, type KafkaSecuritySettings } from './kafka/kafka-security.ts';
import type { LogClient } from './log-client.ts';

export const KAFKA_ENV = {
  bootstrap: 'SHIFTLEFT_KAFKA_BOOTSTRAP',
  saslMechanism: 'SHIFTLEFT_KAFKA_SASL_MECHANISM',
  saslUsername: 'SHIFTLEFT_KAFKA_SASL_USERNAME',
  saslPassword: 'SHIFTLEFT_KAFKA_SASL_PASSWORD',
  tls: 'SHIFTLEFT_KAFKA_TLS',
  ca: 'SHIFTLEFT_KAFKA_CA',
} as const;

export interface KafkaLogSettings {
  /** `host:port[,host:port...]` */
  bootstrap: string;
  security?: KafkaSecuritySettings;
  clientId?: string;
}

export type LogSettings = { kind: 'embedded' } | { kind: 'kafka'; kafka: KafkaLogSettings };

/** The CLI options of `shiftleft up` that select the log (commander's camelCase names). */
export interface LogCliOptions {
  kafka?: string;
  kafkaSaslMechanism?: string;
  kafkaSaslUsername?: string;
  kafkaTls?: boolean;
  kafkaCa?: string;
}

function envFlag(value: string | undefined): boolean {
  return value !== undefined && /^(1|true|yes|on)$/i.test(value.trim());
}

function nonEmpty(value: string | undefined): string | undefined {
  return value !== undefined && value.trim().length > 0 ? value.trim() : undefined;
}

/**
 * Which log to open, from CLI options and then the environment. Options that only make sense
 * with Kafka are refused without a bootstrap address, so a forgotten `--kafka` does not silently
 * run embedded.
 */
export function logSettingsFrom(options: LogCliOptions = {}, env: NodeJS.ProcessEnv = process.env): LogSettings {
  const bootstrap = nonEmpty(options.kafka) ?? nonEmpty(env[KAFKA_ENV.bootstrap]);
  const mechanism = nonEmpty(options.kafkaSaslMechanism) ?? nonEmpty(env[KAFKA_ENV.saslMechanism]);
  const username = nonEmpty(options.kafkaSaslUsername) ?? nonEmpty(env[KAFKA_ENV.saslUsername]);
  const password = env[KAFKA_ENV.saslPassword];
  const caFile = nonEmpty(options.kafkaCa) ?? nonEmpty(env[KAFKA_ENV.ca]);
  // A CA file only means something over TLS: giving one turns TLS on.
  const tls = options.kafkaTls === true || envFlag(env[KAFKA_ENV.tls]) || caFile !== undefined;

  if (bootstrap === undefined) {
    const stray = [mechanism && '--kafka-sasl-mechanism', username && '--kafka-sasl-username', tls && '--kafka-tls/--kafka-ca'].filter(Boolean);
    if (stray.length > 0) {
      throw new ShiftleftError('INVALID_CONFIG', `${stray.join(', ')} given without a Kafka cluster`, {
        hint: `add --kafka HOST:PORT (or set ${KAFKA_ENV.bootstrap}), or drop the Kafka options to run on the embedded log`,
      });
    }
    return { kind: 'embedded' };
  }
  // Fails early, with the bad entry named, rather than at the first connection.
  parseBootstrap(bootstrap);

  const security: KafkaSecuritySettings = {};
  if (mechanism !== undefined || username !== undefined) {
    const upper = (mechanism ?? '').toUpperCase();
    if (!isSaslMechanism(upper)) {
      throw new ShiftleftError('INVALID_CONFIG', mechanism === undefined ? 'a Kafka SASL username is given without a mechanism' : `unsupported Kafka SASL mechanism '${mechanism}'`, {
        hint: `pass --kafka-sasl-mechanism ${SASL_MECHANISMS.join('|')}`,
      });
    }
    if (username === undefined) {
      throw new ShiftleftError('INVALID_CONFIG', `Kafka SASL ${upper} needs a username`, { hint: `pass --kafka-sasl-username (or set ${KAFKA_ENV.saslUsername})` });
    }
    if (password === undefined || password.length === 0) {
      throw new ShiftleftError('INVALID_CONFIG', `Kafka SASL ${upper} needs a password`, {
        hint: `set ${KAFKA_ENV.saslPassword} in the environment (it is never taken from the command line)`,
      });
    }
    security.sasl = { mechanism: upper, username, password };
  }
  if (tls) security.tls = caFile === undefined ? {} : { caFile };
  return { kind: 'kafka', kafka: { bootstrap, ...(security.sasl || security.tls ? { security } : {}) } };
}

/**
 * A LogClient with the embedded log's recovery report: callers written for the embedded log
 * keep printing `recoveryProblems`; on Kafka it is always empty (brokers recover their own
 * segments).
 */
export type PlatformLog = LogClient & { readonly recoveryProblems: readonly ScanProblem[] };

export interface OpenedLog {
  log: PlatformLog;
  /** For humans: `embedded log in /data/log` or `Kafka cluster h1:9092 (SASL_SSL)`. */
  description: string;
  /** Things worth telling at start (embedded recovery truncations, ...). */
  warnings: string[];
}

/**
 * Opens the chosen log. A Kafka cluster is contacted right away (metadata, then the idempotent
 * producer id): an unreachable broker, refused credentials or a missing write permission fail
 * here, with the broker named, instead of at the first write.
 */
export async function openLog(settings: LogSettings, dataDir: DataDirectory): Promise<OpenedLog> {
  if (settings.kind === 'embedded') {
    const log = await EmbeddedLog.open({ dir: dataDir.logDir });
    return {
      log,
      description: `embedded log in ${dataDir.logDir}`,
      warnings: log.recoveryProblems.map((p) => `${p.file}: ${p.detail}`),
    };
  }
  const { kafka } = settings;
  // The Kafka client (and @platformatic/kafka, the heaviest import of the CLI) is loaded only
  // when a cluster is configured: the embedded log and every command's --help never need it.
  const { createKafkaLogClient } = await import('./kafka/kafka-log-client.ts');
  const client = createKafkaLogClient({
    bootstrap: kafka.bootstrap,
    clientId: kafka.clientId ?? 'shiftleft',
    ...(kafka.security ? { security: kafka.security } : {}),
  });
  try {
    await client.checkConnection();
  } catch (error) {
    await client.close().catch(() => undefined);
    throw error;
  }
  // The empty recovery report makes the client a PlatformLog (see there) without teaching the
  // Kafka client about embedded segments.
  return { log: Object.assign(client, { recoveryProblems: [] as const }), description: `Kafka cluster ${client.bootstrap} (${securityProtocolName(kafka.security)})`, warnings: [] };
}
