/**
 * Connectors in /metrics, from the connector runtime's status at scrape time: one series per
 * possible state (1 for the current one, 0 for the others, so `== 1` alerts work), consecutive
 * failed starts, when the last error happened, and the counters the connector reports.
 *
 * Connector types report different metrics (src/connect/*: `metrics()`); every top-level
 * number or boolean is exported as `shiftleft_connector_metric{metric=...}` (the names are
 * fixed per type, so the label stays bounded). Two are also given a common name:
 *   records_total  `records` (sinks: records consumed; payments: records drawn), or the sum of
 *                  `rowsByTopic` (CDC: rows written per topic)
 *   errors_total   `errors` (sinks: records sent to the error topic; datagen: failed writes)
 */
import type { ConnectorStatus } from '../../connect/framework/connector-runtime.ts';
import type { ConnectorState, JsonValue } from '../../connect/framework/connector.ts';
import { areaSnapshot, snapshotCounter, snapshotGauge, type MetricsContext, type Sample } from './snapshot-metrics.ts';

/** What the metrics read of the connector runtime (ConnectorRuntime implements it). */
export interface ConnectorStatusSource {
  list(): ConnectorStatus[];
}

const STATES: readonly ConnectorState[] = ['RUNNING', 'PAUSED', 'FAILED', 'STOPPED'];

export function recordsProcessed(metrics: Record<string, JsonValue>): number | undefined {
  if (typeof metrics.records === 'number') return metrics.records;
  const byTopic = metrics.rowsByTopic;
  if (typeof byTopic === 'object' && byTopic !== null && !Array.isArray(byTopic)) {
    return Object.values(byTopic).reduce<number>((sum, n) => sum + (typeof n === 'number' ? n : 0), 0);
  }
  return undefined;
}

export function registerConnectorMetrics(context: MetricsContext, connectors: ConnectorStatusSource): void {
  const snapshot = areaSnapshot<ConnectorStatus[]>(context, 'connectors', () => connectors.list(), []);
  const each = <L extends string>(value: (c: ConnectorStatus) => Iterable<Sample<L | 'connector'>>) =>
    function* (list: ConnectorStatus[]): Iterable<Sample<L | 'connector'>> {
      for (const c of list) yield* value(c);
    };

  snapshotGauge(context, { name: 'shiftleft_connector_state', help: 'State of a connector: 1 for the current state, 0 for the others', labelNames: ['connector', 'type', 'state'] as const }, snapshot,
    each((c) => STATES.map((state) => [{ connector: c.name, type: c.type, state }, c.state === state ? 1 : 0] as const)),
  );
  snapshotGauge(context, { name: 'shiftleft_connector_failures', help: 'Consecutive failed starts since the last success', labelNames: ['connector'] as const }, snapshot,
    each((c) => [[{ connector: c.name }, c.failures]]),
  );
  snapshotGauge(context, { name: 'shiftleft_connector_last_error_timestamp_seconds', help: 'When the connector last failed (unix seconds); absent if it never did', labelNames: ['connector'] as const }, snapshot,
    each((c) => (c.lastError ? [[{ connector: c.name }, Date.parse(c.lastError.at) / 1000]] : [])),
  );
  snapshotCounter(context, { name: 'shiftleft_connector_records_total', help: 'Records the connector processed since it started (see connector-metrics.ts for the source per type)', labelNames: ['connector'] as const }, snapshot,
    each((c) => {
      const records = recordsProcessed(c.metrics);
      return records === undefined ? [] : [[{ connector: c.name }, records]];
    }),
  );
  snapshotCounter(context, { name: 'shiftleft_connector_errors_total', help: 'Records or writes the connector failed on since it started, when it counts them', labelNames: ['connector'] as const }, snapshot,
    each((c) => (typeof c.metrics.errors === 'number' ? [[{ connector: c.name }, c.metrics.errors]] : [])),
  );
  snapshotGauge(context, { name: 'shiftleft_connector_metric', help: "A number (or boolean as 0/1) from the connector's own metrics, by name", labelNames: ['connector', 'metric'] as const }, snapshot,
    each((c) =>
      Object.entries(c.metrics).flatMap(([metric, value]) =>
        typeof value === 'number' ? [[{ connector: c.name, metric }, value] as const] : typeof value === 'boolean' ? [[{ connector: c.name, metric }, value ? 1 : 0] as const] : [],
      ),
    ),
  );
}
