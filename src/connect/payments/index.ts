/** The payments service of the walkthrough (see payments-service.ts). */
export { PaymentsService, type PaymentsServiceOptions, type PaymentsStats } from './payments-service.ts';
export { SaleGenerator, INVALID_CONFIRMATION_CODE, INVALID_EVERY, type DrawnSale } from './sale-generator.ts';
export { SALE_SCHEMA, ensureSaleSchema, type Sale } from './sale-schema.ts';
export { databaseOrders, generatorOrders, type OrderSource } from './order-source.ts';
export { paymentsConnectorType, PaymentsConnector, type PaymentsConnectorConfig } from './payments-connector.ts';
