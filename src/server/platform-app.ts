/**
 * The platform's own HTTP API (default port 8080): health and the log (routes/topics.ts); other
 * parts (SQL statements, connectors, catalog) add their routes here as they arrive.
 */
import Fastify, { type FastifyInstance } from 'fastify';
import type { LogClient } from '../log/log-client.ts';
import type { Registry } from '../registry/registry.ts';
import { installErrorHandling, installJsonBodies } from './http-support.ts';
import { registerTopicRoutes } from './routes/topics.ts';
import { registerStatementRoutes, type StatementRoutesContext } from './routes/statements.ts';
import type { Portal } from '../catalog/portal.ts';
import { registerActionRoutes } from './routes/actions.ts';
import { registerLineageRoutes } from './routes/lineage.ts';
import type { AccessControl } from './auth/access-control.ts';
import { registerApiKeyRoutes } from './auth/admin-routes.ts';
import { registerMessageRoutes } from './routes/messages.ts';
import { registerPortalUi } from './ui-static.ts';

export interface PlatformContext {
  log: LogClient;
  /** Durable SQL statements (stored, checkpointed, resumed): see routes/statements.ts. */
  durability?: StatementRoutesContext['durability'];
  registry: Registry;
  /** The URLs the platform's own parts call (under access control the registry's is a capability URL). */
  urls: () => Record<string, string>;
  /** The URLs /health shows so a client can find the registry; default `urls`. */
  publicUrls?: () => Record<string, string>;
  /** Access control (`up --auth`): API keys on every route but /health, and the admin API /v1/api-keys. */
  access?: AccessControl;
  /** The data portal's lineage and actions (src/catalog/portal.ts), when the platform runs a catalog. */
  portal?: Portal;
}

export function createPlatformApp(context: PlatformContext): FastifyInstance {
  const app = Fastify({ logger: false, ...context.access?.serverOptions() });
  installJsonBodies(app);
  installErrorHandling(app);
  if (context.access) {
    context.access.install(app);
    registerApiKeyRoutes(app, context.access.keys);
  }

  app.get('/health', async () => ({ status: 'ok', log: context.log.kind, urls: (context.publicUrls ?? context.urls)() }));

  registerTopicRoutes(app, context.log);
  const statements = registerStatementRoutes(app, context);
  if (context.portal) {
    // Actions start statements through the platform's statement registry, so they are listed and stopped with all others.
    context.portal.useSessions(statements);
    registerLineageRoutes(app, context.portal);
    registerActionRoutes(app, context.portal);
  }
  // The data portal: decoded messages, the web app (ui/dist) and the registry same-origin under /registry
  // (proxied to the public URL with the caller's credentials, so the registry checks the caller, not the platform).
  registerMessageRoutes(app, context);
  registerPortalUi(app, { registryUrl: () => (context.publicUrls ?? context.urls)().registry });
  return app;
}
