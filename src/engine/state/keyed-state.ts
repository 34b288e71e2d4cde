/**
 * Keyed operator state: a map from a grouping key to a value, with state TTL.
 *
 * Keys are strings built from the key columns of a row (`rowKey`), so that equal SQL values
 * give equal keys whatever object holds them. TTL follows Flink's `sql.state-ttl`: an entry not
 * written or read for longer than the TTL is dropped, silently for the query (Flink's
 * semantics) but counted in the operator's metrics, which `statement describe` shows.
 * Expiry is amortized: `expire(now)` walks entries in insertion order of last access and stops
 * at the first live one, so it costs O(expired).
 *
 * Snapshots are plain arrays (JSON-able); values must be JSON-able too (rows are arrays).
 */
import type { Row } from '../../types/row.ts';

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

export interface KeyedStateSnapshot<V> {
  entries: [string, V, number][];
}

export class KeyedState<V> {
  private readonly values = new Map<string, V>();
  /** Last access time per key, in the map's iteration order = access order. */
  private readonly touched = new Map<string, number>();

  constructor(private readonly ttlMs: number = 0) {}

  get size(): number {
    return this.values.size;
  }

  get(key: string, now?: number): V | undefined {
    const value = this.values.get(key);
    if (value !== undefined && this.ttlMs > 0 && now !== undefined) this.touch(key, now);
    return value;
  }

  has(key: string): boolean {
    return this.values.has(key);
  }

  set(key: string, value: V, now: number): void {
    this.values.set(key, value);
    if (this.ttlMs > 0) this.touch(key, now);
  }

  delete(key: string): void {
    this.values.delete(key);
    this.touched.delete(key);
  }

  private touch(key: string, now: number): void {
    // Re-inserting moves the key to the end: the map stays ordered by last access.
    this.touched.delete(key);
    this.touched.set(key, now);
  }

  /** Drops entries idle for longer than the TTL; returns how many. */
  expire(now: number): number {
    if (this.ttlMs <= 0) return 0;
    let expired = 0;
    for (const [key, at] of this.touched) {
      if (now - at <= this.ttlMs) break;
      this.touched.delete(key);
      this.values.delete(key);
      expired++;
    }
    return expired;
  }

  entries(): IterableIterator<[string, V]> {
    return this.values.entries();
  }

  clear(): void {
    this.values.clear();
    this.touched.clear();
  }

  snapshot(): KeyedStateSnapshot<V> {
    return { entries: [...this.values].map(([k, v]) => [k, v, this.touched.get(k) ?? 0]) };
  }

  restore(snapshot: KeyedStateSnapshot<V> | null | undefined): void {
    this.clear();
    if (!snapshot) return;
    const ordered = [...snapshot.entries].sort((a, b) => a[2] - b[2]);
    for (const [k, v, at] of ordered) {
      this.values.set(k, v);
      if (this.ttlMs > 0) this.touched.set(k, at);
    }
  }
}
