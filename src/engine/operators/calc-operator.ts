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
import type { ChangeBatch, Row, RowKind } from '../../types/row.ts';

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
      return this.emit({ rows: out, kinds: batch.kinds });
    }
    const kinds = batch.kinds;
    const out: Row[] = [];
    const outKinds: RowKind[] | null = kinds === null ? null : [];
    for (let i = 0; i < n; i++) {
      const row = rows[i]!;
      if (!filter(row)) continue;
      out.push(project === undefined ? row : project(row));
      if (outKinds !== null) outKinds.push(kinds![i]!);
    }
    this.emit({ rows: out, kinds: outKinds });
  }
}
