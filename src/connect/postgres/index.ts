/** The PostgreSQL side of shiftleft: the embedded server and the CDC reader core (see README.md). */
export { EmbeddedPostgres, findFreePort, type EmbeddedPostgresInfo, type EmbeddedPostgresOptions } from './embedded-postgres.ts';
export { PostgresCdcReader, dropCdcReplication, type CdcPhase, type CdcStatus, type SlotLag } from './cdc-reader.ts';
export type { PostgresCdcConfig } from './cdc-config.ts';
export type { CdcHandler, CdcOffset, ChangeBatch, ChangeEvent, ChangeOp, ColumnInfo, TableId, TableSchema } from './cdc-types.ts';
export { DELETED_FIELD, type AvroField, type AvroRecordSchema } from './cdc-avro-schema.ts';
export { decimalText } from './cdc-type-mapping.ts';
export { maskFields, type MaskRules } from './cdc-mask-fields.ts';
export { compareLsn } from './cdc-lsn.ts';
