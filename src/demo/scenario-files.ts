/**
 * Reads the shift-left scenario from its files (examples/shift-left/): the payments contract,
 * the connectors, the catalog entries and the SQL statements, in the order they apply. The demo
 * runs exactly these files, so what the README and the portal show is what a team would keep
 * in source control.
 */
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { ShiftleftError } from '../common/errors.ts';

export interface ContractFile {
  file: string;
  subject: string;
  schemaType: string;
  schema: string;
  metadata?: unknown;
  ruleSet?: unknown;
}

export interface ConnectorFile {
  file: string;
  name: string;
  type: string;
  config: Record<string, unknown>;
}

export interface SqlFile {
  file: string;
  sql: string;
}

export interface ScenarioFiles {
  dir: string;
  contracts: ContractFile[];
  connectors: ConnectorFile[];
  sql: SqlFile[];
  catalog: unknown[];
}

/** The scenario shipped with shiftleft. */
export const DEFAULT_SCENARIO_DIR = join(dirname(fileURLToPath(import.meta.url)), '..', '..', 'examples', 'shift-left');

function readJson(file: string): unknown {
  const text = readFileSync(file, 'utf8');
  try {
    return JSON.parse(text);
  } catch (error) {
    throw new ShiftleftError('INVALID_CONFIG', `${file} is not valid JSON: ${(error as Error).message}`, {
      hint: 'fix the file (a JSON linter shows the exact spot)',
      details: { file },
    });
  }
}

function jsonFiles(dir: string): string[] {
  return existsSync(dir) ? readdirSync(dir).filter((f) => f.endsWith('.json')).sort().map((f) => join(dir, f)) : [];
}

function field<T>(file: string, value: unknown, name: string, check: (v: unknown) => v is T, what: string): T {
  const v = (value as Record<string, unknown>)?.[name];
  if (!check(v)) throw new ShiftleftError('INVALID_CONFIG', `${file}: '${name}' must be ${what}`, { details: { file, field: name } });
  return v;
}

const isString = (v: unknown): v is string => typeof v === 'string' && v.length > 0;
const isObject = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);

export function loadScenario(dir: string = DEFAULT_SCENARIO_DIR): ScenarioFiles {
  if (!existsSync(dir)) {
    throw new ShiftleftError('INVALID_CONFIG', `scenario directory ${dir} does not exist`, { hint: 'pass the directory holding contracts/, connectors/ and sql/' });
  }
  const contracts = jsonFiles(join(dir, 'contracts')).map((file): ContractFile => {
    const json = readJson(file);
    const schemaFile = (json as { schemaFile?: string }).schemaFile;
    const schema = schemaFile ? readFileSync(join(dirname(file), schemaFile), 'utf8') : JSON.stringify((json as { schema?: unknown }).schema);
    return {
      file,
      subject: field(file, json, 'subject', isString, 'a subject name'),
      schemaType: (json as { schemaType?: string }).schemaType ?? 'AVRO',
      schema,
      metadata: (json as { metadata?: unknown }).metadata,
      ruleSet: (json as { ruleSet?: unknown }).ruleSet,
    };
  });
  const connectors = jsonFiles(join(dir, 'connectors')).map((file): ConnectorFile => {
    const json = readJson(file);
    return {
      file,
      name: field(file, json, 'name', isString, 'a connector name'),
      type: field(file, json, 'type', isString, 'a connector type'),
      config: field(file, json, 'config', isObject, 'an object'),
    };
  });
  const sqlDir = join(dir, 'sql');
  const sql = existsSync(sqlDir)
    ? readdirSync(sqlDir)
        .filter((f) => f.endsWith('.sql'))
        .sort()
        .map((f) => ({ file: join(sqlDir, f), sql: readFileSync(join(sqlDir, f), 'utf8') }))
    : [];
  const catalog = jsonFiles(join(dir, 'catalog')).map(readJson);
  return { dir, contracts, connectors, sql, catalog };
}
