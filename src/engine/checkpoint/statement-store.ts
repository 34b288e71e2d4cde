/**
 * Where long-running statements live between restarts, in two compacted internal topics (so
 * Kafka mode keeps them too) plus checkpoint files in the data directory:
 *
 * - `_statements`: key = statement name, value = its definition (SQL, session properties, the
 *   state the user asked for: RUNNING or STOPPED); a tombstone deletes it.
 * - `_statement_checkpoints`: key = statement name, value = the last complete checkpoint (id,
 *   plan fingerprint). The statement writes this record inside the same log transaction as its
 *   output, so "checkpoint N is complete" and "the output up to N is visible" are one atomic
 *   fact; it is read with read_committed.
 * - `<dataDir>/statements/<name>/chk-<id>.bin`: the snapshots (checkpoint-store.ts).
 */
import { join } from 'node:path';
import type { LogClient, ProduceRecord } from '../../log/log-client.ts';
import { replayPartition } from '../../log/replay.ts';
import { CheckpointStore } from './checkpoint-store.ts';

export const STATEMENTS_TOPIC = '_statements';
export const STATEMENT_CHECKPOINTS_TOPIC = '_statement_checkpoints';

/** The transactional id a statement writes its output and checkpoint pointers under. */
export function statementTransactionalId(name: string): string {
  return `statement:${name}`;
}

export interface StoredStatement {
  name: string;
  /** The INSERT (views expanded) that the statement runs. */
  sql: string;
  /** Session properties it was started with (`sql.state-ttl`, `execution.checkpointing.interval`...). */
  properties: Record<string, string>;
  /** RUNNING resumes at start; STOPPED waits for `statement resume`; COMPLETED (bounded input) is done. */
  desiredState: 'RUNNING' | 'STOPPED' | 'COMPLETED';
  createdAt: string;
  updatedAt: string;
}

export interface CheckpointPointer {
  checkpointId: number;
  /** The physical plan the state belongs to (see planFingerprint). */
  planFingerprint: string;
  takenAt: number;
}

export class StatementStore {
  readonly definitions = new Map<string, StoredStatement>();
  readonly pointers = new Map<string, CheckpointPointer>();
  private opened: Promise<void> | undefined;

  constructor(
    private readonly log: LogClient,
    /** `<dataDir>/statements` */
    readonly root: string,
  ) {}

  static under(log: LogClient, dataDir: string): StatementStore {
    return new StatementStore(log, join(dataDir, 'statements'));
  }

  open(): Promise<void> {
    this.opened ??= this.load();
    return this.opened;
  }

  private async load(): Promise<void> {
    for (const topic of [STATEMENTS_TOPIC, STATEMENT_CHECKPOINTS_TOPIC]) {
      await this.log.createTopic(topic, { ifNotExists: true, config: { 'cleanup.policy': 'compact' } });
    }
    await replayPartition(this.log, { topic: STATEMENTS_TOPIC, partition: 0 }, (r) => {
      const name = r.key!.toString('utf8');
      if (r.value === null) this.definitions.delete(name);
      else this.definitions.set(name, JSON.parse(r.value.toString('utf8')) as StoredStatement);
    });
    // A statement killed between its pointer and its commit leaves a transaction open. Kafka
    // would hold read_committed readers behind it until its timeout, so the replay below would
    // miss every pointer committed after it: fence each statement's id first, which aborts a dead
    // writer's transaction at once (the embedded log already aborted it when it opened).
    if (this.log.beginTransaction) {
      for (const name of this.definitions.keys()) await (await this.log.beginTransaction(statementTransactionalId(name))).abort();
    }
    await replayPartition(
      this.log,
      { topic: STATEMENT_CHECKPOINTS_TOPIC, partition: 0 },
      (r) => {
        const name = r.key!.toString('utf8');
        if (r.value === null) this.pointers.delete(name);
        else this.pointers.set(name, JSON.parse(r.value.toString('utf8')) as CheckpointPointer);
      },
      undefined,
      'read_committed',
    );
  }

  checkpoints(name: string): CheckpointStore {
    return new CheckpointStore(this.root, name);
  }

  async save(statement: StoredStatement): Promise<void> {
    await this.log.produce(STATEMENTS_TOPIC, [{ key: Buffer.from(statement.name), value: Buffer.from(JSON.stringify(statement)) }]);
    this.definitions.set(statement.name, statement);
  }

  async setDesiredState(name: string, state: StoredStatement['desiredState']): Promise<void> {
    const current = this.definitions.get(name);
    if (!current || current.desiredState === state) return;
    await this.save({ ...current, desiredState: state, updatedAt: new Date().toISOString() });
  }

  /** The record that marks checkpoint `pointer` complete: written inside the output transaction. */
  pointerRecord(name: string, pointer: CheckpointPointer): ProduceRecord {
    return { key: Buffer.from(name), value: Buffer.from(JSON.stringify(pointer)) };
  }

  /** Called once the transaction holding `pointerRecord` committed. */
  committed(name: string, pointer: CheckpointPointer): void {
    this.pointers.set(name, pointer);
  }

  /** Forgets a statement: definition, checkpoint pointer and files. */
  async remove(name: string): Promise<void> {
    await this.log.produce(STATEMENTS_TOPIC, [{ key: Buffer.from(name), value: null }]);
    await this.log.produce(STATEMENT_CHECKPOINTS_TOPIC, [{ key: Buffer.from(name), value: null }]);
    this.definitions.delete(name);
    this.pointers.delete(name);
    this.checkpoints(name).destroy();
  }
}
