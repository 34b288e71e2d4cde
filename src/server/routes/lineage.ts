/**
 * `GET /v1/lineage` on the platform API: the stream lineage graph (src/catalog/lineage-graph.ts)
 * derived from the running connectors, statements and data contracts.
 */
import type { FastifyInstance } from 'fastify';
import type { Portal } from '../../catalog/portal.ts';

export function registerLineageRoutes(app: FastifyInstance, portal: Portal): void {
  app.get('/v1/lineage', async () => portal.lineage());
}
