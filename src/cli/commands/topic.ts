/**
 * `shiftleft topic ...`: create, list, describe, alter, delete, produce, consume.
 */
import { createInterface } from 'node:readline';
import { Command, InvalidArgumentError, Option } from 'commander';
import { ShiftleftError } from '../../common/errors.ts';
import type { LogClient, LogRecord, ProduceRecord, TopicDescription } from '../../log/log-client.ts';
import { parseTopicConfig } from '../../log/topic-config.ts';
import { withLog } from '../context.ts';
import { printTable } from '../table.ts';

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
        if (opts.format === 'json') {
          process.stdout.write(JSON.stringify(d, null, 2) + '\n');
          return;
        }
        process.stdout.write(`topic ${d.name}${d.internal ? ' (internal)' : ''}\n\n`);
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
    .description('write records read from stdin, one per line: key<TAB>value, or a bare value (null key)')
    .argument('<name>')
    .option('--partition <n>', 'write every record to this partition', positiveInt('--partition'))
    .option('--null-value <text>', 'a value equal to this text is written as null (a tombstone)')
    .option('-H, --header <key=value>', 'header added to every record (repeatable)', collectConfig)
    .action(async (name: string, opts: { partition?: number; nullValue?: string; header?: Record<string, string> }, command: Command) => {
      await withLog(command, async (log) => {
        const headers = Object.entries(opts.header ?? {}).map(([key, value]) => ({ key, value: Buffer.from(value) }));
        const count = await produceLines(log, name, opts.partition, opts.nullValue, headers);
        process.stderr.write(`produced ${count} record(s) to ${name}\n`);
      });
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
    .addOption(new Option('--format <format>', 'text: one value a line; json: one object a line').choices(['text', 'json']).default('text'))
    .action(async (name: string, opts: ConsumeOptions, command: Command) => {
      if (opts.offset !== undefined && opts.partition === undefined) {
        throw new ShiftleftError('INVALID_ARGUMENT', '--offset needs --partition', { hint: 'add --partition N to say which partition the offset belongs to' });
      }
      await withLog(command, (log) => consume(log, name, opts));
    });
}

interface ConsumeOptions {
  fromBeginning?: boolean;
  max?: number;
  group?: string;
  partition?: number;
  offset?: number;
  timeout?: number;
  format: 'text' | 'json';
}

async function produceLines(
  log: LogClient,
  topic: string,
  partition: number | undefined,
  nullValue: string | undefined,
  headers: { key: string; value: Buffer }[],
): Promise<number> {
  await log.describeTopic(topic); // fail before reading stdin when the topic does not exist
  const lines = createInterface({ input: process.stdin, crlfDelay: Infinity });
  let batch: ProduceRecord[] = [];
  let count = 0;
  const flush = async (): Promise<void> => {
    if (batch.length === 0) return;
    await log.produce(topic, batch);
    count += batch.length;
    batch = [];
  };
  for await (const line of lines) {
    if (line.length === 0) continue;
    const tab = line.indexOf('\t');
    const keyText = tab >= 0 ? line.slice(0, tab) : null;
    const valueText = tab >= 0 ? line.slice(tab + 1) : line;
    batch.push({
      key: keyText === null ? null : Buffer.from(keyText),
      value: nullValue !== undefined && valueText === nullValue ? null : Buffer.from(valueText),
      headers: headers.length ? headers : undefined,
      partition,
    });
    if (batch.length >= 1000) await flush();
  }
  await flush();
  return count;
}

async function consume(log: LogClient, topic: string, opts: ConsumeOptions): Promise<void> {
  await log.describeTopic(topic);
  const consumer = log.createConsumer({
    topics: [topic],
    partitions: opts.partition !== undefined ? [{ topic, partition: opts.partition }] : undefined,
    groupId: opts.group,
    startFrom: opts.fromBeginning ? 'earliest' : 'latest',
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
      let out = '';
      for (const r of records) {
        out += opts.format === 'json' ? JSON.stringify(recordToJson(r)) + '\n' : (r.value === null ? 'null' : r.value.toString('utf8')) + '\n';
      }
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
