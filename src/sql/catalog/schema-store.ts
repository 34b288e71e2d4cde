/**
 * What the SQL catalog needs from a schema registry: read the latest schema of a subject, read a
 * schema by id (to decode records written with older versions), and register schemas for
 * CREATE TABLE. Implemented over Confluent's REST client so the engine works with our registry
 * and with any Confluent-compatible one alike.
 */
import { SchemaRegistryClient } from '@confluentinc/schemaregistry';
import { ShiftleftError } from '../../common/errors.ts';
import { confluentClientAuth } from '../../server/auth/client-credentials.ts';

export interface StoredSchema {
  id: number;
  version?: number;
  schemaType: string;
  schema: string;
}

export interface SchemaStore {
  latest(subject: string): Promise<StoredSchema | undefined>;
  byId(id: number): Promise<StoredSchema>;
  register(subject: string, schemaType: string, schema: string): Promise<number>;
  subjects(): Promise<string[]>;
}

function status(error: unknown): number | undefined {
  const e = error as { status?: number; errorCode?: number };
  return e?.status;
}

export class RegistrySchemaStore implements SchemaStore {
  private readonly client: SchemaRegistryClient;
  private readonly byIdCache = new Map<number, StoredSchema>();

  constructor(registryUrl: string) {
    this.client = new SchemaRegistryClient({ baseURLs: [registryUrl], cacheLatestTtlSecs: 1, ...confluentClientAuth() });
  }

  async latest(subject: string): Promise<StoredSchema | undefined> {
    try {
      const meta = await this.client.getLatestSchemaMetadata(subject);
      return { id: meta.id!, version: meta.version, schemaType: meta.schemaType ?? 'AVRO', schema: meta.schema };
    } catch (error) {
      if (status(error) === 404) return undefined;
      throw new ShiftleftError('SQL_VALIDATION_ERROR', `cannot read schema of subject '${subject}' from the registry: ${(error as Error).message}`, {
        hint: 'check that the schema registry is running and reachable',
        cause: error,
      });
    }
  }

  async byId(id: number): Promise<StoredSchema> {
    const cached = this.byIdCache.get(id);
    if (cached) return cached;
    try {
      const info = await this.client.getBySubjectAndId('', id);
      const stored = { id, schemaType: info.schemaType ?? 'AVRO', schema: info.schema };
      this.byIdCache.set(id, stored);
      return stored;
    } catch (error) {
      throw new ShiftleftError('DESERIALIZATION_FAILED', `schema id ${id} is unknown to the registry: ${(error as Error).message}`, { cause: error });
    }
  }

  async register(subject: string, schemaType: string, schema: string): Promise<number> {
    try {
      return await this.client.register(subject, { schemaType, schema }, false);
    } catch (error) {
      throw new ShiftleftError('INCOMPATIBLE_SCHEMA', `cannot register the table's schema under '${subject}': ${(error as Error).message}`, {
        hint: 'a table of that name already has an incompatible schema; drop it or choose another name',
        cause: error,
      });
    }
  }

  async subjects(): Promise<string[]> {
    return this.client.getAllSubjects();
  }
}
