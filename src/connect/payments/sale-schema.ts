/**
 * The payments service's Avro record, `Sale`, exactly as the original producer's schema
 * (REFERENCE.md §1). It is registered without rules: the data contract (CEL validation with a
 * DLQ, ENCRYPT on PII) is the data team's, added as a later version of `payments-value`.
 */
import type { SchemaRegistryClient } from '@confluentinc/schemaregistry';
import { ShiftleftError } from '../../common/errors.ts';

export interface Sale {
  order_id: number;
  product_id: number;
  customer_id: number;
  confirmation_code: string;
  cc_number: string;
  expiration: string;
  amount: number;
  /** Epoch milliseconds (timestamp-millis). */
  ts: number;
}

export const SALE_SCHEMA = {
  type: 'record',
  name: 'Sale',
  fields: [
    { name: 'order_id', type: 'int' },
    { name: 'product_id', type: 'int' },
    { name: 'customer_id', type: 'int' },
    { name: 'confirmation_code', type: 'string' },
    { name: 'cc_number', type: 'string' },
    { name: 'expiration', type: 'string' },
    { name: 'amount', type: 'double' },
    { name: 'ts', type: { type: 'long', logicalType: 'timestamp-millis' } },
  ],
} as const;

/**
 * Registers `Sale` under the subject unless the subject already has a version: an existing
 * version may carry the contract, and registering the bare schema again would be a no-op at
 * best. Returns whether it registered.
 */
export async function ensureSaleSchema(client: SchemaRegistryClient, subject: string): Promise<boolean> {
  try {
    await client.getLatestSchemaMetadata(subject);
    return false;
  } catch (error) {
    const status = (error as { status?: number }).status;
    if (status !== 404) {
      throw new ShiftleftError('CONNECTOR_FAILED', `cannot read subject ${subject} from the schema registry: ${(error as Error).message}`, {
        hint: 'check that the schema registry is reachable',
        cause: error,
      });
    }
  }
  await client.register(subject, { schemaType: 'AVRO', schema: JSON.stringify(SALE_SCHEMA) }, false);
  return true;
}
