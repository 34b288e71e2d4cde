export { COMMERCE_DDL, COMMERCE_TABLES, createCommerceSchema, type CommerceTable } from './commerce-schema.ts';
export { countCommerceRows, seedCommerce, type SeedOptions, type SeedResult } from './commerce-seed.ts';
export {
  CommerceGenerator, queryRecentOrders,
  type CommerceGeneratorOptions, type CommerceGeneratorStats, type GeneratedOrder, type GeneratedOrderItem,
} from './commerce-generator.ts';
export type { SqlRunner } from './sql-runner.ts';
