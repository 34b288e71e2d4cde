/**
 * `shiftleft schema ...`: register, list, get, check, delete and configure schemas (data
 * contracts) in the schema registry, over its Confluent-compatible HTTP API. Works against a
 * running platform (`shiftleft up`) or an in-process one (see registry-access.ts).
 */
import { readFileSync } from 'node:fs';
import { extname } from 'node:path';
import { Command, InvalidArgumentError, Option } from 'commander';
import { ShiftleftError } from '../../common/errors.ts';
import { withRegistry, type RegistryHttp } from '../registry-access.ts';
import { printTable } from '../table.ts';

const SCHEMA_TYPES = ['AVRO', 'JSON', 'PROTOBUF'] as const;
type SchemaType = (typeof SCHEMA_TYPES)[number];

interface RegistryRule {
  name: string;
  kind?: string;
  type: string;
  mode?: string;
  onFailure?: string;
  disabled?: boolean;
}

interface RegistryRuleSet {
  domainRules?: RegistryRule[];
  migrationRules?: RegistryRule[];
  encodingRules?: RegistryRule[];
}

/** A subject version as the registry answers `GET /subjects/{s}/versions/{v}`. */
interface SubjectVersion {
  subject: string;
  version: number;
  id: number;
  schemaType?: SchemaType;
  schema: string;
  references?: unknown[];
  metadata?: Record<string, unknown>;
  ruleSet?: RegistryRuleSet;
  deleted?: boolean;
}

const enc = encodeURIComponent;

function schemaTypeOption(value: string): SchemaType {
  const upper = value.toUpperCase();
  if (!(SCHEMA_TYPES as readonly string[]).includes(upper)) throw new InvalidArgumentError(`--type must be one of ${SCHEMA_TYPES.join(', ')}, got '${value}'`);
  return upper as SchemaType;
}

function versionOption(value: string): string {
  if (!/^(latest|-1|[1-9]\d*)$/.test(value)) throw new InvalidArgumentError(`the version must be a number or 'latest', got '${value}'`);
  return value;
}

function readText(file: string, what: string): string {
  try {
    return readFileSync(file, 'utf8');
  } catch (error) {
    throw new ShiftleftError('INVALID_ARGUMENT', `cannot read ${what} file ${file}: ${(error as NodeJS.ErrnoException).code ?? (error as Error).message}`, {
      hint: 'check the path (relative paths are resolved from the current directory)',
      details: { file },
      cause: error,
    });
  }
}

/** Line and column (1-based) of a character offset, for error messages about JSON files. */
function lineColumn(text: string, position: number): { line: number; column: number } {
  const before = text.slice(0, position);
  const line = before.split('\n').length;
  return { line, column: position - before.lastIndexOf('\n') };
}

/** Parses a JSON file; a syntax error names the file, the line and the column. */
export function readJsonFile(file: string, what: string): unknown {
  const text = readText(file, what);
  try {
    return JSON.parse(text);
  } catch (error) {
    const message = (error as Error).message;
    const position = /position (\d+)/.exec(message);
    const where = position ? lineColumn(text, Number(position[1])) : text.trim().length === 0 ? { line: 1, column: 1 } : undefined;
    throw new ShiftleftError('INVALID_ARGUMENT', `${what} file ${file}${where ? ` line ${where.line} column ${where.column}` : ''} is not valid JSON: ${message}`, {
      hint: `fix the JSON in ${file}`,
      details: { file, ...where },
    });
  }
}

/** The schema type: --type, else `.proto` files are PROTOBUF, JSON Schemas (with `$schema`) JSON, the rest AVRO. */
function inferSchemaType(file: string, text: string, explicit: SchemaType | undefined): SchemaType {
  if (explicit) return explicit;
  if (extname(file).toLowerCase() === '.proto') return 'PROTOBUF';
  try {
    const parsed = JSON.parse(text) as unknown;
    if (parsed && typeof parsed === 'object' && '$schema' in parsed) return 'JSON';
  } catch {
    /* not JSON: the registry will say why when it parses it as AVRO */
  }
  return 'AVRO';
}

/** A rule set file holds a RuleSet object, or a bare array taken as its domain rules. */
function readRuleSet(file: string): RegistryRuleSet {
  const parsed = readJsonFile(file, 'rules');
  if (Array.isArray(parsed)) return { domainRules: parsed as RegistryRule[] };
  if (parsed && typeof parsed === 'object') return parsed as RegistryRuleSet;
  throw new ShiftleftError('INVALID_ARGUMENT', `rules file ${file} must hold a JSON object {"domainRules": [...]} or an array of rules`, { details: { file } });
}

function readMetadata(file: string): Record<string, unknown> {
  const parsed = readJsonFile(file, 'metadata');
  if (parsed && typeof parsed === 'object' && !Array.isArray(parsed)) return parsed as Record<string, unknown>;
  throw new ShiftleftError('INVALID_ARGUMENT', `metadata file ${file} must hold a JSON object such as {"tags": {"Sale.cc_number": ["PII"]}}`, { details: { file } });
}

function schemaBody(file: string, type: SchemaType | undefined): { schema: string; schemaType: SchemaType } {
  const schema = readText(file, 'schema');
  return { schema, schemaType: inferSchemaType(file, schema, type) };
}

function describeRule(rule: RegistryRule): string {
  const parts = [rule.kind ?? 'TRANSFORM', rule.type, rule.mode ?? ''].filter(Boolean).join(' ');
  return `${rule.name} (${parts}${rule.onFailure ? `, onFailure ${rule.onFailure}` : ''}${rule.disabled ? ', disabled' : ''})`;
}

function rulesSummary(ruleSet: RegistryRuleSet | undefined): string {
  const rules = [...(ruleSet?.domainRules ?? []), ...(ruleSet?.migrationRules ?? []), ...(ruleSet?.encodingRules ?? [])];
  return rules.map((r) => r.name).join(', ');
}

function prettySchema(version: SubjectVersion): string {
  if ((version.schemaType ?? 'AVRO') === 'PROTOBUF') return version.schema;
  try {
    return JSON.stringify(JSON.parse(version.schema), null, 2);
  } catch {
    return version.schema;
  }
}

function printVersion(version: SubjectVersion): void {
  const rows: [string, string][] = [
    ['subject', version.subject],
    ['version', String(version.version)],
    ['id', String(version.id)],
    ['type', version.schemaType ?? 'AVRO'],
  ];
  if (version.deleted) rows.push(['deleted', 'yes (soft)']);
  if (version.references?.length) rows.push(['references', JSON.stringify(version.references)]);
  if (version.metadata) rows.push(['metadata', JSON.stringify(version.metadata)]);
  for (const [group, rules] of Object.entries(version.ruleSet ?? {}) as [string, RegistryRule[] | undefined][]) {
    for (const rule of rules ?? []) rows.push([group, describeRule(rule)]);
  }
  const width = Math.max(...rows.map(([k]) => k.length));
  let out = rows.map(([k, v]) => `${k.padEnd(width)}  ${v}\n`).join('');
  out += `schema:\n${prettySchema(version)}\n`;
  process.stdout.write(out);
}

function printJson(value: unknown): void {
  process.stdout.write(JSON.stringify(value, null, 2) + '\n');
}

async function latestOf(registry: RegistryHttp, subject: string, deleted: boolean): Promise<SubjectVersion | undefined> {
  try {
    return await registry.request<SubjectVersion>('GET', `/subjects/${enc(subject)}/versions/latest${deleted ? '?deleted=true' : ''}`);
  } catch {
    return undefined; // every version deleted: listed without one
  }
}

/**
 * Confluent's verbose answer mixes incompatibilities (`{errorType:'...', description:'...', ...}`)
 * with context entries (`{oldSchemaVersion: 1}`, `{oldSchema: '...'}`, `{compatibility: '...'}`);
 * people want the former, as `TYPE: description`, and which versions were compared.
 */
function readableIncompatibilities(messages: string[]): { problems: string[]; versions: string[] } {
  const problems: string[] = [];
  const versions: string[] = [];
  for (const message of messages) {
    const problem = /errorType:'([^']*)', description:'([\s\S]*?)'(?:, additionalInfo:|\}$)/.exec(message);
    const version = /^\{oldSchemaVersion: (\d+)\}$/.exec(message);
    if (problem) problems.push(`${problem[1]}: ${problem[2]}`);
    else if (version) versions.push(version[1]!);
    else if (!/^\{(oldSchema|compatibility):/.test(message)) problems.push(message);
  }
  return { problems, versions };
}

/**
 * The version flag. `--version` itself is the program's (commander recognises program options
 * anywhere on the line, so `schema get S --version 2` would print shiftleft's version); hence
 * `-v N`, `--subject-version N`, or the version as a second argument: `schema get S 2`.
 */
const versionFlag = (): Option => new Option('-v, --subject-version <version>', "version number or 'latest'").argParser(versionOption);

const formatOption = (): Option => new Option('--format <format>', 'output format').choices(['text', 'json']).default('text');

export function registerSchemaCommands(program: Command): void {
  const schema = program.command('schema').description('register, inspect, check and delete schemas (data contracts) in the schema registry');

  schema
    .command('register')
    .description('register a schema (with optional rules and metadata) under a subject; prints its version and id')
    .argument('<subject>', 'subject, e.g. payments-value')
    .requiredOption('-f, --file <file>', 'schema file (.avsc/.json for AVRO, JSON Schema with $schema, .proto for PROTOBUF)')
    .option('-t, --type <type>', 'AVRO, JSON or PROTOBUF (default: inferred from the file)', schemaTypeOption)
    .option('--rules <file>', 'rule set JSON: {"domainRules": [...], "migrationRules": [...]} or an array of domain rules')
    .option('--metadata <file>', 'metadata JSON: {"tags": {...}, "properties": {...}, "sensitive": [...]}')
    .option('--normalize', 'normalize the schema before registering (equal schemas get equal ids)')
    .addOption(formatOption())
    .action(async (subject: string, opts: { file: string; type?: SchemaType; rules?: string; metadata?: string; normalize?: boolean; format: string }, command: Command) => {
      // Read and check every local file before talking to the registry.
      const body: Record<string, unknown> = schemaBody(opts.file, opts.type);
      if (opts.rules) body.ruleSet = readRuleSet(opts.rules);
      if (opts.metadata) body.metadata = readMetadata(opts.metadata);
      await withRegistry(command, async (registry) => {
        const registered = await registry.request<{ id: number; version?: number }>('POST', `/subjects/${enc(subject)}/versions?normalize=${opts.normalize ? 'true' : 'false'}`, body);
        // Registries that answer only {id} (older Confluent ones) get the version by lookup.
        const version = registered.version ?? (await registry.request<SubjectVersion>('POST', `/subjects/${enc(subject)}`, body)).version;
        if (opts.format === 'json') printJson({ subject, version, id: registered.id });
        else process.stdout.write(`registered ${subject} version ${version} (schema id ${registered.id}, ${String(body.schemaType)})\n`);
      });
    });

  schema
    .command('list')
    .description('list subjects with their latest version')
    .option('--prefix <prefix>', 'only subjects starting with this prefix')
    .option('--deleted', 'include soft-deleted subjects')
    .addOption(formatOption())
    .action(async (opts: { prefix?: string; deleted?: boolean; format: string }, command: Command) => {
      await withRegistry(command, async (registry) => {
        const prefix = opts.prefix ? `subjectPrefix=${enc(opts.prefix)}` : '';
        const live = await registry.request<string[]>('GET', `/subjects?${prefix}`);
        const all = opts.deleted ? await registry.request<string[]>('GET', `/subjects?${prefix}&deleted=true`) : live;
        const liveSet = new Set(live);
        const entries = await Promise.all(
          [...all].sort().map(async (subject) => ({ subject, deleted: !liveSet.has(subject), latest: await latestOf(registry, subject, !liveSet.has(subject)) })),
        );
        if (opts.format === 'json') {
          printJson(
            entries.map(({ subject, deleted, latest }) => ({
              subject,
              version: latest?.version ?? null,
              id: latest?.id ?? null,
              schemaType: latest ? (latest.schemaType ?? 'AVRO') : null,
              rules: latest ? rulesSummary(latest.ruleSet).split(', ').filter(Boolean) : [],
              ...(opts.deleted && { deleted }),
            })),
          );
          return;
        }
        if (entries.length === 0) {
          process.stdout.write(`no subjects${opts.prefix ? ` starting with '${opts.prefix}'` : ''}\n`);
          return;
        }
        const headers = ['subject', 'latest', 'id', 'type', 'rules', ...(opts.deleted ? ['deleted'] : [])];
        const rows = entries.map(({ subject, deleted, latest }) => [
          subject,
          latest ? String(latest.version) : '',
          latest ? String(latest.id) : '',
          latest ? (latest.schemaType ?? 'AVRO') : '',
          rulesSummary(latest?.ruleSet),
          ...(opts.deleted ? [deleted ? 'yes' : ''] : []),
        ]);
        printTable(headers, rows);
      });
    });

  schema
    .command('get')
    .description('show one version of a subject: id, type, metadata, rules and the schema')
    .argument('<subject>')
    .argument('[version]', "version number or 'latest' (default)", versionOption)
    .addOption(versionFlag())
    .option('--deleted', 'also find soft-deleted versions')
    .addOption(formatOption())
    .action(async (subject: string, positional: string | undefined, opts: { subjectVersion?: string; deleted?: boolean; format: string }, command: Command) => {
      const wanted = opts.subjectVersion ?? positional ?? 'latest';
      await withRegistry(command, async (registry) => {
        const version = await registry.request<SubjectVersion>('GET', `/subjects/${enc(subject)}/versions/${wanted}${opts.deleted ? '?deleted=true' : ''}`);
        if (opts.format === 'json') printJson(version);
        else printVersion(version);
      });
    });

  schema
    .command('check')
    .description("check a schema file against a subject's versions at the subject's compatibility level; exit 1 when incompatible")
    .argument('<subject>')
    .requiredOption('-f, --file <file>', 'schema file')
    .option('-t, --type <type>', 'AVRO, JSON or PROTOBUF (default: inferred from the file)', schemaTypeOption)
    .addOption(formatOption())
    .action(async (subject: string, opts: { file: string; type?: SchemaType; format: string }, command: Command) => {
      const body = schemaBody(opts.file, opts.type);
      await withRegistry(command, async (registry) => {
        const config = await registry.request<{ compatibilityLevel?: string }>('GET', `/config/${enc(subject)}?defaultToGlobal=true`);
        const level = config.compatibilityLevel ?? 'BACKWARD';
        // Without a version, the registry checks the versions the level names (all for *_TRANSITIVE).
        const result = await registry.request<{ is_compatible: boolean; messages?: string[] }>('POST', `/compatibility/subjects/${enc(subject)}/versions?verbose=true`, body);
        const messages = result.messages ?? [];
        const { problems, versions } = readableIncompatibilities(messages);
        const against = versions.length ? `, against version${versions.length > 1 ? 's' : ''} ${versions.join(', ')}` : '';
        if (opts.format === 'json') printJson({ subject, compatibilityLevel: level, isCompatible: result.is_compatible, incompatibilities: problems, messages });
        else if (result.is_compatible) process.stdout.write(`compatible: ${opts.file} can be registered under ${subject} (compatibility ${level})\n`);
        else process.stdout.write(`incompatible with ${subject} (compatibility ${level}${against}):\n${problems.map((m) => `  - ${m}\n`).join('')}`);
        if (!result.is_compatible) {
          const count = `${problems.length} incompatibilit${problems.length === 1 ? 'y' : 'ies'}`;
          throw new ShiftleftError('INCOMPATIBLE_SCHEMA', `${opts.file} is not ${level} compatible with ${subject}: ${count}${problems.length ? `: ${problems.join('; ')}` : ''}`, {
            hint: 'evolve the schema compatibly (e.g. give new fields defaults), or change the level with `shiftleft schema config SUBJECT --compatibility LEVEL`',
            details: { subject, level, messages },
          });
        }
      });
    });

  schema
    .command('delete')
    .description('delete a subject or one version: soft by default, --permanent after a soft delete')
    .argument('<subject>')
    .argument('[version]', "only this version (number or 'latest'); default: the whole subject", versionOption)
    .addOption(versionFlag())
    .option('--permanent', 'hard delete (the subject or version must be soft-deleted first)')
    .addOption(formatOption())
    .action(async (subject: string, positional: string | undefined, flags: { subjectVersion?: string; permanent?: boolean; format: string }, command: Command) => {
      const opts = { ...flags, version: flags.subjectVersion ?? positional };
      await withRegistry(command, async (registry) => {
        const query = opts.permanent ? '?permanent=true' : '';
        const how = opts.permanent ? 'permanently deleted' : 'soft-deleted';
        if (opts.version !== undefined) {
          const version = await registry.request<number>('DELETE', `/subjects/${enc(subject)}/versions/${opts.version}${query}`);
          if (opts.format === 'json') printJson({ subject, versions: [version], permanent: Boolean(opts.permanent) });
          else process.stdout.write(`${how} ${subject} version ${version}\n`);
          return;
        }
        const versions = await registry.request<number[]>('DELETE', `/subjects/${enc(subject)}${query}`);
        if (opts.format === 'json') printJson({ subject, versions, permanent: Boolean(opts.permanent) });
        else process.stdout.write(`${how} ${subject} (versions ${versions.join(', ')})\n`);
      });
    });

  schema
    .command('config')
    .description('show or set the compatibility level, globally or for a subject')
    .argument('[subject]', 'subject (default: the global configuration)')
    .option('--compatibility <level>', 'set: NONE, BACKWARD, BACKWARD_TRANSITIVE, FORWARD, FORWARD_TRANSITIVE, FULL, FULL_TRANSITIVE')
    .addOption(formatOption())
    .action(async (subject: string | undefined, opts: { compatibility?: string; format: string }, command: Command) => {
      await withRegistry(command, async (registry) => {
        const path = subject === undefined ? '/config' : `/config/${enc(subject)}`;
        const scope = subject ?? 'global';
        if (opts.compatibility !== undefined) {
          const level = opts.compatibility.toUpperCase();
          const answer = await registry.request<{ compatibility?: string }>('PUT', path, { compatibility: level });
          if (opts.format === 'json') printJson({ subject: subject ?? null, compatibilityLevel: answer.compatibility ?? level });
          else process.stdout.write(`compatibility of ${scope} set to ${answer.compatibility ?? level}\n`);
          return;
        }
        // A subject without its own level inherits the global one: say which applies.
        let own: { compatibilityLevel?: string } | undefined;
        if (subject !== undefined) {
          try {
            own = await registry.request<{ compatibilityLevel?: string }>('GET', path);
          } catch (error) {
            if (!(error instanceof ShiftleftError && error.code === 'SUBJECT_CONFIG_NOT_FOUND')) throw error;
          }
        }
        const effective = own ?? (await registry.request<{ compatibilityLevel?: string }>('GET', '/config'));
        const inherited = subject !== undefined && own === undefined;
        if (opts.format === 'json') printJson({ subject: subject ?? null, compatibilityLevel: effective.compatibilityLevel ?? null, inherited, config: effective });
        else process.stdout.write(`${scope}: ${effective.compatibilityLevel ?? 'BACKWARD'}${inherited ? ' (global default)' : ''}\n`);
      });
    });
}
