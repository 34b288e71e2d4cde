/**
 * The composition root of the platform: one data directory (locked), the log (embedded in the
 * data directory, or an Apache Kafka cluster: src/log/open-log.ts), the registry on the log,
 * and the HTTP servers. `startPlatform` opens them in dependency order; `close` (or a failed
 * start) closes them in the reverse order, so a start that fails half-way (Kafka unreachable,
 * credentials refused, an internal topic misconfigured) leaves nothing open or listening.
 */
import type { FastifyInstance } from 'fastify';
import { DataDirectory } from './common/data-dir.ts';
import { ShiftleftError } from './common/errors.ts';
import { getSchemaProvider } from './formats/index.ts';
import { CONNECTOR_OFFSETS_TOPIC, CONNECTORS_TOPIC } from './connect/framework/connector-store.ts';
import { ConnectorRuntime } from './connect/framework/connector-runtime.ts';
import { registerConnectorRoutes } from './connect/framework/connector-routes.ts';
import { connectorsFromRuntime } from './catalog/connector-lineage.ts';
import { ensureInternalTopics, type InternalTopicSpec } from './log/kafka/kafka-internal-topics.ts';
import { logSettingsFrom, openLog, type LogSettings, type PlatformLog } from './log/open-log.ts';
import { Registry } from './registry/registry.ts';
import { EnforcingProducer } from './contracts/enforcement.ts';
import { Portal } from './catalog/portal.ts';
import { CATALOG_TOPIC } from './catalog/catalog-topic.ts';
import { StreamCatalog } from './catalog/stream-catalog.ts';
import { SCHEMAS_TOPIC } from './registry/store/schemas-topic.ts';
import { createPlatformApp } from './server/platform-app.ts';
import { StatementRegistry } from './engine/statement-registry.ts';
import { StatementStore } from './engine/checkpoint/statement-store.ts';
import { DEFAULT_CHECKPOINT_INTERVAL_MS } from './engine/runtime/checkpointer.ts';
import { createRegistryApp } from './server/registry-app.ts';
import { TABLE_METADATA_TOPIC } from './sql/catalog/catalog.ts';
import { HttpMetrics } from './server/metrics/http-metrics.ts';
import { registerMetricsRoute } from './server/metrics/metrics-route.ts';
import { statementMetricsFrom } from './server/metrics/statement-metrics-adapter.ts';
import { openPlatformAccess, type PlatformAccess } from './server/auth/platform-access.ts';
import { API_KEYS_TOPIC } from './server/auth/api-key-store.ts';

export interface PlatformOptions {
  dataDir: string;
  /** The platform API; 0 picks a free port. */
  port?: number;
  /** The Confluent-compatible registry API; 0 picks a free port. */
  registryPort?: number;
  host?: string;
  /** Secret of the embedded local KMS for shared KEKs; defaults to env SHIFTLEFT_LOCAL_KMS_SECRET. */
  localKmsSecret?: string;
  /** Embedded log or Kafka cluster; defaults to the environment (SHIFTLEFT_KAFKA_BOOTSTRAP, ...), else embedded. */
  log?: LogSettings;
  /**
   * Run the saved connectors (`shiftleft up`, the demo). Otherwise the connector API only
   * manages their specs: a one-shot command must not start a CDC source as a side effect.
   */
  runConnectors?: boolean;
  /** The KMS secret the platform's producers hold (connectors writing under ENCRYPT rules). */
  kmsSecret?: string;
  /**
   * Resume the stored statements the user left running (`shiftleft up`, the demo); like
   * `runConnectors`, a one-shot command does not.
   */
  runStatements?: boolean;
  /** Checkpoint interval of statements that set no `execution.checkpointing.interval` (default 10 s). */
  checkpointIntervalMs?: number;
  /** Told when a stored statement cannot resume at start (it is listed as FAILED with the reason). */
  onStatementResumeError?: (name: string, error: Error) => void;
  /** Access control (`shiftleft up --auth`): every API but /health needs an API key (src/server/auth/). */
  auth?: boolean;
}

export interface PlatformUrls extends Record<string, string> {
  platform: string;
  registry: string;
}

export interface RunningPlatform {
  urls: PlatformUrls;
  dataDir: DataDirectory;
  log: PlatformLog;
  /** `embedded log in DIR` or `Kafka cluster HOST:PORT (PLAINTEXT)`. */
  logDescription: string;
  /** Worth printing at start (e.g. what the embedded log's recovery truncated). */
  logWarnings: string[];
  registry: Registry;
  /** Lineage and actions of the data portal; connector runtimes report to it with `portal.setConnectors(connectorsFromRuntime(runtime))`. */
  portal: Portal;
  /** Sources and sinks (REST under /v1/connectors). */
  connectors: ConnectorRuntime;
  /** Long-running SQL statements (REST under /v1/statements). */
  statements: StatementRegistry;
  /** Where durable statements and their checkpoints are kept (sessions opened in-process share it). */
  statementStore: StatementStore;
  /** Access control, when started with `auth`: the key store and the first admin key if this start created it. */
  access?: PlatformAccess;
  close(): Promise<void>;
}

export async function startPlatform(options: PlatformOptions): Promise<RunningPlatform> {
  const host = options.host ?? '127.0.0.1';
  // Closers of what is open so far, run last-first on close or on a failed start.
  const closers: (() => Promise<void>)[] = [];
  const closeAll = async () => {
    while (closers.length > 0) await closers.pop()!();
  };
  try {
    const dataDir = await DataDirectory.open(options.dataDir);
    closers.push(() => dataDir.close());
    // In Kafka mode the data directory still holds the lock and local state; the log is the cluster.
    const settings = options.log ?? logSettingsFrom({}, process.env);
    const opened = await openLog(settings, dataDir);
    const log = opened.log;
    closers.push(() => log.close());
    if (settings.kind === 'kafka') await ensureInternalTopics(log, platformInternalTopics(), settings.kafka.bootstrap);
    const registry = await Registry.open(log, {
      providers: getSchemaProvider,
      ...(options.localKmsSecret !== undefined && { localKmsSecret: options.localKmsSecret }),
    });
    closers.push(() => registry.close());

    const catalog = await StreamCatalog.open(log, registry);
    closers.push(() => catalog.close());
    // `auth`: API keys on every route but /health; the platform's own parts call with a capability URL.
    const access = options.auth ? await openPlatformAccess(log, dataDir.path) : undefined;
    if (access) closers.push(() => access.keys.close());
    const registryApp = createRegistryApp(registry, { catalog, ...(access && { access: access.control }) });
    // Request metrics of both apps, served by the platform app's GET /metrics (hooks go in before listen).
    const httpMetrics = new HttpMetrics();
    httpMetrics.instrument(registryApp, 'registry');
    const registryUrl = await listen(registryApp, options.registryPort ?? 8081, host, '--registry-port');
    closers.push(() => registryApp.close());
    const urls: PlatformUrls = { platform: '', registry: registryUrl };
    const internalRegistryUrl = access ? access.control.internalUrl(registryUrl) : registryUrl;
    const portal = new Portal({ log, registry, catalog, registryUrl: () => internalRegistryUrl });
    closers.push(() => portal.close());
    // What is produced through the platform API meets the contract of enforced topics.
    const enforcing = await EnforcingProducer.open({ log, registryUrl: internalRegistryUrl });
    closers.push(async () => enforcing.close());
    const connectors = new ConnectorRuntime({ log, registryUrl: internalRegistryUrl, dataDir: dataDir.path, kmsSecret: options.kmsSecret });
    // Connectors start in the background: the APIs need not wait for a CDC snapshot.
    await connectors.open({ startConnectors: options.runConnectors ?? false, awaitStarts: false });
    closers.push(() => connectors.close());
    portal.setConnectors(connectorsFromRuntime(connectors));
    const appLog = enforcing.wrap(log);
    // SQL statements are durable: stored, checkpointed, exactly-once, resumed at the next start.
    const statementStore = StatementStore.under(log, dataDir.path);
    const platformApp = createPlatformApp({
      log: appLog,
      durability: { store: statementStore, defaultIntervalMs: options.checkpointIntervalMs ?? DEFAULT_CHECKPOINT_INTERVAL_MS },
      registry,
      urls: () => ({ ...urls, registry: internalRegistryUrl }),
      publicUrls: () => ({ ...urls }),
      portal,
      ...(access && { access: access.control }),
    });
    // The statement registry the REST API serves: in-process statements (the demo's) join it.
    const statements = StatementRegistry.of(appLog, () => internalRegistryUrl);
    registerConnectorRoutes(platformApp, connectors);
    httpMetrics.instrument(platformApp, 'platform');
    registerMetricsRoute(platformApp, { log, registry, connectors, statements: statementMetricsFrom(statements, log), http: httpMetrics });
    urls.platform = await listen(platformApp, options.port ?? 8080, host, '--port');
    closers.push(() => platformApp.close());

    dataDir.publish({ urls });
    // Statements the user left running resume from their last checkpoint (in the background:
    // a statement that cannot resume is listed as FAILED with the reason, the platform starts).
    if (options.runStatements) void statements.resumeAll((name, error) => options.onStatementResumeError?.(name, error)).catch(() => undefined);
    let closing: Promise<void> | undefined;
    return { urls, dataDir, log, logDescription: opened.description, logWarnings: opened.warnings, registry, portal, connectors, statements, statementStore, ...(access && { access }), close: () => (closing ??= closeAll()) };
  } catch (error) {
    await closeAll().catch(() => undefined);
    throw error;
  }
}

/**
 * The internal topics of the platform's parts, checked on a Kafka cluster before they are read.
 * Each is one ordered, compacted history (latest value per key is the truth).
 */
export function platformInternalTopics(): InternalTopicSpec[] {
  const compacted = (name: string, owner: string, extra: Partial<InternalTopicSpec['config']> = {}): InternalTopicSpec => ({
    name,
    owner,
    partitions: 1,
    config: { 'cleanup.policy': 'compact', ...extra },
    required: ['cleanup.policy'],
  });
  return [
    compacted(SCHEMAS_TOPIC, 'the schema registry (schemas, KEKs, DEKs)', { 'retention.ms': -1 }),
    compacted(TABLE_METADATA_TOPIC, 'the SQL catalog'),
    compacted(CONNECTORS_TOPIC, 'the connectors (configs and states)'),
    compacted(CONNECTOR_OFFSETS_TOPIC, 'the connectors (source offsets)'),
    compacted(CATALOG_TOPIC, 'the stream catalog (tags, business metadata)', { 'retention.ms': -1 }),
    compacted(API_KEYS_TOPIC, 'access control (API keys)', { 'retention.ms': -1 }),
  ];
}

async function listen(app: FastifyInstance, port: number, host: string, option: string): Promise<string> {
  try {
    await app.listen({ port, host });
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    if (code === 'EADDRINUSE' || code === 'EACCES' || code === 'EADDRNOTAVAIL') {
      throw new ShiftleftError('INVALID_CONFIG', `cannot listen on ${host}:${port}: ${(error as Error).message}`, {
        hint: `choose another port with ${option} (0 picks a free one) or stop the process using it`,
        cause: error,
      });
    }
    throw error;
  }
  const address = app.server.address();
  const actualPort = typeof address === 'object' && address !== null ? address.port : port;
  // IPv6 hosts need brackets in URLs.
  const urlHost = host.includes(':') ? `[${host}]` : host;
  return `http://${urlHost}:${actualPort}`;
}
