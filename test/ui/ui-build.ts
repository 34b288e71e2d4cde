/**
 * The portal tests need the built app (ui/dist). `npm install` builds it (the prepare script);
 * a checkout where it is missing or older than the sources gets it built here. Test files run
 * in parallel, so the build holds a lock directory: the second file waits, then finds it fresh.
 */
import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, readdirSync, rmSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { DEFAULT_UI_DIR } from '../../src/server/ui-static.ts';

const REPO = fileURLToPath(new URL('../../', import.meta.url));
const LOCK = join(REPO, 'ui', '.build-lock');
const STALE_LOCK_MS = 5 * 60_000;

function newestSource(dir: string): number {
  let newest = 0;
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const path = join(dir, entry.name);
    newest = Math.max(newest, entry.isDirectory() ? newestSource(path) : statSync(path).mtimeMs);
  }
  return newest;
}

function fresh(): boolean {
  const index = join(DEFAULT_UI_DIR, 'index.html');
  return existsSync(index) && statSync(index).mtimeMs >= newestSource(join(REPO, 'ui', 'src'));
}

function sleepSync(ms: number): void {
  Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, ms);
}

export function ensureUiBuilt(): void {
  for (;;) {
    if (fresh()) return;
    try {
      mkdirSync(LOCK);
    } catch {
      // Another test file builds: wait for it (a lock left by a killed run goes stale).
      const lock = statSync(LOCK, { throwIfNoEntry: false });
      if (lock && Date.now() - lock.mtimeMs > STALE_LOCK_MS) rmSync(LOCK, { recursive: true, force: true });
      sleepSync(200);
      continue;
    }
    try {
      if (!fresh()) execFileSync('npm', ['run', 'build:ui'], { cwd: REPO, stdio: ['ignore', 'ignore', 'inherit'] });
      return;
    } finally {
      rmSync(LOCK, { recursive: true, force: true });
    }
  }
}
