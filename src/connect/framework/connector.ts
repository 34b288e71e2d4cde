/**
 * The contract between a connector and the runtime that hosts it.
 *
 * A connector type declares its configuration as a JSON Schema (validated before anything is
 * created, so a bad config fails with the field and the reason) and builds instances. An
 * instance has a small lifecycle — start, pause, resume, stop — and reports what it has done as
 * JSON-able metrics. It never throws out of a background task: it calls `context.fail(error)`,
 * and the runtime marks it FAILED, shows the error and restarts it with backoff.
 */
import type { LogClient } from '../../log/log-client.ts';

export type ConnectorState = 'RUNNING' | 'PAUSED' | 'FAILED' | 'STOPPED';

/** JSON values only: what status and offsets may hold (they are persisted and served as JSON). */
export type JsonValue = string | number | boolean | null | JsonValue[] | { [key: string]: JsonValue };

/** A connector's own position, persisted in `_connector_offsets` (e.g. a CDC source's LSN). */
export interface OffsetStore {
  /** The last stored offset, or undefined when the connector never stored one. */
  read(): JsonValue | undefined;
  /** Stores the offset; resolves once the log acknowledged it. */
  write(offset: JsonValue): Promise<void>;
}

/** What the runtime hands a connector instance. */
export interface ConnectorContext {
  /** The connector's name (unique in the runtime). */
  name: string;
  log: LogClient;
  registryUrl: string;
  /** The data directory, when the runtime has one (embedded mode). */
  dataDir: string | undefined;
  /** Secret of the local KMS this runtime's producers hold (for ENCRYPT rules). */
  kmsSecret: string | undefined;
  offsets: OffsetStore;
  /** Connection string of the embedded PostgreSQL, started on first use. */
  embeddedPostgres(): Promise<string>;
  /** Reports a failure after start: the runtime stops the instance and restarts it with backoff. */
  fail(error: unknown): void;
  /** Non-fatal findings shown in the status (kept short: the last few). */
  warn(message: string): void;
}

export interface Connector {
  /** Resolves once the connector runs (a CDC source: after its initial snapshot was delivered). */
  start(): Promise<void>;
  /** Stops producing but keeps resources that make resuming cheap; default: stop. */
  pause(): Promise<void>;
  resume(): Promise<void>;
  /** Releases everything; the instance is not started again (the runtime builds a new one). */
  stop(): Promise<void>;
  /** Counters and positions, JSON-able. */
  metrics(): Record<string, JsonValue>;
  /** Called when the connector is deleted (after stop): drop what it holds outside the log (a replication slot). */
  destroy?(): Promise<void>;
}

export interface ConnectorType<Config = Record<string, unknown>> {
  /** The value of `type` in a connector spec, e.g. `postgres-cdc`. */
  name: string;
  kind: 'source' | 'sink';
  description: string;
  /** JSON Schema (draft 2019-09 subset understood by ajv) of the `config` object. */
  configSchema: Record<string, unknown>;
  /** Checks that go beyond the schema (cross-field rules); throw CONNECTOR_CONFIG_INVALID. */
  validate?(config: Config): void;
  create(config: Config, context: ConnectorContext): Connector;
}
