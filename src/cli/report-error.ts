/**
 * How the CLI shows a failure: one line with the error code and message, the hint when there is
 * one, and a non-zero exit code. Never a bare stack trace; set SHIFTLEFT_DEBUG=1 to get one.
 */
import { CommanderError } from 'commander';
import { isShiftleftError } from '../common/errors.ts';

/** Exit codes: 1 for a refused operation, 2 for bad usage, 3 for an internal error. */
export function reportError(error: unknown): number {
  if (error instanceof CommanderError) {
    // commander has already printed its message (unknown option, missing argument...).
    return error.exitCode === 0 ? 0 : 2;
  }
  if (isShiftleftError(error)) {
    process.stderr.write(`error [${error.code}]: ${error.message}\n`);
    if (error.hint) process.stderr.write(`  hint: ${error.hint}\n`);
    if (process.env.SHIFTLEFT_DEBUG && error.stack) process.stderr.write(error.stack + '\n');
    return error.code === 'INTERNAL' ? 3 : 1;
  }
  const message = error instanceof Error ? error.message : String(error);
  process.stderr.write(`error [INTERNAL]: ${message}\n`);
  process.stderr.write('  hint: this is a bug in shiftleft; rerun with SHIFTLEFT_DEBUG=1 for details and report it\n');
  if (process.env.SHIFTLEFT_DEBUG && error instanceof Error && error.stack) process.stderr.write(error.stack + '\n');
  return 3;
}
