/**
 * The commerce generator as a connector type (`commerce-datagen`): creates the four commerce
 * tables if missing, seeds them once, then writes orders (and product updates/deletes) at the
 * configured rate. It writes to PostgreSQL, not to the log: the postgres-cdc connector carries
 * the changes into topics, as in the walkthrough. Running it as a connector gives it the same
 * lifecycle, status and failure handling as everything else (`shiftleft source postgres start`
 * creates it next to the CDC connector).
 */
import pg from 'pg';
import { CommerceGenerator, createCommerceSchema, seedCommerce } from '../commerce/index.ts';
import type { Connector, ConnectorContext, ConnectorType, JsonValue } from '../framework/connector.ts';
import { resolveSourceDatabase, sourceDatabaseProperties, validateSourceDatabase, type SourceDatabaseConfig } from '../framework/source-database.ts';

export interface CommerceDatagenConfig extends SourceDatabaseConfig {
  seed?: number;
  /** Orders per second (default 1, as the original). */
  ordersPerSecond?: number;
  productUpdateProbability?: number;
  productDeleteProbability?: number;
  productInsertProbability?: number;
}

const probability = { type: 'number', minimum: 0, maximum: 1 } as const;

export const commerceDatagenConfigSchema = {
  type: 'object',
  additionalProperties: false,
  properties: {
    ...sourceDatabaseProperties,
    seed: { type: 'integer' },
    ordersPerSecond: { type: 'number', exclusiveMinimum: 0, maximum: 10000 },
    productUpdateProbability: probability,
    productDeleteProbability: probability,
    productInsertProbability: probability,
  },
} as const;

export class CommerceDatagenConnector implements Connector {
  private client: pg.Client | undefined;
  private generator: CommerceGenerator | undefined;
  private seeded: Record<string, JsonValue> = {};

  constructor(
    private readonly config: CommerceDatagenConfig,
    private readonly context: ConnectorContext,
  ) {}

  async start(): Promise<void> {
    const client = new pg.Client({ connectionString: await resolveSourceDatabase(this.config, this.context), application_name: 'shiftleft-commerce-datagen' });
    client.on('error', (error) => this.context.fail(error));
    await client.connect();
    this.client = client;
    const seed = this.config.seed ?? 1;
    await createCommerceSchema(client);
    this.seeded = { ...(await seedCommerce(client, { seed })) };
    const { connection: _c, embedded: _e, database: _d, ...rates } = this.config;
    this.generator = new CommerceGenerator(client, { ...rates, seed, onError: (error) => this.context.warn(`generator: ${(error as Error).message}`) });
    await this.generator.start();
  }

  async pause(): Promise<void> {
    await this.generator?.stop();
  }

  async resume(): Promise<void> {
    await this.generator?.start();
  }

  async stop(): Promise<void> {
    await this.generator?.stop();
    await this.client?.end().catch(() => undefined);
    this.client = undefined;
  }

  metrics(): Record<string, JsonValue> {
    const stats = this.generator?.stats;
    return { seeded: this.seeded, ...(stats ? { ...stats, lastError: stats.lastError ?? null } : {}) };
  }
}

export const commerceDatagenConnectorType: ConnectorType<CommerceDatagenConfig> = {
  name: 'commerce-datagen',
  kind: 'source',
  description: 'The e-commerce database generator: seeds customers, products, orders, items, then writes orders at a rate (into PostgreSQL)',
  configSchema: commerceDatagenConfigSchema as unknown as Record<string, unknown>,
  validate: (config) => validateSourceDatabase(config),
  create: (config, context) => new CommerceDatagenConnector(config, context),
};
