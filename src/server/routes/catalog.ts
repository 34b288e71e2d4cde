/**
 * The Stream Catalog API on the registry URL, in the shape of Confluent's Catalog API (v1):
 * tag and business metadata definitions (`/catalog/v1/types/...`), tags and business metadata
 * on entities (`/catalog/v1/entity/...`), and search (`/catalog/v1/search/basic`).
 * Entity names: see src/catalog/entity-names.ts. Errors go through error-responses.ts.
 */
import type { FastifyInstance } from 'fastify';
import { ShiftleftError } from '../../common/errors.ts';
import { requireEntityType } from '../../catalog/entity-names.ts';
import type { StreamCatalog } from '../../catalog/stream-catalog.ts';
import { param, queryList, queryString } from '../http-support.ts';

const BASE = '/catalog/v1';

export function registerCatalogRoutes(app: FastifyInstance, catalog: StreamCatalog): void {
  // ---- tag definitions ----
  app.get(`${BASE}/types/tagdefs`, async () => catalog.listTagDefs());
  app.post(`${BASE}/types/tagdefs`, async (request) => catalog.putTagDefs(request.body, false));
  app.put(`${BASE}/types/tagdefs`, async (request) => catalog.putTagDefs(request.body, true));
  app.get(`${BASE}/types/tagdefs/:name`, async (request) => catalog.getTagDef(param(request, 'name')));
  app.delete(`${BASE}/types/tagdefs/:name`, async (request, reply) => {
    await catalog.deleteTagDef(param(request, 'name'));
    return reply.status(204).send();
  });

  // ---- business metadata definitions ----
  app.get(`${BASE}/types/businessmetadatadefs`, async () => catalog.listBusinessMetadataDefs());
  app.post(`${BASE}/types/businessmetadatadefs`, async (request) => catalog.putBusinessMetadataDefs(request.body, false));
  app.put(`${BASE}/types/businessmetadatadefs`, async (request) => catalog.putBusinessMetadataDefs(request.body, true));
  app.get(`${BASE}/types/businessmetadatadefs/:name`, async (request) => catalog.getBusinessMetadataDef(param(request, 'name')));
  app.delete(`${BASE}/types/businessmetadatadefs/:name`, async (request, reply) => {
    await catalog.deleteBusinessMetadataDef(param(request, 'name'));
    return reply.status(204).send();
  });

  // ---- tags on entities ----
  app.post(`${BASE}/entity/tags`, async (request) => catalog.addTags(request.body));
  app.put(`${BASE}/entity/tags`, async (request) => catalog.addTags(request.body));
  app.get(`${BASE}/entity/type/:type/name/:name/tags`, async (request) => catalog.entityTags(param(request, 'type'), param(request, 'name')));
  app.delete(`${BASE}/entity/type/:type/name/:name/tags/:tag`, async (request, reply) => {
    await catalog.removeTag(param(request, 'type'), param(request, 'name'), param(request, 'tag'));
    return reply.status(204).send();
  });

  // ---- business metadata on entities ----
  app.post(`${BASE}/entity/businessmetadata`, async (request) => catalog.setBusinessMetadata(request.body, false));
  app.put(`${BASE}/entity/businessmetadata`, async (request) => catalog.setBusinessMetadata(request.body, true));
  app.get(`${BASE}/entity/type/:type/name/:name/businessmetadata`, async (request) => catalog.entityBusinessMetadata(param(request, 'type'), param(request, 'name')));
  app.delete(`${BASE}/entity/type/:type/name/:name/businessmetadata/:bm`, async (request, reply) => {
    await catalog.removeBusinessMetadata(param(request, 'type'), param(request, 'name'), param(request, 'bm'));
    return reply.status(204).send();
  });

  // ---- entities and search ----
  app.get(`${BASE}/entity/type/:type/name/:name`, async (request) => catalog.entity(param(request, 'type'), param(request, 'name')));
  app.get(`${BASE}/search/basic`, async (request) => {
    // Confluent takes `type` (one) or `types` (repeated or comma-separated).
    const types = [...queryList(request, 'types'), ...queryList(request, 'type')].flatMap((t) => t.split(',')).filter((t) => t !== '').map(requireEntityType);
    return catalog.search({
      query: queryString(request, 'query'),
      types,
      tag: queryString(request, 'tag'),
      owner: queryString(request, 'owner'),
      limit: queryNumber(queryString(request, 'limit'), 'limit'),
      offset: queryNumber(queryString(request, 'offset'), 'offset'),
    });
  });
}

function queryNumber(value: string | undefined, name: string): number | undefined {
  if (value === undefined) return undefined;
  const n = Number(value);
  if (!Number.isInteger(n) || n < 0) throw new ShiftleftError('INVALID_ARGUMENT', `query parameter ${name} must be a non-negative integer, not '${value}'`);
  return n;
}
