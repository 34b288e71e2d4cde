/**
 * GET /metrics on the platform port: the platform's state in Prometheus text format 0.0.4, read
 * from the live objects at each scrape (topics from the log, connectors from their runtime, the
 * registry's counts, the statements) plus the HTTP request metrics of both apps.
 *
 * Each platform has its own prom-client Registry (never the global one): several platforms run
 * in one process in tests, and each must report only its own state.
 */
import type { FastifyInstance } from 'fastify';
import { Registry } from 'prom-client';
import type { LogClient } from '../../log/log-client.ts';
import type { Registry as SchemaRegistry } from '../../registry/registry.ts';
import { registerConnectorMetrics, type ConnectorStatusSource } from './connector-metrics.ts';
import type { HttpMetrics } from './http-metrics.ts';
import { registerRegistryMetrics } from './registry-metrics.ts';
import { createMetricsContext } from './snapshot-metrics.ts';
import { registerStatementMetrics, type StatementMetricsSource } from './statement-metrics.ts';
import { registerTopicMetrics } from './topic-metrics.ts';

export const METRICS_CONTENT_TYPE = 'text/plain; version=0.0.4; charset=utf-8';

/** What /metrics reads; each part is optional so a smaller app (or a test) serves what it has. */
export interface MetricsSources {
  log?: LogClient;
  registry?: SchemaRegistry;
  connectors?: ConnectorStatusSource;
  statements?: StatementMetricsSource;
  http?: HttpMetrics;
}

/** A registry with the collectors of every source given. */
export function createMetricsRegistry(sources: MetricsSources): Registry {
  const registry = new Registry();
  const context = createMetricsContext(registry);
  if (sources.log) registerTopicMetrics(context, sources.log);
  if (sources.connectors) registerConnectorMetrics(context, sources.connectors);
  if (sources.registry) registerRegistryMetrics(context, sources.registry);
  if (sources.statements) registerStatementMetrics(context, sources.statements);
  sources.http?.registerIn(registry);
  return registry;
}

export function registerMetricsRoute(app: FastifyInstance, sources: MetricsSources): Registry {
  const registry = createMetricsRegistry(sources);
  app.get('/metrics', async (_request, reply) => {
    const text = await registry.metrics();
    return reply.type(METRICS_CONTENT_TYPE).send(text);
  });
  return registry;
}
