/**
 * `shiftleft apply DIR`: a declarative project (contracts, connectors, SQL) made real,
 * idempotently, with a plan shown first — as `terraform plan` then `apply` do.
 *
 * Each resource compares what the files say with what exists and yields one plan item:
 *   + create     the resource does not exist
 *   ~ update     it exists and differs (a new contract version, a connector re-created)
 *   = unchanged  nothing to do
 *   > run        a long-running statement that is not running yet
 *   ! skip       cannot be applied here (the reason is in the detail)
 * Validation happens while planning (schemas parse, rules and configs are checked, SQL parses),
 * so `--dry-run` reports every problem and changes nothing.
 */
import { isDeepStrictEqual } from 'node:util';
import { ShiftleftError, isShiftleftError } from '../common/errors.ts';
import type { ScenarioFiles } from '../demo/scenario-files.ts';
import { getSchemaProvider } from '../formats/index.ts';
import type { SchemaType } from '../formats/schema-provider.ts';
import type * as ast from '../sql/ast.ts';
import { parseStatements } from '../sql/parser/index.ts';
import { printExpression, printStatement } from '../sql/printer.ts';
import { apiKeyHeaders } from '../server/auth/client-credentials.ts';

export type PlanAction = 'create' | 'update' | 'unchanged' | 'run' | 'skip';

export interface PlanItem {
  kind: 'contract' | 'connector' | 'table' | 'statement' | 'setting';
  name: string;
  action: PlanAction;
  detail: string;
  /** Makes the change; undefined for unchanged/skip items. */
  apply?: () => Promise<string>;
}

/** What a project is applied to: the registry, the connectors, and the SQL engine. */
export interface ProjectTargets {
  registryUrl: string;
  connectors: {
    status(name: string): Promise<{ type: string; config: Record<string, unknown> } | undefined>;
    validate(spec: unknown): Promise<void>;
    create(spec: unknown): Promise<string>;
    delete(name: string): Promise<void>;
  };
  sql: {
    tableExists(name: string[]): Promise<boolean>;
    watermarkOf(name: string[]): Promise<{ column: string; expression: string } | undefined>;
    statementRunning(name: string): Promise<boolean>;
    /** Runs statements (with the session properties) and returns what happened. */
    execute(sql: string, properties: Record<string, string>): Promise<string>;
    /** Long-running statements can only be started where they will keep running. */
    canRunStatements: boolean;
  };
}

const PLAN_SYMBOL: Record<PlanAction, string> = { create: '+', update: '~', unchanged: '=', run: '>', skip: '!' };

export function formatPlan(items: PlanItem[]): string {
  const lines = items.map((i) => `  ${PLAN_SYMBOL[i.action]} ${i.kind} ${i.name}: ${i.detail}`);
  const count = (a: PlanAction) => items.filter((i) => i.action === a).length;
  lines.push('', `Plan: ${count('create')} to create, ${count('update')} to update, ${count('run')} to run, ${count('unchanged')} unchanged, ${count('skip')} skipped.`);
  return lines.join('\n');
}

async function registry(url: string, method: string, path: string, body?: unknown): Promise<{ status: number; body: Record<string, unknown> }> {
  const response = await fetch(`${url}${path}`, {
    method,
    headers: { ...apiKeyHeaders(), 'Content-Type': 'application/vnd.schemaregistry.v1+json' },
    ...(body === undefined ? {} : { body: JSON.stringify(body) }),
  });
  const text = await response.text();
  return { status: response.status, body: text ? (JSON.parse(text) as Record<string, unknown>) : {} };
}

function canonicalSchema(type: string, text: string): string {
  return getSchemaProvider(type as SchemaType).parse(text, []).normalized();
}

async function planContracts(files: ScenarioFiles, targets: ProjectTargets): Promise<PlanItem[]> {
  const items: PlanItem[] = [];
  for (const contract of files.contracts) {
    let normalized: string;
    try {
      normalized = canonicalSchema(contract.schemaType, contract.schema);
    } catch (error) {
      throw new ShiftleftError('INVALID_SCHEMA', `${contract.file}: ${(error as Error).message}`, { hint: 'fix the schema file', cause: error });
    }
    const subject = encodeURIComponent(contract.subject);
    const latest = await registry(targets.registryUrl, 'GET', `/subjects/${subject}/versions/latest`);
    const body = { schemaType: contract.schemaType, schema: contract.schema, metadata: contract.metadata, ruleSet: contract.ruleSet };
    const register = async () => {
      const r = await registry(targets.registryUrl, 'POST', `/subjects/${subject}/versions`, body);
      if (r.status !== 200) throw new ShiftleftError('INVALID_SCHEMA', `${contract.file}: the registry refused the contract: ${String(r.body.message)}`);
      return `registered ${contract.subject} (schema id ${String(r.body.id)})`;
    };
    if (latest.status === 404) {
      items.push({ kind: 'contract', name: contract.subject, action: 'create', detail: 'first version', apply: register });
      continue;
    }
    const same =
      canonicalSchema(String(latest.body.schemaType ?? 'AVRO'), String(latest.body.schema)) === normalized &&
      isDeepStrictEqual(latest.body.metadata ?? null, contract.metadata ?? null) &&
      isDeepStrictEqual(latest.body.ruleSet ?? null, contract.ruleSet ?? null);
    if (same) {
      items.push({ kind: 'contract', name: contract.subject, action: 'unchanged', detail: `version ${String(latest.body.version)}` });
      continue;
    }
    const check = await registry(targets.registryUrl, 'POST', `/compatibility/subjects/${subject}/versions/latest?verbose=true`, body);
    if (check.status === 200 && check.body.is_compatible === false) {
      const messages = (check.body.messages as string[] | undefined) ?? [];
      throw new ShiftleftError('INCOMPATIBLE_SCHEMA', `${contract.file}: the new contract is not compatible with ${contract.subject} version ${String(latest.body.version)}`, {
        hint: messages.slice(0, 5).join('; ') || 'see `shiftleft schema check`',
      });
    }
    items.push({ kind: 'contract', name: contract.subject, action: 'update', detail: `new version after ${String(latest.body.version)} (schema, metadata or rules changed)`, apply: register });
  }
  return items;
}

async function planConnectors(files: ScenarioFiles, targets: ProjectTargets): Promise<PlanItem[]> {
  const items: PlanItem[] = [];
  for (const spec of files.connectors) {
    const wanted = { name: spec.name, type: spec.type, config: spec.config };
    try {
      await targets.connectors.validate(wanted);
    } catch (error) {
      if (isShiftleftError(error)) error.message = `${spec.file}: ${error.message}`;
      throw error;
    }
    const existing = await targets.connectors.status(spec.name);
    if (!existing) {
      items.push({ kind: 'connector', name: spec.name, action: 'create', detail: `${spec.type}`, apply: () => targets.connectors.create(wanted) });
    } else if (existing.type === spec.type && isDeepStrictEqual(existing.config, spec.config)) {
      items.push({ kind: 'connector', name: spec.name, action: 'unchanged', detail: spec.type });
    } else {
      items.push({
        kind: 'connector',
        name: spec.name,
        action: 'update',
        detail: `${spec.type}: config changed (re-created; its stored offsets are kept)`,
        apply: async () => {
          await targets.connectors.delete(spec.name);
          return targets.connectors.create(wanted);
        },
      });
    }
  }
  return items;
}

function nameParts(name: ast.ObjectName): string[] {
  return name.parts.map((p) => p.value);
}

async function planSql(files: ScenarioFiles, targets: ProjectTargets): Promise<PlanItem[]> {
  const items: PlanItem[] = [];
  /** Tables this plan creates: later statements may alter or fill them. */
  const planned = new Set<string>();
  for (const file of files.sql) {
    let statements: ast.Statement[];
    try {
      statements = parseStatements(file.sql);
    } catch (error) {
      if (isShiftleftError(error)) error.message = `${file.file}: ${error.message}`;
      throw error;
    }
    const properties: Record<string, string> = {};
    for (const statement of statements) {
      const text = printStatement(statement);
      // The properties as they stand here (a later SET or the name's reset must not leak in).
      const snapshot = { ...properties };
      const run = () => targets.sql.execute(text, snapshot);
      switch (statement.kind) {
        case 'SetOption':
          if (statement.key !== undefined) properties[statement.key] = statement.value ?? '';
          break;
        case 'CreateTable': {
          const exists = await targets.sql.tableExists(nameParts(statement.name));
          const name = nameParts(statement.name).at(-1)!;
          if (statement.asQuery) {
            const statementName = properties['client.statement-name'] ?? `ctas-${name}`;
            if (exists && (await targets.sql.statementRunning(statementName))) items.push({ kind: 'statement', name: statementName, action: 'unchanged', detail: `running, writing ${name}` });
            else if (exists) items.push({ kind: 'statement', name: statementName, action: 'skip', detail: `table ${name} exists but its statement is not running; drop the table to re-create it` });
            else if (!targets.sql.canRunStatements) items.push({ kind: 'statement', name: statementName, action: 'skip', detail: `CREATE TABLE ${name} AS ... needs a running platform (shiftleft up) to keep running` });
            else items.push({ kind: 'statement', name: statementName, action: 'run', detail: `CREATE TABLE ${name} AS SELECT ...`, apply: run });
          } else if (exists) items.push({ kind: 'table', name, action: 'unchanged', detail: 'exists' });
          else {
            planned.add(name);
            items.push({ kind: 'table', name, action: 'create', detail: `${statement.columns.length} columns`, apply: run });
          }
          break;
        }
        case 'AlterTable': {
          const name = nameParts(statement.name).at(-1)!;
          const action = statement.action;
          if (!planned.has(name) && !(await targets.sql.tableExists(nameParts(statement.name)))) {
            // Tables of a source (CDC topics) appear once its connector has run.
            items.push({ kind: 'table', name, action: 'skip', detail: 'does not exist yet (a connector creates it); apply again once it has run' });
            break;
          }
          const watermark = action.kind === 'AlterTableAddOrModify' ? action.elements.find((e) => e.kind === 'Watermark') : undefined;
          if (watermark && watermark.kind === 'Watermark') {
            const current = await targets.sql.watermarkOf(nameParts(statement.name));
            const column = watermark.column.parts.map((p) => p.value).join('.');
            const expression = printExpression(watermark.expression);
            if (current && current.column === column && current.expression === expression) {
              items.push({ kind: 'table', name, action: 'unchanged', detail: `watermark on ${column}` });
              break;
            }
            items.push({ kind: 'table', name, action: 'update', detail: `watermark FOR ${column} AS ${expression}`, apply: run });
          } else {
            items.push({ kind: 'table', name, action: 'update', detail: action.kind.replace('AlterTable', 'ALTER TABLE '), apply: run });
          }
          break;
        }
        case 'Insert':
        case 'StatementSet': {
          const statementName = properties['client.statement-name'];
          if (!statementName) {
            items.push({ kind: 'statement', name: '(unnamed)', action: 'skip', detail: `${file.file}: name long-running statements with SET 'client.statement-name' so apply can tell whether they run` });
          } else if (await targets.sql.statementRunning(statementName)) {
            items.push({ kind: 'statement', name: statementName, action: 'unchanged', detail: 'running' });
          } else if (!targets.sql.canRunStatements) {
            items.push({ kind: 'statement', name: statementName, action: 'skip', detail: 'needs a running platform (shiftleft up) to keep running' });
          } else {
            items.push({ kind: 'statement', name: statementName, action: 'run', detail: text.split('\n')[0]!.slice(0, 60), apply: run });
          }
          delete properties['client.statement-name'];
          break;
        }
        case 'Query':
          items.push({ kind: 'statement', name: file.file.split('/').pop()!, action: 'skip', detail: 'a SELECT shows data; it is not part of a project (run it with shiftleft sql)' });
          break;
        default:
          items.push({ kind: 'statement', name: statement.kind, action: 'run', detail: text.slice(0, 60), apply: run });
      }
    }
  }
  return items;
}

/** Validates everything and computes the plan; changes nothing. */
export async function planProject(files: ScenarioFiles, targets: ProjectTargets): Promise<PlanItem[]> {
  return [...(await planContracts(files, targets)), ...(await planConnectors(files, targets)), ...(await planSql(files, targets))];
}

/** Applies a plan in order (contracts, connectors, tables, statements); stops at the first failure. */
export async function applyPlan(items: PlanItem[], out: (line: string) => void): Promise<void> {
  for (const item of items) {
    if (!item.apply) continue;
    try {
      out(`  ${PLAN_SYMBOL[item.action]} ${item.kind} ${item.name}: ${await item.apply()}`);
    } catch (error) {
      if (isShiftleftError(error)) error.message = `${item.kind} ${item.name}: ${error.message}`;
      throw error;
    }
  }
}
