/**
 * Aggregates that depend on arrival order: FIRST_VALUE, LAST_VALUE and LISTAGG. All ignore NULL
 * values. Under retraction they keep the non-NULL values in arrival order; a retraction removes
 * the oldest copy of the value (so a -U/+U pair of an update moves the value to the end).
 */
import type { Row } from '../../types/row.ts';
import { FilteredAccumulator } from './aggregate-accumulator.ts';
import { valuesEqual } from './aggregate-values.ts';

abstract class ArrivalOrderAccumulator extends FilteredAccumulator {
  protected values: unknown[] = [];

  constructor(
    protected readonly arg: number,
    filterArg: number,
  ) {
    super(filterArg);
  }

  protected accumulate(row: Row): void {
    const v = row[this.arg];
    if (v === null || v === undefined) return;
    this.values.push(v);
  }

  protected unaccumulate(row: Row): void {
    const v = row[this.arg];
    if (v === null || v === undefined) return;
    const i = this.values.findIndex((x) => valuesEqual(x, v));
    if (i >= 0) this.values.splice(i, 1);
  }

  protected override mergeState(other: this): void {
    for (const v of other.values) this.values.push(v);
  }

  protected save(): unknown {
    return this.values.slice();
  }

  protected load(state: unknown): void {
    this.values = (state as unknown[]).slice();
  }
}

export class FirstValueAccumulator extends ArrivalOrderAccumulator {
  value(): unknown {
    return this.values.length > 0 ? this.values[0] : null;
  }
}

export class LastValueAccumulator extends ArrivalOrderAccumulator {
  value(): unknown {
    return this.values.length > 0 ? this.values[this.values.length - 1] : null;
  }
}

/**
 * LISTAGG(expr [, separator]): the values joined by the separator (default ','), NULL if none.
 * The separator is a constant of the call, or (as the binder passes it) a second argument
 * column holding the same literal in every row; it is read from the first row that has one.
 */
export class ListAggAccumulator extends ArrivalOrderAccumulator {
  private separator: string | null;

  constructor(
    arg: number,
    private readonly separatorArg: number,
    constantSeparator: string | null,
    filterArg: number,
  ) {
    super(arg, filterArg);
    this.separator = constantSeparator;
  }

  protected override accumulate(row: Row): void {
    if (this.separator === null && this.separatorArg >= 0) {
      const s = row[this.separatorArg];
      if (typeof s === 'string') this.separator = s;
    }
    super.accumulate(row);
  }

  protected override mergeState(other: this): void {
    if (this.separator === null) this.separator = other.separator;
    super.mergeState(other);
  }

  value(): string | null {
    return this.values.length > 0 ? this.values.join(this.separator ?? ',') : null;
  }

  protected override save(): unknown {
    return { values: super.save(), separator: this.separator };
  }

  protected override load(state: unknown): void {
    const s = state as { values: unknown[]; separator: string | null };
    super.load(s.values);
    this.separator = s.separator;
  }
}

/** COLLECT(expr): the non-NULL values as a MULTISET (an array at run time), empty if none. */
export class CollectAccumulator extends ArrivalOrderAccumulator {
  value(): unknown[] {
    return this.values.slice();
  }
}

/** Append-only FIRST_VALUE / LAST_VALUE (windows): one value, no history. */
export class AppendOnlyEdgeValueAccumulator extends FilteredAccumulator {
  private current: unknown = null;

  constructor(
    private readonly arg: number,
    private readonly keepLast: boolean,
    filterArg: number,
  ) {
    super(filterArg);
  }

  protected accumulate(row: Row): void {
    const v = row[this.arg];
    if (v === null || v === undefined) return;
    if (this.keepLast || this.current === null) this.current = v;
  }

  protected unaccumulate(): void {
    throw new Error('FIRST_VALUE/LAST_VALUE over an append-only input cannot retract');
  }

  protected override mergeState(other: this): void {
    if (other.current !== null && (this.keepLast || this.current === null)) this.current = other.current;
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
