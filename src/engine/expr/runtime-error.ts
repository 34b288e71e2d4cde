/**
 * Failures while evaluating a compiled expression (division by zero, a CAST of 'abc' to INT,
 * ELEMENT of a multi-element array...). They name the function so that the statement's error
 * says what failed; the operator adds which statement and which row.
 */
import { ShiftleftError } from '../../common/errors.ts';

export function runtimeError(fn: string, message: string, hint?: string): never {
  throw new ShiftleftError('SQL_RUNTIME_ERROR', `${fn}: ${message}`, hint === undefined ? {} : { hint });
}

/** Turns anything a compiled expression threw into SQL_RUNTIME_ERROR, naming the expression. */
export function asRuntimeError(error: unknown, expression: string): ShiftleftError {
  if (error instanceof ShiftleftError) return error;
  const message = error instanceof Error ? error.message : String(error);
  return new ShiftleftError('SQL_RUNTIME_ERROR', `evaluating ${expression}: ${message}`, { cause: error });
}
