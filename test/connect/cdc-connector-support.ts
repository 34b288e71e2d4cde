/** Helpers for the connector tests: read a topic back and decode it with Confluent's deserializer. */
import { AvroDeserializer, SchemaRegistryClient, SerdeType } from '@confluentinc/schemaregistry';
import type { LogClient, LogRecord } from '../../src/log/log-client.ts';

export async function readTopic(log: LogClient, topic: string): Promise<LogRecord[]> {
  const records: LogRecord[] = [];
  const partition = { topic, partition: 0 };
  const end = await log.listOffsets(partition, 'latest');
  let offset = 0;
  while (offset < end) {
    const fetched = await log.fetch(partition, offset);
    records.push(...fetched.records);
    offset = fetched.nextOffset;
  }
  return records;
}

export interface Decoded {
  key: Record<string, unknown> | null;
  value: Record<string, unknown>;
  timestamp: number;
  headers: Record<string, string>;
}

export class TopicDecoder {
  readonly client: SchemaRegistryClient;
  private readonly keys: AvroDeserializer;
  private readonly values: AvroDeserializer;

  constructor(registryUrl: string) {
    this.client = new SchemaRegistryClient({ baseURLs: [registryUrl] });
    this.keys = new AvroDeserializer(this.client, SerdeType.KEY, {});
    this.values = new AvroDeserializer(this.client, SerdeType.VALUE, {});
  }

  async decode(log: LogClient, topic: string): Promise<Decoded[]> {
    const decoded: Decoded[] = [];
    for (const record of await readTopic(log, topic)) {
      decoded.push({
        key: record.key ? ((await this.keys.deserialize(topic, record.key)) as Record<string, unknown>) : null,
        value: (await this.values.deserialize(topic, record.value!)) as Record<string, unknown>,
        timestamp: record.timestamp,
        headers: Object.fromEntries(record.headers.map((h) => [h.key, h.value?.toString() ?? ''])),
      });
    }
    return decoded;
  }
}

export async function waitUntil(condition: () => Promise<boolean> | boolean, timeoutMs = 15_000, what = 'condition'): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await condition())) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}
