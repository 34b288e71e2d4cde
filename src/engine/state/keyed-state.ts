/**
 * Keyed operator state: a map from a grouping key to a value, with state TTL, kept in memory up
 * to a budget and spilled to disk beyond it (see README.md in this directory).
 *
 * Keys are strings built from the key columns of a row (`rowKey`), so that equal SQL values
 * give equal keys whatever object holds them. TTL follows Flink's `sql.state-ttl`: an entry not
 * written or read for longer than the TTL is dropped, silently for the query (Flink's
 * semantics) but counted in the operator's metrics, which `statement describe` shows.
 * Expiry is amortized: `expire(now)` walks entries in order of last access and stops at the
 * first live one, so it costs O(expired), in memory and on disk alike.
 *
 * Memory budget: at most `maxEntriesInMemory` entries stay in memory between batches. Values
 * are live objects the operators mutate in place, so nothing is spilled behind an operator's
 * back: the operator calls `enforceMemoryBudget()` when it holds no value (at the end of a batch
 * or watermark), and the coldest entries (second-chance LRU) go to disk in one transaction. A
 * spilled entry read or written again comes back to memory. The API stays synchronous.
 * Accesses are tracked for the LRU only while memory is over half the budget, so state that
 * never comes near it pays nothing but a flag test.
 *
 * Values are stored through a codec (value <-> a plain, msgpack-able form); snapshots are the
 * stored forms: `[key, stored value, last access]`.
 */
import { dirname, join } from 'node:path';
import { rmdirSync } from 'node:fs';
import { ShiftleftError } from '../../common/errors.ts';
import type { Row } from '../../types/row.ts';
import { defaultSpillDir, SpillStore } from './spill-store.ts';
import { DEFAULT_STATE_BACKEND, type StateBackendOptions } from './state-options.ts';
import { TouchHeap } from './touch-heap.ts';

/** A string identifying the values of `indexes` in `row`; null and '' stay distinct. */
export function rowKey(row: Row, indexes: readonly number[]): string {
  if (indexes.length === 1) return keyPart(row[indexes[0]!]);
  let key = '';
  for (let i = 0; i < indexes.length; i++) key += (i === 0 ? '' : '\u0001') + keyPart(row[indexes[i]!]);
  return key;
}

function keyPart(value: unknown): string {
  if (value === null || value === undefined) return '\u0000';
  switch (typeof value) {
    case 'string':
      return 's' + value;
    case 'number':
      return 'n' + value;
    case 'boolean':
      return value ? 'T' : 'F';
    default:
      if (value instanceof Uint8Array) return 'b' + Buffer.from(value).toString('base64');
      return 'j' + JSON.stringify(value, (_k, v: unknown) => (v instanceof Map ? [...v] : v));
  }
}

export interface KeyedStateSnapshot<S> {
  /** [key, value in stored form, last access time (0 without TTL)]. */
  entries: [string, S, number][];
}

/** Turns a live value into a plain stored form (copying what the operator mutates) and back. */
export interface StateCodec<V, S> {
  encode(value: V): S;
  decode(stored: S): V;
}

export interface KeyedStateOptions<V, S> {
  /** State TTL in millis; 0 (default) keeps entries forever. */
  ttlMs?: number;
  /** Default: values are stored as they are (they must be plain data). */
  codec?: StateCodec<V, S>;
  /** Memory budget and spill directory (from the operator context). */
  backend?: StateBackendOptions;
  /** Names the state in errors and its spill subdirectory, e.g. `Join left`. */
  name?: string;
}

export interface StateEntryCounts {
  inMemory: number;
  spilled: number;
}

/** Spilled entries whose disk record went stale are removed in batches of at least this many. */
const STALE_FLUSH_MIN = 1024;
/** Entries written per transaction when a restore puts what exceeds the budget on disk. */
const RESTORE_BATCH = 10_000;

const IDENTITY: StateCodec<never, never> = { encode: (v) => v, decode: (s) => s };

export class KeyedState<V, S = V> {
  private readonly ttlMs: number;
  private readonly codec: StateCodec<V, S>;
  private readonly backend: StateBackendOptions;
  private readonly name: string;
  private readonly memory = new Map<string, V>();
  /** Whether accesses are being recorded (memory is over half the budget). */
  private tracking = false;
  /** Keys accessed since the eviction hand last passed them: they get a second chance. */
  private readonly recent = new Set<string>();
  /** TTL only: last access per in-memory key, in access order (late touches excepted). */
  private readonly touched = new Map<string, number>();
  /** Touches older than one already in `touched` (entries read back from disk). */
  private readonly lateTouches = new TouchHeap();
  private lastTouch = -Infinity;

  private spill: SpillStore<S> | undefined;
  /** Records on disk, stale ones included. */
  private diskRecords = 0;
  /**
   * Keys whose disk record is dead: the entry came back to memory (the record is overwritten
   * when it spills again), or was deleted (the record is removed in batches).
   */
  private readonly stale = new Set<string>();
  /** Lower bound of the access times on disk (TTL), to skip the disk when nothing can expire. */
  private oldestSpilledAt = Infinity;
  private closed = false;
  private lostOnClose = false;
  /** The last key a read found nowhere: the usual `get` miss then `set` asks the disk once. */
  private lastMiss: string | undefined;

  /** Entries written to disk / read back from disk so far (for benchmarks and diagnostics). */
  spilledWrites = 0;
  readBacks = 0;

  constructor(options: KeyedStateOptions<V, S> = {}) {
    this.ttlMs = options.ttlMs !== undefined && options.ttlMs > 0 ? options.ttlMs : 0;
    this.codec = options.codec ?? (IDENTITY as unknown as StateCodec<V, S>);
    this.backend = options.backend ?? DEFAULT_STATE_BACKEND;
    this.name = options.name ?? 'keyed';
    if (!Number.isSafeInteger(this.backend.maxEntriesInMemory) || this.backend.maxEntriesInMemory < 1) {
      throw new ShiftleftError('INVALID_CONFIG', `${this.name} state: maxEntriesInMemory must be a positive integer, got ${this.backend.maxEntriesInMemory}`);
    }
  }

  /** Live entries, in memory and on disk. */
  get size(): number {
    return this.memory.size + this.diskRecords - this.stale.size;
  }

  counts(): StateEntryCounts {
    return { inMemory: this.memory.size, spilled: this.diskRecords - this.stale.size };
  }

  /** The value under `key`; with `now`, refreshes its TTL. A spilled entry comes back to memory. */
  get(key: string, now?: number): V | undefined {
    const value = this.memory.get(key);
    if (value !== undefined) {
      if (this.tracking) this.recent.add(key);
      if (now !== undefined && this.ttlMs > 0) this.touch(key, now);
      return value;
    }
    if (this.diskRecords === this.stale.size) return undefined; // nothing live on disk
    return this.readBack(key, now);
  }

  has(key: string): boolean {
    return this.memory.has(key) || this.liveOnDisk(key);
  }

  set(key: string, value: V, now: number): void {
    // The memory copy wins from now on: a disk record of the key is dead.
    if (this.diskRecords > this.stale.size && key !== this.lastMiss && !this.memory.has(key) && this.liveOnDisk(key)) this.stale.add(key);
    this.memory.set(key, value);
    if (this.tracking) this.recent.add(key);
    if (this.ttlMs > 0) this.touch(key, now);
  }

  delete(key: string): void {
    if (this.memory.delete(key)) {
      this.touched.delete(key);
      this.recent.delete(key);
    } else if (this.liveOnDisk(key)) this.stale.add(key);
  }

  /** Drops entries idle for longer than the TTL, in memory and on disk; returns how many. */
  expire(now: number): number {
    const ttl = this.ttlMs;
    if (ttl <= 0) return 0;
    let expired = 0;
    for (const [key, at] of this.touched) {
      if (now - at <= ttl) break;
      this.touched.delete(key);
      this.memory.delete(key);
      this.recent.delete(key);
      expired++;
    }
    const late = this.lateTouches;
    for (let t = late.peek(); t !== undefined && now - t.at > ttl; t = late.peek()) {
      late.pop();
      if (this.touched.get(t.key) !== t.at) continue; // touched again since, or already gone
      this.touched.delete(t.key);
      this.memory.delete(t.key);
      this.recent.delete(t.key);
      expired++;
    }
    if (late.size > 2 * this.touched.size + 64) late.retain((t) => this.touched.get(t.key) === t.at);
    if (this.diskRecords > 0 && now - this.oldestSpilledAt > ttl) expired += this.expireSpilled(now);
    return expired;
  }

  /**
   * Spills the coldest entries when memory holds more than the budget, down to 90% of it. Call
   * it when no value obtained from this state is held (between batches): a spilled value is
   * read back as a new object, so changes made to an old reference would be lost.
   */
  enforceMemoryBudget(): void {
    // Stale records of keys now in memory are at most memory.size: the rest are deleted keys.
    if (this.stale.size - this.memory.size >= Math.max(STALE_FLUSH_MIN, this.backend.maxEntriesInMemory >> 2)) this.flushStale();
    const max = this.backend.maxEntriesInMemory;
    if (this.memory.size > max) this.spillEntries(this.coldest(this.memory.size - (max - Math.floor(max / 10))));
    this.track();
  }

  /** Records accesses only while spilling may come: memory over half the budget. */
  private track(): void {
    const tracking = this.memory.size > this.backend.maxEntriesInMemory >> 1;
    if (!tracking && this.tracking) this.recent.clear();
    this.tracking = tracking;
  }

  clear(): void {
    this.memory.clear();
    this.recent.clear();
    this.tracking = false;
    this.touched.clear();
    this.lateTouches.clear();
    this.lastTouch = -Infinity;
    if (this.spill?.isOpen) this.spill.clear();
    this.diskRecords = 0;
    this.stale.clear();
    this.oldestSpilledAt = Infinity;
    this.lastMiss = undefined;
  }

  snapshot(): KeyedStateSnapshot<S> {
    if (this.lostOnClose) {
      throw new ShiftleftError('CLOSED', `${this.name} state: snapshot after close, when spilled entries were already deleted`, {
        hint: 'Take the final snapshot before closing the operator.',
      });
    }
    const entries: [string, S, number][] = [];
    for (const [key, value] of this.memory) entries.push([key, this.codec.encode(value), this.touched.get(key) ?? 0]);
    if (this.diskRecords > this.stale.size) {
      for (const e of this.spill!.all()) if (!this.stale.has(e.key)) entries.push([e.key, e.value, e.at]);
    }
    return { entries };
  }

  /** Replaces the content; the most recently accessed entries go to memory, the rest to disk. */
  restore(snapshot: KeyedStateSnapshot<S> | null | undefined): void {
    this.clear();
    if (!snapshot) return;
    const ordered = [...snapshot.entries].sort((a, b) => a[2] - b[2]);
    const max = this.backend.maxEntriesInMemory;
    const toDisk = Math.max(0, ordered.length - (max - Math.floor(max / 10)));
    if (toDisk > 0) {
      const store = this.store();
      for (let from = 0; from < toDisk; from += RESTORE_BATCH) {
        const to = Math.min(toDisk, from + RESTORE_BATCH);
        store.write(() => {
          for (let i = from; i < to; i++) store.put(ordered[i]![0], ordered[i]![2], ordered[i]![1], false);
        });
        this.diskRecords += to - from;
        this.spilledWrites += to - from;
      }
      if (this.ttlMs > 0) this.oldestSpilledAt = ordered[0]![2];
    }
    for (let i = toDisk; i < ordered.length; i++) {
      const [key, stored, at] = ordered[i]!;
      this.memory.set(key, this.codec.decode(stored));
      if (this.ttlMs > 0) this.touch(key, at);
    }
    this.track();
  }

  /**
   * Deletes the spill files. The in-memory entries stay readable (a snapshot taken after close
   * still works when nothing was spilled); spilling again is refused.
   */
  close(): void {
    if (this.closed) return;
    this.closed = true;
    if (this.diskRecords > this.stale.size) this.lostOnClose = true;
    const spill = this.spill;
    this.spill = undefined;
    this.diskRecords = 0;
    this.stale.clear();
    if (spill === undefined) return;
    spill.close();
    if (this.backend.spillDir !== undefined) {
      // The operator's directory goes with its last state (ENOTEMPTY while a sibling lives).
      try {
        rmdirSync(dirname(spill.dir));
      } catch {
        // not empty, or already gone
      }
    }
  }

  private touch(key: string, at: number): void {
    // Re-inserting moves the key to the end: the map stays ordered by last access.
    this.touched.delete(key);
    this.touched.set(key, at);
    if (at >= this.lastTouch) this.lastTouch = at;
    else this.lateTouches.push({ at, key });
  }

  private liveOnDisk(key: string): boolean {
    return this.diskRecords > this.stale.size && !this.stale.has(key) && this.spill!.exists(key);
  }

  private readBack(key: string, now: number | undefined): V | undefined {
    if (this.stale.has(key)) return undefined;
    const entry = this.spill!.read(key);
    if (entry === undefined) {
      this.lastMiss = key;
      return undefined;
    }
    const value = this.codec.decode(entry.value);
    this.stale.add(key);
    this.memory.set(key, value);
    if (this.tracking) this.recent.add(key);
    // A plain read keeps the entry's own access time (it may be older than others in memory).
    if (this.ttlMs > 0) this.touch(key, now ?? entry.at);
    this.readBacks++;
    return value;
  }

  /**
   * Second chance (CLOCK over the map's order): an entry accessed since the hand last passed
   * goes to the back once; the first ones found unaccessed are the victims.
   */
  private coldest(count: number): string[] {
    const victims: string[] = [];
    const memory = this.memory;
    for (const key of memory.keys()) {
      if (victims.length >= count) break;
      if (this.recent.delete(key)) {
        const value = memory.get(key)!;
        memory.delete(key);
        memory.set(key, value);
      } else victims.push(key);
    }
    return victims;
  }

  private spillEntries(keys: string[]): void {
    const store = this.store();
    const stale = this.stale;
    let added = 0;
    let oldest = this.oldestSpilledAt;
    store.write(() => {
      for (const key of keys) {
        const at = this.ttlMs > 0 ? (this.touched.get(key) ?? 0) : 0;
        // A stale record of the key is overwritten in place.
        const replaces = stale.has(key);
        if (!replaces) added++;
        store.put(key, at, this.codec.encode(this.memory.get(key)!), replaces);
        if (at < oldest) oldest = at;
      }
    });
    // Committed: only now does the bookkeeping change (a failed write leaves it as it was).
    this.lastMiss = undefined;
    for (const key of keys) {
      stale.delete(key);
      this.memory.delete(key);
      this.touched.delete(key);
    }
    this.diskRecords += added;
    this.oldestSpilledAt = oldest;
    this.spilledWrites += keys.length;
  }

  /** Removes the records of deleted keys (those of keys in memory wait to be overwritten). */
  private flushStale(): void {
    const store = this.spill;
    if (store === undefined) return;
    const keys = [...this.stale].filter((key) => !this.memory.has(key));
    let removed = 0;
    store.write(() => {
      for (const key of keys) if (store.remove(key)) removed++;
    });
    for (const key of keys) this.stale.delete(key);
    this.diskRecords -= removed;
  }

  private expireSpilled(now: number): number {
    const store = this.spill!;
    const ttl = this.ttlMs;
    const found = store.accessedBefore(now - ttl).filter((e) => now - e.at > ttl);
    let expired = 0;
    let removed = 0;
    if (found.length > 0) {
      store.write(() => {
        for (const { key } of found) if (store.remove(key)) removed++;
      });
      for (const { key } of found) if (!this.stale.delete(key)) expired++; // a stale record is no expiry
      this.diskRecords -= removed;
    }
    this.oldestSpilledAt = store.oldestAccess();
    return expired;
  }

  private store(): SpillStore<S> {
    if (this.spill === undefined) {
      if (this.closed) throw new ShiftleftError('CLOSED', `${this.name} state: cannot spill after close`);
      const base = this.backend.spillDir;
      const dir = base === undefined ? defaultSpillDir() : join(base, this.name.replace(/[^A-Za-z0-9._-]+/g, '-'));
      this.spill = new SpillStore<S>(dir, this.ttlMs > 0, `${this.name} state`);
    }
    return this.spill;
  }
}
