/**
 * `shiftleft apply DIR [--dry-run]`: shows the plan of a declarative project (contracts,
 * connectors, tables, statements), then applies it; `--dry-run` validates everything and stops
 * after the plan. See src/project/project-plan.ts.
 *
 * Without a running platform the command opens the data directory itself: contracts, tables
 * and connector specs are stored (connectors start with `shiftleft up`), while long-running
 * statements are reported as skipped, since they would stop with this command.
 */
import { Command } from 'commander';
import { ShiftleftError } from '../../common/errors.ts';
import { readLiveLock } from '../../common/data-dir.ts';
import { loadScenario } from '../../demo/scenario-files.ts';
import { SqlSession } from '../../engine/sql-session.ts';
import { startPlatform } from '../../platform.ts';
import { applyPlan, formatPlan, planProject, type ProjectTargets } from '../../project/project-plan.ts';
import { Catalog } from '../../sql/catalog/catalog.ts';
import { RegistrySchemaStore } from '../../sql/catalog/schema-store.ts';
import { dataDirOf } from '../context.ts';

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
        throw new ShiftleftError('DATA_DIR_LOCKED', `a platform runs on ${dataDir} (pid ${running.pid}); apply works on an idle data directory for now`, {
          hint: 'stop `shiftleft up`, run apply, then start it again (it starts the connectors)',
        });
      }
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
          const plan = await planProject(files, targets);
          process.stdout.write(`${opts.dryRun ? 'Dry run: nothing will change.' : 'Plan:'}\n${formatPlan(plan)}\n`);
          if (opts.dryRun) return;
          await applyPlan(plan, (line) => process.stdout.write(line + '\n'));
          process.stdout.write('Applied.\n');
        }
      } finally {
        await platform.close();
      }
    });
}
