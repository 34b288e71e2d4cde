/**
 * What every command needs: the data directory, and a LogClient on it.
 *
 * Only one process may own a data directory. When `shiftleft up` runs on it, commands must go
 * through the running platform; until the platform exposes the log over HTTP a command that
 * finds the directory owned fails with DATA_DIR_LOCKED, which names the owner and its URLs.
 */
import type { Command } from 'commander';
import { DataDirectory, defaultDataDir } from '../common/data-dir.ts';
import { EmbeddedLog } from '../log/embedded/embedded-log.ts';
import type { LogClient } from '../log/log-client.ts';

export function dataDirOf(command: Command): string {
  const opts = command.optsWithGlobals<{ dataDir?: string }>();
  return opts.dataDir ?? defaultDataDir();
}

/** Opens the data directory and its log, runs `work`, and always closes both. */
export async function withLog<T>(command: Command, work: (log: LogClient, dataDir: DataDirectory) => Promise<T>): Promise<T> {
  const dataDir = await DataDirectory.open(dataDirOf(command));
  let log: EmbeddedLog | undefined;
  try {
    log = await EmbeddedLog.open({ dir: dataDir.logDir });
    for (const problem of log.recoveryProblems) process.stderr.write(`warning: ${problem.file}: ${problem.detail}\n`);
    return await work(log, dataDir);
  } finally {
    await log?.close();
    await dataDir.close();
  }
}
