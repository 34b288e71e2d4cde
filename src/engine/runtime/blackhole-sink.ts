/**
 * The sink of `'connector' = 'blackhole'` tables: counts rows and drops them (Flink's blackhole
 * connector), so a benchmark measures the query and not the writing.
 */
import type { ChangeBatch } from '../../types/row.ts';

export class BlackholeSink {
  rows = 0;
  /** The last watermark that reached the sink. */
  watermark = -Infinity;

  constructor(readonly table: string) {}

  write(batch: ChangeBatch): void {
    this.rows += batch.rows.length;
  }
}
