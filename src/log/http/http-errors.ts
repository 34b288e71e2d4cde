/**
 * Turns the platform API's error answers back into ShiftleftErrors, so a caller of
 * HttpLogClient sees exactly the error the log raised inside the platform (same code, message,
 * hint and details), and a platform that cannot be reached into BROKER_UNAVAILABLE.
 */
import { ErrorCodes, ShiftleftError, type ErrorCode } from '../../common/errors.ts';

const KNOWN_CODES = new Set<string>(ErrorCodes);

/** For answers without our `code` (a proxy, fastify's own refusals): the nearest code by status. */
function codeForStatus(status: number): ErrorCode {
  if (status === 400) return 'MALFORMED_REQUEST';
  if (status === 401) return 'UNAUTHENTICATED';
  if (status === 403) return 'FORBIDDEN';
  if (status === 404) return 'NOT_FOUND';
  if (status === 409) return 'CONFLICT';
  if (status === 413) return 'RECORD_TOO_LARGE';
  if (status === 422) return 'INVALID_ARGUMENT';
  if (status === 502 || status === 503 || status === 504) return 'BROKER_UNAVAILABLE';
  return 'INTERNAL';
}

interface ErrorAnswer {
  code?: unknown;
  message?: unknown;
  hint?: unknown;
  details?: unknown;
}

export function errorFromAnswer(status: number, text: string, request: string): ShiftleftError {
  let body: ErrorAnswer = {};
  try {
    const parsed: unknown = JSON.parse(text);
    if (parsed && typeof parsed === 'object') body = parsed as ErrorAnswer;
  } catch {
    /* not JSON: keep the raw text as the message below */
  }
  const code = typeof body.code === 'string' && KNOWN_CODES.has(body.code) ? (body.code as ErrorCode) : codeForStatus(status);
  const message = typeof body.message === 'string' ? body.message : `${request} answered HTTP ${status}${text ? `: ${text.slice(0, 200)}` : ''}`;
  return new ShiftleftError(code, message, {
    hint: typeof body.hint === 'string' ? body.hint : undefined,
    details: body.details && typeof body.details === 'object' ? (body.details as Record<string, unknown>) : { status },
  });
}

/** The platform did not answer at all (refused connection, reset, DNS...). */
export function unreachable(baseUrl: string, cause: unknown): ShiftleftError {
  const reason = (cause as { cause?: { code?: string; message?: string } })?.cause;
  const what = reason?.code ?? reason?.message ?? (cause instanceof Error ? cause.message : String(cause));
  return new ShiftleftError('BROKER_UNAVAILABLE', `the platform at ${baseUrl} does not answer (${what})`, {
    hint: 'check that `shiftleft up` is running and listening at that URL; if it was killed, rerun the command to use the data directory directly',
    details: { url: baseUrl },
    cause,
  });
}
