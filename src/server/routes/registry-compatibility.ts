/**
 * `POST /compatibility/subjects/{subject}/versions[/{version}]`: would this schema be accepted?
 * With `verbose=true` the answer lists every incompatibility.
 */
import type { FastifyInstance, FastifyRequest } from 'fastify';
import type { Registry } from '../../registry/registry.ts';
import { parseSchemaInput, parseVersionSpec, type VersionSpec } from '../../registry/request-validation.ts';
import { param, queryFlag } from '../http-support.ts';

export function registerCompatibilityRoutes(app: FastifyInstance, registry: Registry): void {
  const check = (request: FastifyRequest, spec: VersionSpec | 'all') => {
    const result = registry.schemas.checkCompatibility(param(request, 'subject'), spec, parseSchemaInput(request.body));
    return { is_compatible: result.isCompatible, ...(queryFlag(request, 'verbose') && { messages: result.messages }) };
  };
  app.post('/compatibility/subjects/:subject/versions/:version', async (request) => check(request, parseVersionSpec(param(request, 'version'))));
  app.post('/compatibility/subjects/:subject/versions', async (request) => check(request, 'all'));
}
