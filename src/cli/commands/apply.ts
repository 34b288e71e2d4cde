/**
 * `shiftleft apply DIR [--dry-run]`: shows the plan of a declarative project (contracts,
 * connectors, tables, statements), then applies it; `--dry-run` validates everything and stops
 * after the plan. See src/project/project-plan.ts.
 *
 * With `shiftleft up` running on the data directory, everything goes through its APIs and the
 * statements start there. Without a running platform the command opens the data directory
 * itself: contracts, tables and connector specs are stored (connectors start with `shiftleft
 * up`), while long-running statements are reported as skipped, since they would stop with this
 * command.
 */
import { Command } from 'commander';
import { ShiftleftError, type ErrorCode } from '../../common/errors.ts';
import { readLiveLock } from '../../common/data-dir.ts';
import { loadScenario } from '../../demo/scenario-files.ts';
import type { ProjectTargets } from '../../project/project-plan.ts';
import { dataDirOf } from '../context.ts';
import { apiKeyHeaders } from '../../server/auth/client-credentials.ts';

async function planAndApply(files: ReturnType<typeof loadScenario>, targets: ProjectTargets, dryRun: boolean): Promise<void> {
  // Planning validates contracts, connectors and SQL: loaded here so that registering the
  // command stays cheap.
  const { applyPlan, formatPlan, planProject } = await import('../../project/project-plan.ts');
  const plan = await planProject(files, targets);
  process.stdout.write(`${dryRun ? 'Dry run: nothing will change.' : 'Plan:'}\n${formatPlan(plan)}\n`);
  if (dryRun) return;
  await applyPlan(plan, (line) => process.stdout.write(line + '\n'));
  process.stdout.write('Applied.\n');
}

/** Calls a platform REST API; a ShiftleftError body (code, message, hint) is thrown as such. */
async function call(base: string, method: string, path: string, body?: unknown): Promise<{ status: number; body: unknown }> {
  let response: Response;
  try {
    response = await fetch(`${base}${path}`, { method, headers: { ...apiKeyHeaders(), 'Content-Type': 'application/json' }, ...(body === undefined ? {} : { body: JSON.stringify(body) }) });
  } catch (error) {
    throw new ShiftleftError('BROKER_UNAVAILABLE', `the platform at ${base} does not answer: ${(error as Error).message}`, { hint: 'is `shiftleft up` still running?' });
  }
  const text = await response.text();
  const parsed: unknown = text ? JSON.parse(text) : undefined;
  if (response.status >= 400 && response.status !== 404) {
    const e = parsed as { code?: ErrorCode; message?: string; hint?: string } | undefined;
    throw new ShiftleftError(e?.code ?? 'INTERNAL', e?.message ?? `HTTP ${response.status} from ${path}`, { hint: e?.hint });
  }
  return { status: response.status, body: parsed };
}

/** The targets of a running platform, through its REST APIs. */
function remoteTargets(platformUrl: string, registryUrl: string): ProjectTargets {
  const describe = async (name: string[]) => {
    const quoted = name.map((p) => '`' + p.replace(/`/g, '``') + '`').join('.');
    const r = await call(platformUrl, 'POST', '/v1/statements', { sql: `DESCRIBE ${quoted}` });
    if (r.status === 404) return undefined;
    return ((r.body as { results: { kind: string; rows?: unknown[][] }[] }).results[0]?.rows ?? []) as unknown[][];
  };
  return {
    registryUrl,
    connectors: {
      status: async (name) => {
        const r = await call(platformUrl, 'GET', `/v1/connectors/${encodeURIComponent(name)}`);
        return r.status === 404 ? undefined : (r.body as { type: string; config: Record<string, unknown> });
      },
      validate: async (spec) => void (await call(platformUrl, 'POST', '/v1/connectors/validate', spec)),
      create: async (spec) => `created (${String((await call(platformUrl, 'POST', '/v1/connectors', spec)).body && ((await call(platformUrl, 'GET', `/v1/connectors/${encodeURIComponent((spec as { name: string }).name)}`)).body as { state?: string }).state)})`,
      delete: async (name) => void (await call(platformUrl, 'DELETE', `/v1/connectors/${encodeURIComponent(name)}`)),
    },
    sql: {
      tableExists: async (name) => (await describe(name)) !== undefined,
      watermarkOf: async (name) => {
        const row = (await describe(name))?.find((r) => typeof r[5] === 'string' && r[5] !== '');
        return row ? { column: String(row[0]), expression: String(row[5]) } : undefined;
      },
      statementRunning: async (name) => {
        const r = await call(platformUrl, 'GET', `/v1/statements/${encodeURIComponent(name)}`);
        return r.status !== 404 && (r.body as { status?: string }).status === 'RUNNING';
      },
      execute: async (sql, properties) => {
        const r = await call(platformUrl, 'POST', '/v1/statements', { sql, properties });
        return (r.body as { results: { kind: string; message?: string; name?: string; status?: string }[] }).results
          .map((x) => x.message ?? (x.name ? `statement ${x.name} ${x.status ?? ''}`.trim() : x.kind))
          .join('; ');
      },
      canRunStatements: true,
    },
  };
}

export function registerApplyCommand(program: Command): void {
  program
    .command('apply')
    .description('create or update a project (contracts/, connectors/, sql/) idempotently, showing the plan first')
    .argument('<dir>', 'project directory, e.g. examples/shift-left')
    .option('--dry-run', 'validate everything and print the plan; change nothing')
    .action(async (dir: string, opts: { dryRun?: boolean }, command: Command) => {
      const files = loadScenario(dir);
      const dataDir = dataDirOf(command);
      const running = readLiveLock(dataDir);
      if (running) {
        // A platform owns the directory: apply through its APIs, statements included.
        if (!running.urls.platform || !running.urls.registry) {
          throw new ShiftleftError('DATA_DIR_LOCKED', `process ${running.pid} owns ${dataDir} but serves no platform API yet`, { hint: 'wait until `shiftleft up` printed its URLs' });
        }
        await planAndApply(files, remoteTargets(running.urls.platform, running.urls.registry), opts.dryRun === true);
        return;
      }
      const [{ startPlatform }, { SqlSession }, { Catalog }, { RegistrySchemaStore }] = await Promise.all([
        import('../../platform.ts'),
        import('../../engine/sql-session.ts'),
        import('../../sql/catalog/catalog.ts'),
        import('../../sql/catalog/schema-store.ts'),
      ]);
      const platform = await startPlatform({ dataDir, port: 0, registryPort: 0 });
      try {
        const schemas = new RegistrySchemaStore(platform.urls.registry);
        const catalog = new Catalog({ log: platform.log, schemas });
        const session = new SqlSession({ log: platform.log, schemas, catalog });
        const connectors = platform.connectors;
        {
          const targets: ProjectTargets = {
            registryUrl: platform.urls.registry,
            connectors: {
              status: async (name) => connectors.list().find((c) => c.name === name),
              validate: async (spec) => void connectors.validate(spec),
              create: async (spec) => `stored (${(await connectors.create(spec)).state}; it runs under shiftleft up)`,
              delete: async (name) => void (await connectors.delete(name)),
            },
            sql: {
              tableExists: async (name) => (await catalog.getTable(name)) !== undefined,
              watermarkOf: async (name) => (await catalog.getTable(name))?.watermark,
              statementRunning: async () => false,
              execute: async (sql, properties) => {
                for (const [k, v] of Object.entries(properties)) session.properties.set(k, v);
                const results = await session.execute(sql);
                return results.map((r) => (r.kind === 'message' ? r.message : r.kind)).join('; ');
              },
              canRunStatements: false,
            },
          };
          await planAndApply(files, targets, opts.dryRun === true);
        }
      } finally {
        await platform.close();
      }
    });
}
