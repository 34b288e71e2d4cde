/**
 * The operator lifecycle every physical operator follows (after Arroyo and Flink):
 *
 *   open(context)                 once, before any data; state may already be restored
 *   processBatch(input, batch)    rows of one input, in order; emit results via context
 *   onWatermark(input, wm)        event time advanced on one input; fire timers (windows,
 *                                 temporal joins), then the runtime forwards the combined
 *                                 watermark (the minimum over inputs) downstream
 *   snapshotState() / restoreState(state)
 *                                 everything needed to resume after a crash, as plain JSON-able
 *                                 data (Maps become arrays of entries), taken between batches
 *   close()                       once, at the end; bounded inputs flush here
 *
 * Operators run on one thread and are called synchronously: there is no concurrency inside a
 * statement, which keeps state handling simple and fast. All rows flow as ChangeBatches.
 */
import type { ChangeBatch } from '../types/row.ts';
import type { StateBackendOptions } from './state/state-options.ts';

export interface OperatorMetrics {
  recordsIn: number;
  recordsOut: number;
  /** Rows that arrived behind the watermark and were dropped (windows, interval joins). */
  lateRecordsDropped: number;
  /** State entries removed by TTL. */
  stateExpired: number;
}

export interface OperatorContext {
  /** Sends a batch to the downstream operator(s). */
  emit(batch: ChangeBatch): void;
  /** Current processing time in epoch millis (injectable for tests). */
  now(): number;
  /** State TTL in millis from `sql.state-ttl`, or 0 for none. */
  readonly stateTtlMs: number;
  readonly metrics: OperatorMetrics;
  /** How much keyed state stays in memory and where the rest spills (state/state-options.ts). */
  readonly state?: StateBackendOptions;
}

export interface Operator {
  /** Short name for EXPLAIN, metrics and errors (e.g. `TemporalJoin`). */
  readonly name: string;
  open(context: OperatorContext): void;
  processBatch(input: number, batch: ChangeBatch): void;
  onWatermark(input: number, watermark: number): void;
  snapshotState(): unknown;
  restoreState(state: unknown): void;
  close(): void;
}

export function newMetrics(): OperatorMetrics {
  return { recordsIn: 0, recordsOut: 0, lateRecordsDropped: 0, stateExpired: 0 };
}

/** A convenient base: single-input operators override what they need. */
export abstract class BaseOperator implements Operator {
  abstract readonly name: string;
  protected context!: OperatorContext;

  open(context: OperatorContext): void {
    this.context = context;
  }

  abstract processBatch(input: number, batch: ChangeBatch): void;

  onWatermark(_input: number, _watermark: number): void {}

  snapshotState(): unknown {
    return null;
  }

  restoreState(_state: unknown): void {}

  close(): void {}

  protected emit(batch: ChangeBatch): void {
    if (batch.rows.length === 0) return;
    this.context.metrics.recordsOut += batch.rows.length;
    this.context.emit(batch);
  }
}
