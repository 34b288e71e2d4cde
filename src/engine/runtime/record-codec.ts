/**
 * Rows <-> records in the Confluent wire format (magic byte 0, 4-byte schema id, payload): Avro,
 * JSON Schema (JSON text) or Protobuf (message indexes, then the message), by the schema's type.
 *
 * Decoding looks the writer schema up by the id in each record (cached), so records written
 * with older or newer compatible schemas decode into the table's current columns by name.
 * Encoding uses the latest registered schema of the subject.
 */
import { ShiftleftError } from '../../common/errors.ts';
import type { Row } from '../../types/row.ts';
import type { SqlType } from '../../types/sql-type.ts';
import { createRowDecoder, createRowEncoder } from '../../sql/catalog/avro-mapping.ts';
import { createJsonRowDecoder, createJsonRowEncoder } from '../../sql/catalog/json-schema-mapping.ts';
import { createProtobufRowDecoder, createProtobufRowEncoder, PROTOBUF_FIRST_MESSAGE_INDEXES } from '../../sql/catalog/protobuf-mapping.ts';
import type { SchemaStore } from '../../sql/catalog/schema-store.ts';

export interface CodecColumn {
  name: string;
  type: SqlType;
}

export function schemaIdOf(bytes: Buffer): number {
  if (bytes.length < 5 || bytes[0] !== 0) {
    throw new ShiftleftError('DESERIALIZATION_FAILED', 'the record is not in the Confluent wire format (magic byte 0 and a schema id)', {
      hint: 'produce through a schema-aware serializer (shiftleft topic produce --format avro, or a Confluent serializer)',
    });
  }
  return bytes.readInt32BE(1);
}

/**
 * The decoder for one writer schema, by its type: Avro (the fast path), JSON Schema (the JSON
 * text after the 5-byte prefix) or Protobuf (message indexes, then the message).
 */
function decoderFor(id: number, schemaType: string, schema: string, columns: CodecColumn[]): (bytes: Buffer, offset: number) => Row {
  switch (schemaType) {
    case 'AVRO':
      return createRowDecoder(schema, columns);
    case 'JSON':
      return createJsonRowDecoder(schema, columns);
    case 'PROTOBUF':
      return createProtobufRowDecoder(schema, columns);
    default:
      throw new ShiftleftError('DESERIALIZATION_FAILED', `schema id ${id} has schema type ${schemaType}, which the engine cannot decode`);
  }
}

/** Decodes values of one subject into rows of the given columns. */
export class RowDecoder {
  private readonly decoders = new Map<number, (bytes: Buffer, offset: number) => Row>();

  constructor(
    private readonly schemas: SchemaStore,
    private readonly columns: CodecColumn[],
  ) {}

  /** Loads the decoder for a schema id (async: may ask the registry). */
  async prepare(id: number): Promise<void> {
    if (this.decoders.has(id)) return;
    const stored = await this.schemas.byId(id);
    this.decoders.set(id, decoderFor(id, stored.schemaType, stored.schema, this.columns));
  }

  has(id: number): boolean {
    return this.decoders.has(id);
  }

  decode(bytes: Buffer): Row {
    const id = schemaIdOf(bytes);
    const decoder = this.decoders.get(id);
    if (!decoder) throw new Error(`decoder for schema id ${id} not prepared`);
    return decoder(bytes, 5);
  }
}

/** Encodes rows with the latest schema of a subject. */
export class RowEncoder {
  private encoder: ((row: Row) => Buffer) | undefined;
  private prefix: Buffer | undefined;

  constructor(
    private readonly schemas: SchemaStore,
    private readonly subject: string,
    private readonly columns: CodecColumn[],
  ) {}

  async open(): Promise<void> {
    const latest = await this.schemas.latest(this.subject);
    if (!latest) {
      throw new ShiftleftError('SQL_VALIDATION_ERROR', `subject '${this.subject}' has no registered schema`, {
        hint: 'create the table with CREATE TABLE, which registers its schema',
      });
    }
    const header = Buffer.alloc(5);
    header.writeInt32BE(latest.id, 1);
    if (latest.schemaType === 'JSON') {
      this.encoder = createJsonRowEncoder(this.columns);
      this.prefix = header;
    } else if (latest.schemaType === 'PROTOBUF') {
      // Rows are written as the schema's first message, whose message indexes are [0].
      this.encoder = createProtobufRowEncoder(latest.schema, this.columns);
      this.prefix = Buffer.concat([header, PROTOBUF_FIRST_MESSAGE_INDEXES]);
    } else {
      this.encoder = createRowEncoder(latest.schema, this.columns);
      this.prefix = header;
    }
  }

  encode(row: Row): Buffer {
    const payload = this.encoder!(row);
    return Buffer.concat([this.prefix!, payload]);
  }
}
