/**
 * REST routes of the connector runtime, shaped like Kafka Connect's API, for the platform app
 * to register (`registerConnectorRoutes(app, runtime)`). Errors are ShiftleftErrors: the app's
 * error handler maps their codes to HTTP statuses (src/server/error-responses.ts).
 *
 *   GET    /v1/connector-types             types with their config JSON Schemas
 *   GET    /v1/connectors                  every connector's status
 *   POST   /v1/connectors                  create: { name, type, config } → status (201)
 *   POST   /v1/connectors/validate         check a spec without creating it
 *   GET    /v1/connectors/:name            status
 *   PUT    /v1/connectors/:name/pause      status
 *   PUT    /v1/connectors/:name/resume     status
 *   DELETE /v1/connectors/:name            { name, deleted: true }
 *
 * POST /v1/connectors waits for the first start attempt (a CDC source: its initial snapshot),
 * so the answer says RUNNING or FAILED with the reason rather than "accepted".
 */
import type { FastifyInstance, FastifyRequest } from 'fastify';
import type { ConnectorRuntime } from './connector-runtime.ts';

function nameOf(request: FastifyRequest): string {
  return (request.params as { name: string }).name;
}

export function registerConnectorRoutes(app: FastifyInstance, runtime: ConnectorRuntime): void {
  app.get('/v1/connector-types', async () => runtime.listTypes());
  app.get('/v1/connectors', async () => runtime.list());
  app.post('/v1/connectors', async (request, reply) => reply.status(201).send(await runtime.create(request.body)));
  app.post('/v1/connectors/validate', async (request) => runtime.validate(request.body));
  app.get('/v1/connectors/:name', async (request) => runtime.status(nameOf(request)));
  app.put('/v1/connectors/:name/pause', async (request) => runtime.pause(nameOf(request)));
  app.put('/v1/connectors/:name/resume', async (request) => runtime.resume(nameOf(request)));
  app.delete('/v1/connectors/:name', async (request) => runtime.delete(nameOf(request)));
}
