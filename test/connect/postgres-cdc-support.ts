/** A CdcHandler for tests: records everything, acknowledges on demand, lets tests wait. */
import type { PostgresCdcReader } from '../../src/connect/postgres/cdc-reader.ts';
import type { CdcHandler, ChangeBatch, ChangeEvent, TableSchema } from '../../src/connect/postgres/cdc-types.ts';

export type Recorded = { kind: 'schema'; schema: TableSchema } | { kind: 'batch'; batch: ChangeBatch };

export class RecordingHandler implements CdcHandler {
  readonly log: Recorded[] = [];
  readonly warnings: string[] = [];
  readonly errors: Error[] = [];
  reader: PostgresCdcReader | undefined;
  private waiters: Array<() => void> = [];

  constructor(private readonly autoAcknowledge = true) {}

  get batches(): ChangeBatch[] {
    return this.log.flatMap((entry) => (entry.kind === 'batch' ? [entry.batch] : []));
  }

  get transactions(): Array<Extract<ChangeBatch, { kind: 'transaction' }>> {
    return this.batches.flatMap((b) => (b.kind === 'transaction' ? [b] : []));
  }

  get schemas(): TableSchema[] {
    return this.log.flatMap((entry) => (entry.kind === 'schema' ? [entry.schema] : []));
  }

  async onSchema(schema: TableSchema): Promise<void> {
    this.log.push({ kind: 'schema', schema });
    this.notify();
  }

  async onBatch(batch: ChangeBatch): Promise<void> {
    this.log.push({ kind: 'batch', batch });
    if (this.autoAcknowledge) this.reader?.acknowledge(batch.offset.lsn);
    this.notify();
  }

  onWarning(message: string): void {
    this.warnings.push(message);
  }

  onError(error: Error): void {
    this.errors.push(error);
    this.notify();
  }

  async waitFor(condition: () => boolean, timeoutMs = 10_000): Promise<void> {
    const deadline = Date.now() + timeoutMs;
    while (!condition()) {
      if (this.errors.length > 0) throw this.errors[0];
      const left = deadline - Date.now();
      if (left <= 0) throw new Error('timed out waiting for CDC events');
      await new Promise<void>((resolve) => {
        const timer = setTimeout(resolve, Math.min(left, 100));
        this.waiters.push(() => {
          clearTimeout(timer);
          resolve();
        });
      });
    }
  }

  private notify(): void {
    const waiters = this.waiters;
    this.waiters = [];
    for (const wake of waiters) wake();
  }
}

/** An event without its schema reference, for deepEqual against expected literals. */
export function plain(event: ChangeEvent): Omit<ChangeEvent, 'schema' | 'lsn' | 'commitTime'> {
  const { schema: _schema, lsn: _lsn, commitTime: _commitTime, ...rest } = event;
  return rest;
}
