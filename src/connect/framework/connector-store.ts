/**
 * Persistence of connectors in the log itself, so the runtime works the same on the embedded
 * log and on Kafka (as Kafka Connect keeps its configs, statuses and offsets in topics):
 * - `_connectors`: key = connector name, value = JSON { spec, desired state, last status };
 *   a delete writes a tombstone.
 * - `_connector_offsets`: key = connector name, value = JSON offset; tombstone on delete.
 * Both are compacted single-partition topics: the latest value per key is the truth, and one
 * partition keeps the order of writes for a name.
 */
import type { LogClient } from '../../log/log-client.ts';
import { replayPartition } from '../../log/replay.ts';
import type { ConnectorSpec } from './connector-config.ts';
import type { ConnectorState, JsonValue } from './connector.ts';

export const CONNECTORS_TOPIC = '_connectors';
export const CONNECTOR_OFFSETS_TOPIC = '_connector_offsets';

export interface ConnectorError {
  message: string;
  code: string;
  hint?: string;
  at: string;
}

export interface StoredConnector {
  spec: ConnectorSpec;
  /** What the user asked for: RUNNING or PAUSED (a FAILED connector still wants to run). */
  desired: 'RUNNING' | 'PAUSED';
  state: ConnectorState;
  lastError: ConnectorError | undefined;
  createdAt: string;
  updatedAt: string;
}

async function readCompacted(log: LogClient, topic: string): Promise<Map<string, unknown>> {
  const latest = new Map<string, unknown>();
  await replayPartition(log, { topic, partition: 0 }, (record) => {
    if (!record.key) return;
    const key = record.key.toString('utf8');
    if (record.value === null) latest.delete(key);
    else latest.set(key, JSON.parse(record.value.toString('utf8')));
  });
  return latest;
}

export class ConnectorStore {
  private readonly offsets = new Map<string, JsonValue>();

  private constructor(private readonly log: LogClient) {}

  /** Creates the two topics when missing and reads their current content. */
  static async open(log: LogClient): Promise<{ store: ConnectorStore; connectors: StoredConnector[] }> {
    for (const topic of [CONNECTORS_TOPIC, CONNECTOR_OFFSETS_TOPIC]) {
      await log.createTopic(topic, { partitions: 1, config: { 'cleanup.policy': 'compact' }, ifNotExists: true });
    }
    const store = new ConnectorStore(log);
    for (const [name, offset] of await readCompacted(log, CONNECTOR_OFFSETS_TOPIC)) store.offsets.set(name, offset as JsonValue);
    const connectors = [...(await readCompacted(log, CONNECTORS_TOPIC)).values()] as StoredConnector[];
    return { store, connectors };
  }

  async saveConnector(connector: StoredConnector): Promise<void> {
    await this.log.produce(CONNECTORS_TOPIC, [{ key: Buffer.from(connector.spec.name), value: Buffer.from(JSON.stringify(connector)) }]);
  }

  async deleteConnector(name: string): Promise<void> {
    this.offsets.delete(name);
    await this.log.produce(CONNECTORS_TOPIC, [{ key: Buffer.from(name), value: null }]);
    await this.log.produce(CONNECTOR_OFFSETS_TOPIC, [{ key: Buffer.from(name), value: null }]);
  }

  readOffset(name: string): JsonValue | undefined {
    return this.offsets.get(name);
  }

  async writeOffset(name: string, offset: JsonValue): Promise<void> {
    await this.log.produce(CONNECTOR_OFFSETS_TOPIC, [{ key: Buffer.from(name), value: Buffer.from(JSON.stringify(offset)) }]);
    // Only after the log acknowledged it: a reader of readOffset never sees an offset that could be lost.
    this.offsets.set(name, offset);
  }
}
