/**
 * What the schema registry needs from a schema format (Avro, JSON Schema, Protobuf): parse and
 * validate a schema text, give its normalized form, and say whether one schema can read data
 * written with another. The registry composes these answers into Confluent's compatibility
 * levels (BACKWARD = the new schema reads data written with the old one, FORWARD = the old
 * reads the new, FULL = both, *_TRANSITIVE = against every earlier version, not just the latest).
 */
export type SchemaType = 'AVRO' | 'JSON' | 'PROTOBUF';

export const SCHEMA_TYPES: readonly SchemaType[] = ['AVRO', 'JSON', 'PROTOBUF'];

/** A reference as stored on a schema version (Confluent's `references` array). */
export interface SchemaReference {
  name: string;
  subject: string;
  version: number;
}

/** A reference with the referenced schema's text, resolved by the registry before parsing. */
export interface ResolvedReference {
  name: string;
  subject: string;
  version: number;
  schemaType: SchemaType;
  schema: string;
  /** References of the referenced schema, already resolved (transitively). */
  references: ResolvedReference[];
}

export interface ParsedSchema {
  readonly schemaType: SchemaType;
  /** The text as given by the user (what the registry returns unless normalize was asked). */
  readonly text: string;
  /**
   * A canonical text: whitespace, key order and equivalent spellings removed, so two schemas
   * that mean the same thing have the same normalized text. Used for `normalize=true` and
   * for finding an existing version of the same schema.
   */
  normalized(): string;
}

export interface SchemaProvider {
  readonly schemaType: SchemaType;
  /** Parses and validates; throws ShiftleftError INVALID_SCHEMA with the parser's reason. */
  parse(text: string, references: ResolvedReference[]): ParsedSchema;
  /**
   * Every reason why `reader` cannot read data written with `writer`; [] when it can.
   * Messages name the field path and the change, e.g. "field 'Sale.amount': type changed from double to string".
   */
  readerIncompatibilities(reader: ParsedSchema, writer: ParsedSchema): string[];
}
