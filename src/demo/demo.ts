/**
 * `shiftleft demo`: the whole shift-left walkthrough on the embedded platform, in one process.
 *
 *   1. the platform (log, schema registry, APIs);
 *   2. the payments data contract (CEL validation to the `error-payments` DLQ, ENCRYPT of the
 *      PII-tagged card number), registered before any payment is produced;
 *   3. the sources as connectors: the embedded PostgreSQL commerce database with its generator,
 *      its CDC connector (shiftleft.public.*), and the payments service;
 *   4. the walkthrough's SQL statements (products_with_pk, the orders data product, payments
 *      deduplication, sales, incremental revenue), running as long-lived statements;
 *   5. progress while it runs, and a final report that checks what the walkthrough promises.
 *
 * Everything it runs comes from examples/shift-left/ (see scenario-files.ts).
 */
import { existsSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { platformKmsSecret } from '../common/kms-secret.ts';
import { ShiftleftError, toShiftleftError } from '../common/errors.ts';
import { SqlSession } from '../engine/sql-session.ts';
import { startPlatform, type RunningPlatform } from '../platform.ts';
import { Catalog } from '../sql/catalog/catalog.ts';
import { RegistrySchemaStore } from '../sql/catalog/schema-store.ts';
import { collectProgress, formatProgress, type DemoProgress } from './demo-progress.ts';
import { decodeTopic, finalChecks, formatReport, warehouseChecks } from './demo-report.ts';
import { loadScenario, type ContractFile, type ScenarioFiles } from './scenario-files.ts';
import { portalUiLine } from '../server/ui-static.ts';

/** Each hop of orders -> sales -> revenue waits for its input's checkpoint: keep them short here. */
const DEMO_CHECKPOINT_INTERVAL_MS = 2000;

export interface DemoOptions {
  dataDir: string;
  /** Stop after this many seconds and print the final report; undefined runs until stopped. */
  durationSeconds?: number;
  /** Orders per second written to PostgreSQL. */
  ordersPerSecond: number;
  /** Payments per second. */
  paymentsPerSecond: number;
  seed: number;
  port: number;
  registryPort: number;
  /** Start over: remove what an earlier demo left in the data directory. */
  reset: boolean;
  scenarioDir?: string;
  progressIntervalMs: number;
  out: (line: string) => void;
  /** Resolves when the user asks to stop (Ctrl-C). */
  stopSignal?: Promise<unknown>;
}

export interface DemoResult {
  progress: DemoProgress;
  checks: { name: string; ok: boolean; detail: string }[];
}

async function registerContract(registryUrl: string, contract: ContractFile): Promise<number> {
  const response = await fetch(`${registryUrl}/subjects/${encodeURIComponent(contract.subject)}/versions`, {
    method: 'POST',
    headers: { 'Content-Type': 'application/vnd.schemaregistry.v1+json' },
    body: JSON.stringify({ schemaType: contract.schemaType, schema: contract.schema, metadata: contract.metadata, ruleSet: contract.ruleSet }),
  });
  const body = (await response.json()) as { id?: number; message?: string };
  if (!response.ok) {
    throw new ShiftleftError('INVALID_SCHEMA', `the contract in ${contract.file} was refused by the registry: ${body.message ?? response.status}`, {
      hint: 'fix the contract file; `shiftleft schema check` shows compatibility problems',
    });
  }
  return body.id!;
}

async function waitFor<T>(what: string, probe: () => Promise<T | undefined>, timeoutMs: number, onWait?: () => void): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await probe();
    if (value !== undefined) return value;
    if (Date.now() > deadline) throw new ShiftleftError('TIMEOUT', `timed out after ${Math.round(timeoutMs / 1000)} s waiting for ${what}`, { hint: 'see the connector status above for the cause' });
    onWait?.();
    await new Promise((r) => setTimeout(r, 500));
  }
}

export async function runDemo(options: DemoOptions): Promise<DemoResult> {
  const scenario: ScenarioFiles = loadScenario(options.scenarioDir);
  const out = options.out;
  if (options.reset && existsSync(options.dataDir)) {
    out(`resetting ${options.dataDir}`);
    rmSync(options.dataDir, { recursive: true, force: true });
  }
  const kmsSecret = platformKmsSecret(options.dataDir);
  const platform: RunningPlatform = await startPlatform({ dataDir: options.dataDir, port: options.port, registryPort: options.registryPort, runConnectors: true, kmsSecret });
  const closers: (() => Promise<void>)[] = [() => platform.close()];
  const close = async () => {
    while (closers.length) await closers.pop()!().catch((e: unknown) => out(`warning: ${toShiftleftError(e).message}`));
  };
  try {
    out(`platform: ${platform.urls.platform}   schema registry: ${platform.urls.registry}   data: ${options.dataDir}`);
    out(portalUiLine(platform.urls.platform));
    const registryUrl = platform.urls.registry;
    const schemas = new RegistrySchemaStore(registryUrl);
    const catalog = new Catalog({ log: platform.log, schemas });
    if (await catalog.getTable(['orders'])) {
      throw new ShiftleftError('ALREADY_EXISTS', `${options.dataDir} already holds a demo run`, {
        hint: 'run `shiftleft demo --reset` to start over, or pass another --data-dir',
      });
    }

    // The contract comes first: the payments service writes with the latest registered version.
    for (const contract of scenario.contracts) {
      const id = await registerContract(registryUrl, contract);
      out(`contract ${contract.subject}: registered (schema id ${id}) with rules ${JSON.stringify(((contract.ruleSet as { domainRules?: { name: string }[] })?.domainRules ?? []).map((r) => r.name))}`);
    }
    await platform.log.createTopic('payments', { ifNotExists: true });

    const connectors = platform.connectors;
    const rates: Record<string, Record<string, unknown>> = {
      'commerce-datagen': { ordersPerSecond: options.ordersPerSecond, seed: options.seed },
      payments: { rate: options.paymentsPerSecond, seed: options.seed },
    };
    // The database and its generator first (CDC needs the tables), then CDC; the payments
    // service needs orders, so it starts once CDC delivered them.
    const rank = (type: string): number => ({ 'commerce-datagen': 0, 'postgres-cdc': 1, payments: 3 })[type] ?? 2;
    const isSink = (type: string): boolean => type.endsWith('-sink');
    const ordered = [...scenario.connectors].filter((c) => !isSink(c.type)).sort((a, b) => rank(a.type) - rank(b.type));
    const sinks = scenario.connectors.filter((c) => isSink(c.type));
    for (const spec of ordered.filter((c) => c.type !== 'payments')) {
      const status = await connectors.create({ name: spec.name, type: spec.type, config: { ...spec.config, ...(rates[spec.type] ?? {}) } });
      out(`connector ${spec.name} (${spec.type}): ${status.state}${status.lastError ? ` — ${status.lastError.message}` : ''}`);
    }
    const cdcTables = ['shiftleft.public.customers', 'shiftleft.public.products', 'shiftleft.public.orders', 'shiftleft.public.order_items'];
    await waitFor(
      'the CDC topics',
      async () => {
        for (const t of cdcTables) if (!(await catalog.getTable([t]))) return undefined;
        return true;
      },
      180_000,
      () => {
        const failed = connectors.list().filter((c) => c.state === 'FAILED');
        for (const c of failed) out(`waiting for CDC: connector ${c.name} FAILED (${c.lastError?.message ?? '?'}), retrying`);
      },
    );
    out(`CDC: ${cdcTables.join(', ')} are tables`);
    for (const spec of ordered.filter((c) => c.type === 'payments')) {
      const status = await connectors.create({ name: spec.name, type: spec.type, config: { ...spec.config, ...(rates[spec.type] ?? {}) } });
      out(`connector ${spec.name} (${spec.type}): ${status.state}${status.lastError ? ` — ${status.lastError.message}` : ''}`);
    }

    // The walkthrough's statements, in order, as long-running statements of this process.
    // Statements join the platform's registry: `shiftleft sql -e 'SHOW STATEMENTS'` lists them.
    // Durable statements: a later `shiftleft up` on this data directory resumes them. A short
    // checkpoint interval keeps the chain orders -> sales -> revenue quick (each hop waits for
    // its input's checkpoint, as read_committed readers do).
    const session = new SqlSession({
      log: platform.log,
      schemas,
      catalog,
      idleTimeoutMs: 3000,
      statements: platform.statements.statements,
      durability: { store: platform.statementStore, defaultIntervalMs: DEMO_CHECKPOINT_INTERVAL_MS },
    });
    closers.push(async () => {
      for (const job of session.statements.values()) await job.stop();
    });
    for (const file of scenario.sql) {
      const results = await session.execute(file.sql);
      for (const r of results) {
        if (r.kind === 'statement') out(`statement ${r.name}: running`);
        else if (r.kind === 'message' && !r.message.startsWith('set ')) out(r.message);
      }
    }

    // The data products, tagged in the catalog with their owners (catalog/data-products.json).
    for (const entry of scenario.catalog) {
      for (const product of (entry as { dataProducts?: { topic: string; owner: string; description?: string }[] }).dataProducts ?? []) {
        await platform.portal.createDataProduct({ ...product });
        out(`data product ${product.topic}: tagged DataProduct, owner ${product.owner}`);
      }
    }

    // Sinks last: they read the data products the statements just created.
    for (const spec of sinks) {
      const status = await connectors.create({ name: spec.name, type: spec.type, config: spec.config });
      out(`connector ${spec.name} (${spec.type}): ${status.state}${status.lastError ? ` — ${status.lastError.message}` : ''}`);
    }

    const stop = options.stopSignal ?? new Promise(() => undefined);
    const deadline = options.durationSeconds === undefined ? undefined : Date.now() + options.durationSeconds * 1000;
    if (deadline === undefined) out(`running until Ctrl-C; open ${platform.urls.platform} and ${registryUrl}`);
    let stopped = false;
    void Promise.resolve(stop).then(() => (stopped = true));
    let progress = await collectProgress(platform.log, connectors, session, kmsSecret);
    while (!stopped && (deadline === undefined || Date.now() < deadline)) {
      const wait = deadline === undefined ? options.progressIntervalMs : Math.min(options.progressIntervalMs, Math.max(0, deadline - Date.now()));
      await Promise.race([stop, new Promise((r) => setTimeout(r, wait))]);
      progress = await collectProgress(platform.log, connectors, session, kmsSecret);
      out(formatProgress(progress));
      const windows = (await decodeTopic(platform.log, schemas, 'incremental_revenue').catch(() => [])).slice(-2);
      if (windows.length) out(`         revenue: ${windows.map((w) => `${new Date(Number(w.row.window_start)).toISOString().slice(11, 19)}–${new Date(Number(w.row.window_end)).toISOString().slice(11, 19)} ${String(w.row.total_revenue)}`).join(', ')}`);
      const failed = [...session.statements.values()].find((j) => j.status === 'FAILED');
      if (failed) throw new ShiftleftError('SQL_RUNTIME_ERROR', `statement ${failed.name} failed: ${failed.error?.message}`, { hint: failed.error?.hint });
    }
    // Stop the sources, let the statements drain what they wrote and the sinks catch up, then report.
    for (const c of connectors.list()) if (!sinks.some((s) => s.name === c.name)) await connectors.pause(c.name).catch(() => undefined);
    await new Promise((r) => setTimeout(r, 4000));
    // Statements stop before the final counts, so topics and warehouse are compared at rest.
    const failedBefore = [...session.statements.values()].filter((j) => j.status === 'FAILED').map((j) => j.name);
    for (const job of session.statements.values()) await job.stop();
    if (failedBefore.length) out(`statements failed: ${failedBefore.join(', ')}`);
    await waitForSinks(platform, sinks.map((s) => ({ name: s.name, topics: (s.config.topics as string[] | undefined) ?? [] })), 30_000);
    progress = await collectProgress(platform.log, connectors, session, kmsSecret);
    const checks = await finalChecks(platform.log, schemas, progress);
    checks.push(await dataProductCheck(registryUrl, scenario));
    const warehouseSinks = sinks.filter((s) => s.type === 'duckdb-sink');
    await close();
    // The warehouse file is free once the sinks closed: compare its tables with their topics.
    for (const sink of warehouseSinks) checks.push(...(await warehouseChecks(join(options.dataDir, 'warehouse', 'warehouse.duckdb'), (sink.config.topics as string[]) ?? [], progress)));
    out(formatReport(progress, checks));
    return { progress, checks };
  } finally {
    await close();
  }
}

/** The data products of the scenario are found in the catalog by their DataProduct tag. */
async function dataProductCheck(registryUrl: string, scenario: ScenarioFiles): Promise<{ name: string; ok: boolean; detail: string }> {
  const wanted = scenario.catalog.flatMap((entry) => ((entry as { dataProducts?: { topic: string }[] }).dataProducts ?? []).map((p) => p.topic));
  const response = await fetch(`${registryUrl}/catalog/v1/search/basic?tag=DataProduct&limit=100`);
  const text = await response.text();
  const found = wanted.filter((topic) => text.includes(`"${topic}"`));
  return { name: 'the data products are tagged in the catalog', ok: response.ok && found.length === wanted.length && wanted.length > 0, detail: `${found.length} of ${wanted.length} found by tag DataProduct (${wanted.join(', ')})` };
}

/** Waits until each sink's consumer group has committed every topic's end offset. */
async function waitForSinks(platform: RunningPlatform, sinks: { name: string; topics: string[] }[], timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (const sink of sinks) {
    for (;;) {
      let behind = false;
      const committed = await platform.log.fetchCommittedOffsets(sink.name, sink.topics);
      for (const topic of sink.topics) {
        const d = await platform.log.describeTopic(topic).catch(() => undefined);
        for (const p of d?.partitions ?? []) {
          const c = committed.find((o) => o.topic === topic && o.partition === p.partition)?.offset ?? 0;
          if (c < p.highWatermark) behind = true;
        }
      }
      if (!behind || Date.now() > deadline) break;
      await new Promise((r) => setTimeout(r, 500));
    }
  }
}
