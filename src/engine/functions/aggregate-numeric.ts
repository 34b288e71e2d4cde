/**
 * COUNT, SUM, AVG and the variance family. All ignore NULL arguments (COUNT(*) counts rows) and
 * support retraction by keeping counts next to the sums.
 */
import type { Row } from '../../types/row.ts';
import type { SqlType } from '../../types/sql-type.ts';
import { isInteger } from '../../types/sql-type.ts';
import { FilteredAccumulator } from './aggregate-accumulator.ts';
import { roundDecimal, wrapInteger } from '../expr/numeric.ts';
import { powerOfTen, toUnscaled } from './aggregate-values.ts';

/** COUNT(*) when `args` is empty, else the rows where every argument is non-NULL. */
export class CountAccumulator extends FilteredAccumulator {
  private count = 0;

  constructor(
    private readonly args: readonly number[],
    filterArg: number,
  ) {
    super(filterArg);
  }

  private counts(row: Row): boolean {
    const args = this.args;
    for (let i = 0; i < args.length; i++) if (row[args[i]!] === null || row[args[i]!] === undefined) return false;
    return true;
  }

  protected accumulate(row: Row): void {
    if (this.counts(row)) this.count++;
  }

  protected unaccumulate(row: Row): void {
    if (this.counts(row)) this.count--;
  }

  value(): number {
    return this.count;
  }

  protected override mergeState(other: this): void {
    this.count += other.count;
  }

  protected save(): unknown {
    return this.count;
  }

  protected load(state: unknown): void {
    this.count = state as number;
  }
}

/**
 * How a numeric type is summed: integers and floating point natively; DECIMAL as an integer
 * number of 10^-scale units, so that 0.1 + 0.2 stays exactly 0.3 however many rows come and go.
 */
interface NumericDomain {
  toSum(value: number): number;
  fromSum(sum: number): number;
}

function numericDomain(type: SqlType): NumericDomain {
  if (type.kind === 'DECIMAL') {
    const scale = type.scale;
    const factor = powerOfTen(scale);
    return { toSum: (v) => toUnscaled(v, scale), fromSum: (s) => s / factor };
  }
  return { toSum: (v) => v, fromSum: (s) => s };
}

const identityDomain: NumericDomain = { toSum: (v) => v, fromSum: (s) => s };

abstract class SumLike extends FilteredAccumulator {
  protected sum = 0;
  /** Non-NULL values currently in the sum: SUM over none is NULL. */
  protected count = 0;
  protected readonly domain: NumericDomain;

  constructor(
    protected readonly arg: number,
    argType: SqlType,
    filterArg: number,
  ) {
    super(filterArg);
    this.domain = argType.kind === 'DECIMAL' ? numericDomain(argType) : identityDomain;
  }

  protected accumulate(row: Row): void {
    const v = row[this.arg];
    if (v === null || v === undefined) return;
    this.sum += this.domain.toSum(v as number);
    this.count++;
  }

  protected unaccumulate(row: Row): void {
    const v = row[this.arg];
    if (v === null || v === undefined) return;
    this.sum -= this.domain.toSum(v as number);
    this.count--;
  }

  protected override mergeState(other: this): void {
    this.sum += other.sum;
    this.count += other.count;
  }

  protected save(): unknown {
    return [this.sum, this.count];
  }

  protected load(state: unknown): void {
    [this.sum, this.count] = state as [number, number];
  }
}

/**
 * SUM. Integer sums wrap to their type like Java's arithmetic in Flink (SUM of INT overflows at
 * 2^31); the sum itself stays exact up to 2^53, so wrapping the total equals wrapping each step.
 */
export class SumAccumulator extends SumLike {
  private readonly resultKind: string;

  constructor(arg: number, resultType: SqlType, filterArg: number) {
    super(arg, resultType, filterArg);
    this.resultKind = resultType.kind;
  }

  value(): number | null {
    if (this.count <= 0) return null;
    return wrapInteger(this.domain.fromSum(this.sum), this.resultKind);
  }
}

/**
 * AVG keeps Flink's result types: the argument's own type for integers (so AVG of INT is an INT,
 * truncated toward zero like Java's integer division), DECIMAL(38, max(6, s)) for decimals.
 */
export class AvgAccumulator extends SumLike {
  private readonly integral: boolean;

  constructor(
    arg: number,
    argType: SqlType,
    private readonly resultType: SqlType,
    filterArg: number,
  ) {
    super(arg, argType, filterArg);
    this.integral = isInteger(argType);
  }

  value(): number | null {
    if (this.count <= 0) return null;
    const avg = this.domain.fromSum(this.sum) / this.count;
    if (this.integral) return Math.trunc(avg);
    if (this.resultType.kind === 'DECIMAL') return roundDecimal(avg, this.resultType.scale);
    return avg;
  }
}

export type VarianceKind = 'VAR_POP' | 'VAR_SAMP' | 'STDDEV_POP' | 'STDDEV_SAMP';

/**
 * Variance and standard deviation from count, sum and sum of squares (in DOUBLE). The result
 * has the argument's type as in Flink (integers truncate); the sample forms are NULL below two
 * rows.
 */
export class VarianceAccumulator extends FilteredAccumulator {
  private count = 0;
  private sum = 0;
  private sumSquares = 0;

  constructor(
    private readonly kind: VarianceKind,
    private readonly arg: number,
    private readonly resultType: SqlType,
    filterArg: number,
  ) {
    super(filterArg);
  }

  protected accumulate(row: Row): void {
    const v = row[this.arg] as number | null;
    if (v === null || v === undefined) return;
    this.count++;
    this.sum += v;
    this.sumSquares += v * v;
  }

  protected unaccumulate(row: Row): void {
    const v = row[this.arg] as number | null;
    if (v === null || v === undefined) return;
    this.count--;
    this.sum -= v;
    this.sumSquares -= v * v;
  }

  value(): number | null {
    const sample = this.kind === 'VAR_SAMP' || this.kind === 'STDDEV_SAMP';
    const n = this.count;
    if (n <= 0 || (sample && n < 2)) return null;
    // Clamp: cancellation can leave a tiny negative where the true value is 0.
    const squaredDeviations = Math.max(0, this.sumSquares - (this.sum * this.sum) / n);
    const variance = squaredDeviations / (sample ? n - 1 : n);
    const result = this.kind.startsWith('STDDEV') ? Math.sqrt(variance) : variance;
    if (isInteger(this.resultType)) return Math.trunc(result);
    if (this.resultType.kind === 'DECIMAL') return roundDecimal(result, this.resultType.scale);
    return result;
  }

  protected override mergeState(other: this): void {
    this.count += other.count;
    this.sum += other.sum;
    this.sumSquares += other.sumSquares;
  }

  protected save(): unknown {
    return [this.count, this.sum, this.sumSquares];
  }

  protected load(state: unknown): void {
    [this.count, this.sum, this.sumSquares] = state as [number, number, number];
  }
}
