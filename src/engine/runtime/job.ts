/**
 * A running statement: drives its pipeline until the inputs end (bounded) or it is stopped
 * (unbounded), and keeps its status, error and metrics for `statement describe`.
 */
import { toShiftleftError, type ShiftleftError } from '../../common/errors.ts';
import type { Pipeline } from './pipeline.ts';

export type JobStatus = 'PENDING' | 'RUNNING' | 'COMPLETED' | 'STOPPED' | 'FAILED';

export class Job {
  status: JobStatus = 'PENDING';
  error: ShiftleftError | undefined;
  readonly startedAt = new Date();
  rowsIn = 0;
  private readonly abort = new AbortController();
  private finished: Promise<void> | undefined;

  constructor(
    readonly name: string,
    readonly sql: string,
    readonly pipeline: Pipeline,
    private readonly options: { idleWaitMs?: number } = {},
  ) {}

  /** Starts the loop in the background; `done` settles when it ends. */
  start(): Promise<void> {
    this.finished ??= this.run();
    return this.finished;
  }

  get done(): Promise<void> {
    return this.finished ?? Promise.resolve();
  }

  private async run(): Promise<void> {
    this.status = 'RUNNING';
    try {
      await this.pipeline.open();
      while (!this.abort.signal.aborted) {
        const rows = await this.pipeline.step();
        this.rowsIn += rows;
        if (this.pipeline.finished) break;
        if (rows === 0) await this.pipeline.waitForData(this.options.idleWaitMs ?? 200, this.abort.signal);
      }
      this.pipeline.close();
      if (this.pipeline.sink) await this.pipeline.sink.flush();
      this.status = this.abort.signal.aborted ? 'STOPPED' : 'COMPLETED';
    } catch (error) {
      this.error = toShiftleftError(error, 'SQL_RUNTIME_ERROR');
      this.status = 'FAILED';
    }
  }

  async stop(): Promise<void> {
    this.abort.abort();
    await this.done;
  }
}
