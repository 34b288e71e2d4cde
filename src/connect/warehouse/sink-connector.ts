/**
 * A warehouse sink as a framework `Connector`: the lifecycle around a WarehouseSinkTask.
 * The DuckDB and PostgreSQL connector types differ only in the Warehouse they build.
 */
import type { Connector, ConnectorContext, JsonValue } from '../framework/connector.ts';
import type { WarehouseSinkConfig } from './sink-config.ts';
import { WarehouseSinkTask } from './sink-task.ts';
import type { Warehouse } from './warehouse.ts';

export class WarehouseSinkConnector implements Connector {
  private task: WarehouseSinkTask | undefined;

  constructor(
    private readonly config: WarehouseSinkConfig,
    private readonly context: ConnectorContext,
    /** Built lazily: resolving where to write may need the embedded PostgreSQL. */
    private readonly openWarehouse: () => Promise<Warehouse>,
  ) {}

  async start(): Promise<void> {
    const warehouse = await this.openWarehouse();
    const task = new WarehouseSinkTask({
      connector: this.context.name,
      config: this.config,
      log: this.context.log,
      registryUrl: this.context.registryUrl,
      kmsSecret: this.context.kmsSecret,
      warehouse,
      onFailure: (error) => this.context.fail(error),
    });
    try {
      await task.start();
    } catch (error) {
      await task.stop().catch(() => undefined);
      throw error;
    }
    this.task = task;
  }

  async pause(): Promise<void> {
    await this.task?.pause();
  }

  async resume(): Promise<void> {
    this.task?.resume();
  }

  async stop(): Promise<void> {
    const task = this.task;
    this.task = undefined;
    await task?.stop();
  }

  metrics(): Record<string, JsonValue> {
    return this.task?.metrics() ?? {};
  }

  /** For tests and benchmarks: records of the topics not yet in the warehouse. */
  lag(): Promise<number> {
    return this.task ? this.task.lag() : Promise.resolve(Number.POSITIVE_INFINITY);
  }
}
