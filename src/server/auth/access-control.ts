/**
 * Access control of the platform's HTTP apps (`shiftleft up --auth`): every route but
 * `GET /health` needs an API key (credentials.ts), checked against the ApiKeyStore; the
 * request then carries its `principal` (principal.ts). Missing or wrong credentials are
 * UNAUTHENTICATED (401, with `WWW-Authenticate`), a valid key lacking a permission FORBIDDEN
 * (403); error-responses.ts maps them, like every other error.
 *
 * The platform's own parts (connectors, statements, contract checks) call its registry over
 * HTTP with Confluent's client, which knows nothing of our principals. They get a capability
 * URL instead (`internalUrl`): the public URL plus `/_internal/<random token>`, a token that
 * lives only in this process's memory. The apps strip that prefix before routing and treat the
 * request as the platform's own. Error bodies redact the token (redact.ts).
 *
 * Permission to use a KEK is a grant: the DEK registry hands out the plaintext key material of
 * a shared KEK's DEKs only to principals holding a grant for that KEK (others get the DEK
 * without `keyMaterial`, as for a non-shared KEK, and so read ciphertext).
 */
import { randomBytes, timingSafeEqual } from 'node:crypto';
import type { IncomingMessage } from 'node:http';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { ShiftleftError } from '../../common/errors.ts';
import { API_KEYS_TOPIC, type ApiKeyStore } from './api-key-store.ts';
import { AUTH_CHALLENGES, readAuthorization } from './credentials.ts';
import { canDecrypt, PLATFORM_PRINCIPAL } from './principal.ts';

const INTERNAL_PREFIX = '/_internal/';
/** Routes anyone may call: they reveal nothing (health: status, log kind, public URLs). */
const OPEN_ROUTES = new Set(['GET /health', 'HEAD /health']);
const HOW_TO_AUTHENTICATE =
  'send an API key as HTTP Basic auth KEY:SECRET (curl -u KEY:SECRET) or `Authorization: Bearer KEY:SECRET`; ' +
  'shiftleft commands send $SHIFTLEFT_API_KEY and $SHIFTLEFT_API_SECRET; `shiftleft apikey create` makes a key';

export class AccessControl {
  private readonly token = randomBytes(32).toString('base64url');
  /** Requests that came through the capability URL: the platform's own. */
  private readonly platformRequests = new WeakSet<IncomingMessage>();

  constructor(readonly keys: ApiKeyStore) {}

  /** The URL the platform's own parts use to call an app listening at `publicUrl`. Never print it. */
  internalUrl(publicUrl: string): string {
    return `${publicUrl.replace(/\/+$/, '')}${INTERNAL_PREFIX}${this.token}`;
  }

  /** Fastify server options of an app under access control (pass them to `Fastify(...)`). */
  serverOptions(): { rewriteUrl: (request: IncomingMessage) => string } {
    return { rewriteUrl: (request) => this.rewriteUrl(request) };
  }

  /** Adds the checks to an app built with `serverOptions()`. */
  install(app: FastifyInstance): void {
    app.addHook('onRequest', async (request, reply) => this.authenticate(request, reply));
    app.addHook('preHandler', async (request) => protectApiKeysTopic(request));
    app.addHook('preSerialization', async (request: FastifyRequest, _reply: FastifyReply, payload: unknown) => withheldKeyMaterial(request, payload));
  }

  private rewriteUrl(request: IncomingMessage): string {
    const url = request.url ?? '/';
    if (!url.startsWith(INTERNAL_PREFIX)) return url;
    const end = url.slice(INTERNAL_PREFIX.length).search(/[/?]/);
    const tokenEnd = end === -1 ? url.length : INTERNAL_PREFIX.length + end;
    const presented = Buffer.from(url.slice(INTERNAL_PREFIX.length, tokenEnd));
    const expected = Buffer.from(this.token);
    if (presented.length !== expected.length || !timingSafeEqual(presented, expected)) return url;
    this.platformRequests.add(request);
    const rest = url.slice(tokenEnd);
    return rest.startsWith('/') ? rest : `/${rest}`;
  }

  private async authenticate(request: FastifyRequest, reply: FastifyReply): Promise<void> {
    if (this.platformRequests.has(request.raw)) {
      request.principal = PLATFORM_PRINCIPAL;
      return;
    }
    if (OPEN_ROUTES.has(`${request.method} ${request.routeOptions.url}`)) return;
    const presented = readAuthorization(request.headers.authorization);
    if (presented.kind === 'api-key') {
      const principal = await this.keys.authenticate(presented.key, presented.secret);
      if (principal) {
        request.principal = principal;
        return;
      }
    }
    reply.header('www-authenticate', AUTH_CHALLENGES);
    const message =
      presented.kind === 'none'
        ? 'this API needs an API key, and the request has none'
        : presented.kind === 'malformed'
          ? 'the Authorization header is neither HTTP Basic KEY:SECRET nor Bearer KEY:SECRET'
          : 'the API key is unknown (or was deleted) or its secret does not match';
    throw new ShiftleftError('UNAUTHENTICATED', message, { hint: HOW_TO_AUTHENTICATE });
  }
}

/**
 * `_api_keys` holds the keys' hashes and is written only by the key store: over the log API
 * nobody reads or writes it (keys are managed through /v1/api-keys).
 */
function protectApiKeysTopic(request: FastifyRequest): void {
  if (request.principal?.kind !== 'api-key') return;
  const route = request.routeOptions.url ?? '';
  if (!route.startsWith('/v1/topics') && route !== '/v1/records/wait') return;
  const params = request.params as { topic?: unknown } | undefined;
  const body = request.body as { name?: unknown; positions?: { topic?: unknown }[] } | undefined;
  const topics = [params?.topic, body?.name, ...(Array.isArray(body?.positions) ? body.positions.map((p) => p?.topic) : [])];
  if (topics.includes(API_KEYS_TOPIC)) {
    throw new ShiftleftError('FORBIDDEN', `topic ${API_KEYS_TOPIC} is not reachable through the log API`, {
      hint: 'manage API keys with `shiftleft apikey` or the admin API /v1/api-keys',
    });
  }
}

/** DEKs of a shared KEK lose their plaintext `keyMaterial` for principals without a grant. */
function withheldKeyMaterial(request: FastifyRequest, payload: unknown): unknown {
  const route = request.routeOptions.url ?? '';
  if (!route.startsWith('/dek-registry/v1/keks/:name/deks')) return payload;
  const kek = (request.params as { name?: string }).name ?? '';
  if (canDecrypt(request.principal, kek)) return payload;
  const strip = (value: unknown): unknown => {
    if (typeof value !== 'object' || value === null || !('keyMaterial' in value)) return value;
    // eslint-disable-next-line @typescript-eslint/no-unused-vars
    const { keyMaterial, ...rest } = value as Record<string, unknown>;
    return rest;
  };
  return Array.isArray(payload) ? payload.map(strip) : strip(payload);
}
