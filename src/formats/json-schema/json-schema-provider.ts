/**
 * The JSON Schema format of the registry. A schema is a JSON Schema document of draft 4, 6, 7
 * (the default when `$schema` is absent, as in Confluent), 2019-09 or 2020-12; ajv compiles it
 * against its draft's meta-schema, which rejects invalid schemas and unresolvable `$ref`s.
 *
 * References: each reference's `schema` is a JSON Schema document, reachable from this one by a
 * `$ref` whose URL is the reference's `name` (e.g. `"$ref": "customer.json"`, or
 * `"customer.json#/$defs/Address"`), also when resolved against this schema's `$id`.
 *
 * Normalized text: the document with object keys sorted at every level, as Confluent's
 * `normalize` does.
 */
import { Ajv, type AnySchema, type ValidateFunction } from 'ajv';
import Ajv2019Module from 'ajv/dist/2019.js';
import Ajv2020Module from 'ajv/dist/2020.js';
import AjvDraft04Module from 'ajv-draft-04';
import addFormatsModule from 'ajv-formats';
import draft06MetaSchema from 'ajv/dist/refs/json-schema-draft-06.json' with { type: 'json' };
import type { ParsedSchema, ResolvedReference, SchemaProvider } from '../schema-provider.ts';
import {
  DIFFERENT_SCHEMA_TYPE,
  flattenReferences,
  invalidSchema,
  isPlainObject,
  parseJsonText,
  sortKeysDeep,
  type ReaderRole,
} from '../format-common.ts';
import { JsonSchemaDocuments, type JsonSchemaNode } from './json-schema-documents.ts';
import {
  COMPATIBLE_CHANGES,
  formatJsonSchemaDifference,
  jsonSchemaDifferences,
  type JsonSchemaDifference,
} from './json-schema-diff.ts';

type AjvInstance = InstanceType<typeof Ajv>;
type AjvConstructor = new (options: Record<string, unknown>) => AjvInstance;

// These packages are CommonJS with a default export; under NodeNext the class sits on .default.
function classOf(module: unknown): AjvConstructor {
  const m = module as { default?: unknown };
  return (typeof m === 'function' ? m : m.default) as AjvConstructor;
}
const Ajv2019 = classOf(Ajv2019Module);
const Ajv2020 = classOf(Ajv2020Module);
const AjvDraft04 = classOf(AjvDraft04Module);
const addFormats = ((addFormatsModule as unknown as { default?: unknown }).default ?? addFormatsModule) as (
  ajv: AjvInstance,
) => AjvInstance;

export type JsonSchemaDraft = 'draft-04' | 'draft-06' | 'draft-07' | '2019-09' | '2020-12';

export function jsonSchemaDraft(document: unknown): JsonSchemaDraft {
  const uri = isPlainObject(document) && typeof document.$schema === 'string' ? document.$schema : '';
  if (uri === '') return 'draft-07';
  if (uri.includes('draft-04')) return 'draft-04';
  if (uri.includes('draft-06')) return 'draft-06';
  if (uri.includes('draft-07')) return 'draft-07';
  if (uri.includes('2019-09')) return '2019-09';
  if (uri.includes('2020-12')) return '2020-12';
  throw invalidSchema('JSON', `unsupported $schema '${uri}' (supported: drafts 4, 6, 7, 2019-09, 2020-12)`);
}

/**
 * One ajv per draft checks documents against the draft's meta-schema (compiling a meta-schema is
 * the expensive part, so it is done once); each parse compiles the document in a fresh ajv that
 * skips that check, so that reference keys never clash between schemas.
 */
const metaCheckers = new Map<JsonSchemaDraft, AjvInstance>();

function metaChecker(draft: JsonSchemaDraft): AjvInstance {
  let ajv = metaCheckers.get(draft);
  if (!ajv) {
    ajv = newAjv(draft, true);
    metaCheckers.set(draft, ajv);
  }
  return ajv;
}

function checkAgainstMetaSchema(draft: JsonSchemaDraft, schema: JsonSchemaNode): string | undefined {
  const ajv = metaChecker(draft);
  if (ajv.validateSchema(schema as AnySchema)) return undefined;
  return ajv.errorsText(ajv.errors, { dataVar: 'schema' });
}

function newAjv(draft: JsonSchemaDraft, checkSchemas = false): AjvInstance {
  const options = { strict: false, allErrors: true, logger: false as const, validateFormats: true, validateSchema: checkSchemas };
  let ajv: AjvInstance;
  switch (draft) {
    case 'draft-04':
      ajv = new AjvDraft04(options);
      break;
    case '2019-09':
      ajv = new Ajv2019(options);
      break;
    case '2020-12':
      ajv = new Ajv2020(options);
      break;
    case 'draft-06':
      ajv = new Ajv(options);
      ajv.addMetaSchema(draft06MetaSchema);
      break;
    default:
      ajv = new Ajv(options);
  }
  addFormats(ajv);
  return ajv;
}

export class ParsedJsonSchema implements ParsedSchema {
  readonly schemaType = 'JSON' as const;
  private normalizedText: string | undefined;

  constructor(
    readonly text: string,
    /** The JSON Schema document. */
    readonly document: JsonSchemaNode,
    readonly draft: JsonSchemaDraft,
    readonly references: readonly ResolvedReference[],
    /** The document and its references, for following `$ref`s. */
    readonly docs: JsonSchemaDocuments,
    /** ajv's compiled validator of the document (references included). */
    readonly validate: ValidateFunction,
  ) {}

  /** Confluent's name of a JSON schema: its title. */
  get name(): string | undefined {
    return isPlainObject(this.document) && typeof this.document.title === 'string' ? this.document.title : undefined;
  }

  normalized(): string {
    this.normalizedText ??= JSON.stringify(sortKeysDeep(this.document));
    return this.normalizedText;
  }
}

function asSchemaNode(schemaType: 'JSON', value: unknown, where: string): JsonSchemaNode {
  if (typeof value === 'boolean' || isPlainObject(value)) return value;
  throw invalidSchema(schemaType, `${where}a JSON Schema must be an object or a boolean, got ${JSON.stringify(value)}`);
}

function resolveAgainst(ref: string, base: string): string {
  if (!base) return ref;
  try {
    return new URL(ref, base).toString();
  } catch {
    return ref;
  }
}

function ajvReason(error: unknown, ajv: AjvInstance): string {
  const errors = ajv.errors;
  if (errors && errors.length > 0) return ajv.errorsText(errors, { dataVar: 'schema' });
  return error instanceof Error ? error.message : String(error);
}

export function parseJsonSchema(text: string, references: ResolvedReference[] = []): ParsedJsonSchema {
  const document = asSchemaNode('JSON', parseJsonText('JSON', text), '');
  const draft = jsonSchemaDraft(document);
  const ajv = newAjv(draft);
  const mainId = isPlainObject(document) && typeof document.$id === 'string' ? document.$id : '';
  const refs: Array<{ name: string; schema: JsonSchemaNode }> = [];
  for (const ref of flattenReferences(references)) {
    const where = `reference '${ref.name}' (subject '${ref.subject}' version ${ref.version})`;
    if (ref.schemaType !== 'JSON') {
      throw invalidSchema('JSON', `${where} is a ${ref.schemaType} schema; a JSON schema can only reference JSON schemas`, {
        reference: ref.name,
      });
    }
    let schema: JsonSchemaNode;
    try {
      schema = asSchemaNode('JSON', parseJsonText('JSON', ref.schema), '');
    } catch (error) {
      throw invalidSchema('JSON', `${where}: ${(error as Error).message.replace(/^Invalid JSON schema: /, '')}`, {
        reference: ref.name,
      }, error);
    }
    refs.push({ name: ref.name, schema });
    const refProblem = checkAgainstMetaSchema(draft, schema);
    if (refProblem) throw invalidSchema('JSON', `${where}: ${refProblem}`, { reference: ref.name });
    try {
      // Known by its name, also resolved against this schema's $id (how ajv resolves a relative
      // $ref); a schema with its own $id is also known by that.
      const copy = isPlainObject(schema) && typeof schema.$id === 'string' ? { ...schema, $id: undefined } : schema;
      for (const key of new Set([ref.name, resolveAgainst(ref.name, mainId)])) {
        ajv.addSchema((isPlainObject(copy) ? { ...copy } : copy) as AnySchema, key);
      }
      if (isPlainObject(schema) && typeof schema.$id === 'string' && schema.$id !== ref.name) {
        ajv.addSchema(schema as AnySchema);
      }
    } catch (error) {
      throw invalidSchema('JSON', `${where}: ${ajvReason(error, ajv)}`, { reference: ref.name }, error);
    }
  }
  const problem = checkAgainstMetaSchema(draft, document);
  if (problem) throw invalidSchema('JSON', problem, { draft });
  let validate: ValidateFunction;
  try {
    validate = ajv.compile(document as AnySchema);
  } catch (error) {
    throw invalidSchema('JSON', ajvReason(error, ajv), { draft }, error);
  }
  return new ParsedJsonSchema(text, document, draft, references, new JsonSchemaDocuments(document, refs), validate);
}

export class JsonSchemaProvider implements SchemaProvider {
  readonly schemaType = 'JSON' as const;

  parse(text: string, references: ResolvedReference[]): ParsedJsonSchema {
    return parseJsonSchema(text, references);
  }

  /** Confluent's messages; `readerRole` says whether the reader is the new schema (BACKWARD). */
  readerIncompatibilities(reader: ParsedSchema, writer: ParsedSchema, readerRole: ReaderRole = 'new'): string[] {
    if (!(reader instanceof ParsedJsonSchema) || !(writer instanceof ParsedJsonSchema)) return [DIFFERENT_SCHEMA_TYPE];
    return this.incompatibilities(reader, writer).map((d) => formatJsonSchemaDifference(d, readerRole));
  }

  /** The incompatible differences, structured (type and JSON path). */
  incompatibilities(reader: ParsedJsonSchema, writer: ParsedJsonSchema): JsonSchemaDifference[] {
    return jsonSchemaDifferences(writer, reader).filter((d) => !COMPATIBLE_CHANGES.has(d.type));
  }
}
