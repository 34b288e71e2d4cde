/**
 * Where `shiftleft sql` runs its statements, behind one interface:
 * - EmbeddedSqlBackend (sql-backend-embedded.ts): a platform this command started in-process
 *   (no platform ran on the data directory); one SQL session for the whole command, so SET
 *   carries over between lines.
 * - RemoteSqlBackend (sql-backend-remote.ts): the platform already running on the data
 *   directory, through its REST API (POST /v1/statements).
 * Separate modules, so that talking to a running platform never loads the SQL engine.
 */
import { ShiftleftError } from '../common/errors.ts';
import type { CollectOptions, StatementInfo, StatementOutcome } from '../engine/statement-registry.ts';

export interface SqlRunOptions extends CollectOptions {
  /** Called with each statement's outcome as soon as it is known (so output keeps SQL order). */
  onOutcome?: (outcome: StatementOutcome) => void;
  /** Called when a statement waited for (see EmbeddedSqlBackend's `waitForEach`) has ended. */
  onFinished?: (info: StatementInfo) => void;
}

export interface SqlBackend {
  /** Which one: an embedded backend has already waited for what its scripts started. */
  readonly kind: 'embedded' | 'remote';
  /** `embedded platform on DIR` or `platform at URL`, for the REPL banner. */
  readonly description: string;
  execute(sql: string, options: SqlRunOptions): Promise<StatementOutcome[]>;
  /** Waits until the statements are no longer running and returns their final state. */
  waitForStatements(names: string[], signal?: AbortSignal): Promise<StatementInfo[]>;
  /** Statements this backend started and that are still running. */
  running(): string[];
  close(): Promise<void>;
}

export function noPlatformUrl(dataDir: string, pid: number): ShiftleftError {
  return new ShiftleftError('DATA_DIR_LOCKED', `data directory ${dataDir} is in use by process ${pid}, which serves no platform API`, {
    hint: 'wait until it has started, stop it, or use another --data-dir',
  });
}
