/**
 * A small OperatorContext for driving aggregating operators directly in tests: it collects the
 * emitted changelog as readable strings (`+I["a",1]`), with an injectable clock and state TTL.
 */
import { newMetrics, type Operator, type OperatorContext, type OperatorMetrics } from '../../../src/engine/operator.ts';
import { ROW_KIND_SHORT, RowKind, type ChangeBatch, type Row } from '../../../src/types/row.ts';
import type { AggregateCall } from '../../../src/sql/plan/aggregate-call.ts';
import type { SqlType } from '../../../src/types/sql-type.ts';
import { T } from '../../../src/types/sql-type.ts';

export class CollectingContext implements OperatorContext {
  readonly batches: ChangeBatch[] = [];
  readonly metrics: OperatorMetrics = newMetrics();
  time = 0;

  constructor(readonly stateTtlMs = 0) {}

  emit(batch: ChangeBatch): void {
    this.batches.push(batch);
  }

  now(): number {
    return this.time;
  }

  /** The changelog emitted since the last call, one string per row. */
  take(): string[] {
    const out: string[] = [];
    for (const b of this.batches) b.rows.forEach((row, i) => out.push(ROW_KIND_SHORT[b.kinds === null ? 0 : b.kinds[i]!] + JSON.stringify(row)));
    this.batches.length = 0;
    return out;
  }
}

const KIND_BY_SHORT: Record<string, RowKind> = { '+I': RowKind.Insert, '-U': RowKind.UpdateBefore, '+U': RowKind.UpdateAfter, '-D': RowKind.Delete };

/** A batch from `['+I', row]` pairs, or from bare rows (inserts). */
export function batchOf(...items: (Row | [string, Row])[]): ChangeBatch {
  const rows: Row[] = [];
  const kinds: RowKind[] = [];
  let anyChange = false;
  for (const item of items) {
    const isChange = typeof item[0] === 'string' && item[0] in KIND_BY_SHORT && Array.isArray(item[1]) && item.length === 2;
    if (isChange) {
      const kind = KIND_BY_SHORT[item[0] as string]!;
      rows.push(item[1] as Row);
      kinds.push(kind);
      if (kind !== RowKind.Insert) anyChange = true;
    } else {
      rows.push(item as Row);
      kinds.push(RowKind.Insert);
    }
  }
  return { rows, kinds: anyChange ? kinds : null };
}

export function opened<O extends Operator>(operator: O, context: CollectingContext = new CollectingContext()): { op: O; ctx: CollectingContext } {
  operator.open(context);
  return { op: operator, ctx: context };
}

/** Snapshot through JSON (proving it is JSON-able) and restore into a fresh operator. */
export function restoredCopy<O extends Operator>(from: Operator, fresh: O, context: CollectingContext = new CollectingContext()): { op: O; ctx: CollectingContext } {
  const json = JSON.parse(JSON.stringify(from.snapshotState())) as unknown;
  fresh.restoreState(json);
  fresh.open(context);
  return { op: fresh, ctx: context };
}

export function agg(fn: string, args: number[], type: SqlType, extra: Partial<AggregateCall> = {}): AggregateCall {
  return { fn, args, distinct: false, filterArg: undefined, type, name: fn.toLowerCase(), ...extra };
}

export const BIGINT_NN = T.bigint(false);

/**
 * Folds a changelog (as `take()` returns it) into the final table: +I/+U add a row, -U/-D remove
 * one (which must be there). Returns the rows as sorted JSON strings.
 */
export function foldChangelog(changelog: string[]): string[] {
  const table = new Map<string, number>();
  for (const entry of changelog) {
    const kind = entry.slice(0, 2);
    const row = entry.slice(2);
    const n = table.get(row) ?? 0;
    if (kind === '+I' || kind === '+U') table.set(row, n + 1);
    else {
      if (n === 0) throw new Error(`changelog retracts ${row}, which is not in the table`);
      if (n === 1) table.delete(row);
      else table.set(row, n - 1);
    }
  }
  const out: string[] = [];
  for (const [row, n] of table) for (let i = 0; i < n; i++) out.push(row);
  return out.sort();
}

/** A small deterministic PRNG (xorshift32) for randomized tests. */
export function randomInts(seed: number): (bound: number) => number {
  let s = seed || 1;
  return (bound) => {
    s ^= s << 13;
    s ^= s >>> 17;
    s ^= s << 5;
    return (s >>> 0) % bound;
  };
}

/** Folds an upsert changelog (no -U needed): +I/+U set the row of its key, -D removes the key. */
export function foldUpsertChangelog(changelog: string[], keyOf: (row: unknown[]) => string): string[] {
  const table = new Map<string, string>();
  for (const entry of changelog) {
    const kind = entry.slice(0, 2);
    const json = entry.slice(2);
    const key = keyOf(JSON.parse(json) as unknown[]);
    if (kind === '+I' || kind === '+U') table.set(key, json);
    else if (kind === '-D') table.delete(key);
  }
  return [...table.values()].sort();
}
