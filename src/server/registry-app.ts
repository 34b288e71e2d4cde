/**
 * The schema registry's HTTP API: Confluent Schema Registry's REST API (plus its DEK
 * registry), so any Confluent client configured with our URL works unchanged.
 * Tests and the platform build it with `createRegistryApp(registry)` and `listen` themselves.
 */
import Fastify, { type FastifyInstance } from 'fastify';
import type { Registry } from '../registry/registry.ts';
import type { StreamCatalog } from '../catalog/stream-catalog.ts';
import { REGISTRY_MEDIA_TYPE, installErrorHandling, installJsonBodies } from './http-support.ts';
import { registerDekRegistryRoutes } from './routes/dek-registry.ts';
import { registerCatalogRoutes } from './routes/catalog.ts';
import { registerAssociationRoutes } from './routes/registry-associations.ts';
import { registerCompatibilityRoutes } from './routes/registry-compatibility.ts';
import { registerConfigRoutes } from './routes/registry-config.ts';
import { registerSchemaRoutes } from './routes/registry-schemas.ts';
import { registerSubjectRoutes } from './routes/registry-subjects.ts';
import type { AccessControl } from './auth/access-control.ts';

/** With `extras.catalog`, the Stream Catalog API (/catalog/v1) is served too; with `extras.access`, only to API keys. */
export function createRegistryApp(registry: Registry, extras: { catalog?: StreamCatalog; access?: AccessControl } = {}): FastifyInstance {
  const app = Fastify({ logger: false, ...extras.access?.serverOptions() });
  installJsonBodies(app);
  installErrorHandling(app, REGISTRY_MEDIA_TYPE);
  extras.access?.install(app);

  // Answers are JSON under the registry media type, as Confluent's server sends them.
  app.addHook('onSend', async (_request, reply, payload) => {
    const type = reply.getHeader('content-type');
    if (typeof type === 'string' && type.startsWith('application/json')) reply.header('content-type', REGISTRY_MEDIA_TYPE);
    return payload;
  });

  app.get('/', async () => ({}));
  app.get('/contexts', async () => [':.:']);
  registerSchemaRoutes(app, registry);
  registerSubjectRoutes(app, registry);
  registerConfigRoutes(app, registry);
  registerCompatibilityRoutes(app, registry);
  registerAssociationRoutes(app, registry);
  registerDekRegistryRoutes(app, registry);
  if (extras.catalog) registerCatalogRoutes(app, extras.catalog);
  return app;
}
