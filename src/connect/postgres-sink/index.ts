export { postgresSinkConnectorType, type PostgresSinkConfig } from './postgres-sink-connector.ts';
export { PostgresWarehouse } from './postgres-warehouse.ts';
