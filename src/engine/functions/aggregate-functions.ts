/**
 * Aggregate functions: type resolution for the binder and accumulators for the operators.
 *
 *   resolveAggregate('SUM', [DECIMAL(10,2)], false)  -> DECIMAL(38, 2)
 *   createAccumulator(call)                          -> Accumulator (add/retract/value/...)
 *
 * Accumulators are retractable by default (group aggregation over changelogs). Operators whose
 * input is append-only (window aggregation) ask for `{ retractable: false }` and get lighter
 * MIN/MAX/FIRST_VALUE/LAST_VALUE that keep one value instead of a history.
 */
import { ShiftleftError } from '../../common/errors.ts';
import type { AggregateCall } from '../../sql/plan/aggregate-call.ts';
import type { Accumulator } from './aggregate-accumulator.ts';
import { DistinctAccumulator } from './aggregate-distinct.ts';
import { AppendOnlyExtremeAccumulator, RetractableExtremeAccumulator } from './aggregate-extremes.ts';
import { AvgAccumulator, CountAccumulator, SumAccumulator, VarianceAccumulator } from './aggregate-numeric.ts';
import { AppendOnlyEdgeValueAccumulator, CollectAccumulator, FirstValueAccumulator, LastValueAccumulator, ListAggAccumulator } from './aggregate-ordered.ts';
import { canonicalAggregateName } from './aggregate-types.ts';

export type { Accumulator } from './aggregate-accumulator.ts';
export { canonicalAggregateName, isAggregateFunction, resolveAggregate } from './aggregate-types.ts';

export interface AccumulatorOptions {
  /** False when the input never retracts (append-only); default true. */
  retractable?: boolean;
}

export function createAccumulator(call: AggregateCall, options: AccumulatorOptions = {}): Accumulator {
  return accumulatorFactory(call, options)();
}

/**
 * Resolves a call once into a factory, so operators that create accumulators per group (and
 * per window) do not repeat the name lookup and validation for every group.
 */
export function accumulatorFactory(call: AggregateCall, options: AccumulatorOptions = {}): () => Accumulator {
  const filterArg = call.filterArg ?? -1;
  // DISTINCT is applied by a wrapper, which also applies the filter before de-duplicating.
  if (call.distinct && call.args.length > 0) {
    const inner = plainFactory(call, -1, options);
    const args = call.args;
    return () => new DistinctAccumulator(inner(), args, filterArg);
  }
  return plainFactory(call, filterArg, options);
}

function plainFactory(call: AggregateCall, filterArg: number, options: AccumulatorOptions): () => Accumulator {
  const retractable = options.retractable ?? true;
  const arg = call.args[0] ?? -1;
  const name = canonicalAggregateName(call.fn);
  const type = call.type;
  if (name !== 'COUNT' && arg < 0) throw new ShiftleftError('SQL_PLAN_ERROR', `${name} needs an argument column`);
  switch (name) {
    case 'COUNT': {
      const args = call.args;
      return () => new CountAccumulator(args, filterArg);
    }
    case 'SUM':
      return () => new SumAccumulator(arg, type, filterArg);
    case 'AVG':
      // Integers, DOUBLE and DECIMAL(38, s') alike: summing at the result's scale is exact
      // because the argument's scale is never larger.
      return () => new AvgAccumulator(arg, type, type, filterArg);
    case 'MIN':
    case 'MAX': {
      const direction = name === 'MAX' ? 1 : -1;
      return retractable
        ? () => new RetractableExtremeAccumulator(arg, direction, filterArg)
        : () => new AppendOnlyExtremeAccumulator(arg, direction, filterArg);
    }
    case 'FIRST_VALUE':
      return retractable ? () => new FirstValueAccumulator(arg, filterArg) : () => new AppendOnlyEdgeValueAccumulator(arg, false, filterArg);
    case 'LAST_VALUE':
      return retractable ? () => new LastValueAccumulator(arg, filterArg) : () => new AppendOnlyEdgeValueAccumulator(arg, true, filterArg);
    case 'LISTAGG': {
      const constant = call.constants?.[0];
      const separator = typeof constant === 'string' ? constant : null;
      const separatorArg = call.args[1] ?? -1;
      return () => new ListAggAccumulator(arg, separatorArg, separator, filterArg);
    }
    case 'COLLECT':
      return () => new CollectAccumulator(arg, filterArg);
    case 'VAR_POP':
    case 'VAR_SAMP':
    case 'STDDEV_POP':
    case 'STDDEV_SAMP':
      return () => new VarianceAccumulator(name, arg, type, filterArg);
  }
  throw new ShiftleftError('SQL_UNKNOWN_FUNCTION', `unknown aggregate function ${call.fn}`);
}

/** A factory of one accumulator per call, in call order (one array per group). */
export function accumulatorsFactory(calls: readonly AggregateCall[], options: AccumulatorOptions = {}): () => Accumulator[] {
  const factories = calls.map((c) => accumulatorFactory(c, options));
  const n = factories.length;
  return () => {
    const accs = new Array<Accumulator>(n);
    for (let i = 0; i < n; i++) accs[i] = factories[i]!();
    return accs;
  };
}

/**
 * Whether append-only accumulators of these calls can merge (every function can; DISTINCT
 * cannot, since its wrapper keeps value counts, not the rows its inner accumulator would need).
 */
export function accumulatorsMergeable(calls: readonly AggregateCall[]): boolean {
  return calls.every((c) => !c.distinct || c.args.length === 0);
}

/** One accumulator per call, in call order. */
export function createAccumulators(calls: readonly AggregateCall[], options: AccumulatorOptions = {}): Accumulator[] {
  return accumulatorsFactory(calls, options)();
}
