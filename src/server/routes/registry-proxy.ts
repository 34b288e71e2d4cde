/**
 * The registry and catalog APIs under `/registry/*` on the platform port, so the data portal
 * (served from this port) reaches them same-origin: `/registry/subjects` → `<registry>/subjects`.
 *
 * A proxy rather than CORS on the registry app: the browser needs one origin only (one port to
 * forward through a tunnel or a proxy, no preflight requests, no allowed-origins list to get
 * wrong), and whatever guards the platform port guards the portal's registry calls too.
 */
import type { FastifyInstance, FastifyRequest } from 'fastify';
import { ShiftleftError } from '../../common/errors.ts';

export const REGISTRY_PROXY_PREFIX = '/registry';
const TIMEOUT_MS = 30_000;
/** Request headers worth passing on; hop-by-hop and host headers are not. */
const FORWARDED_HEADERS = ['accept', 'authorization'];

function upstreamUrl(registryUrl: string, request: FastifyRequest): string {
  const path = request.url.slice(REGISTRY_PROXY_PREFIX.length) || '/';
  return registryUrl.replace(/\/$/, '') + (path.startsWith('/') ? path : `/${path}`);
}

export function registerRegistryProxy(app: FastifyInstance, registryUrl: () => string | undefined): void {
  app.route({
    method: ['GET', 'POST', 'PUT', 'DELETE'],
    url: `${REGISTRY_PROXY_PREFIX}/*`,
    handler: async (request, reply) => {
      const base = registryUrl();
      if (!base) throw new ShiftleftError('CLOSED', 'the schema registry is not listening yet', { hint: 'retry in a moment' });
      const headers: Record<string, string> = {};
      for (const name of FORWARDED_HEADERS) {
        const value = request.headers[name];
        if (typeof value === 'string') headers[name] = value;
      }
      // The platform app parsed the JSON body already (installJsonBodies): send it on as JSON.
      const hasBody = request.body !== undefined && request.method !== 'GET';
      if (hasBody) headers['content-type'] = 'application/vnd.schemaregistry.v1+json';
      const target = upstreamUrl(base, request);
      let response: Response;
      try {
        response = await fetch(target, { method: request.method, headers, body: hasBody ? JSON.stringify(request.body) : undefined, signal: AbortSignal.timeout(TIMEOUT_MS) });
      } catch (error) {
        throw new ShiftleftError('CLOSED', `the schema registry at ${base} did not answer ${request.method} ${target.slice(base.length)}: ${(error as Error).message}`, {
          hint: 'check that the platform is still running (shiftleft up)',
          cause: error,
        });
      }
      const body = Buffer.from(await response.arrayBuffer());
      reply.status(response.status);
      const type = response.headers.get('content-type');
      if (type) reply.type(type);
      return reply.send(body);
    },
  });
}
