/**
 * The platform's own HTTP API (default port 8080): health and the log's topics for now; other
 * parts (SQL statements, connectors, catalog) add their routes here as they arrive.
 */
import Fastify, { type FastifyInstance } from 'fastify';
import type { LogClient } from '../log/log-client.ts';
import type { Registry } from '../registry/registry.ts';
import { installErrorHandling, installJsonBodies, queryFlag } from './http-support.ts';

export interface PlatformContext {
  log: LogClient;
  registry: Registry;
  /** The URLs the platform serves, shown by /health so a client can find the registry. */
  urls: () => Record<string, string>;
}

export function createPlatformApp(context: PlatformContext): FastifyInstance {
  const app = Fastify({ logger: false });
  installJsonBodies(app);
  installErrorHandling(app);

  app.get('/health', async () => ({ status: 'ok', log: context.log.kind, urls: context.urls() }));

  app.get('/v1/topics', async (request) => {
    const names = await context.log.listTopics({ includeInternal: queryFlag(request, 'includeInternal') });
    const topics = await Promise.all(names.map((name) => context.log.describeTopic(name)));
    return topics.map((topic) => ({
      name: topic.name,
      partitions: topic.partitions.length,
      internal: topic.internal,
      cleanupPolicy: topic.config['cleanup.policy'],
      records: topic.partitions.reduce((sum, p) => sum + (p.highWatermark - p.logStartOffset), 0),
    }));
  });
  return app;
}
