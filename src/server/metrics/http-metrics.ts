/**
 * Requests served by the platform's HTTP apps (platform API, registry API): a count and a
 * latency histogram per app, method, route and status. The route is fastify's pattern
 * (`/subjects/:subject/versions`), never the URL, so the label set stays bounded; requests no
 * route matched share `route="(unmatched)"`.
 *
 * The apps are created at different times (the registry listens before the platform app
 * exists), so this object is made first, each app is instrumented before it listens, and
 * registerMetricsRoute registers its metrics with the scrape.
 */
import type { FastifyInstance } from 'fastify';
import { Counter, Histogram, type Registry } from 'prom-client';

type HttpLabel = 'app' | 'method' | 'route' | 'status';
const LABELS: HttpLabel[] = ['app', 'method', 'route', 'status'];

export const UNMATCHED_ROUTE = '(unmatched)';

export class HttpMetrics {
  private readonly requests = new Counter<HttpLabel>({ name: 'shiftleft_http_requests_total', help: 'HTTP requests answered, by app, method, route pattern and status', labelNames: LABELS, registers: [] });
  private readonly duration = new Histogram<HttpLabel>({
    name: 'shiftleft_http_request_duration_seconds',
    help: 'Time from receiving an HTTP request to the end of its answer, by app, method, route pattern and status',
    labelNames: LABELS,
    buckets: [0.001, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30],
    registers: [],
  });

  /** Counts every answer of `app` under `app="<name>"`; call before the app listens. */
  instrument(app: FastifyInstance, name: string): void {
    app.addHook('onResponse', async (request, reply) => {
      const labels = { app: name, method: request.method, route: request.routeOptions.url ?? UNMATCHED_ROUTE, status: String(reply.statusCode) };
      this.requests.inc(labels);
      this.duration.observe(labels, reply.elapsedTime / 1000);
    });
  }

  registerIn(registry: Registry): void {
    registry.registerMetric(this.requests);
    registry.registerMetric(this.duration);
  }
}
