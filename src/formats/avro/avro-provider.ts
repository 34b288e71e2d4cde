/**
 * The Avro schema format of the registry: parsing and validation with avsc (named types,
 * namespaces, references, logical types), the normalized text, and Confluent's compatibility.
 *
 * References: each reference's `schema` is an Avro schema defining named types; its `name` is the
 * full name of a type it defines (Confluent's convention). Referenced schemas are parsed first,
 * in dependency order, into one avsc registry, so the schema being parsed can use their names.
 */
import avro from 'avsc';
import type { ParsedSchema, ResolvedReference, SchemaProvider } from '../schema-provider.ts';
import {
  DIFFERENT_SCHEMA_TYPE,
  flattenReferences,
  invalidSchema,
  parseJsonText,
  type ReaderRole,
} from '../format-common.ts';
import { AVRO_LOGICAL_TYPES } from './avro-logical-types.ts';
import { collectNames, normalizeAvroSchema } from './avro-normalize.ts';
import {
  avroIncompatibilities,
  formatAvroIncompatibility,
  type AvroIncompatibility,
} from './avro-compatibility.ts';

/** avsc options used for every schema the registry parses. */
export function avscOptions(registry: Record<string, avro.Type>): Partial<avro.ForSchemaOptions> {
  return {
    registry,
    logicalTypes: AVRO_LOGICAL_TYPES as unknown as avro.ForSchemaOptions['logicalTypes'],
    noAnonymousTypes: true,
    wrapUnions: 'auto',
  };
}

export class ParsedAvroSchema implements ParsedSchema {
  readonly schemaType = 'AVRO' as const;
  private normalizedText: string | undefined;

  constructor(
    readonly text: string,
    /** The schema as JSON (what the user wrote, parsed). */
    readonly json: unknown,
    /** The avsc type: encode/decode, and the tree for conversions to SQL types. */
    readonly type: avro.Type,
    readonly references: readonly ResolvedReference[],
    /** Full names of the named types that come from references. */
    readonly referencedNames: ReadonlySet<string>,
  ) {}

  /** Full name of the top-level named type ('io.shiftleft.Sale'), or undefined for e.g. "string". */
  get name(): string | undefined {
    return this.type.name;
  }

  normalized(): string {
    this.normalizedText ??= normalizeAvroSchema(this.json, this.referencedNames);
    return this.normalizedText;
  }
}

function reasonOf(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}

export function parseAvroSchema(text: string, references: ResolvedReference[] = []): ParsedAvroSchema {
  const registry: Record<string, avro.Type> = {};
  const referencedNames = new Set<string>();
  for (const ref of flattenReferences(references)) {
    const where = `reference '${ref.name}' (subject '${ref.subject}' version ${ref.version})`;
    if (ref.schemaType !== 'AVRO') {
      throw invalidSchema('AVRO', `${where} is a ${ref.schemaType} schema; an Avro schema can only reference Avro schemas`, {
        reference: ref.name,
      });
    }
    let json: unknown;
    try {
      json = parseJsonText('AVRO', ref.schema);
      avro.Type.forSchema(json as avro.Schema, avscOptions(registry));
    } catch (error) {
      const reason = reasonOf(error).replace(/^Invalid Avro schema: /, '');
      throw invalidSchema('AVRO', `${where}: ${reason}`, { reference: ref.name }, error);
    }
    collectNames(json, '', referencedNames);
    if (!registry[ref.name]) {
      throw invalidSchema(
        'AVRO',
        `${where} does not define a named type '${ref.name}' (a reference's name must be the full name of a type its schema defines)`,
        { reference: ref.name },
      );
    }
  }
  const json = parseJsonText('AVRO', text);
  let type: avro.Type;
  try {
    type = avro.Type.forSchema(json as avro.Schema, avscOptions(registry));
  } catch (error) {
    throw invalidSchema('AVRO', reasonOf(error), {}, error);
  }
  return new ParsedAvroSchema(text, json, type, references, referencedNames);
}

export class AvroSchemaProvider implements SchemaProvider {
  readonly schemaType = 'AVRO' as const;

  parse(text: string, references: ResolvedReference[]): ParsedAvroSchema {
    return parseAvroSchema(text, references);
  }

  /** Confluent's messages; `readerRole` says whether the reader is the new schema (BACKWARD). */
  readerIncompatibilities(reader: ParsedSchema, writer: ParsedSchema, readerRole: ReaderRole = 'new'): string[] {
    if (!(reader instanceof ParsedAvroSchema) || !(writer instanceof ParsedAvroSchema)) {
      return [DIFFERENT_SCHEMA_TYPE];
    }
    return avroIncompatibilities(reader.type, writer.type).map((i) => formatAvroIncompatibility(i, readerRole));
  }

  /** The same check, structured (error type, location, field path). */
  incompatibilities(reader: ParsedAvroSchema, writer: ParsedAvroSchema): AvroIncompatibility[] {
    return avroIncompatibilities(reader.type, writer.type);
  }
}
