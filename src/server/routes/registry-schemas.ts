/**
 * Schemas by global id (`/schemas/ids/{id}[...]`) and the supported types.
 */
import type { FastifyInstance } from 'fastify';
import { SCHEMA_TYPES } from '../../formats/schema-provider.ts';
import type { Registry } from '../../registry/registry.ts';
import { parseSchemaId } from '../../registry/request-validation.ts';
import { param, queryFlag, queryString } from '../http-support.ts';
import { schemaView, subjectVersionView } from './registry-views.ts';

export function registerSchemaRoutes(app: FastifyInstance, registry: Registry): void {
  const schemas = registry.schemas;

  app.get('/schemas/types', async () => [...SCHEMA_TYPES]);

  app.get('/schemas', async (request) =>
    schemas.listSchemas({
      subjectPrefix: queryString(request, 'subjectPrefix') ?? '',
      deleted: queryFlag(request, 'deleted'),
      latestOnly: queryFlag(request, 'latestOnly'),
    }).map(subjectVersionView),
  );

  app.get('/schemas/ids/:id', async (request) => {
    const version = schemas.schemaById(parseSchemaId(param(request, 'id')), queryString(request, 'subject'));
    const view = { ...schemaView(schemas.formatted(version, queryString(request, 'format'))), guid: version.guid };
    return queryFlag(request, 'fetchMaxId') ? { ...view, maxId: schemas.state.maxId() } : view;
  });

  app.get('/schemas/guids/:guid', async (request) => {
    const version = schemas.schemaByGuid(param(request, 'guid'));
    return { ...schemaView(schemas.formatted(version, queryString(request, 'format'))), guid: version.guid };
  });

  app.get('/schemas/ids/:id/schema', async (request, reply) => {
    const version = schemas.schemaById(parseSchemaId(param(request, 'id')), queryString(request, 'subject'));
    return reply.type(version.schemaType === 'PROTOBUF' ? 'text/plain' : 'application/vnd.schemaregistry.v1+json').send(version.schema);
  });

  app.get('/schemas/ids/:id/versions', async (request) => {
    const subject = queryString(request, 'subject');
    return schemas.idVersions(parseSchemaId(param(request, 'id')), { deleted: queryFlag(request, 'deleted'), ...(subject !== undefined && { subject }) });
  });

  app.get('/schemas/ids/:id/subjects', async (request) => {
    const subject = queryString(request, 'subject');
    return schemas.idSubjects(parseSchemaId(param(request, 'id')), { deleted: queryFlag(request, 'deleted'), ...(subject !== undefined && { subject }) });
  });
}
