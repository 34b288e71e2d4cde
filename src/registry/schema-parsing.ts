/**
 * Turns schema texts into ParsedSchemas: resolves their references (transitively) against the
 * stored versions, and asks the format's provider to parse. Stored versions never change once
 * written, so their parses are cached.
 */
import { ShiftleftError } from '../common/errors.ts';
import type { ParsedSchema, ResolvedReference, SchemaProvider, SchemaReference, SchemaType } from '../formats/schema-provider.ts';
import type { RegistryState } from './registry-state.ts';
import type { SubjectVersion } from './types.ts';

export type SchemaProviders = (type: SchemaType) => SchemaProvider;

export class SchemaParsing {
  private readonly cache = new Map<string, ParsedSchema>();

  constructor(
    private readonly state: RegistryState,
    readonly providers: SchemaProviders,
  ) {}

  /** Parses a schema given by a client; INVALID_SCHEMA for bad text or dangling references. */
  parse(schemaType: SchemaType, schema: string, references: SchemaReference[]): ParsedSchema {
    const resolved = this.resolve(references, []);
    return this.providers(schemaType).parse(schema, resolved);
  }

  /** The parse of a stored version. */
  parseStored(version: SubjectVersion): ParsedSchema {
    const cacheKey = `${version.id}`;
    let parsed = this.cache.get(cacheKey);
    if (!parsed) {
      parsed = this.parse(version.schemaType, version.schema, version.references);
      this.cache.set(cacheKey, parsed);
    }
    return parsed;
  }

  private resolve(references: SchemaReference[], path: string[]): ResolvedReference[] {
    return references.map((reference) => {
      const where = `${reference.subject}/${reference.version}`;
      if (path.includes(where)) {
        throw new ShiftleftError('INVALID_SCHEMA', `Invalid schema: circular reference through ${[...path, where].join(' -> ')}`);
      }
      const target = this.state.version(reference.subject, reference.version);
      if (!target) {
        throw new ShiftleftError('INVALID_SCHEMA', `Invalid schema: reference '${reference.name}' points to subject '${reference.subject}' version ${reference.version}, which does not exist`, {
          hint: 'register the referenced schema first, or fix the reference',
          details: { reference },
        });
      }
      return {
        name: reference.name,
        subject: reference.subject,
        version: reference.version,
        schemaType: target.schemaType,
        schema: target.schema,
        references: this.resolve(target.references, [...path, where]),
      };
    });
  }
}
