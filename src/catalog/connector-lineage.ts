/**
 * What the lineage needs to know about connectors: which topics each writes (sources) or reads
 * (sinks). The connector runtime does not declare topics, so they are derived from each status:
 * the `topics` metric when the connector reports it, else its config (`topic`, `topics`, or a
 * CDC source's `topicPrefix` + `tables` → `<prefix>.<schema>.<table>`).
 */
import type { ConnectorStatus } from '../connect/framework/connector-runtime.ts';
import type { LogClient } from '../log/log-client.ts';

export interface ConnectorLineage {
  name: string;
  type: string;
  kind: 'source' | 'sink';
  state: string;
  topics: string[];
  /** Where the connector puts records it cannot handle (a sink's error topic). */
  dlqTopics: string[];
}

export type ConnectorLineageProvider = () => ConnectorLineage[] | Promise<ConnectorLineage[]>;

/** The part of the ConnectorRuntime the lineage reads. */
export interface ConnectorListing {
  list(): ConnectorStatus[];
  listTypes(): { name: string; kind: string }[];
}

function strings(value: unknown): string[] {
  if (Array.isArray(value)) return value.filter((v): v is string => typeof v === 'string');
  if (typeof value === 'string') return value.split(',').map((s) => s.trim()).filter((s) => s !== '');
  return [];
}

export function connectorTopics(status: Pick<ConnectorStatus, 'type' | 'config' | 'metrics'>): string[] {
  const reported = strings(status.metrics.topics);
  if (reported.length > 0) return reported.sort();
  const config = status.config;
  const topics = [...strings(config.topic), ...strings(config.topics)];
  const tables = strings(config.tables);
  if (tables.length > 0 && topics.length === 0) {
    const prefix = typeof config.topicPrefix === 'string' ? config.topicPrefix : 'shiftleft';
    for (const table of tables) topics.push(`${prefix}.${table.includes('.') ? table : `public.${table}`}`);
  }
  // The payments service writes `payments` unless told otherwise.
  if (topics.length === 0 && status.type === 'payments') topics.push('payments');
  return [...new Set(topics)].sort();
}

/** A sink's error topic (src/connect/warehouse/sink-config.ts): `errorTopic`, default `<name>-errors`. */
export function connectorDlqTopics(name: string, kind: 'source' | 'sink', config: Record<string, unknown>): string[] {
  if (kind !== 'sink') return [];
  return [typeof config.errorTopic === 'string' ? config.errorTopic : `${name}-errors`];
}

export function connectorsFromRuntime(runtime: ConnectorListing): ConnectorLineageProvider {
  return () => {
    const kinds = new Map(runtime.listTypes().map((t) => [t.name, t.kind]));
    return runtime.list().map((status) => {
      const kind = kinds.get(status.type) === 'sink' ? 'sink' : 'source';
      return { name: status.name, type: status.type, kind, state: status.state, topics: connectorTopics(status), dlqTopics: connectorDlqTopics(status.name, kind, status.config) };
    });
  };
}

/** The `_connectors` topic (src/connect/framework/connector-store.ts), read without creating it. */
const CONNECTORS_TOPIC = '_connectors';

interface PersistedConnector {
  spec: { name: string; type: string; config: Record<string, unknown> };
  state: string;
}

/**
 * Connectors as persisted on the log, for a platform whose connector runtime runs elsewhere (or
 * not yet): the topics come from their configs. Sink types are named `*-sink` in the explicit
 * list of types (connector-types.ts), which is how their kind is told here without loading them.
 */
export function connectorsFromLog(log: Pick<LogClient, 'listTopics' | 'listOffsets' | 'fetch'>): ConnectorLineageProvider {
  return async () => {
    if (!(await log.listTopics({ includeInternal: true })).includes(CONNECTORS_TOPIC)) return [];
    const latest = new Map<string, PersistedConnector>();
    const partition = { topic: CONNECTORS_TOPIC, partition: 0 };
    let offset = await log.listOffsets(partition, 'earliest');
    const end = await log.listOffsets(partition, 'latest');
    while (offset < end) {
      const page = await log.fetch(partition, offset, { maxRecords: 10_000 });
      for (const record of page.records) {
        if (!record.key) continue;
        const key = record.key.toString('utf8');
        if (record.value === null) latest.delete(key);
        else latest.set(key, JSON.parse(record.value.toString('utf8')) as PersistedConnector);
      }
      if (page.nextOffset <= offset) break;
      offset = page.nextOffset;
    }
    return [...latest.values()]
      .sort((a, b) => a.spec.name.localeCompare(b.spec.name))
      .map((c) => {
        const kind = c.spec.type.endsWith('-sink') ? 'sink' : 'source';
        return {
          name: c.spec.name,
          type: c.spec.type,
          kind,
          state: c.state,
          topics: connectorTopics({ type: c.spec.type, config: c.spec.config as ConnectorStatus['config'], metrics: {} }),
          dlqTopics: connectorDlqTopics(c.spec.name, kind, c.spec.config),
        };
      });
  };
}
