/**
 * The shift-left scenario, in this process, for the end-to-end benchmark: the embedded platform
 * (src/platform.ts) on a temporary data directory, an embedded PostgreSQL the bench also writes
 * to, and everything from examples/shift-left/ as the demo runs it (contracts, the commerce
 * generator, CDC, the payments service, the walkthrough's statements, the DuckDB sink).
 *
 * Differences from `shiftleft demo`, all so the bench can measure: PostgreSQL is started here
 * (the bench needs its connection string to insert orders of its own), connectors get
 * `connection` instead of `embedded`, rates come from the bench, and every statement is started
 * with the checkpoint interval the bench reports.
 */
import { chmodSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { platformKmsSecret } from '../../src/common/kms-secret.ts';
import { ShiftleftError } from '../../src/common/errors.ts';
import { EmbeddedPostgres } from '../../src/connect/postgres/embedded-postgres.ts';
import { defaultWarehousePath } from '../../src/connect/duckdb-sink/index.ts';
import { loadScenario, type ConnectorFile, type ContractFile } from '../../src/demo/scenario-files.ts';
import { SqlSession } from '../../src/engine/sql-session.ts';
import { startPlatform, type RunningPlatform } from '../../src/platform.ts';
import { Catalog } from '../../src/sql/catalog/catalog.ts';
import { RegistrySchemaStore } from '../../src/sql/catalog/schema-store.ts';

export interface ScenarioOptions {
  /** Orders per second the commerce generator writes (background load, product changes). */
  generatorOrdersPerSecond: number;
  paymentsPerSecond: number;
  /** How many existing orders the payments service pays first (it pays orders in id order). */
  paymentsBacklog: number;
  /** `execution.checkpointing.interval` given to every statement, e.g. '1s'. */
  checkpointInterval: string;
  /** Sources quiet this long stop holding the watermark back (the demo uses 3 s). */
  idleTimeoutMs: number;
  progress(message: string): void;
}

export interface RunningScenario {
  platform: RunningPlatform;
  postgres: EmbeddedPostgres;
  session: SqlSession;
  /** The DuckDB file the warehouse sink writes. */
  warehousePath: string;
  /** Throws when a statement failed (its error says why). */
  checkStatements(): void;
  close(): Promise<void>;
}

const CDC_TABLES = ['shiftleft.public.customers', 'shiftleft.public.products', 'shiftleft.public.orders', 'shiftleft.public.order_items'];

async function registerContract(registryUrl: string, contract: ContractFile): Promise<void> {
  const response = await fetch(`${registryUrl}/subjects/${encodeURIComponent(contract.subject)}/versions`, {
    method: 'POST',
    headers: { 'Content-Type': 'application/vnd.schemaregistry.v1+json' },
    body: JSON.stringify({ schemaType: contract.schemaType, schema: contract.schema, metadata: contract.metadata, ruleSet: contract.ruleSet }),
  });
  if (!response.ok) throw new ShiftleftError('INVALID_SCHEMA', `the registry refused the contract in ${contract.file}: ${await response.text()}`);
}

/** Polls `probe` every 200 ms until it returns a value. */
export async function waitFor<T>(what: string, probe: () => Promise<T | undefined>, timeoutMs: number): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await probe();
    if (value !== undefined) return value;
    if (Date.now() > deadline) throw new ShiftleftError('TIMEOUT', `timed out after ${Math.round(timeoutMs / 1000)} s waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 200));
  }
}

export async function startScenario(options: ScenarioOptions): Promise<RunningScenario> {
  const root = mkdtempSync(join(tmpdir(), 'sl-bench-e2e-'));
  // PostgreSQL runs as its own OS user when we are root: it must be able to enter the directory.
  chmodSync(root, 0o755);
  const dataDir = join(root, 'platform');
  const closers: (() => Promise<void>)[] = [async () => rmSync(root, { recursive: true, force: true })];
  const close = async (): Promise<void> => {
    while (closers.length) await closers.pop()!().catch((e: unknown) => options.progress(`warning while closing: ${(e as Error).message}`));
  };
  try {
    const scenario = loadScenario();
    options.progress('starting PostgreSQL and the platform');
    const postgres = await EmbeddedPostgres.start({ dataDir: join(root, 'source') });
    closers.push(() => postgres.stop());
    const kmsSecret = platformKmsSecret(dataDir);
    const platform = await startPlatform({ dataDir, port: 0, registryPort: 0, runConnectors: true, kmsSecret });
    closers.push(() => platform.close());
    const registryUrl = platform.urls.registry;
    for (const contract of scenario.contracts) await registerContract(registryUrl, contract);
    await platform.log.createTopic('payments', { ifNotExists: true });

    const configOf = (spec: ConnectorFile): Record<string, unknown> => {
      const { embedded: _embedded, ...rest } = spec.config;
      const database = spec.type === 'duckdb-sink' ? {} : { connection: postgres.connectionString };
      const rates: Record<string, Record<string, unknown>> = {
        'commerce-datagen': { ordersPerSecond: options.generatorOrdersPerSecond },
        payments: { rate: options.paymentsPerSecond, startBacklog: options.paymentsBacklog },
      };
      return { ...rest, ...database, ...(rates[spec.type] ?? {}) };
    };
    const create = async (spec: ConnectorFile): Promise<void> => {
      const status = await platform.connectors.create({ name: spec.name, type: spec.type, config: configOf(spec) });
      if (status.state === 'FAILED') throw new ShiftleftError('SQL_RUNTIME_ERROR', `connector ${spec.name} failed: ${status.lastError?.message}`);
    };
    const byType = (type: string): ConnectorFile[] => scenario.connectors.filter((c) => c.type === type);
    // As the demo: the database and its generator, then CDC; payments once the orders are tables.
    for (const spec of [...byType('commerce-datagen'), ...byType('postgres-cdc')]) await create(spec);
    const schemas = new RegistrySchemaStore(registryUrl);
    const catalog = new Catalog({ log: platform.log, schemas });
    options.progress('waiting for the CDC topics');
    await waitFor(
      'the CDC topics',
      async () => {
        for (const t of CDC_TABLES) if (!(await catalog.getTable([t]))) return undefined;
        return true;
      },
      180_000,
    );
    for (const spec of byType('payments')) await create(spec);

    // Durable statements, as the platform runs them: checkpointed, with exactly-once output
    // (rows become visible when their checkpoint completes).
    const session = new SqlSession({
      log: platform.log,
      schemas,
      catalog,
      idleTimeoutMs: options.idleTimeoutMs,
      statements: platform.statements.statements,
      durability: { store: platform.statementStore },
    });
    closers.push(async () => {
      for (const job of session.statements.values()) await job.stop();
    });
    // Every statement checkpoints at this interval (exactly-once output becomes visible at checkpoints).
    await session.execute(`SET 'execution.checkpointing.interval' = '${options.checkpointInterval}'`);
    for (const file of scenario.sql) await session.execute(file.sql);
    options.progress(`${session.statements.size} statements running`);
    for (const spec of scenario.connectors.filter((c) => c.type === 'duckdb-sink')) await create(spec);

    const checkStatements = (): void => {
      const failed = [...session.statements.values()].find((j) => j.status === 'FAILED');
      if (failed) throw new ShiftleftError('SQL_RUNTIME_ERROR', `statement ${failed.name} failed: ${failed.error?.message}`, { hint: failed.error?.hint });
    };
    return { platform, postgres, session, warehousePath: defaultWarehousePath(dataDir), checkStatements, close };
  } catch (error) {
    await close();
    throw error;
  }
}
