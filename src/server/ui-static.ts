/**
 * The data portal (the single-page app built from `ui/` into `ui/dist`) on the platform port:
 * built files by their path, `index.html` for every other page a browser asks for (the app
 * routes on the client), and the registry same-origin under `/registry/*`.
 *
 * API routes keep priority: they are more specific than the catch-all here, and an unknown
 * `/v1/...` or `/registry/...` path, or any request that does not ask for HTML, still gets the
 * JSON 404. When `ui/dist` was never built, pages answer with how to build it.
 */
import { existsSync, statSync } from 'node:fs';
import { join, normalize, sep } from 'node:path';
import { fileURLToPath } from 'node:url';
import fastifyStatic from '@fastify/static';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { registerRegistryProxy, REGISTRY_PROXY_PREFIX } from './routes/registry-proxy.ts';

/** Where `npm install` (the `prepare` script) builds the portal. */
export const DEFAULT_UI_DIR = fileURLToPath(new URL('../../ui/dist/', import.meta.url));
export const UI_BUILD_COMMAND = 'npm run build:ui';

/** Paths that belong to APIs: never answered with the app's page. */
const API_PREFIXES = ['/v1/', '/v1', `${REGISTRY_PROXY_PREFIX}/`, '/health', '/metrics'];

export interface PortalUiOptions {
  /** The built app; defaults to ui/dist of this checkout. */
  uiDir?: string;
  /** The registry URL the `/registry/*` proxy forwards to. */
  registryUrl: () => string | undefined;
}

export type PortalUiStatus = { built: true; uiDir: string } | { built: false; uiDir: string; hint: string };

export function portalUiStatus(uiDir = DEFAULT_UI_DIR): PortalUiStatus {
  if (existsSync(join(uiDir, 'index.html'))) return { built: true, uiDir };
  return { built: false, uiDir, hint: `the data portal is not built (no ${join(uiDir, 'index.html')}): run \`${UI_BUILD_COMMAND}\` (npm install does it) and restart` };
}

/** One line for `shiftleft up` and the demo to print next to the API URLs. */
export function portalUiLine(platformUrl: string, uiDir = DEFAULT_UI_DIR): string {
  const status = portalUiStatus(uiDir);
  return status.built ? `data portal       ${platformUrl}/` : `data portal       not built: ${status.hint}`;
}

function isApiPath(url: string): boolean {
  const path = url.split('?')[0]!;
  return API_PREFIXES.some((prefix) => path === prefix || (prefix.endsWith('/') && path.startsWith(prefix)));
}

function wantsHtml(request: FastifyRequest): boolean {
  return (request.headers.accept ?? '').includes('text/html');
}

/** The file under `root` a URL path names, if it is one (never outside root). */
function builtFile(root: string, url: string): string | undefined {
  let path: string;
  try {
    path = decodeURIComponent(url.split('?')[0]!);
  } catch {
    return undefined;
  }
  const relative = normalize(path).replace(/^[/\\]+/, '');
  if (relative === '' || relative.startsWith('..')) return undefined;
  const full = join(root, relative);
  if (!full.startsWith(root.endsWith(sep) ? root : root + sep)) return undefined;
  try {
    return statSync(full).isFile() ? relative : undefined;
  } catch {
    return undefined;
  }
}

function notBuiltPage(hint: string): string {
  const escaped = hint.replace(/&/g, '&amp;').replace(/</g, '&lt;');
  return `<!doctype html><meta charset="utf-8"><title>shiftleft portal</title><body style="font-family:system-ui;margin:3rem"><h1>The data portal is not built</h1><p>${escaped}</p><p>The APIs work: <a href="/health">/health</a>, <code>/v1/...</code></p></body>`;
}

export function registerPortalUi(app: FastifyInstance, options: PortalUiOptions): void {
  registerRegistryProxy(app, options.registryUrl);
  const uiDir = options.uiDir ?? DEFAULT_UI_DIR;
  // decorateReply only: files are served by the route below, which knows the app's own fallback.
  void app.register(fastifyStatic, { root: uiDir, serve: false });

  const serve = async (request: FastifyRequest, reply: FastifyReply) => {
    if (isApiPath(request.url)) return reply.callNotFound();
    const status = portalUiStatus(uiDir);
    if (!status.built) {
      if (!wantsHtml(request)) return reply.callNotFound();
      return reply.status(503).type('text/html; charset=utf-8').send(notBuiltPage(status.hint));
    }
    const file = builtFile(uiDir, request.url);
    // The portal's root is a page whatever the client accepts (curl sends */*).
    if (!file && request.url.split('?')[0] === '/') return reply.header('cache-control', 'no-cache').sendFile('index.html', { cacheControl: false });
    // A missing asset is a 404, never the page (a browser would try to run HTML as a script).
    if (!file && request.url.startsWith('/assets/')) return reply.callNotFound();
    // Hashed asset names change with their content: cache them for good, never the page.
    if (file?.startsWith('assets/')) return reply.sendFile(file, { maxAge: '365d', immutable: true });
    if (file) return reply.header('cache-control', 'no-cache').sendFile(file, { cacheControl: false });
    if (!wantsHtml(request)) return reply.callNotFound();
    return reply.header('cache-control', 'no-cache').sendFile('index.html', { cacheControl: false });
  };
  app.get('/', serve);
  app.get('/*', serve);
}
