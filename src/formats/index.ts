/**
 * The schema formats of the registry, one provider per SchemaType.
 *
 * Every provider's `readerIncompatibilities(reader, writer, readerRole?)` takes an optional third
 * argument beyond the SchemaProvider interface: 'new' (default) when the reader is the schema
 * being registered (BACKWARD checks), 'old' when it is the earlier version (FORWARD checks), so
 * that messages say "new schema"/"old schema" the way Confluent's do.
 */
import { ShiftleftError } from '../common/errors.ts';
import type { ParsedSchema, SchemaProvider, SchemaType } from './schema-provider.ts';
import { AvroSchemaProvider } from './avro/avro-provider.ts';
import { JsonSchemaProvider } from './json-schema/json-schema-provider.ts';
import { ProtobufSchemaProvider } from './protobuf/protobuf-provider.ts';
import type { ReaderRole } from './format-common.ts';

export type { ReaderRole } from './format-common.ts';
export { AvroSchemaProvider, ParsedAvroSchema, parseAvroSchema } from './avro/avro-provider.ts';
export { JsonSchemaProvider, ParsedJsonSchema, parseJsonSchema } from './json-schema/json-schema-provider.ts';
export {
  ProtobufSchemaProvider,
  ParsedProtobufSchema,
  parseProtobufSchema,
  parseProtobufSchemaOrDescriptor,
} from './protobuf/protobuf-provider.ts';

/** A provider whose compatibility check also accepts the reader's role. */
export interface FormatProvider extends SchemaProvider {
  readerIncompatibilities(reader: ParsedSchema, writer: ParsedSchema, readerRole?: ReaderRole): string[];
}

export const SCHEMA_PROVIDERS: readonly FormatProvider[] = [
  new AvroSchemaProvider(),
  new JsonSchemaProvider(),
  new ProtobufSchemaProvider(),
];

const BY_TYPE = new Map<SchemaType, FormatProvider>(SCHEMA_PROVIDERS.map((p) => [p.schemaType, p]));

export function getSchemaProvider(type: SchemaType): FormatProvider {
  const provider = BY_TYPE.get(type);
  if (!provider) {
    throw new ShiftleftError('INVALID_SCHEMA', `Unknown schema type '${String(type)}'`, {
      hint: 'Use AVRO, JSON or PROTOBUF.',
    });
  }
  return provider;
}
