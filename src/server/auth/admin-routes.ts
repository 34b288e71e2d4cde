/**
 * The admin API of access control, on the platform port (only under `shiftleft up --auth`):
 *   GET    /v1/api-keys         → [{ key, description, admin, kekGrants, createdAt }]
 *   POST   /v1/api-keys         { description?, admin?, kekGrants?: ["kek", ...] }
 *                               → 201 { key, secret, description, admin, kekGrants, createdAt }
 *                                 (the only answer that ever carries the secret)
 *   GET    /v1/api-keys/:key    → one key
 *   DELETE /v1/api-keys/:key    → 204; the key stops working at once
 * Every route needs an admin key (FORBIDDEN otherwise).
 */
import type { FastifyInstance, FastifyRequest } from 'fastify';
import { ShiftleftError } from '../../common/errors.ts';
import { jsonObjectBody, param } from '../http-support.ts';
import { unknownKey, validateApiKeyId, type ApiKeyRequest, type ApiKeyStore } from './api-key-store.ts';
import { describePrincipal, isAdmin } from './principal.ts';

const CREATE_FIELDS = new Set(['description', 'admin', 'kekGrants']);

function requireAdmin(request: FastifyRequest): void {
  const principal = request.principal;
  if (isAdmin(principal)) return;
  throw new ShiftleftError('FORBIDDEN', `${describePrincipal(principal!)} is not an admin key: the admin API /v1/api-keys needs one`, {
    hint: 'use the admin key printed by the first `shiftleft up --auth`, or create one with `shiftleft apikey create --admin` while the platform is stopped',
  });
}

function createRequest(body: Record<string, unknown>): ApiKeyRequest {
  const unknown = Object.keys(body).filter((k) => !CREATE_FIELDS.has(k));
  if (unknown.length > 0) {
    throw new ShiftleftError('INVALID_ARGUMENT', `unknown field(s) ${unknown.map((k) => `'${k}'`).join(', ')} in an API key request`, {
      hint: 'the fields are description, admin and kekGrants',
    });
  }
  return body as ApiKeyRequest;
}

export function registerApiKeyRoutes(app: FastifyInstance, keys: ApiKeyStore): void {
  const admin = { preHandler: async (request: FastifyRequest) => requireAdmin(request) };
  app.get('/v1/api-keys', admin, async () => keys.list());
  app.post('/v1/api-keys', admin, async (request, reply) => reply.status(201).send(await keys.create(createRequest(jsonObjectBody(request)))));
  app.get('/v1/api-keys/:key', admin, async (request) => {
    const key = validateApiKeyId(param(request, 'key'));
    const info = keys.get(key);
    if (!info) throw unknownKey(key);
    return info;
  });
  app.delete('/v1/api-keys/:key', admin, async (request, reply) => {
    await keys.delete(validateApiKeyId(param(request, 'key')));
    return reply.status(204).send();
  });
}
