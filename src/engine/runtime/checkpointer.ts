/**
 * Periodic checkpoints of one statement, and its exactly-once output.
 *
 * The statement's sink writes into a log transaction. A checkpoint, taken between two steps of
 * the pipeline (nothing is in flight: one thread), is:
 *   1. flush the sink into the open transaction;
 *   2. snapshot sources (offsets, watermarks, upsert state) and operators into a file, fsynced;
 *   3. add the pointer "checkpoint N is complete" to `_statement_checkpoints` in the SAME
 *      transaction, and commit it.
 * Step 3 is the atomic point: the output up to N and the fact that N exists become visible to
 * read_committed readers together. A crash before it leaves an open transaction that the log
 * aborts on restart, and the statement resumes from N-1, whose output was committed with it:
 * nothing is lost, nothing is written twice. A crash after it resumes from N.
 *
 * On a log without transactions (`beginTransaction` undefined) the same steps run with plain
 * writes: output is at-least-once, which `statement describe` says.
 */
import { createHash } from 'node:crypto';
import { ShiftleftError } from '../../common/errors.ts';
import type { LogClient, LogTransaction } from '../../log/log-client.ts';
import { explainPhysical, type PhysicalPlan } from '../../sql/plan/physical-plan.ts';
import type { CheckpointStore } from '../checkpoint/checkpoint-store.ts';
import { STATEMENT_CHECKPOINTS_TOPIC, statementTransactionalId, type CheckpointPointer, type StatementStore } from '../checkpoint/statement-store.ts';
import type { Pipeline, PipelineSnapshot } from './pipeline.ts';
import type { RecordWriter } from './topic-sink.ts';

export const DEFAULT_CHECKPOINT_INTERVAL_MS = 10_000;
const KEEP_FILES = 3;

export interface CheckpointSnapshot {
  version: 1;
  statement: string;
  checkpointId: number;
  planFingerprint: string;
  takenAt: number;
  /** Null in the last checkpoint of a statement whose inputs ended (`completed`). */
  pipeline: PipelineSnapshot | null;
  completed?: boolean;
}

export interface CheckpointInfo {
  id: number;
  at: number;
  durationMs: number;
  bytes: number;
}

/** A short, stable digest of a physical plan: state only fits the plan it was taken for. */
export function planFingerprint(plan: PhysicalPlan): string {
  return createHash('sha256').update(explainPhysical(plan)).digest('hex').slice(0, 16);
}

export interface CheckpointerOptions {
  statement: string;
  log: LogClient;
  store: StatementStore;
  intervalMs: number;
  planFingerprint: string;
  /** The checkpoint the statement resumed from, if any. */
  restoredFrom?: number;
  now?: () => number;
}

export class Checkpointer {
  readonly delivery: 'exactly-once' | 'at-least-once';
  readonly files: CheckpointStore;
  last: CheckpointInfo | undefined;
  completed = 0;
  private nextId: number;
  private lastAt: number;
  private transaction: LogTransaction | undefined;
  private readonly now: () => number;

  constructor(private readonly options: CheckpointerOptions) {
    this.delivery = options.log.beginTransaction ? 'exactly-once' : 'at-least-once';
    this.files = options.store.checkpoints(options.statement);
    this.now = options.now ?? Date.now;
    // Ids never go back, even past files of checkpoints that were never committed.
    this.nextId = Math.max(options.restoredFrom ?? 0, ...this.files.ids()) + 1;
    this.lastAt = this.now();
  }

  get intervalMs(): number {
    return this.options.intervalMs;
  }

  get transactionalId(): string {
    return statementTransactionalId(this.options.statement);
  }

  /** The sink's writer: the open transaction (begun on first use), or the log itself. */
  readonly writer = async (): Promise<RecordWriter> => {
    if (this.delivery === 'at-least-once') return this.options.log;
    this.transaction ??= await this.options.log.beginTransaction!(this.transactionalId);
    return this.transaction;
  };

  due(): boolean {
    return this.now() - this.lastAt >= this.options.intervalMs;
  }

  async checkpoint(pipeline: Pipeline, options: { completed?: boolean } = {}): Promise<CheckpointInfo> {
    const started = this.now();
    if (pipeline.sink) await pipeline.sink.flush();
    const id = this.nextId++;
    const snapshot: CheckpointSnapshot = {
      version: 1,
      statement: this.options.statement,
      checkpointId: id,
      planFingerprint: this.options.planFingerprint,
      takenAt: started,
      // After close (inputs ended) operators hold nothing worth keeping, and spilled state is gone.
      pipeline: options.completed ? null : pipeline.snapshotState(),
      ...(options.completed ? { completed: true } : {}),
    };
    const bytes = this.files.write(id, snapshot);
    const pointer: CheckpointPointer = { checkpointId: id, planFingerprint: this.options.planFingerprint, takenAt: started };
    const record = this.options.store.pointerRecord(this.options.statement, pointer);
    const writer = await this.writer();
    await writer.produce(STATEMENT_CHECKPOINTS_TOPIC, [record]);
    if (this.transaction) {
      const transaction = this.transaction;
      this.transaction = undefined;
      await transaction.commit();
    }
    this.options.store.committed(this.options.statement, pointer);
    this.files.prune(KEEP_FILES, id);
    this.lastAt = this.now();
    this.completed++;
    this.last = { id, at: started, durationMs: this.lastAt - started, bytes };
    return this.last;
  }

  /** Drops what was written since the last checkpoint (a failed statement commits nothing). */
  async abort(): Promise<void> {
    const transaction = this.transaction;
    this.transaction = undefined;
    if (transaction) await transaction.abort().catch(() => undefined);
  }
}

/** Reads the checkpoint a statement resumes from and checks that it fits the new plan. */
export function loadCheckpoint(files: CheckpointStore, id: number, fingerprint: string): CheckpointSnapshot & { pipeline: PipelineSnapshot } {
  const snapshot = files.read(id) as CheckpointSnapshot;
  if (snapshot?.completed === true) {
    throw new ShiftleftError('CONFLICT', `statement '${files.statement}' completed: its inputs ended at checkpoint ${id}, so there is nothing to resume`, {
      hint: `delete it (shiftleft statement delete ${files.statement}) and start it again to read its inputs anew`,
      details: { statement: files.statement, checkpoint: id },
    });
  }
  if (!snapshot || snapshot.version !== 1 || typeof snapshot.planFingerprint !== 'string' || !snapshot.pipeline) {
    throw new ShiftleftError('CHECKPOINT_CORRUPT', `checkpoint ${id} of statement '${files.statement}' (${files.fileOf(id)}) does not hold a statement snapshot`, {
      hint: `delete the statement (shiftleft statement delete ${files.statement}) and start it again`,
    });
  }
  if (snapshot.planFingerprint !== fingerprint) {
    throw new ShiftleftError('STATEMENT_INCOMPATIBLE', `statement '${files.statement}' cannot resume from checkpoint ${id}: its plan changed since (fingerprint ${snapshot.planFingerprint}, now ${fingerprint})`, {
      hint: `the SQL or the schemas of the tables it reads changed; the old state does not fit the new plan. Delete the statement (shiftleft statement delete ${files.statement}) and start it again to recompute from the inputs, or restore the previous SQL/schemas to resume`,
      details: { statement: files.statement, checkpoint: id },
    });
  }
  return snapshot as CheckpointSnapshot & { pipeline: PipelineSnapshot };
}
