/**
 * `postgres-sink`: topics → tables of any PostgreSQL server (or Redshift, which speaks the same
 * protocol and accepts the same SQL: see postgres-warehouse.ts), exactly-once.
 *
 * ```json
 * { "name": "dwh", "type": "postgres-sink",
 *   "config": { "connection": "postgresql://user:pw@host:5432/dwh", "topics": ["orders", "sales"] } }
 * ```
 * `"embedded": true` writes to the platform's embedded PostgreSQL instead.
 */
import type { ConnectorType } from '../framework/connector.ts';
import { resolveSourceDatabase, sourceDatabaseProperties, validateSourceDatabase, type SourceDatabaseConfig } from '../framework/source-database.ts';
import { validateWarehouseSinkConfig, warehouseSinkProperties, type WarehouseSinkConfig } from '../warehouse/sink-config.ts';
import { WarehouseSinkConnector } from '../warehouse/sink-connector.ts';
import { PostgresWarehouse } from './postgres-warehouse.ts';

export interface PostgresSinkConfig extends WarehouseSinkConfig, SourceDatabaseConfig {}

export const postgresSinkConnectorType: ConnectorType<PostgresSinkConfig> = {
  name: 'postgres-sink',
  kind: 'sink',
  description: 'Writes topics to PostgreSQL or Redshift tables (auto-created, evolving), upserts by key with delete+insert, exactly-once',
  configSchema: {
    type: 'object',
    additionalProperties: false,
    required: ['topics'],
    properties: { ...warehouseSinkProperties, ...sourceDatabaseProperties },
  },
  validate: (config) => {
    validateSourceDatabase(config, 'postgresql://user:password@localhost:5432/warehouse');
    validateWarehouseSinkConfig(config);
  },
  create: (config, context) => new WarehouseSinkConnector(config, context, async () => new PostgresWarehouse(await resolveSourceDatabase(config, context))),
};
