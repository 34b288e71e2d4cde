/**
 * A real SQL stack for tests: an EmbeddedLog, a registry server over HTTP, the catalog and a
 * bounded SQL session (statements read their inputs to the current end, then stop, firing
 * every window and temporal join at the final watermark).
 */
import assert from 'node:assert/strict';
import { Catalog } from '../../src/sql/catalog/catalog.ts';
import { RegistrySchemaStore } from '../../src/sql/catalog/schema-store.ts';
import { SqlSession, type ChangeRow, type StatementResult } from '../../src/engine/sql-session.ts';
import { RowEncoder } from '../../src/engine/runtime/record-codec.ts';
import type { Row } from '../../src/types/row.ts';
import { startRegistry, type RunningRegistry } from '../registry/registry-harness.ts';

export class SqlHarness {
  private constructor(
    readonly server: RunningRegistry,
    readonly schemas: RegistrySchemaStore,
    readonly catalog: Catalog,
    readonly session: SqlSession,
  ) {}

  static async start(): Promise<SqlHarness> {
    const server = await startRegistry();
    const schemas = new RegistrySchemaStore(server.url);
    const catalog = new Catalog({ log: server.log, schemas });
    const session = new SqlSession({ log: server.log, schemas, catalog, bounded: true });
    return new SqlHarness(server, schemas, catalog, session);
  }

  /** Runs statements; INSERTs run to completion and must succeed. */
  async run(sql: string): Promise<StatementResult[]> {
    const results = await this.session.execute(sql);
    for (const r of results) {
      if (r.kind === 'statement') {
        await r.job.done;
        assert.equal(r.job.status, 'COMPLETED', `statement ${r.name} ended ${r.job.status}: ${r.job.error?.message}`);
      }
    }
    return results;
  }

  /** Runs one SELECT to completion and returns its changelog. */
  async query(sql: string): Promise<ChangeRow[]> {
    const results = await this.session.execute(sql);
    const result = results[results.length - 1]!;
    assert.equal(result.kind, 'query');
    if (result.kind !== 'query') return [];
    await result.query.job.done;
    assert.equal(result.query.job.status, 'COMPLETED', result.query.job.error?.message);
    return result.query.changes;
  }

  /** The final table of a changelog: +I/+U add a row, -U/-D remove one. */
  async table(sql: string): Promise<Record<string, unknown>[]> {
    const rows: Record<string, unknown>[] = [];
    for (const change of await this.query(sql)) {
      if (change.op === '+I' || change.op === '+U') rows.push(change.row);
      else {
        const at = rows.findIndex((r) => JSON.stringify(r) === JSON.stringify(change.row));
        assert.ok(at >= 0, `retraction of a row never added: ${JSON.stringify(change)}`);
        rows.splice(at, 1);
      }
    }
    return rows;
  }

  /** Writes rows straight into a table's topic with chosen record timestamps (as a connector would). */
  async produce(table: string, rows: Row[], timestamps: number[]): Promise<void> {
    const descriptor = await this.catalog.getTable([table]);
    assert.ok(descriptor, `table ${table} exists`);
    const physical = descriptor.columns.filter((c) => c.kind === 'physical');
    const encoder = new RowEncoder(this.schemas, `${table}-value`, physical.map((c) => ({ name: c.name, type: c.type })));
    await encoder.open();
    // Tables with a primary key live on compacted topics keyed by the key columns.
    const keyColumns = (descriptor.primaryKey ?? []).map((k) => physical.findIndex((c) => c.name === k));
    const keyEncoder = keyColumns.length
      ? new RowEncoder(this.schemas, `${table}-key`, keyColumns.map((i) => ({ name: physical[i]!.name, type: physical[i]!.type })))
      : undefined;
    await keyEncoder?.open();
    await this.server.log.produce(
      table,
      rows.map((row, i) => ({ key: keyEncoder ? keyEncoder.encode(keyColumns.map((k) => row[k])) : null, value: encoder.encode(row), timestamp: timestamps[i]! })),
    );
  }

  async close(): Promise<void> {
    for (const job of this.session.statements.values()) await job.stop();
    await this.server.destroy();
  }
}
