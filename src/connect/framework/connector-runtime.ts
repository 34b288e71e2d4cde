/**
 * Hosts connectors: create, list, status, pause, resume, delete, and restart after a process
 * restart. Specs, desired states and last errors live in `_connectors`, source offsets in
 * `_connector_offsets` (see connector-store.ts), so the runtime needs nothing but a LogClient.
 *
 * Failure policy: a connector that fails (at start or later, through `context.fail`) is stopped,
 * shown as FAILED with its last error, and started again after a backoff that doubles up to a
 * ceiling; a success resets it. Nothing a connector does can crash the process: every error is
 * caught here. Operations on one connector run one after another (a queue per connector), so a
 * pause arriving during a slow start applies after it, never in the middle.
 *
 * Every public method returns plain JSON-able objects, ready for REST routes and the CLI.
 */
import { ShiftleftError, toShiftleftError } from '../../common/errors.ts';
import type { LogClient } from '../../log/log-client.ts';
import { EmbeddedPostgres } from '../postgres/embedded-postgres.ts';
import { parseConnectorSpec, type ConnectorSpec } from './connector-config.ts';
import { connectorTypesByName, CONNECTOR_TYPES } from './connector-types.ts';
import { ConnectorStore, type ConnectorError, type StoredConnector } from './connector-store.ts';
import type { Connector, ConnectorContext, ConnectorState, ConnectorType, JsonValue } from './connector.ts';
import { redactConfig } from './redact-config.ts';

export interface ConnectorRuntimeOptions {
  log: LogClient;
  registryUrl: string;
  dataDir?: string;
  kmsSecret?: string;
  /** The connector types this runtime knows; default: the explicit list in connector-types.ts. */
  types?: readonly ConnectorType[];
  /**
   * Connection string of the embedded PostgreSQL, when the platform already runs one. Without
   * it, the runtime starts one in `<dataDir>/postgres` on first use and stops it on close.
   */
  embeddedPostgres?: () => Promise<string>;
  /** Backoff between restarts of a failed connector: initial delay, doubled up to max. */
  retry?: { initialMs?: number; maxMs?: number };
}

export interface ConnectorStatus {
  name: string;
  type: string;
  state: ConnectorState;
  desired: 'RUNNING' | 'PAUSED';
  lastError: ConnectorError | null;
  /** Consecutive failed starts since the last success. */
  failures: number;
  nextRetryAt: string | null;
  warnings: string[];
  metrics: Record<string, JsonValue>;
  config: Record<string, JsonValue>;
  createdAt: string;
  updatedAt: string;
}

interface Managed {
  stored: StoredConnector;
  type: ConnectorType;
  instance: Connector | undefined;
  /** Bumped whenever an instance is replaced: late callbacks of an old instance are ignored. */
  generation: number;
  failures: number;
  retryTimer: NodeJS.Timeout | undefined;
  nextRetryAt: number | undefined;
  warnings: string[];
  queue: Promise<void>;
  deleted: boolean;
}

const MAX_WARNINGS = 10;

export class ConnectorRuntime {
  private readonly types: ReadonlyMap<string, ConnectorType>;
  private readonly connectors = new Map<string, Managed>();
  private store: ConnectorStore | undefined;
  private closed = false;
  private startConnectors = true;
  private ownPostgres: Promise<EmbeddedPostgres> | undefined;
  private readonly retryInitialMs: number;
  private readonly retryMaxMs: number;

  constructor(private readonly options: ConnectorRuntimeOptions) {
    this.types = connectorTypesByName(options.types ?? CONNECTOR_TYPES);
    this.retryInitialMs = options.retry?.initialMs ?? 1_000;
    this.retryMaxMs = options.retry?.maxMs ?? 60_000;
  }

  /**
   * Reads the persisted connectors and starts those meant to run (awaiting their first attempt).
   * With `startConnectors: false` nothing runs: the runtime only manages the persisted specs
   * (what a one-shot CLI command on an idle data directory does; `shiftleft up` runs them).
   * With `awaitStarts: false` it resolves once the specs are loaded and starts connectors in
   * the background (a platform need not wait for a CDC snapshot to serve its APIs).
   */
  async open(options: { startConnectors?: boolean; awaitStarts?: boolean } = {}): Promise<void> {
    this.startConnectors = options.startConnectors ?? true;
    const { store, connectors } = await ConnectorStore.open(this.options.log);
    this.store = store;
    const starts: Promise<void>[] = [];
    for (const stored of connectors) {
      const type = this.types.get(stored.spec.type);
      const managed = this.manage(stored, type);
      if (!type) {
        // A type this build does not know (removed or from a newer version): keep it visible, not fatal.
        this.setFailed(managed, new ShiftleftError('CONNECTOR_FAILED', `unknown connector type "${stored.spec.type}"`, { hint: 'delete the connector or run a shiftleft version that has this type' }));
        continue;
      }
      if (stored.desired === 'PAUSED' || !this.startConnectors) {
        managed.stored.state = stored.desired === 'PAUSED' ? 'PAUSED' : 'STOPPED';
        continue;
      }
      starts.push(this.enqueue(managed, () => this.startInstance(managed)));
    }
    if (options.awaitStarts ?? true) await Promise.all(starts);
  }

  /** The connector types, with their config schemas (for `connector types` and REST). */
  listTypes(): { name: string; kind: string; description: string; configSchema: Record<string, unknown> }[] {
    return [...this.types.values()].map((t) => ({ name: t.name, kind: t.kind, description: t.description, configSchema: t.configSchema }));
  }

  /** Checks a spec without creating anything (throws CONNECTOR_CONFIG_INVALID). */
  validate(input: unknown): ConnectorSpec {
    return parseConnectorSpec(input, this.types).spec;
  }

  /** Validates, persists and starts a connector; resolves after the first start attempt. */
  async create(input: unknown): Promise<ConnectorStatus> {
    const store = this.requireOpen();
    const { spec, type } = parseConnectorSpec(input, this.types);
    if (this.connectors.has(spec.name)) {
      throw new ShiftleftError('CONNECTOR_ALREADY_EXISTS', `connector "${spec.name}" already exists`, { hint: `delete it first (shiftleft connector delete ${spec.name}) or choose another name` });
    }
    const now = new Date().toISOString();
    const stored: StoredConnector = { spec, desired: 'RUNNING', state: 'STOPPED', lastError: undefined, createdAt: now, updatedAt: now };
    await store.saveConnector(stored);
    const managed = this.manage(stored, type);
    await this.enqueue(managed, () => this.startInstance(managed));
    return this.status(spec.name);
  }

  list(): ConnectorStatus[] {
    return [...this.connectors.keys()].sort().map((name) => this.status(name));
  }

  status(name: string): ConnectorStatus {
    const managed = this.get(name);
    const { stored } = managed;
    let metrics: Record<string, JsonValue> = {};
    try {
      metrics = managed.instance?.metrics() ?? {};
    } catch (error) {
      metrics = { error: (error as Error).message };
    }
    return {
      name,
      type: stored.spec.type,
      state: stored.state,
      desired: stored.desired,
      lastError: stored.lastError ?? null,
      failures: managed.failures,
      nextRetryAt: managed.nextRetryAt ? new Date(managed.nextRetryAt).toISOString() : null,
      warnings: [...managed.warnings],
      metrics,
      config: redactConfig(stored.spec.config),
      createdAt: stored.createdAt,
      updatedAt: stored.updatedAt,
    };
  }

  async pause(name: string): Promise<ConnectorStatus> {
    const managed = this.get(name);
    await this.enqueue(managed, async () => {
      managed.stored.desired = 'PAUSED';
      this.cancelRetry(managed);
      if (managed.instance) {
        try {
          await managed.instance.pause();
        } catch (error) {
          await this.dropInstance(managed);
          managed.warnings.push(`pause failed, connector stopped instead: ${(error as Error).message}`);
        }
      }
      await this.setState(managed, 'PAUSED');
    });
    return this.status(name);
  }

  async resume(name: string): Promise<ConnectorStatus> {
    const managed = this.get(name);
    await this.enqueue(managed, async () => {
      managed.stored.desired = 'RUNNING';
      this.cancelRetry(managed);
      if (managed.instance && managed.stored.state === 'PAUSED') {
        try {
          await managed.instance.resume();
          await this.setState(managed, 'RUNNING');
          return;
        } catch (error) {
          await this.onFailure(managed, error, managed.generation);
          return;
        }
      }
      // FAILED (waiting for a retry) or paused without an instance: start now.
      if (this.startConnectors) await this.startInstance(managed);
      else await this.setState(managed, 'STOPPED');
    });
    return this.status(name);
  }

  /** Stops the connector, releases what it holds at the source, and forgets config and offsets. */
  async delete(name: string): Promise<{ name: string; deleted: true }> {
    const managed = this.get(name);
    const store = this.requireOpen();
    await this.enqueue(managed, async () => {
      managed.deleted = true;
      this.cancelRetry(managed);
      await this.dropInstance(managed);
      // A fresh, never started instance knows how to release what the connector holds at the source.
      let instance: Connector | undefined;
      try {
        instance = managed.type?.create(managed.stored.spec.config, this.context(managed, managed.generation));
      } catch (error) {
        managed.warnings.push(`cleanup at the source skipped: ${(error as Error).message}`);
      }
      try {
        await instance?.destroy?.();
      } catch (error) {
        // The connector is deleted anyway; the user must clean the source by hand.
        managed.warnings.push(`cleanup at the source failed: ${(error as Error).message}`);
      }
      await store.deleteConnector(name);
      this.connectors.delete(name);
    });
    return { name, deleted: true };
  }

  /** Stops every connector (their persisted desired state stays, so the next open restarts them). */
  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    await Promise.all(
      [...this.connectors.values()].map((managed) =>
        this.enqueue(managed, async () => {
          this.cancelRetry(managed);
          await this.dropInstance(managed);
          managed.stored.state = 'STOPPED';
        }),
      ),
    );
    if (this.ownPostgres) await (await this.ownPostgres.catch(() => undefined))?.stop();
  }

  // ---- internals ----

  private requireOpen(): ConnectorStore {
    if (!this.store || this.closed) throw new ShiftleftError('CLOSED', 'the connector runtime is not open');
    return this.store;
  }

  private get(name: string): Managed {
    const managed = this.connectors.get(name);
    if (!managed || managed.deleted) {
      throw new ShiftleftError('CONNECTOR_NOT_FOUND', `connector "${name}" does not exist`, { hint: 'list connectors with: shiftleft connector list' });
    }
    return managed;
  }

  private manage(stored: StoredConnector, type: ConnectorType | undefined): Managed {
    const managed: Managed = {
      stored,
      type: type as ConnectorType,
      instance: undefined,
      generation: 0,
      failures: 0,
      retryTimer: undefined,
      nextRetryAt: undefined,
      warnings: [],
      queue: Promise.resolve(),
      deleted: false,
    };
    this.connectors.set(stored.spec.name, managed);
    return managed;
  }

  /** Runs operations of one connector in order; a failing operation never breaks the queue. */
  private enqueue(managed: Managed, work: () => Promise<void>): Promise<void> {
    const next = managed.queue.then(work).catch((error: unknown) => {
      managed.warnings.push(`internal: ${(error as Error).message}`);
    });
    managed.queue = next;
    return next;
  }

  private context(managed: Managed, generation: number): ConnectorContext {
    const name = managed.stored.spec.name;
    const store = this.requireOpen();
    return {
      name,
      log: this.options.log,
      registryUrl: this.options.registryUrl,
      dataDir: this.options.dataDir,
      kmsSecret: this.options.kmsSecret,
      offsets: { read: () => store.readOffset(name), write: (offset) => store.writeOffset(name, offset) },
      embeddedPostgres: () => this.embeddedPostgres(),
      fail: (error) => {
        if (generation !== managed.generation || managed.deleted || this.closed) return;
        void this.enqueue(managed, () => this.onFailure(managed, error, generation));
      },
      warn: (message) => {
        managed.warnings.push(message);
        if (managed.warnings.length > MAX_WARNINGS) managed.warnings.splice(0, managed.warnings.length - MAX_WARNINGS);
      },
    };
  }

  private async startInstance(managed: Managed): Promise<void> {
    if (managed.deleted || this.closed || managed.stored.desired !== 'RUNNING') return;
    if (!this.startConnectors) {
      await this.setState(managed, 'STOPPED');
      return;
    }
    await this.dropInstance(managed);
    const generation = ++managed.generation;
    let instance: Connector;
    try {
      instance = managed.type.create(managed.stored.spec.config, this.context(managed, generation));
      managed.instance = instance;
      await instance.start();
    } catch (error) {
      await this.onFailure(managed, error, generation);
      return;
    }
    if (generation !== managed.generation) return;
    managed.failures = 0;
    // lastError stays visible after a recovery (with its time), so a flapping connector shows why.
    await this.setState(managed, 'RUNNING');
  }

  private async onFailure(managed: Managed, error: unknown, generation: number): Promise<void> {
    if (generation !== managed.generation || managed.deleted) return;
    await this.dropInstance(managed);
    managed.failures++;
    this.setFailed(managed, error);
    await this.persist(managed);
    if (this.closed || managed.stored.desired !== 'RUNNING') return;
    // A config error will not fix itself: retrying would only repeat it.
    if (toShiftleftError(error).code === 'CONNECTOR_CONFIG_INVALID') return;
    const delay = Math.min(this.retryMaxMs, this.retryInitialMs * 2 ** Math.min(managed.failures - 1, 30));
    managed.nextRetryAt = Date.now() + delay;
    managed.retryTimer = setTimeout(() => {
      managed.retryTimer = undefined;
      managed.nextRetryAt = undefined;
      void this.enqueue(managed, () => this.startInstance(managed));
    }, delay);
    managed.retryTimer.unref();
  }

  private setFailed(managed: Managed, error: unknown): void {
    const failure = toShiftleftError(error, 'CONNECTOR_FAILED');
    managed.stored.state = 'FAILED';
    managed.stored.lastError = { message: failure.message, code: failure.code, ...(failure.hint ? { hint: failure.hint } : {}), at: new Date().toISOString() };
    managed.stored.updatedAt = managed.stored.lastError.at;
  }

  private cancelRetry(managed: Managed): void {
    if (managed.retryTimer) clearTimeout(managed.retryTimer);
    managed.retryTimer = undefined;
    managed.nextRetryAt = undefined;
  }

  /** Stops and forgets the current instance; errors while stopping are only warnings. */
  private async dropInstance(managed: Managed): Promise<void> {
    const instance = managed.instance;
    managed.instance = undefined;
    managed.generation++;
    if (!instance) return;
    try {
      await instance.stop();
    } catch (error) {
      managed.warnings.push(`stop failed: ${(error as Error).message}`);
    }
  }

  private async setState(managed: Managed, state: ConnectorState): Promise<void> {
    managed.stored.state = state;
    managed.stored.updatedAt = new Date().toISOString();
    await this.persist(managed);
  }

  private async persist(managed: Managed): Promise<void> {
    if (managed.deleted || !this.store) return;
    try {
      await this.store.saveConnector(managed.stored);
    } catch (error) {
      // The log being unavailable must not take the connector down; the next change retries.
      managed.warnings.push(`could not persist status: ${(error as Error).message}`);
    }
  }

  private embeddedPostgres(): Promise<string> {
    if (this.options.embeddedPostgres) return this.options.embeddedPostgres();
    const dataDir = this.options.dataDir;
    if (!dataDir) {
      return Promise.reject(new ShiftleftError('CONNECTOR_CONFIG_INVALID', 'connector config /config/embedded: this runtime has no data directory for an embedded PostgreSQL', { hint: 'give "connection" (a postgresql:// URL) instead', details: { field: '/config/embedded' } }));
    }
    this.ownPostgres ??= EmbeddedPostgres.start({ dataDir });
    this.ownPostgres.catch(() => (this.ownPostgres = undefined));
    return this.ownPostgres.then((server) => server.connectionString);
  }
}
