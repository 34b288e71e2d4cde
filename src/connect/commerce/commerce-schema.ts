/**
 * The e-commerce database of the scenario, as in REFERENCE.md §1: unquoted names (PostgreSQL
 * folds them to lower case), the original types, keys and constraints.
 *
 * Foreign keys keep the default ON DELETE NO ACTION, as in the original DDL. The generator's
 * product deletes therefore only touch products no order item refers to (see
 * commerce-generator.ts), which is also what a real shop does: sold products are discontinued
 * in place, unsold ones may disappear.
 */
import type { SqlRunner } from './sql-runner.ts';

export const COMMERCE_TABLES = ['customers', 'products', 'orders', 'order_items'] as const;
export type CommerceTable = (typeof COMMERCE_TABLES)[number];

export const COMMERCE_DDL: readonly string[] = [
  `CREATE TABLE IF NOT EXISTS customers (
    customerid INT PRIMARY KEY,
    customername VARCHAR(255) NOT NULL,
    email VARCHAR(255) NOT NULL UNIQUE,
    segment VARCHAR(50) NOT NULL,
    address VARCHAR(255) NOT NULL
  )`,
  `CREATE TABLE IF NOT EXISTS products (
    productid INT PRIMARY KEY,
    brand VARCHAR(255) NOT NULL,
    productname VARCHAR(255) NOT NULL,
    category VARCHAR(100) NOT NULL,
    description TEXT,
    color VARCHAR(50),
    size VARCHAR(50),
    price DECIMAL(10,2) NOT NULL,
    stock INT NOT NULL
  )`,
  `CREATE TABLE IF NOT EXISTS orders (
    orderid INT PRIMARY KEY,
    customerid INT NOT NULL REFERENCES customers (customerid),
    orderdate TIMESTAMP DEFAULT now(),
    status VARCHAR(50) NOT NULL
  )`,
  `CREATE TABLE IF NOT EXISTS order_items (
    orderitemid INT PRIMARY KEY,
    orderid INT NOT NULL REFERENCES orders (orderid),
    productid INT NOT NULL REFERENCES products (productid),
    quantity INT NOT NULL
  )`,
];

/** Creates the four tables (idempotent), in an order the foreign keys accept. */
export async function createCommerceSchema(pg: SqlRunner): Promise<void> {
  for (const statement of COMMERCE_DDL) await pg.query(statement);
}
