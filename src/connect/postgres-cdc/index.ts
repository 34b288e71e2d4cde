/** The PostgreSQL CDC source connector (see postgres-cdc-connector.ts). */
export { PostgresCdcConnector, postgresCdcConnectorType } from './postgres-cdc-connector.ts';
export { postgresCdcConfigSchema, type PostgresCdcConnectorConfig } from './cdc-connector-config.ts';
export { LSN_HEADER, type CdcWriterStats } from './cdc-log-writer.ts';
export { topicOf } from './cdc-topic-schemas.ts';
