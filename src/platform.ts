/**
 * The composition root of the embedded platform: one data directory (locked), the embedded log
 * in it, the registry on the log, and the HTTP servers. `startPlatform` opens them in
 * dependency order; `close` (or a failed start) closes them in the reverse order.
 */
import type { FastifyInstance } from 'fastify';
import { DataDirectory } from './common/data-dir.ts';
import { ShiftleftError } from './common/errors.ts';
import { getSchemaProvider } from './formats/index.ts';
import { EmbeddedLog } from './log/embedded/embedded-log.ts';
import { Registry } from './registry/registry.ts';
import { createPlatformApp } from './server/platform-app.ts';
import { createRegistryApp } from './server/registry-app.ts';

export interface PlatformOptions {
  dataDir: string;
  /** The platform API; 0 picks a free port. */
  port?: number;
  /** The Confluent-compatible registry API; 0 picks a free port. */
  registryPort?: number;
  host?: string;
  /** Secret of the embedded local KMS for shared KEKs; defaults to env SHIFTLEFT_LOCAL_KMS_SECRET. */
  localKmsSecret?: string;
}

export interface PlatformUrls extends Record<string, string> {
  platform: string;
  registry: string;
}

export interface RunningPlatform {
  urls: PlatformUrls;
  dataDir: DataDirectory;
  log: EmbeddedLog;
  registry: Registry;
  close(): Promise<void>;
}

export async function startPlatform(options: PlatformOptions): Promise<RunningPlatform> {
  const host = options.host ?? '127.0.0.1';
  // Closers of what is open so far, run last-first on close or on a failed start.
  const closers: (() => Promise<void>)[] = [];
  const closeAll = async () => {
    while (closers.length > 0) await closers.pop()!();
  };
  try {
    const dataDir = await DataDirectory.open(options.dataDir);
    closers.push(() => dataDir.close());
    const log = await EmbeddedLog.open({ dir: dataDir.logDir });
    closers.push(() => log.close());
    const registry = await Registry.open(log, {
      providers: getSchemaProvider,
      ...(options.localKmsSecret !== undefined && { localKmsSecret: options.localKmsSecret }),
    });
    closers.push(() => registry.close());

    const registryApp = createRegistryApp(registry);
    const registryUrl = await listen(registryApp, options.registryPort ?? 8081, host, '--registry-port');
    closers.push(() => registryApp.close());
    const urls: PlatformUrls = { platform: '', registry: registryUrl };
    const platformApp = createPlatformApp({ log, registry, urls: () => ({ ...urls }) });
    urls.platform = await listen(platformApp, options.port ?? 8080, host, '--port');
    closers.push(() => platformApp.close());

    dataDir.publish({ urls });
    let closing: Promise<void> | undefined;
    return { urls, dataDir, log, registry, close: () => (closing ??= closeAll()) };
  } catch (error) {
    await closeAll().catch(() => undefined);
    throw error;
  }
}

async function listen(app: FastifyInstance, port: number, host: string, option: string): Promise<string> {
  try {
    await app.listen({ port, host });
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    if (code === 'EADDRINUSE' || code === 'EACCES' || code === 'EADDRNOTAVAIL') {
      throw new ShiftleftError('INVALID_CONFIG', `cannot listen on ${host}:${port}: ${(error as Error).message}`, {
        hint: `choose another port with ${option} (0 picks a free one) or stop the process using it`,
        cause: error,
      });
    }
    throw error;
  }
  const address = app.server.address();
  const actualPort = typeof address === 'object' && address !== null ? address.port : port;
  // IPv6 hosts need brackets in URLs.
  const urlHost = host.includes(':') ? `[${host}]` : host;
  return `http://${urlHost}:${actualPort}`;
}
