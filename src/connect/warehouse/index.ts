export { WarehouseSinkConnector } from './sink-connector.ts';
export { WarehouseSinkTask, type SinkTaskOptions } from './sink-task.ts';
export { tableNameOf, validateWarehouseSinkConfig, warehouseSinkProperties, type WarehouseSinkConfig } from './sink-config.ts';
export { OFFSETS_TABLE, type Warehouse, type TableShape, type TableWrite, type PartitionOffset } from './warehouse.ts';
export { ERROR_HEADERS } from './error-topic.ts';
