/**
 * AGG(DISTINCT args): counts how many rows carry each distinct argument tuple and passes a row
 * to the wrapped accumulator only when its tuple appears (0 -> 1) or disappears (1 -> 0).
 * Tuples with a NULL are skipped, as every aggregate ignores NULL arguments. FILTER applies
 * before DISTINCT, so the wrapper applies it and the inner accumulator has none.
 */
import { rowKey } from '../state/keyed-state.ts';
import { valueMapKey } from './aggregate-values.ts';
import type { Row } from '../../types/row.ts';
import type { Accumulator } from './aggregate-accumulator.ts';

interface DistinctSnapshot {
  rows: number;
  seen: [unknown, number][];
  inner: unknown;
}

export class DistinctAccumulator implements Accumulator {
  /** Distinct argument tuple (a value for one argument, else a row key) -> rows carrying it. */
  private readonly seen = new Map<unknown, number>();
  private rows = 0;

  constructor(
    private readonly inner: Accumulator,
    private readonly args: readonly number[],
    private readonly filterArg: number,
  ) {}

  private keyOf(row: Row): unknown {
    for (const a of this.args) if (row[a] === null || row[a] === undefined) return null;
    return this.args.length === 1 ? valueMapKey(row[this.args[0]!]) : rowKey(row, this.args);
  }

  private passes(row: Row): boolean {
    return this.filterArg < 0 || row[this.filterArg] === true;
  }

  add(row: Row): void {
    this.rows++;
    if (!this.passes(row)) return;
    const key = this.keyOf(row);
    if (key === null) return;
    const n = this.seen.get(key) ?? 0;
    this.seen.set(key, n + 1);
    if (n === 0) this.inner.add(row);
  }

  retract(row: Row): void {
    this.rows--;
    if (!this.passes(row)) return;
    const key = this.keyOf(row);
    if (key === null) return;
    const n = this.seen.get(key);
    if (n === undefined) return;
    if (n > 1) {
      this.seen.set(key, n - 1);
      return;
    }
    this.seen.delete(key);
    this.inner.retract(row);
  }

  value(): unknown {
    return this.inner.value();
  }

  isEmpty(): boolean {
    return this.rows <= 0;
  }

  snapshot(): DistinctSnapshot {
    return { rows: this.rows, seen: [...this.seen], inner: this.inner.snapshot() };
  }

  restore(state: unknown): void {
    const s = state as DistinctSnapshot;
    this.rows = s.rows;
    this.seen.clear();
    for (const [k, n] of s.seen) this.seen.set(k, n);
    this.inner.restore(s.inner);
  }
}
