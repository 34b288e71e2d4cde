/**
 * A postmaster.pid left behind by a crash. PostgreSQL itself replaces a lock file whose pid is
 * gone, but not one whose pid was reused by another process (common in containers, where pids
 * are small), and not a live orphan server of ours: both are handled here.
 */
import { promises as fs } from 'node:fs';
import path from 'node:path';
import { delay } from './postgres-process.ts';

/** Removes a stale postmaster.pid; stops a live orphan server of `directory` first. */
export async function clearStalePostmaster(directory: string): Promise<void> {
  const pidFile = path.join(directory, 'postmaster.pid');
  let text: string;
  try {
    text = await fs.readFile(pidFile, 'utf8');
  } catch {
    return;
  }
  const pid = Number.parseInt(text.split('\n')[0] ?? '', 10);
  if (Number.isInteger(pid) && pid > 0 && (await isPostmasterOf(pid, directory))) {
    // An orphan server on our directory (its Node parent died): stop it before starting anew.
    process.kill(pid, 'SIGINT');
    const deadline = Date.now() + 30_000;
    while (processAlive(pid) && Date.now() < deadline) await delay(50);
    if (processAlive(pid)) process.kill(pid, 'SIGKILL');
    while (processAlive(pid)) await delay(20);
  }
  await fs.rm(pidFile, { force: true });
}

async function isPostmasterOf(pid: number, directory: string): Promise<boolean> {
  try {
    const cmdline = (await fs.readFile(`/proc/${pid}/cmdline`, 'utf8')).split('\0');
    return path.basename(cmdline[0] ?? '') === 'postgres' && cmdline.includes(directory);
  } catch {
    return false;
  }
}

function processAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}
