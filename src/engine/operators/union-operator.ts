/**
 * UNION ALL of N inputs with one schema: every batch of every input goes downstream as it is,
 * kinds included. The runtime combines the inputs' watermarks (their minimum), so there is
 * nothing to do on a watermark.
 */
import { BaseOperator } from '../operator.ts';
import type { ChangeBatch } from '../../types/row.ts';

export class UnionOperator extends BaseOperator {
  readonly name = 'Union';

  constructor(readonly inputs: number) {
    super();
  }

  processBatch(_input: number, batch: ChangeBatch): void {
    this.context.metrics.recordsIn += batch.rows.length;
    this.emit(batch);
  }
}
