/**
 * Validation of what clients send (request bodies and path/query values), shared by the REST
 * routes and any other front end, so every entry point refuses bad input the same way.
 */
import { ShiftleftError } from '../common/errors.ts';
import { SCHEMA_TYPES, type SchemaReference, type SchemaType } from '../formats/schema-provider.ts';
import { COMPATIBILITY_LEVELS, MODES, type CompatibilityLevel, type Metadata, type Mode, type SchemaInput } from './types.ts';
import { validateRuleSet } from './rules/rule-set-validation.ts';

/** A version in a path: a number, or 'latest' (also spelled -1). */
export type VersionSpec = number | 'latest';

const MAX_VERSION = 2 ** 31 - 1;

export function parseVersionSpec(raw: string | number): VersionSpec {
  const text = String(raw).trim();
  if (text === 'latest' || text === '-1') return 'latest';
  const version = /^\d+$/.test(text) ? Number(text) : NaN;
  if (!Number.isSafeInteger(version) || version < 1 || version > MAX_VERSION) {
    throw new ShiftleftError(
      'INVALID_VERSION',
      `The specified version '${text}' is not a valid version id. Allowed values are between [1, 2^31-1] and the string "latest"`,
      { details: { version: text } },
    );
  }
  return version;
}

export function parseSchemaId(raw: string | number): number {
  const text = String(raw).trim();
  const id = /^\d+$/.test(text) ? Number(text) : NaN;
  if (!Number.isSafeInteger(id) || id < 1) {
    throw new ShiftleftError('SCHEMA_NOT_FOUND', `Schema ${text} not found`, { details: { id: text } });
  }
  return id;
}

export function validateSubjectName(subject: string): string {
  // eslint-disable-next-line no-control-regex
  if (subject.length === 0 || /[\u0000-\u001f]/.test(subject)) {
    throw new ShiftleftError('INVALID_ARGUMENT', `Invalid subject '${subject}': subjects are non-empty and contain no control characters`);
  }
  return subject;
}

export function parseSchemaType(raw: unknown): SchemaType {
  if (raw === undefined || raw === null || raw === '') return 'AVRO';
  const type = String(raw).toUpperCase();
  if (!(SCHEMA_TYPES as readonly string[]).includes(type)) {
    throw new ShiftleftError('INVALID_SCHEMA', `Invalid schema type '${String(raw)}'; supported types are ${SCHEMA_TYPES.join(', ')}`);
  }
  return type as SchemaType;
}

function parseReferences(raw: unknown): SchemaReference[] {
  if (raw === undefined || raw === null) return [];
  if (!Array.isArray(raw)) throw new ShiftleftError('INVALID_SCHEMA', 'Invalid schema: references must be an array');
  return raw.map((reference: unknown, index) => {
    const r = (reference ?? {}) as Record<string, unknown>;
    const version = typeof r.version === 'number' ? r.version : Number(r.version);
    if (typeof r.name !== 'string' || typeof r.subject !== 'string' || !Number.isInteger(version) || version < 1) {
      throw new ShiftleftError('INVALID_SCHEMA', `Invalid schema: reference ${index} needs a name, a subject and a version >= 1`);
    }
    return { name: r.name, subject: r.subject, version };
  });
}

export function validateMetadata(raw: unknown): Metadata | undefined {
  if (raw === undefined || raw === null) return undefined;
  const bad = (what: string): never => {
    throw new ShiftleftError('INVALID_SCHEMA', `Invalid metadata: ${what}`);
  };
  if (typeof raw !== 'object' || Array.isArray(raw)) bad('metadata must be an object');
  const { tags, properties, sensitive } = raw as Record<string, unknown>;
  if (tags !== undefined && tags !== null) {
    if (typeof tags !== 'object' || Array.isArray(tags)) bad('tags must map field paths to arrays of tag names');
    for (const [path, names] of Object.entries(tags as object)) {
      if (!Array.isArray(names) || names.some((n) => typeof n !== 'string')) bad(`tags of '${path}' must be an array of strings`);
    }
  }
  if (properties !== undefined && properties !== null) {
    if (typeof properties !== 'object' || Array.isArray(properties)) bad('properties must be an object of strings');
    for (const [name, value] of Object.entries(properties as object)) {
      if (typeof value !== 'string') bad(`property '${name}' must be a string`);
    }
  }
  if (sensitive !== undefined && sensitive !== null && (!Array.isArray(sensitive) || sensitive.some((s) => typeof s !== 'string'))) {
    bad('sensitive must be an array of strings');
  }
  const out: Metadata = {};
  if (tags) out.tags = tags as Record<string, string[]>;
  if (properties) out.properties = properties as Record<string, string>;
  if (sensitive) out.sensitive = sensitive as string[];
  return out;
}

function optionalPositiveInt(raw: unknown): number | undefined {
  return typeof raw === 'number' && Number.isInteger(raw) && raw > 0 ? raw : undefined;
}

/** The body of register, lookup and compatibility requests. */
export function parseSchemaInput(body: unknown): SchemaInput {
  if (typeof body !== 'object' || body === null || Array.isArray(body)) {
    throw new ShiftleftError('MALFORMED_REQUEST', 'the request body must be a JSON object with a "schema" field');
  }
  const b = body as Record<string, unknown>;
  if (typeof b.schema !== 'string') {
    throw new ShiftleftError('INVALID_SCHEMA', b.schema === undefined || b.schema === null ? 'Empty schema' : 'Invalid schema: "schema" must be a string holding the schema text');
  }
  if (b.schema.trim().length === 0) throw new ShiftleftError('INVALID_SCHEMA', 'Empty schema');
  return {
    schema: b.schema,
    schemaType: parseSchemaType(b.schemaType),
    references: parseReferences(b.references),
    metadata: validateMetadata(b.metadata),
    ruleSet: validateRuleSet(b.ruleSet),
    id: optionalPositiveInt(b.id),
    version: optionalPositiveInt(b.version),
  };
}

export function parseCompatibilityLevel(raw: unknown): CompatibilityLevel {
  const level = typeof raw === 'string' ? raw.toUpperCase() : '';
  if (!(COMPATIBILITY_LEVELS as readonly string[]).includes(level)) {
    throw new ShiftleftError(
      'INVALID_COMPATIBILITY_LEVEL',
      `Invalid compatibility level '${String(raw)}'. Valid values are none, backward, forward, full, backward_transitive, forward_transitive, and full_transitive`,
    );
  }
  return level as CompatibilityLevel;
}

export function parseMode(raw: unknown): Mode {
  const mode = typeof raw === 'string' ? raw.toUpperCase() : '';
  if (!(MODES as readonly string[]).includes(mode)) {
    throw new ShiftleftError('INVALID_MODE', `Invalid mode '${String(raw)}'. Valid values are READWRITE, READONLY, READONLY_OVERRIDE, and IMPORT.`);
  }
  return mode as Mode;
}
