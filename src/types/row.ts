/**
 * Rows and changelogs.
 *
 * A row is a plain array of values in column order (see sql-type.ts for the value of each
 * type): arrays index faster than objects and cost less memory per row.
 *
 * A changelog carries, for each row, what happened to it, with Flink's four kinds:
 *   +I insert, -U retract the old version of an update, +U the new version, -D delete.
 * An append-only stream has only +I. Operators exchange rows in batches; a batch whose `kinds`
 * is null holds only inserts (the common case, with no per-row kind to read).
 */
export type Row = unknown[];

export const RowKind = { Insert: 0, UpdateBefore: 1, UpdateAfter: 2, Delete: 3 } as const;
export type RowKind = (typeof RowKind)[keyof typeof RowKind];

export const ROW_KIND_SHORT: readonly string[] = ['+I', '-U', '+U', '-D'];

/** True for the kinds that add a row to a result (+I, +U). */
export function isAccumulate(kind: RowKind): boolean {
  return kind === RowKind.Insert || kind === RowKind.UpdateAfter;
}

export interface ChangeBatch {
  rows: Row[];
  /** Kind of each row, or null when all rows are inserts. */
  kinds: RowKind[] | null;
}

export function insertBatch(rows: Row[]): ChangeBatch {
  return { rows, kinds: null };
}

export function kindAt(batch: ChangeBatch, i: number): RowKind {
  return batch.kinds === null ? RowKind.Insert : batch.kinds[i]!;
}

/** Builds a batch row by row; keeps `kinds` null while only inserts are added. */
export class BatchBuilder {
  private rows: Row[] = [];
  private kinds: RowKind[] | null = null;

  add(row: Row, kind: RowKind = RowKind.Insert): void {
    if (kind !== RowKind.Insert && this.kinds === null) this.kinds = new Array<RowKind>(this.rows.length).fill(RowKind.Insert);
    this.rows.push(row);
    if (this.kinds !== null) this.kinds.push(kind);
  }

  get size(): number {
    return this.rows.length;
  }

  /** Returns the batch built so far and starts a new one. */
  take(): ChangeBatch {
    const batch = { rows: this.rows, kinds: this.kinds };
    this.rows = [];
    this.kinds = null;
    return batch;
  }
}
