/**
 * Lineage of the walkthrough's scenario: a CDC source writing the commerce topics, the
 * payments service, SQL statements joining and deduplicating them (read and write sets from
 * their SQL), a DuckDB sink, and the DLQ of the payments contract. The graph is checked whole.
 */
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import type { ConnectorStatus } from '../../src/connect/framework/connector-runtime.ts';
import { connectorsFromLog, connectorsFromRuntime } from '../../src/catalog/connector-lineage.ts';
import { ConnectorStore } from '../../src/connect/framework/connector-store.ts';
import { buildLineage } from '../../src/catalog/lineage-graph.ts';
import { statementTables } from '../../src/catalog/statement-tables.ts';
import { startRegistry, type RunningRegistry } from '../registry/registry-harness.ts';
import { SALE_SCHEMA, VALIDATE_CODE } from './portal-support.ts';

function status(name: string, type: string, config: Record<string, unknown>, metrics: Record<string, unknown> = {}): ConnectorStatus {
  return {
    name,
    type,
    state: 'RUNNING',
    desired: 'RUNNING',
    lastError: null,
    failures: 0,
    nextRetryAt: null,
    warnings: [],
    metrics: metrics as ConnectorStatus['metrics'],
    config: config as ConnectorStatus['config'],
    createdAt: '2026-01-01T00:00:00.000Z',
    updatedAt: '2026-01-01T00:00:00.000Z',
  };
}

const runtime = {
  listTypes: () => [
    { name: 'postgres-cdc', kind: 'source' },
    { name: 'payments', kind: 'source' },
    { name: 'duckdb-sink', kind: 'sink' },
  ],
  list: () => [
    status('commerce-cdc', 'postgres-cdc', { embedded: true, tables: ['public.orders', 'products'] }),
    status('payments-service', 'payments', { ordersPerSecond: 1 }),
    status('warehouse', 'duckdb-sink', { topics: ['orders_enriched', 'payments_deduplicate'] }),
  ],
};

const statements = [
  {
    name: 'orders-materializer',
    status: 'RUNNING',
    sql: `INSERT INTO orders_enriched
      WITH recent AS (SELECT * FROM \`shiftleft.public.orders\` WHERE orderid > 0)
      SELECT r.orderid, p.productname FROM recent r
      JOIN \`shiftleft.public.products\` FOR SYSTEM_TIME AS OF r.orderdate AS p ON p.productid = r.orderid`,
  },
  {
    name: 'payments-deduplicate',
    status: 'RUNNING',
    sql: 'CREATE TABLE payments_deduplicate AS SELECT * FROM (SELECT *, ROW_NUMBER() OVER (PARTITION BY order_id ORDER BY `$rowtime` ASC) AS row_num FROM payments) WHERE row_num = 1',
  },
  { name: 'revenue', status: 'STOPPED', sql: "INSERT INTO revenue SELECT window_start, SUM(amount) FROM TABLE(TUMBLE(TABLE payments_deduplicate, DESCRIPTOR(ts), INTERVAL '1' MINUTE)) GROUP BY window_start, window_end" },
  { name: 'a-select', status: 'COMPLETED', sql: 'SHOW TABLES' },
];

describe('lineage', () => {
  let server: RunningRegistry;

  before(async () => {
    server = await startRegistry();
    await server.registry.schemas.register('payments-value', {
      schema: JSON.stringify(SALE_SCHEMA),
      schemaType: 'AVRO',
      references: [],
      ruleSet: { domainRules: [VALIDATE_CODE] },
    });
  });
  after(async () => {
    await server.destroy();
  });

  it('reads the tables each statement reads and writes', () => {
    assert.deepEqual(statementTables(statements[0]!.sql), { reads: ['shiftleft.public.orders', 'shiftleft.public.products'], writes: ['orders_enriched'] });
    assert.deepEqual(statementTables(statements[2]!.sql), { reads: ['payments_deduplicate'], writes: ['revenue'] });
    assert.deepEqual(statementTables('SELECT * FROM a, b.c JOIN d ON true'), { reads: ['a', 'c', 'd'], writes: [] });
    assert.deepEqual(statementTables('not sql at all'), { reads: [], writes: [] });
  });

  it('builds the graph of the scenario', async () => {
    const graph = buildLineage({ connectors: await connectorsFromRuntime(runtime)(), statements, registry: server.registry });
    assert.deepEqual(graph.nodes, [
      { id: 'connector:commerce-cdc', kind: 'source', name: 'commerce-cdc', details: { type: 'postgres-cdc', state: 'RUNNING' } },
      { id: 'connector:payments-service', kind: 'source', name: 'payments-service', details: { type: 'payments', state: 'RUNNING' } },
      { id: 'connector:warehouse', kind: 'sink', name: 'warehouse', details: { type: 'duckdb-sink', state: 'RUNNING' } },
      { id: 'statement:orders-materializer', kind: 'statement', name: 'orders-materializer', details: { status: 'RUNNING' } },
      { id: 'statement:payments-deduplicate', kind: 'statement', name: 'payments-deduplicate', details: { status: 'RUNNING' } },
      { id: 'statement:revenue', kind: 'statement', name: 'revenue', details: { status: 'STOPPED' } },
      { id: 'topic:error-payments', kind: 'dlq', name: 'error-payments' },
      { id: 'topic:orders_enriched', kind: 'topic', name: 'orders_enriched' },
      { id: 'topic:payments', kind: 'topic', name: 'payments' },
      { id: 'topic:payments_deduplicate', kind: 'topic', name: 'payments_deduplicate' },
      { id: 'topic:revenue', kind: 'topic', name: 'revenue' },
      { id: 'topic:shiftleft.public.orders', kind: 'topic', name: 'shiftleft.public.orders' },
      { id: 'topic:shiftleft.public.products', kind: 'topic', name: 'shiftleft.public.products' },
      { id: 'topic:warehouse-errors', kind: 'dlq', name: 'warehouse-errors' },
    ]);
    assert.deepEqual(graph.edges, [
      { from: 'connector:commerce-cdc', to: 'topic:shiftleft.public.orders', kind: 'produces' },
      { from: 'connector:commerce-cdc', to: 'topic:shiftleft.public.products', kind: 'produces' },
      { from: 'connector:payments-service', to: 'topic:payments', kind: 'produces' },
      { from: 'connector:warehouse', to: 'topic:warehouse-errors', kind: 'dlq' },
      { from: 'statement:orders-materializer', to: 'topic:orders_enriched', kind: 'writes' },
      { from: 'statement:payments-deduplicate', to: 'topic:payments_deduplicate', kind: 'writes' },
      { from: 'statement:revenue', to: 'topic:revenue', kind: 'writes' },
      { from: 'topic:orders_enriched', to: 'connector:warehouse', kind: 'consumes' },
      { from: 'topic:payments', to: 'statement:payments-deduplicate', kind: 'reads' },
      { from: 'topic:payments', to: 'topic:error-payments', kind: 'dlq', rule: 'validateConfirmationCode' },
      { from: 'topic:payments_deduplicate', to: 'connector:warehouse', kind: 'consumes' },
      { from: 'topic:payments_deduplicate', to: 'statement:revenue', kind: 'reads' },
      { from: 'topic:shiftleft.public.orders', to: 'statement:orders-materializer', kind: 'reads' },
      { from: 'topic:shiftleft.public.products', to: 'statement:orders-materializer', kind: 'reads' },
    ]);
  });

  it('reads persisted connectors when no runtime reports to it', async () => {
    assert.deepEqual(await connectorsFromLog(server.log)(), []);
    const { store } = await ConnectorStore.open(server.log);
    const at = '2026-01-01T00:00:00.000Z';
    await store.saveConnector({ spec: { name: 'cdc', type: 'postgres-cdc', config: { embedded: true, tables: ['public.orders'] } }, desired: 'RUNNING', state: 'STOPPED', lastError: undefined, createdAt: at, updatedAt: at });
    await store.saveConnector({ spec: { name: 'dw', type: 'duckdb-sink', config: { topics: ['orders'] } }, desired: 'RUNNING', state: 'RUNNING', lastError: undefined, createdAt: at, updatedAt: at });
    assert.deepEqual(await connectorsFromLog(server.log)(), [
      { name: 'cdc', type: 'postgres-cdc', kind: 'source', state: 'STOPPED', topics: ['shiftleft.public.orders'], dlqTopics: [] },
      { name: 'dw', type: 'duckdb-sink', kind: 'sink', state: 'RUNNING', topics: ['orders'], dlqTopics: ['dw-errors'] },
    ]);
  });

  it('prefers the topics a connector reports in its metrics', async () => {
    const reported = { listTypes: runtime.listTypes, list: () => [status('cdc', 'postgres-cdc', { tables: ['orders'] }, { topics: ['x.public.orders'] })] };
    assert.deepEqual((await connectorsFromRuntime(reported)())[0]!.topics, ['x.public.orders']);
    const fromConfig = { listTypes: runtime.listTypes, list: () => [status('cdc', 'postgres-cdc', { tables: ['orders'], topicPrefix: 'shop' })] };
    assert.deepEqual((await connectorsFromRuntime(fromConfig)())[0]!.topics, ['shop.public.orders']);
  });
});
