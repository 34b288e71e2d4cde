/**
 * Calc: the WHERE filter and the SELECT projection of one query block, fused (Flink's Calc).
 * Both functions come compiled from the expression compiler; this operator only drives them.
 * Row kinds pass through unchanged: a filter over a changelog drops the whole change, and a
 * projection rewrites it.
 *
 * It is the hottest operator of most plans, so the loops allocate nothing but the output rows
 * and arrays, and the kind array is shared with the input when no row is dropped.
 */
import { BaseOperator } from '../operator.ts';
import { RowKind, type ChangeBatch, type Row } from '../../types/row.ts';
import { markTombstone, tombstoneTime } from './tombstone-time.ts';

export interface CalcOptions {
  /** Keeps a row when it returns true (the compiled WHERE, NULL already mapped to false). */
  filter?: (row: Row) => boolean;
  /** Builds the output row (the compiled SELECT list). */
  project?: (row: Row) => Row;
}

export class CalcOperator extends BaseOperator {
  readonly name = 'Calc';
  private readonly filter: ((row: Row) => boolean) | undefined;
  private readonly project: ((row: Row) => Row) | undefined;

  constructor(options: CalcOptions) {
    super();
    this.filter = options.filter;
    this.project = options.project;
  }

  processBatch(_input: number, batch: ChangeBatch): void {
    const rows = batch.rows;
    const n = rows.length;
    this.context.metrics.recordsIn += n;
    if (n === 0) return;
    const filter = this.filter;
    const project = this.project;
    if (filter === undefined) {
      if (project === undefined) return this.emit(batch);
      const out = new Array<Row>(n);
      for (let i = 0; i < n; i++) out[i] = project(rows[i]!);
      if (batch.kinds !== null) carryTombstones(rows, batch.kinds, out);
      return this.emit({ rows: out, kinds: batch.kinds });
    }
    const kinds = batch.kinds;
    const out: Row[] = [];
    const outKinds: RowKind[] | null = kinds === null ? null : [];
    for (let i = 0; i < n; i++) {
      const row = rows[i]!;
      if (!filter(row)) continue;
      if (project === undefined) {
        out.push(row);
      } else {
        const projected = project(row);
        if (kinds !== null && kinds[i] === RowKind.Delete) carryTombstone(row, projected);
        out.push(projected);
      }
      if (outKinds !== null) outKinds.push(kinds![i]!);
    }
    this.emit({ rows: out, kinds: outKinds });
  }
}

/** A projected -D keeps its input's tombstone time (see tombstone-time.ts). */
function carryTombstones(rows: Row[], kinds: RowKind[], out: Row[]): void {
  for (let i = 0; i < kinds.length; i++) if (kinds[i] === RowKind.Delete) carryTombstone(rows[i]!, out[i]!);
}

function carryTombstone(from: Row, to: Row): void {
  const time = tombstoneTime(from);
  if (time !== undefined) markTombstone(to, time);
}
