/**
 * `/associations`: which subject holds a topic's key or value schema. Confluent's serializers
 * ask here first and fall back to `{topic}-value` on a 404.
 */
import type { FastifyInstance, FastifyRequest } from 'fastify';
import type { AssociationFilter, AssociationRequest } from '../../registry/association-registry.ts';
import type { Registry } from '../../registry/registry.ts';
import { jsonObjectBody, param, queryList, queryString } from '../http-support.ts';
import { registeredView } from './registry-views.ts';

function filterOf(request: FastifyRequest): AssociationFilter {
  const resourceType = queryString(request, 'resourceType');
  const lifecycle = queryString(request, 'lifecycle');
  return {
    associationTypes: queryList(request, 'associationType'),
    ...(resourceType !== undefined && { resourceType }),
    ...(lifecycle !== undefined && { lifecycle }),
  };
}

export function registerAssociationRoutes(app: FastifyInstance, registry: Registry): void {
  const associations = registry.associations;

  app.post('/associations', async (request) => {
    const { resource, associations: created } = await associations.create(jsonObjectBody(request) as AssociationRequest);
    return {
      ...resource,
      associations: created.map(({ subject, associationType, lifecycle, frozen, schema }) => ({
        subject,
        associationType,
        lifecycle,
        frozen,
        ...(schema && { schema: registeredView(schema) }),
      })),
    };
  });

  app.get('/associations/resources/:namespace/:name', async (request) =>
    associations.byResourceName(param(request, 'name'), param(request, 'namespace'), filterOf(request)),
  );

  app.get('/associations/subjects/:subject', async (request) => associations.bySubject(param(request, 'subject'), filterOf(request)));

  app.delete('/associations/resources/:resourceId', async (request, reply) => {
    await associations.deleteByResourceId(param(request, 'resourceId'), filterOf(request));
    return reply.status(204).send();
  });
}
