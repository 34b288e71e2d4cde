/**
 * A standalone window TVF, `TABLE(TUMBLE|HOP|CUMULATE(TABLE t, DESCRIPTOR(rowtime), ...))`,
 * when the planner does not fuse it into an aggregation: each row comes out once per window it
 * belongs to, with window_start, window_end and window_time (= window_end - 1) appended.
 *
 * As in Flink, windows that already fired (window_end - 1 <= watermark) are not produced; a row
 * left with no window is late, dropped and counted in metrics.lateRecordsDropped. Row kinds pass
 * through. SESSION needs to see a whole session first, so it only exists fused into a window
 * aggregation (WindowAggregateOperator).
 */
import { ShiftleftError } from '../../common/errors.ts';
import { BaseOperator } from '../operator.ts';
import { RowKind, type ChangeBatch, type Row } from '../../types/row.ts';
import { assignWindowsInto, isWindowFired, validateWindowSpec, type WindowSpec } from './windows/window-assigner.ts';

export interface WindowTableFunctionOptions {
  window: WindowSpec;
  timeIndex: number;
  offsetMs?: number;
}

export class WindowTableFunctionOperator extends BaseOperator {
  readonly name = 'WindowTableFunction';
  private watermark = -Infinity;
  private readonly starts: number[] = [];
  private readonly ends: number[] = [];
  private readonly offsetMs: number;

  constructor(private readonly options: WindowTableFunctionOptions) {
    super();
    validateWindowSpec(options.window);
    if (options.window.kind === 'SESSION') {
      throw new ShiftleftError('SQL_UNSUPPORTED', 'a SESSION window TVF is supported only under a GROUP BY window_start, window_end aggregation', {
        hint: 'Aggregate the session windows (GROUP BY window_start, window_end, ...).',
      });
    }
    this.offsetMs = options.offsetMs ?? 0;
  }

  processBatch(_input: number, batch: ChangeBatch): void {
    const { rows, kinds } = batch;
    const metrics = this.context.metrics;
    metrics.recordsIn += rows.length;
    const out: Row[] = [];
    const outKinds: RowKind[] | null = kinds === null ? null : [];
    const { timeIndex, window } = this.options;
    let late = 0;
    for (let i = 0; i < rows.length; i++) {
      const row = rows[i]!;
      const time = row[timeIndex] as number | null;
      if (time === null || time === undefined) continue;
      const n = assignWindowsInto(time, window, this.offsetMs, this.starts, this.ends);
      let produced = 0;
      for (let w = 0; w < n; w++) {
        const end = this.ends[w]!;
        if (isWindowFired(end, this.watermark)) continue;
        const width = row.length;
        const extended = new Array<unknown>(width + 3);
        for (let c = 0; c < width; c++) extended[c] = row[c];
        extended[width] = this.starts[w]!;
        extended[width + 1] = end;
        extended[width + 2] = end - 1;
        out.push(extended);
        if (outKinds !== null) outKinds.push(kinds![i] ?? RowKind.Insert);
        produced++;
      }
      if (produced === 0) late++;
    }
    if (late > 0) metrics.lateRecordsDropped += late;
    this.emit({ rows: out, kinds: outKinds });
  }

  override onWatermark(_input: number, watermark: number): void {
    if (watermark > this.watermark) this.watermark = watermark;
  }

  override snapshotState(): unknown {
    return { watermark: Number.isFinite(this.watermark) ? this.watermark : null };
  }

  override restoreState(state: unknown): void {
    const w = (state as { watermark: number | null } | null)?.watermark ?? null;
    this.watermark = w ?? -Infinity;
  }
}
