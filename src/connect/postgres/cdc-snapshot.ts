/**
 * Reads the initial snapshot: every captured table, inside the snapshot exported by the slot's
 * creation (SET TRANSACTION SNAPSHOT), in batches through a cursor so a large table never sits in
 * memory. Events are op 'r' with the slot's consistent point as LSN.
 */
import { qualifiedName } from './cdc-catalog.ts';
import { connect, type SourceConnection } from './cdc-connection.ts';
import { RowConverter } from './cdc-table-schema.ts';
import type { ChangeBatch, ChangeEvent, TableSchema } from './cdc-types.ts';

export interface SnapshotOptions {
  source: SourceConnection;
  snapshotName: string;
  consistentPoint: string;
  schemas: TableSchema[];
  fetchSize: number;
  connectTimeoutMs: number;
  /** Called once the snapshot is imported: the exporting replication connection may close. */
  afterImport: () => Promise<void>;
  emit: (batch: ChangeBatch) => Promise<void>;
  /** Checked between batches: stop early when the reader is stopping. */
  stopped: () => boolean;
}

export async function readSnapshot(options: SnapshotOptions): Promise<{ rows: number }> {
  const client = await connect(options.source, { textValues: true, connectTimeoutMs: options.connectTimeoutMs, applicationName: 'shiftleft-cdc-snapshot' });
  let rows = 0;
  try {
    await client.query('BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY');
    await client.query(`SET TRANSACTION SNAPSHOT ${client.escapeLiteral(options.snapshotName)}`);
    await options.afterImport();
    // now() is the start of this transaction: the moment the snapshot shows.
    const startedAt = Number((await client.query<{ ms: string }>('SELECT floor(extract(epoch FROM now()) * 1000)::bigint AS ms')).rows[0]?.ms);
    const offset = { lsn: options.consistentPoint, snapshotCompleted: false };
    let held: Extract<ChangeBatch, { kind: 'snapshot' }> | undefined;
    const push = async (batch: Extract<ChangeBatch, { kind: 'snapshot' }>): Promise<void> => {
      // One batch of look-ahead, so the very last batch can say it is the last.
      if (held) await options.emit(held);
      held = batch;
    };
    for (const schema of options.schemas) {
      const converter = new RowConverter(schema);
      const columns = schema.columns.map((c) => client.escapeIdentifier(c.name)).join(', ');
      await client.query(`DECLARE shiftleft_snapshot NO SCROLL CURSOR FOR SELECT ${columns} FROM ${qualifiedName(client, schema.table)}`);
      while (!options.stopped()) {
        const fetched = await client.query<Record<string, string | null>>(`FETCH ${options.fetchSize} FROM shiftleft_snapshot`);
        if (fetched.rows.length === 0) break;
        const events = fetched.rows.map((tuple): ChangeEvent => {
          const { row } = converter.convert(tuple);
          return { table: schema.table, op: 'r', key: converter.keyOf(row), after: row, lsn: options.consistentPoint, commitTime: startedAt, schema };
        });
        rows += events.length;
        await push({ kind: 'snapshot', table: schema.table, events, last: false, offset });
      }
      await client.query('CLOSE shiftleft_snapshot');
      if (options.stopped()) break;
    }
    if (!options.stopped()) {
      const lastTable = options.schemas[options.schemas.length - 1]?.table ?? { schema: 'public', name: '' };
      const final = held ?? { kind: 'snapshot', table: lastTable, events: [], last: true, offset };
      await options.emit({ ...final, last: true, offset: { ...offset, snapshotCompleted: true } });
    }
    await client.query('COMMIT');
    return { rows };
  } finally {
    await client.end().catch(() => undefined);
  }
}
