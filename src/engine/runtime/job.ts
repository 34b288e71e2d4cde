/**
 * A running statement: drives its pipeline until the inputs end (bounded) or it is stopped
 * (unbounded), and keeps its status, error and metrics for `statement describe`.
 *
 * With a checkpointer (durable statements of a platform), it checkpoints every interval between
 * steps; a stop takes a last checkpoint BEFORE the operators close, so nothing an operator emits
 * only because its input "ended" (open windows) is committed: the resumed statement goes on
 * from exactly where it stopped. A failure aborts the open transaction.
 */
import { toShiftleftError, type ShiftleftError } from '../../common/errors.ts';
import type { Checkpointer } from './checkpointer.ts';
import type { Pipeline } from './pipeline.ts';

export type JobStatus = 'PENDING' | 'RUNNING' | 'COMPLETED' | 'STOPPED' | 'FAILED';

export class Job {
  status: JobStatus = 'PENDING';
  error: ShiftleftError | undefined;
  readonly startedAt = new Date();
  rowsIn = 0;
  /** The physical plan as EXPLAIN prints it (statement describe). */
  plan: string | undefined;
  private readonly abort = new AbortController();
  private finished: Promise<void> | undefined;

  constructor(
    readonly name: string,
    readonly sql: string,
    readonly pipeline: Pipeline,
    private readonly options: { idleWaitMs?: number; checkpointer?: Checkpointer } = {},
  ) {}

  get checkpointer(): Checkpointer | undefined {
    return this.options.checkpointer;
  }

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
    const checkpointer = this.options.checkpointer;
    try {
      await this.pipeline.open();
      while (!this.abort.signal.aborted) {
        const rows = await this.pipeline.step();
        this.rowsIn += rows;
        if (this.pipeline.finished) break;
        if (checkpointer?.due()) await checkpointer.checkpoint(this.pipeline);
        if (rows === 0) await this.pipeline.waitForData(this.options.idleWaitMs ?? 200, this.abort.signal);
      }
      if (this.abort.signal.aborted && checkpointer) {
        await checkpointer.checkpoint(this.pipeline);
        this.pipeline.close();
        this.pipeline.sink?.discardPending();
      } else {
        this.pipeline.close();
        if (this.pipeline.sink) await this.pipeline.sink.flush();
        // Inputs ended: commit what closing emitted; there is no state left to resume from.
        if (checkpointer) await checkpointer.checkpoint(this.pipeline, { completed: true });
      }
      this.status = this.abort.signal.aborted ? 'STOPPED' : 'COMPLETED';
    } catch (error) {
      await checkpointer?.abort();
      this.error = toShiftleftError(error, 'SQL_RUNTIME_ERROR');
      this.status = 'FAILED';
    }
  }

  async stop(): Promise<void> {
    this.abort.abort();
    await this.done;
  }
}
