/**
 * Compatibility configuration (`/config[/{subject}]`) and modes (`/mode[/{subject}]`), global
 * and per subject.
 */
import type { FastifyInstance } from 'fastify';
import type { Registry } from '../../registry/registry.ts';
import type { RegistryConfig } from '../../registry/types.ts';
import { jsonObjectBody, param, queryFlag } from '../http-support.ts';

/** Confluent returns `compatibilityLevel` on GET and echoes `compatibility` on PUT. */
function configView(config: RegistryConfig, levelField: 'compatibilityLevel' | 'compatibility'): Record<string, unknown> {
  const { compatibilityLevel, ...rest } = config;
  return { ...(compatibilityLevel && { [levelField]: compatibilityLevel }), ...rest };
}

export function registerConfigRoutes(app: FastifyInstance, registry: Registry): void {
  const settings = registry.settings;

  app.get('/config', async () => configView(settings.getConfig(null), 'compatibilityLevel'));
  app.put('/config', async (request) => configView(await settings.setConfig(null, jsonObjectBody(request)), 'compatibility'));
  app.delete('/config', async () => configView(await settings.deleteConfig(null), 'compatibilityLevel'));

  app.get('/config/:subject', async (request) =>
    configView(settings.getConfig(param(request, 'subject'), queryFlag(request, 'defaultToGlobal')), 'compatibilityLevel'),
  );
  app.put('/config/:subject', async (request) => configView(await settings.setConfig(param(request, 'subject'), jsonObjectBody(request)), 'compatibility'));
  app.delete('/config/:subject', async (request) => configView(await settings.deleteConfig(param(request, 'subject')), 'compatibilityLevel'));

  app.get('/mode', async () => ({ mode: settings.getMode(null) }));
  app.put('/mode', async (request) => ({ mode: await settings.setMode(null, jsonObjectBody(request).mode, queryFlag(request, 'force')) }));
  app.delete('/mode', async () => ({ mode: await settings.deleteMode(null) }));

  app.get('/mode/:subject', async (request) => ({ mode: settings.getMode(param(request, 'subject'), queryFlag(request, 'defaultToGlobal')) }));
  app.put('/mode/:subject', async (request) => ({
    mode: await settings.setMode(param(request, 'subject'), jsonObjectBody(request).mode, queryFlag(request, 'force')),
  }));
  app.delete('/mode/:subject', async (request) => ({ mode: await settings.deleteMode(param(request, 'subject')) }));
}
