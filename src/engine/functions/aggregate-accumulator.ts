/**
 * The accumulator contract aggregation operators use: one accumulator per aggregate call and
 * group, fed rows (the whole input row; the accumulator reads its argument columns).
 */
import type { Row } from '../../types/row.ts';

export interface Accumulator {
  /** Adds an input row (+I / +U). */
  add(row: Row): void;
  /** Removes an input row added before (-U / -D). */
  retract(row: Row): void;
  /** The aggregate's current result. */
  value(): unknown;
  /** True when every row added has been retracted again. */
  isEmpty(): boolean;
  /** Plain JSON-able data from which `restore` rebuilds this accumulator exactly. */
  snapshot(): unknown;
  restore(state: unknown): void;
  /**
   * Folds in another accumulator of the same call that saw later rows (sliced windows combine
   * slices this way). Only the append-only accumulators of non-DISTINCT calls support it; see
   * `accumulatorsMergeable`.
   */
  merge?(other: Accumulator): void;
}

interface BaseSnapshot {
  rows: number;
  state: unknown;
}

/**
 * Handles what every aggregate shares: the row count behind `isEmpty` and FILTER (WHERE ...),
 * which hides a row from the function unless the filter column is TRUE (NULL counts as false).
 * Subclasses see only the rows that pass.
 */
export abstract class FilteredAccumulator implements Accumulator {
  private rows = 0;

  /** `filterArg` is the filter column, or -1 for none. */
  constructor(private readonly filterArg: number) {}

  add(row: Row): void {
    this.rows++;
    if (this.filterArg >= 0 && row[this.filterArg] !== true) return;
    this.accumulate(row);
  }

  retract(row: Row): void {
    this.rows--;
    if (this.filterArg >= 0 && row[this.filterArg] !== true) return;
    this.unaccumulate(row);
  }

  isEmpty(): boolean {
    return this.rows <= 0;
  }

  snapshot(): BaseSnapshot {
    return { rows: this.rows, state: this.save() };
  }

  restore(state: unknown): void {
    const s = state as BaseSnapshot;
    this.rows = s.rows;
    this.load(s.state);
  }

  merge(other: Accumulator): void {
    const o = other as this;
    this.rows += o.rows;
    this.mergeState(o);
  }

  /** Combines the function state of `other` (later rows) into this one. */
  protected mergeState(_other: this): void {
    throw new Error(`${this.constructor.name} cannot merge`);
  }

  abstract value(): unknown;
  protected abstract accumulate(row: Row): void;
  protected abstract unaccumulate(row: Row): void;
  protected abstract save(): unknown;
  protected abstract load(state: unknown): void;
}
