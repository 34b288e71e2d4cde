/**
 * Subjects and their versions: `/subjects[...]` — register, look up, read, list and delete.
 */
import type { FastifyInstance } from 'fastify';
import type { Registry } from '../../registry/registry.ts';
import { parseSchemaInput, parseVersionSpec, validateSubjectName } from '../../registry/request-validation.ts';
import { param, queryFlag, queryList, queryString } from '../http-support.ts';
import { registeredView, subjectVersionView } from './registry-views.ts';

export function registerSubjectRoutes(app: FastifyInstance, registry: Registry): void {
  const schemas = registry.schemas;

  app.get('/subjects', async (request) =>
    schemas.subjects({
      deleted: queryFlag(request, 'deleted'),
      deletedOnly: queryFlag(request, 'deletedOnly'),
      subjectPrefix: queryString(request, 'subjectPrefix') ?? '',
    }),
  );

  app.get('/subjects/:subject/versions', async (request) =>
    schemas.versionNumbers(param(request, 'subject'), { deleted: queryFlag(request, 'deleted'), deletedOnly: queryFlag(request, 'deletedOnly') }),
  );

  app.post('/subjects/:subject/versions', async (request) => {
    const subject = validateSubjectName(param(request, 'subject'));
    const input = parseSchemaInput(request.body);
    const normalize = queryString(request, 'normalize') === undefined ? undefined : queryFlag(request, 'normalize');
    return registeredView(await schemas.register(subject, input, normalize === undefined ? {} : { normalize }));
  });

  app.get('/subjects/:subject/versions/:version', async (request) => {
    const version = schemas.getVersion(param(request, 'subject'), parseVersionSpec(param(request, 'version')), { deleted: queryFlag(request, 'deleted') });
    return subjectVersionView(schemas.formatted(version, queryString(request, 'format')));
  });

  app.get('/subjects/:subject/versions/:version/schema', async (request, reply) => {
    const version = schemas.getVersion(param(request, 'subject'), parseVersionSpec(param(request, 'version')), { deleted: queryFlag(request, 'deleted') });
    return reply.type(version.schemaType === 'PROTOBUF' ? 'text/plain' : 'application/vnd.schemaregistry.v1+json').send(version.schema);
  });

  app.get('/subjects/:subject/versions/:version/referencedby', async (request) =>
    schemas.referencedBy(param(request, 'subject'), parseVersionSpec(param(request, 'version'))),
  );

  app.delete('/subjects/:subject/versions/:version', async (request) =>
    schemas.deleteVersion(param(request, 'subject'), parseVersionSpec(param(request, 'version')), queryFlag(request, 'permanent')),
  );

  app.post('/subjects/:subject', async (request) => {
    const input = parseSchemaInput(request.body);
    const found = schemas.lookup(param(request, 'subject'), input, { normalize: queryFlag(request, 'normalize'), deleted: queryFlag(request, 'deleted') });
    return subjectVersionView(found);
  });

  app.delete('/subjects/:subject', async (request) => schemas.deleteSubject(param(request, 'subject'), queryFlag(request, 'permanent')));

  // The latest version whose metadata properties hold every key=value given.
  app.get('/subjects/:subject/metadata', async (request) => {
    const keys = queryList(request, 'key');
    const values = queryList(request, 'value');
    const wanted = Object.fromEntries(keys.map((key, i) => [key, values[i] ?? '']));
    const version = schemas.latestWithMetadata(param(request, 'subject'), wanted, queryFlag(request, 'deleted'));
    return subjectVersionView(schemas.formatted(version, queryString(request, 'format')));
  });
}
