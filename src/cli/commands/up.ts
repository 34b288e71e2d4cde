/**
 * `shiftleft up`: runs the platform in the foreground on the data directory, prints its URLs,
 * and stops cleanly (servers, registry, log, lock, in that order) on SIGINT/SIGTERM.
 *
 * The log is embedded in the data directory unless `--kafka HOST:PORT[,...]` (or env
 * SHIFTLEFT_KAFKA_BOOTSTRAP) names an Apache Kafka cluster; the SASL password comes from env
 * SHIFTLEFT_KAFKA_SASL_PASSWORD only (src/log/open-log.ts).
 */
import { Command, InvalidArgumentError, Option } from 'commander';
import { KAFKA_ENV, logSettingsFrom, type LogCliOptions } from '../../log/open-log.ts';
import { SASL_MECHANISMS } from '../../log/kafka/kafka-security.ts';
import { platformKmsSecret } from '../../common/kms-secret.ts';
import { dataDirOf } from '../context.ts';

function port(what: string) {
  return (value: string): number => {
    const n = /^\d+$/.test(value) ? Number(value) : NaN;
    if (!Number.isInteger(n) || n > 65535) throw new InvalidArgumentError(`${what} must be a port number 0-65535, got '${value}'`);
    return n;
  };
}

/** The first admin key, shown once: its secret is kept nowhere else. */
function initialAdminKeyNotice(key: { key: string; secret: string }): string {
  return (
    'created the first admin API key; its secret is shown only now, store it safely:\n' +
    `  SHIFTLEFT_API_KEY=${key.key}\n` +
    `  SHIFTLEFT_API_SECRET=${key.secret}\n` +
    '  (create more keys with `shiftleft apikey create`, with these two variables set)\n'
  );
}

/** Resolves on the first SIGINT or SIGTERM, with the signal's name. */
function nextStopSignal(): Promise<NodeJS.Signals> {
  return new Promise((resolve) => {
    const stop = (signal: NodeJS.Signals) => {
      process.off('SIGINT', stop);
      process.off('SIGTERM', stop);
      resolve(signal);
    };
    process.on('SIGINT', stop);
    process.on('SIGTERM', stop);
  });
}

export function registerUpCommand(program: Command): void {
  program
    .command('up')
    .description('run the platform (log, schema registry, APIs) in the foreground until Ctrl-C')
    .option('--port <n>', 'platform API port', port('--port'), 8080)
    .option('--registry-port <n>', 'schema registry API port (Confluent-compatible)', port('--registry-port'), 8081)
    .option('--host <host>', 'interface to listen on', '127.0.0.1')
    .option('--kafka <bootstrap>', `run on an Apache Kafka cluster, HOST:PORT[,HOST:PORT...] (env ${KAFKA_ENV.bootstrap}); default: the embedded log`)
    .addOption(new Option('--kafka-sasl-mechanism <mechanism>', `SASL mechanism (env ${KAFKA_ENV.saslMechanism})`).choices([...SASL_MECHANISMS]))
    .option('--kafka-sasl-username <user>', `SASL username (env ${KAFKA_ENV.saslUsername}); the password is read from env ${KAFKA_ENV.saslPassword} only`)
    .option('--kafka-tls', `connect to the brokers over TLS (env ${KAFKA_ENV.tls}=true)`)
    .option('--kafka-ca <file>', `PEM file of the CA that signed the brokers' certificates; implies --kafka-tls (env ${KAFKA_ENV.ca})`)
    .option('--auth', 'require an API key on every API but /health (see `shiftleft apikey`); the first start prints an admin key')
    .action(async (options: { port: number; registryPort: number; host: string; auth?: boolean } & LogCliOptions, command: Command) => {
      const dataDir = dataDirOf(command);
      const log = logSettingsFrom(options, process.env);
      // Loaded when the platform starts, so that registering this command stays cheap.
      const [{ startPlatform }, { portalUiLine }] = await Promise.all([import('../../platform.ts'), import('../../server/ui-static.ts')]);
      // `up` is the long-lived owner: it runs the saved connectors, as producers holding the KMS secret.
      const platform = await startPlatform({ dataDir, port: options.port, registryPort: options.registryPort, host: options.host, log, runConnectors: true, kmsSecret: platformKmsSecret(dataDir), auth: options.auth === true,
        runStatements: true,
        onStatementResumeError: (name, error) => process.stderr.write(`warning: statement '${name}' was not resumed: ${error.message}\n`),
      });
      for (const warning of [...platform.logWarnings, ...(platform.access?.warnings ?? [])]) process.stderr.write(`warning: ${warning}\n`);
      process.stdout.write(
        `shiftleft is up (data directory ${platform.dataDir.path})\n` +
          `  log               ${platform.logDescription}\n` +
          `  platform API      ${platform.urls.platform}\n` +
          `  schema registry   ${platform.urls.registry}\n` +
          `  ${portalUiLine(platform.urls.platform)}\n` +
          (platform.access ? '  access control    API keys required (HTTP Basic KEY:SECRET)\n' : '') +
          (platform.access?.initialAdminKey ? initialAdminKeyNotice(platform.access.initialAdminKey) : '') +
          'press Ctrl-C to stop\n',
      );
      const signal = await nextStopSignal();
      process.stdout.write(`received ${signal}, stopping...\n`);
      await platform.close();
      process.stdout.write('stopped\n');
    });
}
