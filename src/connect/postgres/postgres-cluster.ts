/** The cluster directory: handing it to the server user, and initdb. */
import { randomBytes } from 'node:crypto';
import { promises as fs } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { ShiftleftError } from '../../common/errors.ts';
import { chownTree, ensureTraversable, type ServerUser } from './os-user.ts';
import type { PostgresBinaries } from './postgres-binaries.ts';
import { lastLines, runAs } from './postgres-process.ts';

export async function prepareDirectory(directory: string, dataDir: string, user: ServerUser): Promise<void> {
  await fs.mkdir(directory, { recursive: true });
  await ensureTraversable(directory, dataDir, user);
  if (user.uid === undefined) return;
  const stat = await fs.stat(directory);
  // A cluster must be owned by the server user; a fresh or root-copied directory is handed over.
  if (stat.uid !== user.uid) await chownTree(directory, user);
  // PostgreSQL insists on 0700 (or 0750) for its data directory.
  if ((stat.mode & 0o077 & ~0o050) !== 0) await fs.chmod(directory, 0o700);
}

/** Runs initdb as the server user; the password travels in a 0600 file, never on a command line. */
export async function initdb(binaries: PostgresBinaries, directory: string, user: string, password: string, serverUser: ServerUser): Promise<void> {
  const passwordFile = path.join(os.tmpdir(), `shiftleft-pg-pw-${randomBytes(6).toString('hex')}`);
  await fs.writeFile(passwordFile, `${password}\n`, { mode: 0o600 });
  if (serverUser.uid !== undefined && serverUser.gid !== undefined) await fs.chown(passwordFile, serverUser.uid, serverUser.gid);
  try {
    const args = [
      `--pgdata=${directory}`,
      `--username=${user}`,
      `--pwfile=${passwordFile}`,
      '--auth=scram-sha-256',
      '--encoding=UTF8',
      '--no-locale',
      '--no-instructions',
    ];
    const { code, output } = await runAs(binaries.initdb, args, serverUser);
    if (code !== 0) {
      throw new ShiftleftError('SOURCE_UNREACHABLE', `initdb failed for ${directory} (exit code ${code})`, {
        hint: `check that "${serverUser.name}" can write ${directory}; initdb said: ${lastLines(output, 5)}`,
        details: { directory, output: lastLines(output, 20) },
      });
    }
  } finally {
    await fs.rm(passwordFile, { force: true });
  }
}
