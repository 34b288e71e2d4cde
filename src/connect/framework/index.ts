/** The connector framework: the Connector contract, the explicit list of types, and the runtime. */
export type { Connector, ConnectorContext, ConnectorState, ConnectorType, JsonValue, OffsetStore } from './connector.ts';
export { parseConnectorSpec, type ConnectorSpec } from './connector-config.ts';
export { CONNECTOR_TYPES } from './connector-types.ts';
export { ConnectorRuntime, type ConnectorRuntimeOptions, type ConnectorStatus } from './connector-runtime.ts';
export { CONNECTORS_TOPIC, CONNECTOR_OFFSETS_TOPIC } from './connector-store.ts';
export { registerConnectorRoutes } from './connector-routes.ts';
