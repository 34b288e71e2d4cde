/**
 * `shiftleft connector create --config FILE | list | status NAME | pause NAME | resume NAME |
 * delete NAME | types`.
 *
 * Where the connectors live (see ARCHITECTURE "one data directory, one owner"):
 * - a platform runs on the data directory → the command calls its REST API (/v1/connectors);
 * - none runs → the command opens the data directory itself: it starts the platform in-process
 *   (log + registry, on free ports) for its duration, and manages the persisted connectors
 *   without running them (they run wherever the platform runs, e.g. `shiftleft up`).
 * `openConnectorHost` is shared with `shiftleft source ...`, which does run them.
 */
import { readFileSync } from 'node:fs';
import { Command, Option } from 'commander';
import { readLiveLock } from '../../common/data-dir.ts';
import { ShiftleftError, ErrorCodes, type ErrorCode } from '../../common/errors.ts';
import type { ConnectorRuntime, ConnectorStatus } from '../../connect/framework/connector-runtime.ts';
import { dataDirOf } from '../context.ts';
import { printTable } from '../table.ts';
import { apiKeyHeaders } from '../../server/auth/client-credentials.ts';

/** What the commands need, served in-process or by a running platform over HTTP. */
export interface ConnectorApi {
  readonly where: string;
  listTypes(): Promise<{ name: string; kind: string; description: string }[]>;
  list(): Promise<ConnectorStatus[]>;
  status(name: string): Promise<ConnectorStatus>;
  create(spec: unknown): Promise<ConnectorStatus>;
  pause(name: string): Promise<ConnectorStatus>;
  resume(name: string): Promise<ConnectorStatus>;
  delete(name: string): Promise<{ name: string; deleted: boolean }>;
}

export interface ConnectorHost {
  api: ConnectorApi;
  /** Set when this process runs the platform (embedded mode). */
  runtime: ConnectorRuntime | undefined;
  close(): Promise<void>;
}

/** The KMS secret producers of encrypted topics hold (same variables as the platform's). */
function kmsSecretFromEnv(): string | undefined {
  return process.env.SHIFTLEFT_KMS_SECRET ?? process.env.SHIFTLEFT_LOCAL_KMS_SECRET;
}

function inProcessApi(runtime: ConnectorRuntime, where: string): ConnectorApi {
  return {
    where,
    listTypes: async () => runtime.listTypes(),
    list: async () => runtime.list(),
    status: async (name) => runtime.status(name),
    create: (spec) => runtime.create(spec),
    pause: (name) => runtime.pause(name),
    resume: (name) => runtime.resume(name),
    delete: (name) => runtime.delete(name),
  };
}

/** The platform's REST API; error bodies `{error_code, message, hint}` become ShiftleftErrors again. */
function remoteApi(baseUrl: string): ConnectorApi {
  const call = async <T>(method: string, path: string, body?: unknown): Promise<T> => {
    let response: Response;
    try {
      response = await fetch(`${baseUrl}${path}`, {
        method,
        headers: { ...apiKeyHeaders(), ...(body === undefined ? {} : { 'Content-Type': 'application/json' }) },
        ...(body !== undefined && { body: JSON.stringify(body) }),
      });
    } catch (error) {
      throw new ShiftleftError('BROKER_UNAVAILABLE', `cannot reach the running platform at ${baseUrl}: ${(error as Error).message}`, { hint: 'check that `shiftleft up` is still running' });
    }
    const text = await response.text();
    const parsed = text ? (JSON.parse(text) as Record<string, unknown>) : {};
    if (response.ok) return parsed as T;
    const message = String(parsed.message ?? `HTTP ${response.status}`);
    if (response.status === 404 && /HTTP 404 Not Found/.test(message)) {
      throw new ShiftleftError('UNSUPPORTED', `the platform running at ${baseUrl} does not serve connectors`, {
        hint: 'stop it (Ctrl-C in its terminal) and rerun this command, which then runs the connectors itself',
      });
    }
    const code = typeof parsed.code === 'string' && (ErrorCodes as readonly string[]).includes(parsed.code) ? (parsed.code as ErrorCode) : statusCode(response.status, message);
    throw new ShiftleftError(code, message, { ...(typeof parsed.hint === 'string' && { hint: parsed.hint }) });
  };
  const name = (n: string) => encodeURIComponent(n);
  return {
    where: baseUrl,
    listTypes: () => call('GET', '/v1/connector-types'),
    list: () => call('GET', '/v1/connectors'),
    status: (n) => call('GET', `/v1/connectors/${name(n)}`),
    create: (spec) => call('POST', '/v1/connectors', spec),
    pause: (n) => call('PUT', `/v1/connectors/${name(n)}/pause`),
    resume: (n) => call('PUT', `/v1/connectors/${name(n)}/resume`),
    delete: (n) => call('DELETE', `/v1/connectors/${name(n)}`),
  };
}

function statusCode(status: number, message: string): ErrorCode {
  if (status === 404) return 'CONNECTOR_NOT_FOUND';
  if (status === 409) return 'CONNECTOR_ALREADY_EXISTS';
  if (status === 400 || status === 422) return /config/.test(message) ? 'CONNECTOR_CONFIG_INVALID' : 'INVALID_ARGUMENT';
  return 'CONNECTOR_FAILED';
}

/**
 * Connects to the running platform of the data directory, or starts one in-process.
 * `runConnectors`: in-process only, whether persisted connectors run (source commands) or are
 * only managed (connector commands).
 */
export async function openConnectorHost(command: Command, options: { runConnectors: boolean }): Promise<ConnectorHost> {
  const dataDir = dataDirOf(command);
  const live = readLiveLock(dataDir);
  if (live) {
    const platformUrl = live.urls.platform;
    if (!platformUrl) {
      throw new ShiftleftError('DATA_DIR_LOCKED', `data directory ${dataDir} is in use by process ${live.pid}, which serves no platform API`, { hint: 'wait for it to finish, or stop it' });
    }
    return { api: remoteApi(platformUrl), runtime: undefined, close: async () => undefined };
  }
  // Free ports: a one-shot command must not collide with anything listening on 8080/8081.
  const kmsSecret = kmsSecretFromEnv();
  const { startPlatform } = await import('../../platform.ts');
  const platform = await startPlatform({ dataDir, port: 0, registryPort: 0, runConnectors: options.runConnectors, ...(kmsSecret !== undefined && { kmsSecret }) });
  const runtime = platform.connectors;
  return {
    api: inProcessApi(runtime, `data directory ${platform.dataDir.path}`),
    runtime,
    close: () => platform.close(),
  };
}

async function withConnectors<T>(command: Command, work: (api: ConnectorApi) => Promise<T>): Promise<T> {
  const host = await openConnectorHost(command, { runConnectors: false });
  try {
    return await work(host.api);
  } finally {
    await host.close();
  }
}

export function summarizeError(status: ConnectorStatus): string {
  return status.lastError ? `[${status.lastError.code}] ${status.lastError.message}` : '';
}

function printStatus(status: ConnectorStatus, format: string): void {
  if (format === 'json') {
    process.stdout.write(`${JSON.stringify(status, null, 2)}\n`);
    return;
  }
  process.stdout.write(`${status.name} (${status.type}): ${status.state}${status.desired !== status.state && status.state !== 'FAILED' ? ` (desired ${status.desired})` : ''}\n`);
  if (status.lastError) {
    process.stdout.write(`  last error ${status.lastError.at}: [${status.lastError.code}] ${status.lastError.message}\n`);
    if (status.lastError.hint) process.stdout.write(`  hint: ${status.lastError.hint}\n`);
  }
  if (status.nextRetryAt) process.stdout.write(`  next retry at ${status.nextRetryAt} (failures: ${status.failures})\n`);
  for (const warning of status.warnings) process.stdout.write(`  warning: ${warning}\n`);
  if (Object.keys(status.metrics).length > 0) process.stdout.write(`  metrics: ${JSON.stringify(status.metrics)}\n`);
  process.stdout.write(`  config: ${JSON.stringify(status.config)}\n`);
}

function readSpec(file: string): unknown {
  let text: string;
  try {
    text = readFileSync(file === '-' ? 0 : file, 'utf8');
  } catch (error) {
    throw new ShiftleftError('INVALID_ARGUMENT', `cannot read ${file}: ${(error as Error).message}`, { hint: 'give the path of a JSON file: { "name": ..., "type": ..., "config": { ... } }' });
  }
  try {
    return JSON.parse(text);
  } catch (error) {
    throw new ShiftleftError('CONNECTOR_CONFIG_INVALID', `${file} is not valid JSON: ${(error as Error).message}`, { hint: 'a connector file is one JSON object: { "name": ..., "type": ..., "config": { ... } }', details: { field: '/' } });
  }
}

const formatOption = () => new Option('--format <format>', 'output format').choices(['text', 'json']).default('text');

export function registerConnectorCommands(program: Command): void {
  const connector = program.command('connector').description('create and manage source and sink connectors');

  connector
    .command('create')
    .description('create a connector from a JSON file { "name", "type", "config" } (- for stdin)')
    .requiredOption('-c, --config <file>', 'the connector file')
    .addOption(formatOption())
    .action(async (opts: { config: string; format: string }, command: Command) => {
      const spec = readSpec(opts.config);
      await withConnectors(command, async (api) => {
        const status = await api.create(spec);
        printStatus(status, opts.format);
        if (opts.format === 'text' && status.state === 'STOPPED') {
          process.stdout.write('  saved; it runs while the platform runs (shiftleft up, or shiftleft source ... start)\n');
        }
      });
    });

  connector
    .command('list')
    .description('list connectors with their state')
    .addOption(formatOption())
    .action(async (opts: { format: string }, command: Command) => {
      await withConnectors(command, async (api) => {
        const all = await api.list();
        if (opts.format === 'json') process.stdout.write(`${JSON.stringify(all, null, 2)}\n`);
        else printTable(['NAME', 'TYPE', 'STATE', 'LAST ERROR'], all.map((s) => [s.name, s.type, s.state, summarizeError(s)]));
      });
    });

  connector
    .command('types')
    .description('list the connector types')
    .action(async (_opts: unknown, command: Command) => {
      await withConnectors(command, async (api) => {
        printTable(['TYPE', 'KIND', 'DESCRIPTION'], (await api.listTypes()).map((t) => [t.name, t.kind, t.description]));
      });
    });

  for (const [verb, description] of [
    ['status', 'show a connector: state, last error, metrics, config (secrets hidden)'],
    ['pause', 'pause a connector (a CDC source keeps its slot and resumes where it stopped)'],
    ['resume', 'resume a paused or failed connector'],
  ] as const) {
    connector
      .command(verb)
      .description(description)
      .argument('<name>', 'connector name')
      .addOption(formatOption())
      .action(async (name: string, opts: { format: string }, command: Command) => {
        await withConnectors(command, async (api) => printStatus(await api[verb](name), opts.format));
      });
  }

  connector
    .command('delete')
    .description('delete a connector, its offsets, and what it holds at the source (a replication slot)')
    .argument('<name>', 'connector name')
    .action(async (name: string, _opts: unknown, command: Command) => {
      await withConnectors(command, async (api) => {
        await api.delete(name);
        process.stdout.write(`deleted connector ${name}\n`);
      });
    });
}
