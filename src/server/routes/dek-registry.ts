/**
 * The DEK registry API, `/dek-registry/v1/keks[...]`, as Confluent's DekRegistryClient calls it.
 */
import type { FastifyInstance, FastifyRequest } from 'fastify';
import { ShiftleftError } from '../../common/errors.ts';
import { parseDekInput, type DekVersionSpec, type KekInput, type KekUpdate } from '../../registry/dek/dek-registry.ts';
import type { Registry } from '../../registry/registry.ts';
import { jsonObjectBody, param, queryFlag, queryString } from '../http-support.ts';

function dekVersion(raw: string): DekVersionSpec {
  if (raw === 'latest' || raw === '-1') return 'latest';
  const version = /^\d+$/.test(raw) ? Number(raw) : NaN;
  if (!Number.isSafeInteger(version) || version < 1) {
    throw new ShiftleftError('INVALID_KEY', `Invalid DEK version '${raw}': use a number >= 1, or -1 / latest`);
  }
  return version;
}

export function registerDekRegistryRoutes(app: FastifyInstance, registry: Registry): void {
  const deks = registry.deks;
  const base = '/dek-registry/v1/keks';
  const algorithm = (request: FastifyRequest) => queryString(request, 'algorithm');

  app.get(base, async (request) =>
    deks.listKeks({ deleted: queryFlag(request, 'deleted'), subjectPrefix: queryString(request, 'subjectPrefix') ?? '' }),
  );
  app.post(base, async (request) => deks.createKek(jsonObjectBody(request) as unknown as KekInput));
  app.get(`${base}/:name`, async (request) => deks.getKek(param(request, 'name'), queryFlag(request, 'deleted')));
  app.put(`${base}/:name`, async (request) => deks.updateKek(param(request, 'name'), jsonObjectBody(request) as KekUpdate));
  app.delete(`${base}/:name`, async (request, reply) => {
    await deks.deleteKek(param(request, 'name'), queryFlag(request, 'permanent'));
    return reply.status(204).send();
  });
  app.post(`${base}/:name/undelete`, async (request, reply) => {
    await deks.undeleteKek(param(request, 'name'));
    return reply.status(204).send();
  });

  app.get(`${base}/:name/deks`, async (request) => deks.listDekSubjects(param(request, 'name'), { deleted: queryFlag(request, 'deleted') }));
  // The older API without the subject in the path, and the newer one with it.
  app.post(`${base}/:name/deks`, async (request) => deks.createDek(param(request, 'name'), parseDekInput(jsonObjectBody(request))));
  app.post(`${base}/:name/deks/:subject`, async (request) =>
    deks.createDek(param(request, 'name'), parseDekInput({ ...jsonObjectBody(request), subject: param(request, 'subject') })),
  );
  app.get(`${base}/:name/deks/:subject`, async (request) =>
    deks.getDek(param(request, 'name'), param(request, 'subject'), 'latest', algorithm(request), queryFlag(request, 'deleted')),
  );
  app.get(`${base}/:name/deks/:subject/versions`, async (request) =>
    deks.listDekVersions(param(request, 'name'), param(request, 'subject'), algorithm(request), queryFlag(request, 'deleted')),
  );
  app.get(`${base}/:name/deks/:subject/versions/:version`, async (request) =>
    deks.getDek(param(request, 'name'), param(request, 'subject'), dekVersion(param(request, 'version')), algorithm(request), queryFlag(request, 'deleted')),
  );
  app.delete(`${base}/:name/deks/:subject`, async (request, reply) => {
    await deks.deleteDek(param(request, 'name'), param(request, 'subject'), undefined, algorithm(request), queryFlag(request, 'permanent'));
    return reply.status(204).send();
  });
  app.delete(`${base}/:name/deks/:subject/versions/:version`, async (request, reply) => {
    const version = dekVersion(param(request, 'version'));
    await deks.deleteDek(param(request, 'name'), param(request, 'subject'), version, algorithm(request), queryFlag(request, 'permanent'));
    return reply.status(204).send();
  });
  app.post(`${base}/:name/deks/:subject/undelete`, async (request, reply) => {
    await deks.undeleteDek(param(request, 'name'), param(request, 'subject'), undefined, algorithm(request));
    return reply.status(204).send();
  });
  app.post(`${base}/:name/deks/:subject/versions/:version/undelete`, async (request, reply) => {
    const version = dekVersion(param(request, 'version'));
    await deks.undeleteDek(param(request, 'name'), param(request, 'subject'), version, algorithm(request));
    return reply.status(204).send();
  });
}
