/**
 * The registry as one unit: the schema registry, its settings (config, mode), associations and
 * the DEK registry, sharing one `_schemas` topic and its single writer. `Registry.open` replays the topic, so the
 * returned registry already holds every subject, id, config, KEK and DEK written before.
 */
import { AssociationRegistry } from './association-registry.ts';
import { DekRegistry } from './dek/dek-registry.ts';
import { DekState } from './dek/dek-state.ts';
import { KekKms, type KekKmsOptions } from './dek/kek-kms.ts';
import { RegistrySettings } from './registry-settings.ts';
import { RegistryState } from './registry-state.ts';
import { SchemaRegistry } from './schema-registry.ts';
import type { SchemaProviders } from './schema-parsing.ts';
import { SchemasTopic, type SchemasLogClient } from './store/schemas-topic.ts';

export interface RegistryOptions extends KekKmsOptions {
  /** The format implementations (normally `getSchemaProvider` from src/formats). */
  providers: SchemaProviders;
  /** The topic holding the registry's state; `_schemas` unless a test wants another. */
  topic?: string;
  now?: () => number;
}

export class Registry {
  private constructor(
    readonly schemas: SchemaRegistry,
    readonly settings: RegistrySettings,
    readonly associations: AssociationRegistry,
    readonly deks: DekRegistry,
    private readonly topic: SchemasTopic,
  ) {}

  static async open(log: SchemasLogClient, options: RegistryOptions): Promise<Registry> {
    const registryState = new RegistryState();
    const dekState = new DekState();
    const topic = await SchemasTopic.open(
      log,
      ({ key, value }) => {
        if (key.keytype === 'KEK' || key.keytype === 'DEK') dekState.apply(key, value);
        else registryState.apply(key, value);
      },
      options.topic,
    );
    const now = options.now ?? Date.now;
    const settings = new RegistrySettings(registryState, topic);
    const schemas = new SchemaRegistry(registryState, topic, settings, options.providers, now);
    const associations = new AssociationRegistry(registryState, topic, schemas);
    const deks = new DekRegistry(dekState, topic, new KekKms(options), now);
    return new Registry(schemas, settings, associations, deks, topic);
  }

  /** Lets running writes finish and refuses new ones; the log itself belongs to the caller. */
  async close(): Promise<void> {
    await this.topic.close();
  }
}
