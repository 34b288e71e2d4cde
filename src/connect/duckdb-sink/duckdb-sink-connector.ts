/**
 * `duckdb-sink`: topics → tables of the embedded DuckDB warehouse, exactly-once.
 *
 * ```json
 * { "name": "warehouse", "type": "duckdb-sink",
 *   "config": { "topics": ["orders", "sales"], "mode": "auto", "decrypt": false,
 *               "path": "/optional/warehouse.duckdb" } }
 * ```
 * Default file: `<dataDir>/warehouse/warehouse.duckdb` (what `shiftleft warehouse query` reads).
 */
import { join } from 'node:path';
import { configInvalid } from '../framework/connector-config.ts';
import type { ConnectorType } from '../framework/connector.ts';
import { validateWarehouseSinkConfig, warehouseSinkProperties, type WarehouseSinkConfig } from '../warehouse/sink-config.ts';
import { WarehouseSinkConnector } from '../warehouse/sink-connector.ts';
import { DuckDbWarehouse } from './duckdb-warehouse.ts';

export interface DuckDbSinkConfig extends WarehouseSinkConfig {
  /** The DuckDB file; default `<dataDir>/warehouse/warehouse.duckdb`. */
  path?: string;
}

/** The embedded warehouse file of a data directory. */
export function defaultWarehousePath(dataDir: string): string {
  return join(dataDir, 'warehouse', 'warehouse.duckdb');
}

export const duckdbSinkConnectorType: ConnectorType<DuckDbSinkConfig> = {
  name: 'duckdb-sink',
  kind: 'sink',
  description: 'Writes topics to DuckDB tables (auto-created, evolving), upserts by key, exactly-once; PII stays encrypted unless decrypt is set',
  configSchema: {
    type: 'object',
    additionalProperties: false,
    required: ['topics'],
    properties: {
      ...warehouseSinkProperties,
      path: { type: 'string', minLength: 1, description: 'DuckDB file (default <dataDir>/warehouse/warehouse.duckdb)' },
    },
  },
  validate: validateWarehouseSinkConfig,
  create: (config, context) =>
    new WarehouseSinkConnector(config, context, async () => {
      const path = config.path ?? (context.dataDir ? defaultWarehousePath(context.dataDir) : undefined);
      if (!path) throw configInvalid('/config/path', 'is required when the runtime has no data directory', 'give "path": "/some/dir/warehouse.duckdb"');
      return new DuckDbWarehouse({ path });
    }),
};
