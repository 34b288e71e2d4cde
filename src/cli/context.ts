/**
 * What every command needs: the data directory, and a LogClient on it.
 *
 * Only one process may own a data directory. When `shiftleft up` runs on it (its LOCK names a
 * live pid and the platform's URL), commands talk to that platform over HTTP and never touch
 * the files; otherwise they open the directory themselves, embedded, taking over a stale lock
 * left by a dead process. So the same command works whether or not a platform runs.
 */
import type { Command } from 'commander';
import { DataDirectory, defaultDataDir, readLiveLock, type LockInfo } from '../common/data-dir.ts';
import { isShiftleftError, ShiftleftError } from '../common/errors.ts';
import { HttpLogClient } from '../log/http/http-log-client.ts';
import type { LogClient } from '../log/log-client.ts';

export function dataDirOf(command: Command): string {
  const opts = command.optsWithGlobals<{ dataDir?: string }>();
  return opts.dataDir ?? defaultDataDir();
}

/**
 * Runs `work` with a LogClient on the command's data directory and always closes what it opened:
 * the running platform's log over HTTP when there is one (then `dataDir` is undefined: the
 * platform owns it), else the directory opened and locked by this process with its embedded log.
 */
export async function withLog<T>(command: Command, work: (log: LogClient, dataDir: DataDirectory | undefined) => Promise<T>): Promise<T> {
  const path = dataDirOf(command);
  const running = await connectToRunningPlatform(path);
  if (running) {
    try {
      return await work(running.log, undefined);
    } finally {
      await running.log.close();
    }
  }
  const dataDir = await DataDirectory.open(path);
  let log: LogClient | undefined;
  try {
    // Loaded here, not at the top: opening a log pulls in the log implementations (and the
    // Kafka client), which commands that only print help or talk HTTP never need.
    const { logSettingsFrom, openLog } = await import('../log/open-log.ts');
    // The embedded log, or the Kafka cluster named by SHIFTLEFT_KAFKA_BOOTSTRAP.
    const opened = await openLog(logSettingsFrom({}, process.env), dataDir);
    log = opened.log;
    for (const warning of opened.warnings) process.stderr.write(`warning: ${warning}\n`);
    return await work(log, dataDir);
  } finally {
    await log?.close();
    await dataDir.close();
  }
}

/** A platform running on a data directory, as a command reaches it. */
export interface RunningPlatformAccess {
  /** Its log over HTTP; the caller closes it. */
  log: HttpLogClient;
  /** Every URL it published (`platform`, `registry`, ...). */
  urls: Record<string, string>;
  pid: number;
}

/**
 * The platform owning `dataDir`, reached over HTTP, or undefined when no live process holds the
 * directory (or its holder publishes no platform URL yet: DataDirectory.open then reports
 * DATA_DIR_LOCKED). A live owner that does not answer at its URL is BROKER_UNAVAILABLE naming
 * pid and URL: opening the files behind its back would make two writers.
 */
export async function connectToRunningPlatform(dataDir: string): Promise<RunningPlatformAccess | undefined> {
  const lock = readLiveLock(dataDir);
  const url = lock?.urls.platform;
  if (!lock || !url) return undefined;
  try {
    return { log: await HttpLogClient.connect(url), urls: { ...lock.urls }, pid: lock.pid };
  } catch (error) {
    if (isShiftleftError(error, 'BROKER_UNAVAILABLE')) throw unreachablePlatform(dataDir, lock, url, error);
    throw error;
  }
}

function unreachablePlatform(dataDir: string, lock: LockInfo, url: string, cause: ShiftleftError): ShiftleftError {
  return new ShiftleftError('BROKER_UNAVAILABLE', `data directory ${dataDir} is owned by process ${lock.pid}, but its platform does not answer at ${url}`, {
    hint: `the platform may be starting, stopping or stuck: retry in a moment, or stop process ${lock.pid} to use the directory directly`,
    details: { pid: lock.pid, url, dataDir, reason: cause.message },
    cause,
  });
}
