export { duckdbSinkConnectorType, defaultWarehousePath, type DuckDbSinkConfig } from './duckdb-sink-connector.ts';
export { DuckDbWarehouse, type DuckDbWarehouseOptions } from './duckdb-warehouse.ts';
export { exportTableToParquet, exportTopicToParquet, type TopicExportOptions } from './parquet-export.ts';
