/**
 * The data portal's backend: lineage and actions over the running platform. It needs the log,
 * the registry, the Stream Catalog, the registry's URL (the SQL engine reads schemas through
 * it, as any client does), the platform's statement registry (so statements an action starts
 * are listed and stopped with all others) and, when connectors run, a way to list them.
 */
import { ShiftleftError } from '../common/errors.ts';
import { SqlSession } from '../engine/sql-session.ts';
import type { Job } from '../engine/runtime/job.ts';
import type { LogClient } from '../log/log-client.ts';
import type { Registry } from '../registry/registry.ts';
import { Catalog } from '../sql/catalog/catalog.ts';
import { RegistrySchemaStore } from '../sql/catalog/schema-store.ts';
import { connectorsFromLog, type ConnectorLineageProvider } from './connector-lineage.ts';
import { evolveContract, type ContractChange } from './contract-evolution.ts';
import { createDataProduct, type DataProductResult } from './data-product-action.ts';
import { deduplicateFields, planDeduplicate, type DeduplicatePlan } from './deduplicate-action.ts';
import { encryptField, encryptFieldRequest, type EncryptFieldResult } from './encrypt-field-action.ts';
import { buildLineage, type LineageGraph } from './lineage-graph.ts';
import type { StreamCatalog } from './stream-catalog.ts';

export interface PortalOptions {
  log: LogClient;
  registry: Registry;
  catalog: StreamCatalog;
  /** The registry URL, known once the registry listens. */
  registryUrl: () => string;
  /**
   * The platform's SQL sessions and statement registry (src/engine/statement-registry.ts fits);
   * without them the portal keeps its own (tests of the portal alone).
   */
  sessions?: SqlSessions;
  /** Connectors for the lineage; by default those persisted in `_connectors` (topics from their configs). */
  connectors?: ConnectorLineageProvider;
}

/** Where SQL sessions come from: sessions share the platform's catalog and named statements. */
export interface SqlSessions {
  readonly statements: Map<string, Job>;
  session(properties?: Record<string, string>): SqlSession;
}

export interface DeduplicateRun {
  statement: string;
  status: string;
  table: string;
  sql: string;
}

export class Portal {
  private sessions: SqlSessions;
  private connectors: ConnectorLineageProvider;
  private schemaStore: RegistrySchemaStore | undefined;
  /** Statements this portal started, stopped on close. */
  private readonly started = new Set<Job>();

  constructor(private readonly options: PortalOptions) {
    this.sessions = options.sessions ?? this.ownSessions();
    this.connectors = options.connectors ?? connectorsFromLog(options.log);
  }

  /** The statements the lineage shows and the actions add to. */
  get statements(): Map<string, Job> {
    return this.sessions.statements;
  }

  /** Lets the platform hand over its statement registry once its SQL API is built. */
  useSessions(sessions: SqlSessions): void {
    this.sessions = sessions;
  }

  get catalog(): StreamCatalog {
    return this.options.catalog;
  }

  /** Lets the platform hand over the connector list once its connector runtime is up. */
  setConnectors(provider: ConnectorLineageProvider): void {
    this.connectors = provider;
  }

  /** A fresh SQL catalog each time: another session may have created or dropped tables. */
  private sqlCatalog(): Catalog {
    this.schemaStore ??= new RegistrySchemaStore(this.options.registryUrl());
    return new Catalog({ log: this.options.log, schemas: this.schemaStore });
  }

  private ownSessions(): SqlSessions {
    const statements = new Map<string, Job>();
    return {
      statements,
      session: (properties = {}) => {
        const catalog = this.sqlCatalog();
        const session = new SqlSession({ log: this.options.log, schemas: this.schemaStore!, catalog, statements });
        for (const [key, value] of Object.entries(properties)) session.properties.set(key, value);
        return session;
      },
    };
  }

  async lineage(): Promise<LineageGraph> {
    const connectors = await this.connectors();
    const statements = [...this.statements.values()].map((job) => ({ name: job.name, sql: job.sql, status: job.status }));
    return buildLineage({ connectors, statements, registry: this.options.registry });
  }

  /** The fields the Deduplicate action can use for a topic. */
  async deduplicateFields(topic: unknown): Promise<{ name: string; type: string }[]> {
    return deduplicateFields(this.sqlCatalog(), topic);
  }

  /** "Show SQL": the statement the Deduplicate action would run. */
  async previewDeduplicate(topic: unknown, fields: unknown): Promise<DeduplicatePlan> {
    return planDeduplicate(this.sqlCatalog(), topic, fields);
  }

  /** "Confirm and run": starts the deduplication as the named statement `<topic>-deduplicate`. */
  async runDeduplicate(topic: unknown, fields: unknown): Promise<DeduplicateRun> {
    const plan = await this.previewDeduplicate(topic, fields);
    const running = this.statements.get(plan.statementName);
    if (running && (running.status === 'RUNNING' || running.status === 'PENDING')) {
      throw new ShiftleftError('CONFLICT', `statement '${plan.statementName}' is already running`, { hint: `stop it first, or look at ${plan.table}` });
    }
    if (await this.sqlCatalog().getTable([plan.table]).catch(() => undefined)) {
      throw new ShiftleftError('CONFLICT', `table '${plan.table}' already exists`, { hint: `drop it first (DROP TABLE \`${plan.table}\`) to deduplicate '${plan.topic}' again` });
    }
    const session = this.sessions.session({ 'client.statement-name': plan.statementName });
    const result = await session.executeStatement(plan.statement);
    if (result.kind !== 'statement') throw new ShiftleftError('INTERNAL', `the deduplication did not start a statement (${result.kind})`);
    this.started.add(result.job);
    return { statement: result.name, status: result.job.status, table: plan.table, sql: plan.sql };
  }

  async encryptField(body: Record<string, unknown>): Promise<EncryptFieldResult> {
    return encryptField(this.options.registry, this.catalog, encryptFieldRequest(body));
  }

  async createDataProduct(body: Record<string, unknown>): Promise<DataProductResult> {
    return createDataProduct(this.catalog, body);
  }

  async evolveContract(subject: string, change: ContractChange): Promise<{ subject: string; version: number; id: number }> {
    const version = await evolveContract(this.options.registry, this.catalog, subject, () => change);
    return { subject, version: version.version, id: version.id };
  }

  async close(): Promise<void> {
    for (const job of this.started) await job.stop().catch(() => undefined);
    this.started.clear();
  }
}
