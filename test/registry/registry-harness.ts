/**
 * A real registry for tests: an EmbeddedLog in a temporary directory, the Registry on it, and
 * its HTTP app listening on 127.0.0.1 at a free port. `restart` closes everything but the
 * directory and opens it again, to prove the state survives.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { FastifyInstance } from 'fastify';
import { EmbeddedLog } from '../../src/log/embedded/embedded-log.ts';
import { Registry } from '../../src/registry/registry.ts';
import type { SchemaProviders } from '../../src/registry/schema-parsing.ts';
import { createRegistryApp } from '../../src/server/registry-app.ts';
import { getSchemaProvider } from '../../src/formats/index.ts';

export const TEST_LOCAL_SECRET = 'test-only-local-kms-secret';

export interface RunningRegistry {
  url: string;
  registry: Registry;
  log: EmbeddedLog;
  app: FastifyInstance;
  dir: string;
  /** Closes server, registry and log, then reopens them on the same directory (new port). */
  restart(): Promise<RunningRegistry>;
  close(): Promise<void>;
  /** Closes and removes the directory. */
  destroy(): Promise<void>;
}

export function testProviders(): SchemaProviders {
  return getSchemaProvider;
}

export async function startRegistry(dir?: string): Promise<RunningRegistry> {
  const logDir = dir ?? (await mkdtemp(join(tmpdir(), 'shiftleft-registry-')));
  const log = await EmbeddedLog.open({ dir: logDir, maintenanceIntervalMs: 0 });
  const registry = await Registry.open(log, { providers: testProviders(), localKmsSecret: TEST_LOCAL_SECRET });
  const app = createRegistryApp(registry);
  const url = await app.listen({ port: 0, host: '127.0.0.1' });
  const close = async () => {
    await app.close();
    await registry.close();
    await log.close();
  };
  return {
    url,
    registry,
    log,
    app,
    dir: logDir,
    close,
    restart: async () => {
      await close();
      return startRegistry(logDir);
    },
    destroy: async () => {
      await close();
      await rm(logDir, { recursive: true, force: true });
    },
  };
}

/** fetch with the registry's media type; returns status and parsed JSON body. */
// eslint-disable-next-line @typescript-eslint/no-explicit-any -- tests read arbitrary JSON answers
export async function call(base: string, method: string, path: string, body?: unknown, rawBody?: string): Promise<{ status: number; body: any; contentType: string | null }> {
  const response = await fetch(`${base}${path}`, {
    method,
    headers: { 'Content-Type': 'application/vnd.schemaregistry.v1+json' },
    ...(rawBody !== undefined ? { body: rawBody } : body !== undefined ? { body: JSON.stringify(body) } : {}),
  });
  const text = await response.text();
  let parsed: unknown = text;
  try {
    parsed = text.length ? JSON.parse(text) : undefined;
  } catch {
    /* a raw schema or an empty 204 */
  }
  return { status: response.status, body: parsed, contentType: response.headers.get('content-type') };
}
