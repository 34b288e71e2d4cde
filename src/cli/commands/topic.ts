/**
 * `shiftleft topic ...`: create, list, describe, alter, delete, produce, consume, enforce.
 * Producing goes through the platform's EnforcingProducer, so contract-enforced topics refuse
 * records that skip the serializer (see src/contracts/enforcement.ts).
 */
import { Command, InvalidArgumentError, Option } from 'commander';
import { ShiftleftError } from '../../common/errors.ts';
import type { LogClient, LogRecord, TopicDescription } from '../../log/log-client.ts';
import { parseTopicConfig } from '../../log/topic-config.ts';
import { withLog } from '../context.ts';
import { KMS_SECRET_ENV } from '../kms-secret-env.ts';
import { RegistryHttp, withLogAndRegistry } from '../registry-access.ts';
import { printTable } from '../table.ts';

// The contract modules (serdes, rules, encryption) are loaded by the actions that use them:
// they weigh more than the rest of the CLI, and most topic commands never touch a contract.
const contractIo = () => import('./topic-contract-io.ts');

function collectConfig(value: string, previous: Record<string, string> = {}): Record<string, string> {
  const eq = value.indexOf('=');
  if (eq <= 0) throw new InvalidArgumentError(`'${value}' is not key=value (example: --config retention.ms=86400000)`);
  return { ...previous, [value.slice(0, eq).trim()]: value.slice(eq + 1).trim() };
}

function positiveInt(what: string, min = 0) {
  return (value: string): number => {
    if (!/^\d+$/.test(value) || Number(value) < min) throw new InvalidArgumentError(`${what} must be an integer >= ${min}, got '${value}'`);
    return Number(value);
  };
}

/** Strings when the bytes are UTF-8 text, base64 otherwise (Avro payloads, ciphertext). */
function renderBytes(bytes: Buffer | null): { text: string | null; encoding?: 'base64' } {
  if (bytes === null) return { text: null };
  const text = bytes.toString('utf8');
  if (Buffer.byteLength(text, 'utf8') === bytes.length && !text.includes('\uFFFD')) return { text };
  return { text: bytes.toString('base64'), encoding: 'base64' };
}

export function recordToJson(record: LogRecord): Record<string, unknown> {
  const key = renderBytes(record.key);
  const value = renderBytes(record.value);
  const headers: Record<string, string | null> = {};
  for (const h of record.headers) headers[h.key] = renderBytes(h.value).text;
  return {
    topic: record.topic,
    partition: record.partition,
    offset: record.offset,
    timestamp: record.timestamp,
    key: key.text,
    ...(key.encoding ? { keyEncoding: key.encoding } : {}),
    value: value.text,
    ...(value.encoding ? { valueEncoding: value.encoding } : {}),
    headers,
  };
}

function describeRows(d: TopicDescription): string[][] {
  return d.partitions.map((p) => [String(p.partition), String(p.logStartOffset), String(p.highWatermark), String(p.highWatermark - p.logStartOffset), String(p.sizeBytes ?? '')]);
}

export function registerTopicCommands(program: Command): void {
  const topic = program.command('topic').description('create, inspect, write and read topics');

  topic
    .command('create')
    .description('create a topic')
    .argument('<name>', 'topic name: 1-249 characters of [a-zA-Z0-9._-]')
    .option('-p, --partitions <n>', 'number of partitions', positiveInt('--partitions', 1), 1)
    .option('-c, --config <key=value>', 'topic config (repeatable), e.g. cleanup.policy=compact', collectConfig)
    .option('--if-not-exists', 'succeed if the topic already exists')
    .action(async (name: string, opts: { partitions: number; config?: Record<string, string>; ifNotExists?: boolean }, command: Command) => {
      const config = parseTopicConfig(opts.config ?? {});
      await withLog(command, async (log) => {
        const d = await log.createTopic(name, { partitions: opts.partitions, config, ifNotExists: opts.ifNotExists });
        process.stdout.write(`created topic ${d.name} with ${d.partitions.length} partition(s)\n`);
      });
    });

  topic
    .command('list')
    .description('list topics')
    .option('--internal', 'include internal topics (_schemas, __consumer_offsets, ...)')
    .addOption(new Option('--format <format>', 'output format').choices(['text', 'json']).default('text'))
    .action(async (opts: { internal?: boolean; format: string }, command: Command) => {
      await withLog(command, async (log) => {
        const names = await log.listTopics({ includeInternal: opts.internal });
        if (opts.format === 'json') {
          process.stdout.write(JSON.stringify(names) + '\n');
          return;
        }
        for (const name of names) process.stdout.write(name + '\n');
      });
    });

  topic
    .command('describe')
    .description('show partitions, offsets and configs of a topic')
    .argument('<name>')
    .addOption(new Option('--format <format>', 'output format').choices(['text', 'json']).default('text'))
    .action(async (name: string, opts: { format: string }, command: Command) => {
      await withLog(command, async (log) => {
        const d = await log.describeTopic(name);
        const { ContractEnforcementStore } = await import('../../contracts/enforcement-store.ts');
        const enforcement = (await (await ContractEnforcementStore.open(log)).enforcedTopics()).get(name);
        if (opts.format === 'json') {
          process.stdout.write(JSON.stringify({ ...d, contractEnforced: enforcement !== undefined }, null, 2) + '\n');
          return;
        }
        process.stdout.write(`topic ${d.name}${d.internal ? ' (internal)' : ''}\n`);
        process.stdout.write(`contract enforced: ${enforcement ? `yes (since ${enforcement.since}; subject ${d.name}-value)` : 'no'}\n\n`);
        printTable(['partition', 'start offset', 'end offset', 'records', 'bytes'], describeRows(d));
        process.stdout.write('\n');
        printTable(['config', 'value'], Object.entries(d.config).map(([k, v]) => [k, String(v)]));
      });
    });

  topic
    .command('alter')
    .description('change topic configs')
    .argument('<name>')
    .requiredOption('-c, --config <key=value>', 'topic config to set (repeatable)', collectConfig)
    .action(async (name: string, opts: { config: Record<string, string> }, command: Command) => {
      const config = parseTopicConfig(opts.config);
      await withLog(command, async (log) => {
        await log.alterTopicConfig(name, config);
        process.stdout.write(`altered topic ${name}: ${Object.entries(config).map(([k, v]) => `${k}=${String(v)}`).join(', ')}\n`);
      });
    });

  topic
    .command('delete')
    .description('delete a topic and all its records')
    .argument('<name>')
    .action(async (name: string, _opts: unknown, command: Command) => {
      await withLog(command, async (log) => {
        await log.deleteTopic(name);
        process.stdout.write(`deleted topic ${name}\n`);
      });
    });

  topic
    .command('produce')
    .description(
      'write records read from stdin, one per line: key<TAB>value, or a bare value (null key); ' +
        `with --format, values are JSON serialized with the latest schema of NAME-value and its contract (KMS secret from $${KMS_SECRET_ENV})`,
    )
    .argument('<name>')
    .addOption(new Option('--format <format>', 'serialize JSON lines with the contract of NAME-value (json = JSON Schema)').choices(['avro', 'json', 'protobuf', 'json-schema']))
    .option('--key-field <field>', 'with --format: use this field of each JSON object as the key (UTF-8)')
    .option('--partition <n>', 'write every record to this partition', positiveInt('--partition'))
    .option('--null-value <text>', 'a value equal to this text is written as null (a tombstone)')
    .option('-H, --header <key=value>', 'header added to every record (repeatable)', collectConfig)
    .action(async (name: string, opts: { format?: string; keyField?: string; partition?: number; nullValue?: string; header?: Record<string, string> }, command: Command) => {
      if (opts.keyField !== undefined && opts.format === undefined) {
        throw new ShiftleftError('INVALID_ARGUMENT', '--key-field needs --format', { hint: 'add --format avro|json|protobuf, or give keys as key<TAB>value' });
      }
      const headers = Object.entries(opts.header ?? {}).map(([key, value]) => ({ key, value: Buffer.from(value) }));
      const { produceFromStdin } = await contractIo();
      await withLogAndRegistry(command, (access) => produceFromStdin(access, name, { ...opts, headers }));
    });

  topic
    .command('consume')
    .description('print records; keeps tailing unless --max is given')
    .argument('<name>')
    .option('--from-beginning', 'start at the earliest offset when the group has no committed offset')
    .option('--max <n>', 'exit after this many records', positiveInt('--max', 1))
    .option('-g, --group <id>', 'consumer group: resume from and commit its offsets')
    .option('--partition <n>', 'read only this partition', positiveInt('--partition'))
    .option('--offset <n>', 'start at this offset (with --partition)', positiveInt('--offset'))
    .option('--timeout <seconds>', 'exit after this long without a new record', positiveInt('--timeout', 1))
    .addOption(
      new Option('--format <format>', `text: one value a line; json: one record object a line; avro, protobuf, json-schema: decoded values as JSON lines (KMS secret from $${KMS_SECRET_ENV})`)
        .choices(['text', 'json', ...DECODED_FORMATS])
        .default('text'),
    )
    .addOption(new Option('--value-format <format>', 'decode values serialized as avro, json (JSON Schema) or protobuf; same as --format avro|json-schema|protobuf').choices(['avro', 'json', 'protobuf']))
    .action(async (name: string, opts: ConsumeOptions & { valueFormat?: string }, command: Command) => {
      if (opts.offset !== undefined && opts.partition === undefined) {
        throw new ShiftleftError('INVALID_ARGUMENT', '--offset needs --partition', { hint: 'add --partition N to say which partition the offset belongs to' });
      }
      const decode = opts.valueFormat ?? (DECODED_FORMATS.includes(opts.format) ? opts.format : undefined);
      if (decode === undefined) {
        await withLog(command, (log) => consume(log, name, opts, async (records) => records.map((r) => renderRaw(r, opts.format)).join('')));
        return;
      }
      const { contractRenderer } = await contractIo();
      await withLogAndRegistry(command, async (access) => {
        const renderer = contractRenderer(access, name, decode);
        try {
          await consume(access.log, name, opts, (records) => renderer.render(records));
        } finally {
          renderer.close();
        }
      });
    });

  topic
    .command('enforce')
    .description('mark a topic contract-enforced: every record produced through the platform must carry a schema id of NAME-value and pass its CONDITION rules')
    .argument('<name>')
    .option('--off', 'stop enforcing')
    .action(async (name: string, opts: { off?: boolean }, command: Command) => {
      const { EnforcingProducer } = await import('../../contracts/enforcement.ts');
      await withLogAndRegistry(command, async ({ log, registryUrl }) => {
        const producer = await EnforcingProducer.open({ log, registryUrl });
        try {
          await producer.setEnforced(name, !opts.off);
        } finally {
          producer.close();
        }
        if (opts.off) {
          process.stdout.write(`topic ${name} is no longer contract-enforced\n`);
          return;
        }
        process.stdout.write(`topic ${name} is contract-enforced: records must be serialized with a schema of ${name}-value and pass its CONDITION rules\n`);
        try {
          await new RegistryHttp(registryUrl).request('GET', `/subjects/${encodeURIComponent(`${name}-value`)}/versions/latest`);
        } catch {
          process.stderr.write(`warning: subject ${name}-value has no schema yet: every record will be refused until one is registered\n`);
        }
      });
    });
}

const DECODED_FORMATS = ['avro', 'protobuf', 'json-schema'];

function renderRaw(record: LogRecord, format: string): string {
  return format === 'json' ? JSON.stringify(recordToJson(record)) + '\n' : (record.value === null ? 'null' : record.value.toString('utf8')) + '\n';
}

interface ConsumeOptions {
  fromBeginning?: boolean;
  max?: number;
  group?: string;
  partition?: number;
  offset?: number;
  timeout?: number;
  format: string;
}

async function consume(log: LogClient, topic: string, opts: ConsumeOptions, render: (records: LogRecord[]) => Promise<string>): Promise<void> {
  await log.describeTopic(topic);
  const consumer = log.createConsumer({
    topics: [topic],
    partitions: opts.partition !== undefined ? [{ topic, partition: opts.partition }] : undefined,
    groupId: opts.group,
    startFrom: opts.fromBeginning ? 'earliest' : 'latest',
    // Like the engine and the sinks: what a statement writes shows once its checkpoint commits.
    isolation: 'read_committed',
  });
  if (opts.offset !== undefined) consumer.seek({ topic, partition: opts.partition! }, opts.offset);
  const stop = new AbortController();
  const onSignal = (): void => stop.abort();
  process.once('SIGINT', onSignal);
  process.once('SIGTERM', onSignal);
  let printed = 0;
  try {
    while (!stop.signal.aborted) {
      // Never take more than --max still allows, so the group commits exactly what was printed.
      const records = await consumer.poll({
        timeoutMs: opts.timeout ? opts.timeout * 1000 : 1000,
        signal: stop.signal,
        maxRecords: opts.max !== undefined ? opts.max - printed : undefined,
      });
      if (records.length === 0) {
        if (opts.timeout) break;
        continue;
      }
      const out = await render(records);
      printed += records.length;
      process.stdout.write(out);
      if (opts.group) await consumer.commit();
      if (opts.max !== undefined && printed >= opts.max) break;
    }
  } finally {
    process.off('SIGINT', onSignal);
    process.off('SIGTERM', onSignal);
    await consumer.close();
  }
}
