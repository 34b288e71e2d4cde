/**
 * MIN and MAX. Over a changelog the current extreme can be retracted, so the retractable form
 * keeps every value with its multiplicity and rescans them only when the last copy of the
 * current extreme leaves. Append-only inputs (windows) use the one-value form.
 */
import type { Row } from '../../types/row.ts';
import { FilteredAccumulator } from './aggregate-accumulator.ts';
import { compareValues, valueMapKey } from './aggregate-values.ts';

/** +1 keeps the larger value (MAX), -1 the smaller (MIN). */
export type ExtremeDirection = 1 | -1;

interface Counted {
  value: unknown;
  count: number;
}

export class RetractableExtremeAccumulator extends FilteredAccumulator {
  /** Value (see valueMapKey) -> value and how many rows carry it. */
  private readonly counts = new Map<unknown, Counted>();
  private current: unknown = null;

  constructor(
    private readonly arg: number,
    private readonly direction: ExtremeDirection,
    filterArg: number,
  ) {
    super(filterArg);
  }

  private better(a: unknown, b: unknown): boolean {
    return compareValues(a, b) * this.direction > 0;
  }

  protected accumulate(row: Row): void {
    const v = row[this.arg];
    if (v === null || v === undefined) return;
    const key = valueMapKey(v);
    const entry = this.counts.get(key);
    if (entry) entry.count++;
    else this.counts.set(key, { value: v, count: 1 });
    if (this.current === null || this.better(v, this.current)) this.current = v;
  }

  protected unaccumulate(row: Row): void {
    const v = row[this.arg];
    if (v === null || v === undefined) return;
    const key = valueMapKey(v);
    const entry = this.counts.get(key);
    if (!entry) return; // retraction of a value never seen (e.g. state expired): nothing to undo
    if (--entry.count > 0) return;
    this.counts.delete(key);
    if (compareValues(v, this.current) === 0) this.current = this.rescan();
  }

  private rescan(): unknown {
    let best: unknown = null;
    for (const { value } of this.counts.values()) if (best === null || this.better(value, best)) best = value;
    return best;
  }

  value(): unknown {
    return this.current;
  }

  protected save(): unknown {
    return [...this.counts.values()].map((e) => [e.value, e.count]);
  }

  protected load(state: unknown): void {
    this.counts.clear();
    for (const [value, count] of state as [unknown, number][]) this.counts.set(valueMapKey(value), { value, count });
    this.current = this.rescan();
  }
}

export class AppendOnlyExtremeAccumulator extends FilteredAccumulator {
  private current: unknown = null;

  constructor(
    private readonly arg: number,
    private readonly direction: ExtremeDirection,
    filterArg: number,
  ) {
    super(filterArg);
  }

  protected accumulate(row: Row): void {
    const v = row[this.arg];
    if (v === null || v === undefined) return;
    if (this.current === null || compareValues(v, this.current) * this.direction > 0) this.current = v;
  }

  protected unaccumulate(): void {
    throw new Error('MIN/MAX over an append-only input cannot retract');
  }

  protected override mergeState(other: this): void {
    const v = other.current;
    if (v !== null && (this.current === null || compareValues(v, this.current) * this.direction > 0)) this.current = v;
  }

  value(): unknown {
    return this.current;
  }

  protected save(): unknown {
    return this.current;
  }

  protected load(state: unknown): void {
    this.current = state;
  }
}
