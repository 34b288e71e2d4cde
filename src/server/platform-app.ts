/**
 * The platform's own HTTP API (default port 8080): health and the log (routes/topics.ts); other
 * parts (SQL statements, connectors, catalog) add their routes here as they arrive.
 */
import Fastify, { type FastifyInstance } from 'fastify';
import type { LogClient } from '../log/log-client.ts';
import type { Registry } from '../registry/registry.ts';
import { installErrorHandling, installJsonBodies } from './http-support.ts';
import { registerTopicRoutes } from './routes/topics.ts';

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

  registerTopicRoutes(app, context.log);
  return app;
}
