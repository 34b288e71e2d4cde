/**
 * LIMIT / OFFSET on a stream: passes rows through until `limit` rows were emitted after
 * skipping `offset`. On a changelog it counts accumulating rows only (a retraction of a row
 * that was cut off is dropped too), which is what a bounded preview needs.
 */
import { BaseOperator } from '../operator.ts';
import { BatchBuilder, isAccumulate, kindAt, type ChangeBatch } from '../../types/row.ts';

export class LimitOperator extends BaseOperator {
  readonly name = 'Limit';
  private seen = 0;

  constructor(
    private readonly limit: number,
    private readonly offset: number,
  ) {
    super();
  }

  processBatch(_input: number, batch: ChangeBatch): void {
    this.context.metrics.recordsIn += batch.rows.length;
    const out = new BatchBuilder();
    for (let i = 0; i < batch.rows.length; i++) {
      const kind = kindAt(batch, i);
      if (!isAccumulate(kind)) {
        if (this.seen > this.offset && this.seen <= this.offset + this.limit) out.add(batch.rows[i]!, kind);
        continue;
      }
      this.seen++;
      if (this.seen > this.offset && this.seen <= this.offset + this.limit) out.add(batch.rows[i]!, kind);
    }
    this.emit(out.take());
  }

  override snapshotState(): unknown {
    return { seen: this.seen };
  }

  override restoreState(state: unknown): void {
    this.seen = (state as { seen?: number } | null)?.seen ?? 0;
  }
}
