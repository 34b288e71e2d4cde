/**
 * Follows a topic from its current end and decodes new values (Confluent wire format, Avro)
 * into objects keyed by column name, read_committed as the sink reads: the bench uses it to
 * time the statement output separately from the warehouse load.
 */
import { schemaIdOf } from '../../src/engine/runtime/record-codec.ts';
import type { LogClient } from '../../src/log/log-client.ts';
import { avroSchemaToColumns, createRowDecoder } from '../../src/sql/catalog/avro-mapping.ts';
import type { SchemaStore } from '../../src/sql/catalog/schema-store.ts';
import type { Row } from '../../src/types/row.ts';

interface Decoder {
  names: string[];
  decode: (bytes: Buffer, offset: number) => Row;
}

export class TopicTail {
  private readonly decoders = new Map<number, Decoder>();

  private constructor(
    private readonly log: LogClient,
    private readonly schemas: SchemaStore,
    private readonly topic: string,
    private readonly offsets: Map<number, number>,
  ) {}

  /** Starts at the topic's current end: only records written from now on are read. */
  static async fromEnd(log: LogClient, schemas: SchemaStore, topic: string): Promise<TopicTail> {
    const description = await log.describeTopic(topic);
    const offsets = new Map(description.partitions.map((p) => [p.partition, p.highWatermark]));
    return new TopicTail(log, schemas, topic, offsets);
  }

  /** Values written since the last call. */
  async poll(): Promise<Record<string, unknown>[]> {
    const out: Record<string, unknown>[] = [];
    for (const [partition, offset] of this.offsets) {
      const page = await this.log.fetch({ topic: this.topic, partition }, offset, { isolation: 'read_committed' });
      for (const record of page.records) if (record.value) out.push(await this.decode(record.value));
      if (page.nextOffset > offset) this.offsets.set(partition, page.nextOffset);
    }
    return out;
  }

  private async decode(value: Buffer): Promise<Record<string, unknown>> {
    const id = schemaIdOf(value);
    let decoder = this.decoders.get(id);
    if (!decoder) {
      const stored = await this.schemas.byId(id);
      const columns = avroSchemaToColumns(stored.schema).map((c) => ({ name: c.name, type: c.type }));
      decoder = { names: columns.map((c) => c.name), decode: createRowDecoder(stored.schema, columns) };
      this.decoders.set(id, decoder);
    }
    const values = decoder.decode(value, 5);
    const row: Record<string, unknown> = {};
    decoder.names.forEach((name, i) => (row[name] = values[i]));
    return row;
  }
}
