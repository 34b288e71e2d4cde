/**
 * The payments service as a connector type (`payments`), so it is created, paused and watched
 * like any other connector. Its position (records drawn so far, last paid order) is stored as
 * its offset, so a restart continues the deterministic stream instead of repeating it.
 */
import { SchemaRegistryClient } from '@confluentinc/schemaregistry';
import { ContractSerdes } from '../../contracts/contract-serdes.ts';
import { resolveSourceDatabase, sourceDatabaseProperties, validateSourceDatabase } from '../framework/source-database.ts';
import type { Connector, ConnectorContext, ConnectorType, JsonValue } from '../framework/connector.ts';
import { databaseOrders, type OrderSource } from './order-source.ts';
import { PaymentsService } from './payments-service.ts';
import { ensureSaleSchema } from './sale-schema.ts';

export interface PaymentsConnectorConfig {
  /** The commerce database whose orders get paid. */
  connection?: string;
  embedded?: boolean;
  database?: string;
  /** Records per second (default 1). */
  rate?: number;
  seed?: number;
  topic?: string;
  startBacklog?: number;
  /** Register the bare `Sale` schema when the subject has none (default true). */
  registerSchema?: boolean;
}

export const paymentsConfigSchema = {
  type: 'object',
  additionalProperties: false,
  properties: {
    ...sourceDatabaseProperties,
    rate: { type: 'number', exclusiveMinimum: 0, maximum: 100000 },
    seed: { type: 'integer' },
    topic: { type: 'string', pattern: '^[A-Za-z0-9._-]{1,249}$' },
    startBacklog: { type: 'integer', minimum: 0 },
    registerSchema: { type: 'boolean' },
  },
} as const;

function validatePaymentsConfig(config: PaymentsConnectorConfig): void {
  // Payments refer to orders of the commerce database: it must be given.
  validateSourceDatabase(config);
}

function isPosition(value: JsonValue | undefined): value is { drawn: number; lastOrderId: number } {
  return typeof value === 'object' && value !== null && !Array.isArray(value) && typeof value.drawn === 'number' && typeof value.lastOrderId === 'number';
}

export class PaymentsConnector implements Connector {
  private service: PaymentsService | undefined;
  private serdes: ContractSerdes | undefined;
  private orders: OrderSource | undefined;

  constructor(
    private readonly config: PaymentsConnectorConfig,
    private readonly context: ConnectorContext,
  ) {}

  async start(): Promise<void> {
    const topic = this.config.topic ?? 'payments';
    const { log, registryUrl, kmsSecret } = this.context;
    await log.createTopic(topic, { partitions: 1, ifNotExists: true });
    if (this.config.registerSchema !== false) await ensureSaleSchema(new SchemaRegistryClient({ baseURLs: [registryUrl] }), `${topic}-value`);
    this.orders = databaseOrders(await resolveSourceDatabase(this.config, this.context));
    const stored = this.context.offsets.read();
    this.serdes = new ContractSerdes({ registryUrl, log, ...(kmsSecret !== undefined && { kmsSecret }) });
    this.service = new PaymentsService({
      serdes: this.serdes,
      orders: this.orders,
      seed: this.config.seed ?? 42,
      topic,
      ...(this.config.rate !== undefined && { rate: this.config.rate }),
      ...(this.config.startBacklog !== undefined && { startBacklog: this.config.startBacklog }),
      onError: (error) => this.context.fail(error),
      ...(isPosition(stored) && { resumeFrom: { drawn: stored.drawn, lastOrderId: stored.lastOrderId } }),
      // Stored after the records were produced: a crash in between repeats one record (at-least-once).
      onProgress: (position) => this.context.offsets.write({ ...position }),
    });
    this.service.start();
  }

  async pause(): Promise<void> {
    await this.service?.stop();
  }

  async resume(): Promise<void> {
    this.service?.start();
  }

  async stop(): Promise<void> {
    await this.service?.stop();
    await this.orders?.close();
    this.serdes?.close();
  }

  metrics(): Record<string, JsonValue> {
    const stats = this.service?.stats;
    return stats ? { ...stats } : {};
  }
}

export const paymentsConnectorType: ConnectorType<PaymentsConnectorConfig> = {
  name: 'payments',
  kind: 'source',
  description: 'The payments service: Sale records for existing orders, serialized under the payments-value contract (CEL → DLQ, ENCRYPT)',
  configSchema: paymentsConfigSchema as unknown as Record<string, unknown>,
  validate: validatePaymentsConfig,
  create: (config, context) => new PaymentsConnector(config, context),
};
