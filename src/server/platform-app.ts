/**
 * The platform's own HTTP API (default port 8080): health and the log (routes/topics.ts); other
 * parts (SQL statements, connectors, catalog) add their routes here as they arrive.
 */
import Fastify, { type FastifyInstance } from 'fastify';
import type { LogClient } from '../log/log-client.ts';
import type { Registry } from '../registry/registry.ts';
import { installErrorHandling, installJsonBodies } from './http-support.ts';
import { registerTopicRoutes } from './routes/topics.ts';
import { registerStatementRoutes } from './routes/statements.ts';
import type { Portal } from '../catalog/portal.ts';
import { registerActionRoutes } from './routes/actions.ts';
import { registerLineageRoutes } from './routes/lineage.ts';

export interface PlatformContext {
  log: LogClient;
  registry: Registry;
  /** The URLs the platform serves, shown by /health so a client can find the registry. */
  urls: () => Record<string, string>;
  /** The data portal's lineage and actions (src/catalog/portal.ts), when the platform runs a catalog. */
  portal?: Portal;
}

export function createPlatformApp(context: PlatformContext): FastifyInstance {
  const app = Fastify({ logger: false });
  installJsonBodies(app);
  installErrorHandling(app);

  app.get('/health', async () => ({ status: 'ok', log: context.log.kind, urls: context.urls() }));

  registerTopicRoutes(app, context.log);
  const statements = registerStatementRoutes(app, context);
  if (context.portal) {
    // Actions start statements through the platform's statement registry, so they are listed and stopped with all others.
    context.portal.useSessions(statements);
    registerLineageRoutes(app, context.portal);
    registerActionRoutes(app, context.portal);
  }
  return app;
}
