/**
 * What every shiftleft HTTP app shares: JSON bodies under Confluent's media types, errors as
 * `{error_code, message}` through error-responses.ts, and small helpers to read query flags.
 */
import type { FastifyInstance, FastifyRequest } from 'fastify';
import { ShiftleftError, isShiftleftError } from '../common/errors.ts';
import { errorResponse } from './error-responses.ts';

export const REGISTRY_MEDIA_TYPE = 'application/vnd.schemaregistry.v1+json';

/**
 * Parses every request body as JSON whatever its content type (Confluent's clients send
 * `application/vnd.schemaregistry.v1+json`, curl users often `application/json` or nothing),
 * and turns a syntax error into MALFORMED_REQUEST instead of fastify's own error shape.
 */
export function installJsonBodies(app: FastifyInstance): void {
  app.removeAllContentTypeParsers();
  app.addContentTypeParser('*', { parseAs: 'string', bodyLimit: 16 * 1024 * 1024 }, (_request, body, done) => {
    const text = typeof body === 'string' ? body : body.toString('utf8');
    if (text.trim().length === 0) {
      done(null, undefined);
      return;
    }
    try {
      done(null, JSON.parse(text));
    } catch (error) {
      done(new ShiftleftError('MALFORMED_REQUEST', `Malformed JSON request body: ${(error as Error).message}`), undefined);
    }
  });
}

/** Sends every error as `{error_code, message}` with the status error-responses.ts chooses. */
export function installErrorHandling(app: FastifyInstance, mediaType = 'application/json'): void {
  app.setErrorHandler((error, _request, reply) => {
    if (isShiftleftError(error)) {
      const { status, body } = errorResponse(error);
      return reply.status(status).type(mediaType).send(body);
    }
    // fastify's own errors (body too large, bad content length, ...) keep their 4xx status.
    const statusCode = (error as { statusCode?: number }).statusCode;
    if (statusCode !== undefined && statusCode >= 400 && statusCode < 500) {
      return reply.status(statusCode).type(mediaType).send({ error_code: statusCode, message: (error as Error).message });
    }
    const { status, body } = errorResponse(error);
    return reply.status(status).type(mediaType).send(body);
  });
  app.setNotFoundHandler((request, reply) => {
    return reply.status(404).type(mediaType).send({ error_code: 404, message: `HTTP 404 Not Found: ${request.method} ${request.url}` });
  });
}

type Query = Record<string, string | string[] | undefined>;

function first(value: string | string[] | undefined): string | undefined {
  return Array.isArray(value) ? value[0] : value;
}

/** A boolean query parameter: `?deleted=true` (or a bare `?deleted`). */
export function queryFlag(request: FastifyRequest, name: string): boolean {
  const value = first((request.query as Query)[name]);
  return value !== undefined && (value === '' || value.toLowerCase() === 'true');
}

export function queryString(request: FastifyRequest, name: string): string | undefined {
  const value = first((request.query as Query)[name]);
  return value === undefined || value === '' ? undefined : value;
}

/** Every value of a repeated query parameter (`?associationType=key&associationType=value`). */
export function queryList(request: FastifyRequest, name: string): string[] {
  const value = (request.query as Query)[name];
  return value === undefined ? [] : Array.isArray(value) ? value : [value];
}

export function param(request: FastifyRequest, name: string): string {
  return (request.params as Record<string, string>)[name] ?? '';
}

/** The request body as an object, or MALFORMED_REQUEST. */
export function jsonObjectBody(request: FastifyRequest): Record<string, unknown> {
  const body = request.body;
  if (typeof body !== 'object' || body === null || Array.isArray(body)) {
    throw new ShiftleftError('MALFORMED_REQUEST', 'the request body must be a JSON object');
  }
  return body as Record<string, unknown>;
}
