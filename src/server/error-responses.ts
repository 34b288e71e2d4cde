/**
 * THE one place that turns a ShiftleftError into an HTTP answer: a status and, for the
 * registry APIs, Confluent's `{error_code, message}` body, so Confluent's clients react to our
 * errors exactly as to theirs (they switch on the HTTP status and the error_code).
 */
import { isShiftleftError, toShiftleftError, type ErrorCode, type ShiftleftError } from '../common/errors.ts';
import { redactSecrets, redactValue } from './auth/redact.ts';

export interface HttpError {
  status: number;
  /** Confluent's error_code: the status for generic errors, a 5-digit code for registry ones. */
  errorCode: number;
}

const BY_CODE: Partial<Record<ErrorCode, HttpError>> = {
  // generic
  INVALID_ARGUMENT: { status: 422, errorCode: 422 },
  INVALID_CONFIG: { status: 422, errorCode: 422 },
  NOT_FOUND: { status: 404, errorCode: 404 },
  ALREADY_EXISTS: { status: 409, errorCode: 409 },
  CONFLICT: { status: 409, errorCode: 409 },
  UNSUPPORTED: { status: 422, errorCode: 422 },
  TIMEOUT: { status: 500, errorCode: 50002 },
  CLOSED: { status: 503, errorCode: 503 },
  UNAUTHENTICATED: { status: 401, errorCode: 401 },
  FORBIDDEN: { status: 403, errorCode: 403 },
  // Confluent answers a body it cannot deserialize with 400 / error_code 400.
  MALFORMED_REQUEST: { status: 400, errorCode: 400 },
  // log
  TOPIC_NOT_FOUND: { status: 404, errorCode: 40403 },
  TOPIC_ALREADY_EXISTS: { status: 409, errorCode: 409 },
  INVALID_TOPIC_NAME: { status: 422, errorCode: 422 },
  INVALID_TOPIC_CONFIG: { status: 422, errorCode: 422 },
  BROKER_UNAVAILABLE: { status: 500, errorCode: 50001 },
  PARTITION_NOT_FOUND: { status: 404, errorCode: 40402 },
  // The offset exists in no partition yet (or any more): like a range a resource cannot satisfy.
  OFFSET_OUT_OF_RANGE: { status: 416, errorCode: 416 },
  RECORD_TOO_LARGE: { status: 413, errorCode: 413 },
  INVALID_RECORD: { status: 422, errorCode: 422 },
  GROUP_NOT_FOUND: { status: 404, errorCode: 404 },
  INVALID_OFFSET_COMMIT: { status: 422, errorCode: 422 },
  // schema registry
  SUBJECT_NOT_FOUND: { status: 404, errorCode: 40401 },
  VERSION_NOT_FOUND: { status: 404, errorCode: 40402 },
  SCHEMA_NOT_FOUND: { status: 404, errorCode: 40403 },
  SUBJECT_SOFT_DELETED: { status: 404, errorCode: 40404 },
  SUBJECT_NOT_SOFT_DELETED: { status: 404, errorCode: 40405 },
  SCHEMA_VERSION_SOFT_DELETED: { status: 404, errorCode: 40406 },
  SCHEMA_VERSION_NOT_SOFT_DELETED: { status: 404, errorCode: 40407 },
  SUBJECT_CONFIG_NOT_FOUND: { status: 404, errorCode: 40408 },
  SUBJECT_MODE_NOT_FOUND: { status: 404, errorCode: 40409 },
  // Clients only look at the 404 (and then fall back to the {topic}-value subject).
  ASSOCIATION_NOT_FOUND: { status: 404, errorCode: 40401 },
  INCOMPATIBLE_SCHEMA: { status: 409, errorCode: 409 },
  INVALID_SCHEMA: { status: 422, errorCode: 42201 },
  // Confluent reports a bad rule set as an invalid schema.
  INVALID_RULE_SET: { status: 422, errorCode: 42201 },
  INVALID_VERSION: { status: 422, errorCode: 42202 },
  INVALID_COMPATIBILITY_LEVEL: { status: 422, errorCode: 42203 },
  INVALID_MODE: { status: 422, errorCode: 42204 },
  OPERATION_NOT_PERMITTED: { status: 422, errorCode: 42205 },
  REFERENCE_EXISTS: { status: 422, errorCode: 42206 },
  // DEK registry (Confluent's DekRegistryErrors)
  KEK_NOT_FOUND: { status: 404, errorCode: 40470 },
  DEK_NOT_FOUND: { status: 404, errorCode: 40470 },
  KEK_NOT_SOFT_DELETED: { status: 404, errorCode: 40471 },
  DEK_NOT_SOFT_DELETED: { status: 404, errorCode: 40471 },
  KEK_SOFT_DELETED: { status: 404, errorCode: 40472 },
  DEK_SOFT_DELETED: { status: 404, errorCode: 40472 },
  KEK_ALREADY_EXISTS: { status: 409, errorCode: 40971 },
  DEK_ALREADY_EXISTS: { status: 409, errorCode: 40971 },
  INVALID_KEY: { status: 422, errorCode: 42271 },
  KEK_IN_USE: { status: 422, errorCode: 42272 },
  ENCRYPTION_FAILED: { status: 500, errorCode: 50070 },
  // SQL: a statement the user can fix is a 4xx (400 bad SQL, 404 unknown table, 422 a valid
  // statement the engine cannot plan or run that way); a failure while running is a 500.
  SQL_PARSE_ERROR: { status: 400, errorCode: 400 },
  SQL_VALIDATION_ERROR: { status: 400, errorCode: 400 },
  SQL_UNKNOWN_COLUMN: { status: 400, errorCode: 400 },
  SQL_UNKNOWN_FUNCTION: { status: 400, errorCode: 400 },
  SQL_TYPE_MISMATCH: { status: 400, errorCode: 400 },
  SQL_UNKNOWN_TABLE: { status: 404, errorCode: 404 },
  SQL_PLAN_ERROR: { status: 422, errorCode: 422 },
  SQL_UNSUPPORTED: { status: 422, errorCode: 422 },
  SQL_RUNTIME_ERROR: { status: 500, errorCode: 500 },
  STATEMENT_NOT_FOUND: { status: 404, errorCode: 404 },
  STATEMENT_ALREADY_EXISTS: { status: 409, errorCode: 409 },
  STATEMENT_INCOMPATIBLE: { status: 409, errorCode: 409 },
  CHECKPOINT_CORRUPT: { status: 409, errorCode: 409 },
  STATE_SPILL_FAILED: { status: 500, errorCode: 50001 },
  // contracts
  SERIALIZATION_FAILED: { status: 422, errorCode: 422 },
  DESERIALIZATION_FAILED: { status: 422, errorCode: 422 },
  RULE_FAILED: { status: 422, errorCode: 422 },
  // connectors
  CONNECTOR_NOT_FOUND: { status: 404, errorCode: 404 },
  CONNECTOR_ALREADY_EXISTS: { status: 409, errorCode: 409 },
  CONNECTOR_CONFIG_INVALID: { status: 422, errorCode: 422 },
  CONNECTOR_FAILED: { status: 500, errorCode: 500 },
  SOURCE_UNREACHABLE: { status: 502, errorCode: 502 },
  SINK_UNREACHABLE: { status: 502, errorCode: 502 },
};

const INTERNAL: HttpError = { status: 500, errorCode: 50001 };

export function httpErrorFor(error: ShiftleftError): HttpError {
  return BY_CODE[error.code] ?? INTERNAL;
}

/**
 * Confluent's error body; `code`, `hint` and `details` are ours and harmless to clients that
 * ignore them. With them a shiftleft client re-creates the very ShiftleftError the server threw
 * (src/log/http/http-errors.ts does so for the log API).
 */
export interface ErrorBody {
  error_code: number;
  message: string;
  code?: ErrorCode;
  hint?: string;
  details?: Record<string, unknown>;
}

export function errorResponse(thrown: unknown): { status: number; body: ErrorBody } {
  const error = isShiftleftError(thrown) ? thrown : toShiftleftError(thrown);
  const { status, errorCode } = httpErrorFor(error);
  // Messages quote URLs; the platform's capability URL and URL passwords never leave (auth/redact.ts).
  const body: ErrorBody = { error_code: errorCode, message: redactSecrets(error.message), code: error.code };
  if (error.hint) body.hint = redactSecrets(error.hint);
  if (Object.keys(error.details).length > 0) body.details = redactValue(error.details);
  return { status, body };
}
