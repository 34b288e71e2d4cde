/**
 * How CLI commands reach the schema registry (and, when they need both, the log).
 *
 * The data directory has one owner (ARCHITECTURE.md). When `shiftleft up` owns it, its LOCK file
 * names the registry URL and commands talk to that registry over HTTP. When nothing runs there,
 * a command starts the platform in-process on free loopback ports for its own duration, uses it
 * through the very same HTTP API, and stops it afterwards: one code path in both situations.
 *
 * Commands that need the log as well as the registry (`topic produce --format ...`) use the
 * running platform's log over HTTP (context.ts), or the in-process platform's log.
 */
import type { Command } from 'commander';
import { readLiveLock } from '../common/data-dir.ts';
import { ShiftleftError, type ErrorCode } from '../common/errors.ts';
import type { LogClient } from '../log/log-client.ts';
import { connectToRunningPlatform, dataDirOf } from './context.ts';
import { apiKeyHeaders } from '../server/auth/client-credentials.ts';

const MEDIA_TYPE = 'application/vnd.schemaregistry.v1+json';

/** Confluent's error_code values, back to our codes (the inverse of src/server/error-responses.ts). */
const CODE_BY_REGISTRY_ERROR: Record<number, ErrorCode> = {
  400: 'MALFORMED_REQUEST',
  401: 'UNAUTHENTICATED',
  403: 'FORBIDDEN',
  404: 'NOT_FOUND',
  409: 'INCOMPATIBLE_SCHEMA',
  40401: 'SUBJECT_NOT_FOUND',
  40402: 'VERSION_NOT_FOUND',
  40403: 'SCHEMA_NOT_FOUND',
  40404: 'SUBJECT_SOFT_DELETED',
  40405: 'SUBJECT_NOT_SOFT_DELETED',
  40406: 'SCHEMA_VERSION_SOFT_DELETED',
  40407: 'SCHEMA_VERSION_NOT_SOFT_DELETED',
  40408: 'SUBJECT_CONFIG_NOT_FOUND',
  40409: 'SUBJECT_MODE_NOT_FOUND',
  42201: 'INVALID_SCHEMA',
  42202: 'INVALID_VERSION',
  42203: 'INVALID_COMPATIBILITY_LEVEL',
  42204: 'INVALID_MODE',
  42205: 'OPERATION_NOT_PERMITTED',
  42206: 'REFERENCE_EXISTS',
  422: 'INVALID_ARGUMENT',
};

/** What to do next, for the registry errors a CLI user meets most. */
const HINTS: Partial<Record<ErrorCode, string>> = {
  SUBJECT_NOT_FOUND: 'list subjects with `shiftleft schema list`, or register one with `shiftleft schema register SUBJECT --file F`',
  VERSION_NOT_FOUND: 'list versions with `shiftleft schema get SUBJECT --format json`, or use --version latest',
  SCHEMA_NOT_FOUND: 'the schema id is unknown to this registry',
  SUBJECT_SOFT_DELETED: 'the subject was deleted; `--deleted` shows it, `schema delete SUBJECT --permanent` removes it for good',
  SUBJECT_NOT_SOFT_DELETED: 'a permanent delete needs a soft delete first: run the same command without --permanent, then with it',
  SCHEMA_VERSION_NOT_SOFT_DELETED: 'a permanent delete needs a soft delete first: run the same command without --permanent, then with it',
  INCOMPATIBLE_SCHEMA: 'see every incompatibility with `shiftleft schema check SUBJECT --file F`, or change the level with `shiftleft schema config SUBJECT --compatibility LEVEL`',
  INVALID_SCHEMA: 'fix the schema (or its rules and metadata) and register it again; --type must match the file (AVRO, JSON or PROTOBUF)',
  INVALID_COMPATIBILITY_LEVEL: 'use one of NONE, BACKWARD, BACKWARD_TRANSITIVE, FORWARD, FORWARD_TRANSITIVE, FULL, FULL_TRANSITIVE',
  REFERENCE_EXISTS: 'other schemas reference this one; delete them first',
  OPERATION_NOT_PERMITTED: 'the registry or subject mode forbids this (READONLY or IMPORT)',
};

/** A small client of the Confluent-compatible registry API, with errors as ShiftleftErrors. */
export class RegistryHttp {
  constructor(readonly url: string) {}

  async request<T>(method: 'GET' | 'POST' | 'PUT' | 'DELETE', path: string, body?: unknown): Promise<T> {
    let response: Response;
    try {
      response = await fetch(`${this.url}${path}`, {
        method,
        headers: { 'Content-Type': MEDIA_TYPE, Accept: MEDIA_TYPE, ...apiKeyHeaders() },
        ...(body !== undefined && { body: JSON.stringify(body) }),
      });
    } catch (error) {
      // No dedicated "registry unavailable" code exists; the log's one means the same: the server is down.
      throw new ShiftleftError('BROKER_UNAVAILABLE', `cannot reach the schema registry at ${this.url}: ${(error as Error).message}`, {
        hint: 'is the platform still running? start it with `shiftleft up`, or stop it so commands run it in-process',
        cause: error,
      });
    }
    const text = await response.text();
    let parsed: unknown = undefined;
    if (text.length > 0) {
      try {
        parsed = JSON.parse(text);
      } catch {
        parsed = text; // a raw schema (PROTOBUF) or a non-JSON error page
      }
    }
    if (!response.ok) throw registryError(response.status, parsed, `${method} ${path}`);
    return parsed as T;
  }
}

function registryError(status: number, body: unknown, what: string): ShiftleftError {
  const errorBody = typeof body === 'object' && body !== null ? (body as { error_code?: number; message?: string }) : {};
  const errorCode = errorBody.error_code ?? status;
  const code = CODE_BY_REGISTRY_ERROR[errorCode] ?? (status >= 500 ? 'INTERNAL' : 'INVALID_ARGUMENT');
  const message = errorBody.message ?? (typeof body === 'string' && body.length > 0 ? body : `HTTP ${status}`);
  return new ShiftleftError(code, message, {
    hint: HINTS[code] ?? (errorBody as { hint?: string }).hint ?? (status >= 500 ? 'the registry failed; its log may say more' : undefined),
    details: { status, errorCode, request: what },
  });
}

/** The registry URL of a platform running on the data directory, if one runs and has published it. */
export function runningRegistryUrl(dataDir: string): string | undefined {
  return readLiveLock(dataDir)?.urls.registry;
}

/**
 * Runs `work` with the registry of the platform on the command's data directory: the running
 * one, or one started in-process for the duration of the command.
 */
export async function withRegistry<T>(command: Command, work: (registry: RegistryHttp) => Promise<T>): Promise<T> {
  const dataDir = dataDirOf(command);
  const url = runningRegistryUrl(dataDir);
  if (url) return work(new RegistryHttp(url));
  return withInProcessPlatform(dataDir, ({ registryUrl }) => work(new RegistryHttp(registryUrl)));
}

export interface PlatformAccess {
  log: LogClient;
  registryUrl: string;
}

/**
 * Runs `work` with both the log and the registry: those of the running platform (its log over
 * HTTP), or of one started in-process for the duration of the command.
 */
export async function withLogAndRegistry<T>(command: Command, work: (access: PlatformAccess) => Promise<T>): Promise<T> {
  const dataDir = dataDirOf(command);
  const running = await connectToRunningPlatform(dataDir);
  if (!running) return withInProcessPlatform(dataDir, work);
  try {
    const registryUrl = running.urls.registry;
    if (!registryUrl) {
      throw new ShiftleftError('BROKER_UNAVAILABLE', `the platform of process ${running.pid} on ${dataDir} publishes no schema registry URL`, {
        hint: 'restart it with `shiftleft up`',
        details: { pid: running.pid, urls: running.urls },
      });
    }
    return await work({ log: running.log, registryUrl });
  } finally {
    await running.log.close();
  }
}

async function withInProcessPlatform<T>(dataDir: string, work: (access: PlatformAccess) => Promise<T>): Promise<T> {
  // The platform is loaded only here: against a running one, commands need nothing but HTTP.
  const { startPlatform } = await import('../platform.ts');
  // Loopback and free ports: the in-process platform serves this command only.
  const platform = await startPlatform({ dataDir, port: 0, registryPort: 0, host: '127.0.0.1' });
  try {
    for (const problem of platform.log.recoveryProblems) process.stderr.write(`warning: ${problem.file}: ${problem.detail}\n`);
    return await work({ log: platform.log, registryUrl: platform.urls.registry });
  } finally {
    await platform.close();
  }
}
