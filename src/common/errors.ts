/**
 * The one error type of shiftleft.
 *
 * Every failure a user can see carries a stable `code` (machine-readable, never renamed once
 * released), a message that says *what* went wrong and *where*, and when we know it a `hint`
 * saying how to fix it. Transport layers map codes to their own vocabulary in exactly one place
 * (the HTTP server in `src/server/error-responses.ts`, the CLI in `src/cli/report-error.ts`), so
 * modules never think about HTTP statuses or exit codes.
 */

/**
 * Stable error codes, grouped by the part of the system that raises them.
 * Add new codes at the end of their group; never rename or reuse one.
 */
export const ErrorCodes = [
  // generic
  'INTERNAL',
  'INVALID_ARGUMENT',
  'INVALID_CONFIG',
  'NOT_FOUND',
  'ALREADY_EXISTS',
  'CONFLICT',
  'UNSUPPORTED',
  'TIMEOUT',
  'CLOSED',
  'UNAUTHENTICATED',
  'FORBIDDEN',
  'MALFORMED_REQUEST',
  // data directory
  'DATA_DIR_LOCKED',
  'DATA_DIR_INVALID',
  // log
  'TOPIC_NOT_FOUND',
  'TOPIC_ALREADY_EXISTS',
  'INVALID_TOPIC_NAME',
  'INVALID_TOPIC_CONFIG',
  'PARTITION_NOT_FOUND',
  'OFFSET_OUT_OF_RANGE',
  'RECORD_TOO_LARGE',
  'INVALID_RECORD',
  'CORRUPT_RECORD',
  'GROUP_NOT_FOUND',
  'INVALID_OFFSET_COMMIT',
  'BROKER_UNAVAILABLE',
  /** A newer writer with the same transactional id took over, or the transaction has ended. */
  'TRANSACTION_FENCED',
  // schema registry (mapped to Confluent error_code values by the server)
  'SUBJECT_NOT_FOUND',
  'VERSION_NOT_FOUND',
  'SCHEMA_NOT_FOUND',
  'SUBJECT_SOFT_DELETED',
  'SUBJECT_NOT_SOFT_DELETED',
  'SCHEMA_VERSION_SOFT_DELETED',
  'SCHEMA_VERSION_NOT_SOFT_DELETED',
  'INCOMPATIBLE_SCHEMA',
  'INVALID_SCHEMA',
  'INVALID_VERSION',
  'INVALID_COMPATIBILITY_LEVEL',
  'INVALID_MODE',
  'INVALID_RULE_SET',
  'OPERATION_NOT_PERMITTED',
  'REFERENCE_EXISTS',
  'KEK_NOT_FOUND',
  'DEK_NOT_FOUND',
  'KEK_ALREADY_EXISTS',
  'DEK_ALREADY_EXISTS',
  'INVALID_KEY',
  'SUBJECT_CONFIG_NOT_FOUND',
  'SUBJECT_MODE_NOT_FOUND',
  'ASSOCIATION_NOT_FOUND',
  'KEK_SOFT_DELETED',
  'KEK_NOT_SOFT_DELETED',
  'DEK_SOFT_DELETED',
  'DEK_NOT_SOFT_DELETED',
  'KEK_IN_USE',
  // contracts / serdes
  'SERIALIZATION_FAILED',
  'DESERIALIZATION_FAILED',
  'RULE_FAILED',
  'ENCRYPTION_FAILED',
  // sql
  'SQL_PARSE_ERROR',
  'SQL_VALIDATION_ERROR',
  'SQL_UNKNOWN_TABLE',
  'SQL_UNKNOWN_COLUMN',
  'SQL_UNKNOWN_FUNCTION',
  'SQL_TYPE_MISMATCH',
  'SQL_UNSUPPORTED',
  'SQL_PLAN_ERROR',
  'SQL_RUNTIME_ERROR',
  'STATEMENT_NOT_FOUND',
  'STATEMENT_ALREADY_EXISTS',
  'CHECKPOINT_CORRUPT',
  /** Resuming a statement whose SQL or plan no longer matches its checkpoint. */
  'STATEMENT_INCOMPATIBLE',
  /** Operator state could not be spilled to or read back from its spill directory. */
  'STATE_SPILL_FAILED',
  // connectors
  'CONNECTOR_NOT_FOUND',
  'CONNECTOR_ALREADY_EXISTS',
  'CONNECTOR_CONFIG_INVALID',
  'CONNECTOR_FAILED',
  'SOURCE_UNREACHABLE',
  'SINK_UNREACHABLE',
  /** The source system is reachable but not set up for capture (wal_level, privileges, replica identity). */
  'SOURCE_MISCONFIGURED',
] as const;

export type ErrorCode = (typeof ErrorCodes)[number];

export interface ShiftleftErrorOptions {
  /** How to fix it, in one sentence addressed to the user. */
  hint?: string;
  /** Structured facts (file, offset, line, column, ...) for programs and for the REST body. */
  details?: Record<string, unknown>;
  cause?: unknown;
}

export class ShiftleftError extends Error {
  readonly code: ErrorCode;
  readonly hint: string | undefined;
  readonly details: Record<string, unknown>;

  constructor(code: ErrorCode, message: string, options: ShiftleftErrorOptions = {}) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.name = 'ShiftleftError';
    this.code = code;
    this.hint = options.hint;
    this.details = options.details ?? {};
  }

  /** The message followed by the hint, as the CLI prints it. */
  describe(): string {
    return this.hint ? `${this.message}\n  hint: ${this.hint}` : this.message;
  }

  toJSON(): Record<string, unknown> {
    return { code: this.code, message: this.message, hint: this.hint, details: this.details };
  }
}

export function isShiftleftError(error: unknown, code?: ErrorCode): error is ShiftleftError {
  return error instanceof ShiftleftError && (code === undefined || error.code === code);
}

/** Wraps anything thrown into a ShiftleftError, keeping ours untouched. */
export function toShiftleftError(error: unknown, fallback: ErrorCode = 'INTERNAL'): ShiftleftError {
  if (error instanceof ShiftleftError) return error;
  const message = error instanceof Error ? error.message : String(error);
  return new ShiftleftError(fallback, message, { cause: error });
}

/** Throws INVALID_ARGUMENT-style errors tersely in validation code. */
export function fail(code: ErrorCode, message: string, options?: ShiftleftErrorOptions): never {
  throw new ShiftleftError(code, message, options);
}
