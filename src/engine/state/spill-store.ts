/**
 * The disk tier of a KeyedState: an LMDB environment (lmdb-js, synchronous API) in a directory
 * of its own, holding the entries that did not fit the memory budget. It is scratch space, not
 * a durable store: checkpoints (operator snapshots) are what survive a crash, so writes skip
 * fsync, a directory found at open is wiped, and the directory is deleted on close (and at
 * process exit, for states nobody closed).
 *
 * Records: `values` maps an entry's key to msgpack `[at, value, key?]` (value in the state's
 * stored form, `at` its last access for TTL). LMDB keys are limited to ~2 KB, so a key is used
 * as is (UTF-8, prefixed 0x00) when short and well-formed, else replaced by its SHA-256
 * (prefixed 0x01) with the key itself kept in the record (as UTF-16 bytes: msgpack strings are
 * UTF-8, which cannot hold a lone surrogate). With a TTL, `byTime` indexes records by (at, key)
 * so expiry walks only what expired.
 */
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, readdirSync, rmSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Database, RootDatabase } from 'lmdb';
import type { Packr } from 'msgpackr';
import { ShiftleftError } from '../../common/errors.ts';

/** One spilled entry: its key, last access time and value in stored form. */
export interface SpilledEntry<S> {
  key: string;
  at: number;
  value: S;
}

const DIRECT_KEY_MAX_BYTES = 1000;
const SURROGATE = /[\uD800-\uDFFF]/;

// Loaded at the first spill (synchronously, like everything here): most statements never
// spill, and LMDB's native module costs ~100 ms to load.
const load = createRequire(import.meta.url);
let lmdbOpen: (typeof import('lmdb'))['open'] | undefined;
let packr: Packr;

function loadCodecs(): (typeof import('lmdb'))['open'] {
  if (lmdbOpen === undefined) {
    const { Packr: PackrClass } = load('msgpackr') as typeof import('msgpackr');
    /** Maps, Uint8Arrays, undefined and shared references round-trip; binary values are copied out. */
    packr = new PackrClass({ structuredClone: true, copyBuffers: true });
    lmdbOpen = (load('lmdb') as typeof import('lmdb')).open;
  }
  return lmdbOpen;
}

const HINT =
  "Make sure the spill directory is on a writable disk with free space and that nothing (a tmp cleaner) deletes it while the statement runs; or raise 'state.memory.max-entries' so the state stays in memory.";

export class SpillStore<S> {
  private env: RootDatabase | undefined;
  private values!: Database<Buffer, Buffer>;
  private byTime: Database<Buffer, Buffer> | undefined;
  private closed = false;

  constructor(
    /** The directory this store owns (wiped at open, deleted on close). */
    readonly dir: string,
    private readonly timeIndexed: boolean,
    /** Names the state in errors, e.g. `GroupAggregate state`. */
    private readonly label: string,
  ) {}

  get isOpen(): boolean {
    return this.env !== undefined;
  }

  /** The entry stored under `key`, or undefined. */
  read(key: string): SpilledEntry<S> | undefined {
    if (this.env === undefined) return undefined;
    const id = storeKey(key);
    const bytes = this.attempt('read from', () => this.values.get(id));
    return bytes === undefined ? undefined : this.decode(bytes, key);
  }

  exists(key: string): boolean {
    if (this.env === undefined) return false;
    const id = storeKey(key);
    return this.attempt('read from', () => this.values.doesExist(id));
  }

  /** Runs `writes` (put/remove calls) in one synchronous transaction. */
  write(writes: () => void): void {
    this.open();
    if (!existsSync(join(this.dir, 'data.mdb'))) {
      throw new ShiftleftError('STATE_SPILL_FAILED', `${this.label}: spill directory ${this.dir} was removed while the statement ran`, {
        hint: HINT,
        details: { dir: this.dir },
      });
    }
    this.attempt('write to', () => this.values.transactionSync(writes));
  }

  /** Stores an entry (inside `write`); `replaces`: a record of the key is there to overwrite. */
  put(key: string, at: number, value: S, replaces: boolean): void {
    const id = storeKey(key);
    if (replaces && this.byTime !== undefined) this.unindex(id, key);
    this.values.putSync(id, packr.pack(id[0] === 1 ? [at, value, Buffer.from(key, 'utf16le')] : [at, value]));
    this.byTime?.putSync(timeKey(at, id), EMPTY);
  }

  /** Removes an entry (inside `write`); false if there was none. */
  remove(key: string): boolean {
    const id = storeKey(key);
    if (this.byTime !== undefined && !this.unindex(id, key)) return false;
    return this.values.removeSync(id);
  }

  /** Removes the time index entry of the record under `id`; false if there is no record. */
  private unindex(id: Buffer, key: string): boolean {
    const bytes = this.values.get(id);
    if (bytes === undefined) return false;
    this.byTime!.removeSync(timeKey(this.decode(bytes, key).at, id));
    return true;
  }

  /** Keys and times of entries last accessed before `cutoff`, oldest first (TTL stores only). */
  accessedBefore(cutoff: number): { key: string; at: number }[] {
    const byTime = this.byTime;
    if (this.env === undefined || byTime === undefined) return [];
    return this.attempt('read from', () => {
      const found: { key: string; at: number }[] = [];
      for (const id of byTime.getKeys({ end: timeKey(cutoff, EMPTY) })) {
        const at = timeOf(id);
        const storeId = id.subarray(8);
        found.push({ key: storeId[0] === 0 ? storeId.toString('utf8', 1) : this.keyOfHashed(storeId), at });
      }
      return found;
    });
  }

  /** The oldest access time on disk (TTL stores), or Infinity when empty. */
  oldestAccess(): number {
    const byTime = this.byTime;
    if (this.env === undefined || byTime === undefined) return Infinity;
    return this.attempt('read from', () => {
      for (const id of byTime.getKeys({ limit: 1 })) return timeOf(id);
      return Infinity;
    });
  }

  /** Every stored entry (for snapshots). */
  all(): SpilledEntry<S>[] {
    if (this.env === undefined) return [];
    if (!existsSync(this.dir)) {
      throw new ShiftleftError('STATE_SPILL_FAILED', `${this.label}: spill directory ${this.dir} was removed while the statement ran`, { hint: HINT, details: { dir: this.dir } });
    }
    return this.attempt('read from', () => {
      const entries: SpilledEntry<S>[] = [];
      for (const { key: id, value } of this.values.getRange()) {
        entries.push(this.decode(value, id[0] === 0 ? id.toString('utf8', 1) : undefined));
      }
      return entries;
    });
  }

  clear(): void {
    if (this.env === undefined) return;
    this.attempt('clear', () => {
      this.values.clearSync();
      this.byTime?.clearSync();
    });
  }

  /** Closes the environment and deletes the directory. Idempotent. */
  close(): void {
    if (this.closed) return;
    this.closed = true;
    openStores.delete(this);
    const env = this.env;
    this.env = undefined;
    // Only synchronous transactions ran, so nothing is pending: the close completes at once.
    if (env !== undefined) env.close().catch(() => undefined);
    try {
      rmSync(this.dir, { recursive: true, force: true });
    } catch {
      // never created (its parent is not a directory): nothing to delete
    }
  }

  private open(): void {
    if (this.env !== undefined) return;
    if (this.closed) throw new ShiftleftError('CLOSED', `${this.label}: the state was closed`);
    try {
      // Leftovers of an earlier run are never reused: snapshots, not spill files, restore state.
      rmSync(this.dir, { recursive: true, force: true });
      mkdirSync(this.dir, { recursive: true });
      const env = loadCodecs()({ path: this.dir, maxDbs: 2, noSync: true, noMetaSync: true, compression: false, keyEncoding: 'binary', encoding: 'binary' });
      this.values = env.openDB<Buffer, Buffer>({ name: 'values', keyEncoding: 'binary', encoding: 'binary' });
      if (this.timeIndexed) this.byTime = env.openDB<Buffer, Buffer>({ name: 'by-time', keyEncoding: 'binary', encoding: 'binary' });
      this.env = env;
    } catch (error) {
      throw new ShiftleftError('STATE_SPILL_FAILED', `${this.label}: cannot create spill directory ${this.dir}: ${(error as Error).message}`, {
        hint: HINT,
        details: { dir: this.dir },
        cause: error,
      });
    }
    registerForExit(this);
  }

  private decode(bytes: Buffer, expectedKey: string | undefined): SpilledEntry<S> {
    let record: unknown;
    try {
      record = packr.unpack(bytes);
    } catch (error) {
      throw this.corrupt(expectedKey, (error as Error).message, error);
    }
    if (!Array.isArray(record) || record.length < 2 || typeof record[0] !== 'number') throw this.corrupt(expectedKey, 'not a [time, value] record', undefined);
    const key = record.length > 2 && record[2] instanceof Uint8Array ? Buffer.from(record[2]).toString('utf16le') : record.length > 2 ? undefined : expectedKey;
    if (key === undefined || (expectedKey !== undefined && key !== expectedKey)) throw this.corrupt(expectedKey, 'it is stored under another key', undefined);
    return { key, at: record[0] as number, value: record[1] as S };
  }

  private keyOfHashed(id: Buffer): string {
    const bytes = this.values.get(id);
    if (bytes === undefined) throw this.corrupt(undefined, 'its time index points to a missing record', undefined);
    return this.decode(bytes, undefined).key;
  }

  private corrupt(key: string | undefined, reason: string, cause: unknown): ShiftleftError {
    const which = key === undefined ? 'a spilled entry' : `the spilled entry for key ${JSON.stringify(key.slice(0, 80))}`;
    return new ShiftleftError('STATE_SPILL_FAILED', `${this.label}: ${which} in ${this.dir} is unreadable (${reason})`, {
      hint: `The spill files were changed or damaged while the statement ran. ${HINT}`,
      details: { dir: this.dir },
      cause,
    });
  }

  private attempt<T>(action: string, run: () => T): T {
    try {
      return run();
    } catch (error) {
      if (error instanceof ShiftleftError) throw error;
      throw new ShiftleftError('STATE_SPILL_FAILED', `${this.label}: cannot ${action} spill directory ${this.dir}: ${(error as Error).message}`, {
        hint: HINT,
        details: { dir: this.dir },
        cause: error,
      });
    }
  }
}

const EMPTY = Buffer.alloc(0);

/** The LMDB key of an entry key: 0x00 + UTF-8 when short and well-formed, else 0x01 + SHA-256. */
function storeKey(key: string): Buffer {
  if (key.length <= DIRECT_KEY_MAX_BYTES && !SURROGATE.test(key)) {
    const length = Buffer.byteLength(key, 'utf8');
    if (length <= DIRECT_KEY_MAX_BYTES) {
      const id = Buffer.allocUnsafe(length + 1);
      id[0] = 0;
      id.write(key, 1, 'utf8');
      return id;
    }
  }
  // UTF-16 bytes: lossless for any JavaScript string, lone surrogates included.
  const digest = createHash('sha256').update(Buffer.from(key, 'utf16le')).digest();
  return Buffer.concat([Buffer.from([1]), digest]);
}

/** 8 bytes that sort like the number (IEEE 754 with the sign handled), then the store key. */
function timeKey(at: number, id: Buffer): Buffer {
  const out = Buffer.allocUnsafe(8 + id.length);
  out.writeDoubleBE(at, 0);
  if (out[0]! & 0x80) for (let i = 0; i < 8; i++) out[i] = ~out[i]! & 0xff;
  else out[0] = out[0]! | 0x80;
  id.copy(out, 8);
  return out;
}

function timeOf(id: Buffer): number {
  const bytes = Buffer.from(id.subarray(0, 8));
  if (bytes[0]! & 0x80) bytes[0] = bytes[0]! & 0x7f;
  else for (let i = 0; i < 8; i++) bytes[i] = ~bytes[i]! & 0xff;
  return bytes.readDoubleBE(0);
}

// ---- spill directories --------------------------------------------------------------------

let defaultDirs = 0;
let sweptTmp = false;

/** `os.tmpdir()/shiftleft-state-<pid>-<n>`; the first call removes those of dead processes. */
export function defaultSpillDir(): string {
  if (!sweptTmp) {
    sweptTmp = true;
    sweepDeadProcessDirs();
  }
  return join(tmpdir(), `shiftleft-state-${process.pid}-${defaultDirs++}`);
}

function sweepDeadProcessDirs(): void {
  let names: string[];
  try {
    names = readdirSync(tmpdir());
  } catch {
    return;
  }
  for (const name of names) {
    const m = /^shiftleft-state-(\d+)-\d+$/.exec(name);
    if (!m || Number(m[1]) === process.pid || processAlive(Number(m[1]))) continue;
    rmSync(join(tmpdir(), name), { recursive: true, force: true });
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

/** Stores with files on disk, removed at exit if nobody closed them (a statement that failed). */
const openStores = new Set<SpillStore<unknown>>();
let exitHookInstalled = false;

function registerForExit(store: SpillStore<unknown>): void {
  openStores.add(store);
  if (exitHookInstalled) return;
  exitHookInstalled = true;
  process.once('exit', () => {
    for (const s of [...openStores]) {
      try {
        s.close();
      } catch {
        // best effort at exit
      }
    }
  });
}
