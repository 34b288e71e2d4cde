/**
 * The data directory and its single owner.
 *
 * One process at a time may write a data directory. The owner holds `LOCK`, a small JSON file
 * naming its pid, start time and (once its servers listen) their URLs, so that other commands
 * can find and talk to the running platform instead of opening the files themselves.
 * The file is created with O_EXCL: of two processes racing, exactly one wins. A lock left by a
 * dead process (kill -9) is detected by probing its pid and taken over.
 */
import { mkdirSync, openSync, closeSync, writeSync, readFileSync, unlinkSync, writeFileSync, renameSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { ShiftleftError } from './errors.ts';

export interface LockInfo {
  pid: number;
  startedAt: string;
  urls: Record<string, string>;
}

const LOCK_FILE = 'LOCK';

export function defaultDataDir(): string {
  return process.env.SHIFTLEFT_DATA_DIR || './.shiftleft';
}

function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    // EPERM means the process exists but belongs to someone else: still alive.
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/** The lock holder's info if a live process holds the directory, else undefined. */
export function readLiveLock(dataDir: string): LockInfo | undefined {
  const info = readLock(join(resolve(dataDir), LOCK_FILE));
  return info && info.pid !== process.pid && isAlive(info.pid) ? info : undefined;
}

function readLock(path: string): LockInfo | undefined {
  try {
    const parsed = JSON.parse(readFileSync(path, 'utf8')) as Partial<LockInfo>;
    if (typeof parsed.pid !== 'number') return undefined;
    return { pid: parsed.pid, startedAt: String(parsed.startedAt ?? ''), urls: parsed.urls ?? {} };
  } catch {
    return undefined;
  }
}

export class DataDirectory {
  private closed = false;

  private constructor(
    readonly path: string,
    private info: LockInfo,
  ) {}

  get logDir(): string {
    return join(this.path, 'log');
  }

  /** A directory for one component's files (`postgres`, `warehouse`, `statements`, ...). */
  subdir(name: string): string {
    const dir = join(this.path, name);
    mkdirSync(dir, { recursive: true });
    return dir;
  }

  /** Opens (creating if needed) and locks a data directory; DATA_DIR_LOCKED names the holder. */
  static async open(path: string): Promise<DataDirectory> {
    const dir = resolve(path);
    try {
      mkdirSync(dir, { recursive: true });
    } catch (error) {
      throw new ShiftleftError('DATA_DIR_INVALID', `cannot create data directory ${dir}: ${(error as Error).message}`, {
        hint: 'choose a writable directory with --data-dir or SHIFTLEFT_DATA_DIR',
        cause: error,
      });
    }
    const lockPath = join(dir, LOCK_FILE);
    const info: LockInfo = { pid: process.pid, startedAt: new Date().toISOString(), urls: {} };
    for (let attempt = 0; attempt < 3; attempt++) {
      try {
        const fd = openSync(lockPath, 'wx');
        writeSync(fd, JSON.stringify(info));
        closeSync(fd);
        return new DataDirectory(dir, info);
      } catch (error) {
        if ((error as NodeJS.ErrnoException).code !== 'EEXIST') {
          throw new ShiftleftError('DATA_DIR_INVALID', `cannot lock data directory ${dir}: ${(error as Error).message}`, {
            cause: error,
          });
        }
      }
      const holder = readLock(lockPath);
      if (holder && holder.pid !== process.pid && isAlive(holder.pid)) {
        const urls = Object.values(holder.urls);
        throw new ShiftleftError('DATA_DIR_LOCKED', `data directory ${dir} is in use by process ${holder.pid} (since ${holder.startedAt})`, {
          hint: urls.length
            ? `a platform is running there (${urls.join(', ')}); stop it first or use another --data-dir`
            : 'stop that process first, or use another --data-dir',
          details: { pid: holder.pid, dataDir: dir, urls: holder.urls },
        });
      }
      if (holder && holder.pid === process.pid) {
        throw new ShiftleftError('DATA_DIR_LOCKED', `data directory ${dir} is already open in this process`, {
          hint: 'share the open instance instead of opening the directory twice',
          details: { pid: holder.pid, dataDir: dir },
        });
      }
      // Stale lock of a dead process (or a torn write): remove it and race again for O_EXCL.
      try {
        unlinkSync(lockPath);
      } catch {
        /* another process removed it first */
      }
    }
    throw new ShiftleftError('DATA_DIR_LOCKED', `could not lock data directory ${dir}: another process keeps taking it`);
  }

  /** Records the URLs of the running servers in the lock file, atomically. */
  publish(update: { urls: Record<string, string> }): void {
    this.info = { ...this.info, urls: { ...this.info.urls, ...update.urls } };
    const tmp = join(this.path, `${LOCK_FILE}.${process.pid}.tmp`);
    writeFileSync(tmp, JSON.stringify(this.info));
    renameSync(tmp, join(this.path, LOCK_FILE));
  }

  get lockInfo(): LockInfo {
    return this.info;
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    const holder = readLock(join(this.path, LOCK_FILE));
    if (holder?.pid === process.pid) {
      try {
        unlinkSync(join(this.path, LOCK_FILE));
      } catch {
        /* already gone */
      }
    }
  }
}
