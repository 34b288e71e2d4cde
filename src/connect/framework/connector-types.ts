/**
 * The connector types shiftleft ships, as one explicit list: adding a type means adding a line
 * here (no discovery by file name or package scanning, so what runs is what you read).
 * The sinks (`duckdb-sink`, `postgres-sink`) are added here by their module when they land.
 */
import { commerceDatagenConnectorType } from '../datagen/commerce-datagen-connector.ts';
import { paymentsConnectorType } from '../payments/payments-connector.ts';
import { postgresCdcConnectorType } from '../postgres-cdc/postgres-cdc-connector.ts';
import { duckdbSinkConnectorType } from '../duckdb-sink/duckdb-sink-connector.ts';
import { postgresSinkConnectorType } from '../postgres-sink/postgres-sink-connector.ts';
import type { ConnectorType } from './connector.ts';

export const CONNECTOR_TYPES: readonly ConnectorType[] = [
  postgresCdcConnectorType as unknown as ConnectorType,
  paymentsConnectorType as unknown as ConnectorType,
  commerceDatagenConnectorType as unknown as ConnectorType,
  duckdbSinkConnectorType as unknown as ConnectorType,
  postgresSinkConnectorType as unknown as ConnectorType,
];

export function connectorTypesByName(types: readonly ConnectorType[]): ReadonlyMap<string, ConnectorType> {
  const byName = new Map<string, ConnectorType>();
  for (const type of types) {
    if (byName.has(type.name)) throw new Error(`connector type "${type.name}" is listed twice`);
    byName.set(type.name, type);
  }
  return byName;
}
