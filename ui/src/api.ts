/**
 * The platform's APIs as the portal uses them: the platform API under /v1 and the registry
 * (Schema Registry and Stream Catalog) through the platform's same-origin proxy under /registry.
 * Every failure becomes an ApiError carrying the server's message and hint.
 */

export class ApiError extends Error {
  constructor(
    message: string,
    readonly status: number,
    readonly code?: string,
    readonly hint?: string,
  ) {
    super(message);
  }
}

const enc = encodeURIComponent;

async function request<T>(method: string, path: string, body?: unknown, signal?: AbortSignal): Promise<T> {
  let response: Response;
  try {
    response = await fetch(path, {
      method,
      headers: body === undefined ? { accept: 'application/json' } : { accept: 'application/json', 'content-type': 'application/json' },
      body: body === undefined ? undefined : JSON.stringify(body),
      signal,
    });
  } catch (error) {
    if ((error as Error).name === 'AbortError') throw error;
    throw new ApiError(`cannot reach the platform (${method} ${path}): ${(error as Error).message}`, 0, undefined, 'is shiftleft still running?');
  }
  const text = await response.text();
  let parsed: unknown;
  try {
    parsed = text === '' ? undefined : JSON.parse(text);
  } catch {
    parsed = text;
  }
  if (!response.ok) {
    const errorBody = (typeof parsed === 'object' && parsed !== null ? parsed : {}) as { message?: string; code?: string; hint?: string };
    throw new ApiError(errorBody.message ?? `${method} ${path} answered ${response.status}`, response.status, errorBody.code, errorBody.hint);
  }
  return parsed as T;
}

const get = <T>(path: string, signal?: AbortSignal) => request<T>('GET', path, undefined, signal);

// ---- shapes ------------------------------------------------------------------------------------

export interface TopicSummary {
  name: string;
  partitions: number;
  internal: boolean;
  cleanupPolicy: string;
  records: number;
}

export interface TopicDescription {
  name: string;
  internal: boolean;
  config: Record<string, string | number>;
  partitions: { partition: number; logStartOffset: number; highWatermark: number; sizeBytes?: number }[];
}

export type DecodedPart =
  | { format: 'null'; data: null }
  | { format: 'text' | 'json-text'; data: unknown }
  | { format: 'binary'; data: string }
  | { format: 'avro' | 'json' | 'protobuf'; schemaId: number; data: unknown; encryptedFields?: string[]; error?: string };

export interface Message {
  partition: number;
  offset: number;
  timestamp: number;
  key: DecodedPart;
  value: DecodedPart;
  headers: { key: string; value: string | null; encoding?: 'base64' }[];
}

export interface MessagesAnswer {
  topic: string;
  messages: Message[];
  cursor: string;
  caughtUp: boolean;
}

export interface Statement {
  name: string;
  status: string;
  sql: string;
  startedAt: string;
  rowsIn: number;
  error?: { code: string; message: string; hint?: string };
}

export interface Connector {
  name: string;
  type: string;
  state: string;
  desired?: string;
  lastError: { message: string; code?: string } | null;
  failures: number;
  warnings: string[];
  metrics: Record<string, unknown>;
  config: Record<string, unknown>;
}

export interface LineageNode {
  id: string;
  kind: 'source' | 'sink' | 'topic' | 'dlq' | 'statement';
  name: string;
  details?: Record<string, string>;
}

export interface LineageGraph {
  nodes: LineageNode[];
  edges: { from: string; to: string; kind: string; rule?: string }[];
}

export interface Rule {
  name: string;
  kind: string;
  type: string;
  mode: string;
  tags?: string[];
  params?: Record<string, string>;
  expr?: string;
  onSuccess?: string;
  onFailure?: string;
  disabled?: boolean;
}

export interface RuleSet {
  domainRules?: Rule[];
  migrationRules?: Rule[];
}

export interface Metadata {
  tags?: Record<string, string[]>;
  properties?: Record<string, string>;
  sensitive?: string[];
}

export interface SchemaVersion {
  subject: string;
  version: number;
  id: number;
  schema: string;
  schemaType?: string;
  references?: unknown[];
  metadata?: Metadata;
  ruleSet?: RuleSet;
}

export interface CatalogEntity {
  typeName: string;
  displayText: string;
  attributes: Record<string, unknown>;
  classificationNames: string[];
  businessMetadata?: Record<string, Record<string, string>>;
}

export interface DeduplicatePreview {
  topic: string;
  fields: string[];
  table: string;
  statement: string;
  sql: string;
}

// ---- calls -------------------------------------------------------------------------------------

export const api = {
  topics: () => get<TopicSummary[]>('/v1/topics'),
  topic: (name: string) => get<TopicDescription>(`/v1/topics/${enc(name)}`),
  messages: (topic: string, query: { from?: string; cursor?: string; limit?: number; maxWaitMs?: number }, signal?: AbortSignal) => {
    const params = new URLSearchParams();
    for (const [k, v] of Object.entries(query)) if (v !== undefined) params.set(k, String(v));
    return get<MessagesAnswer>(`/v1/topics/${enc(topic)}/messages?${params}`, signal);
  },
  statements: () => get<Statement[]>('/v1/statements'),
  stopStatement: (name: string) => request<Statement>('DELETE', `/v1/statements/${enc(name)}`),
  connectors: () => get<Connector[]>('/v1/connectors'),
  pauseConnector: (name: string) => request<Connector>('PUT', `/v1/connectors/${enc(name)}/pause`),
  resumeConnector: (name: string) => request<Connector>('PUT', `/v1/connectors/${enc(name)}/resume`),
  lineage: () => get<LineageGraph>('/v1/lineage'),

  deduplicateFields: (topic: string) => get<{ name: string; type: string }[]>(`/v1/actions/deduplicate-topic/fields?topic=${enc(topic)}`),
  previewDeduplicate: (topic: string, fields: string[]) => request<DeduplicatePreview>('POST', '/v1/actions/deduplicate-topic/preview', { topic, fields }),
  runDeduplicate: (topic: string, fields: string[]) => request<{ statement: string; status: string; table: string; sql: string }>('POST', '/v1/actions/deduplicate-topic/run', { topic, fields }),
  encryptField: (body: { topic: string; field: string; tag?: string; kekName?: string }) =>
    request<{ subject: string; version: number; fieldPath: string; kekCreated: boolean }>('POST', '/v1/actions/encrypt-field', body),
  createDataProduct: (body: { topic: string; owner: string; description?: string; domain?: string; slo?: string }) => request<{ topic: string }>('POST', '/v1/actions/create-data-product', body),

  registry: {
    latestSchemas: () => get<SchemaVersion[]>('/registry/schemas?latestOnly=true'),
    subjects: () => get<string[]>('/registry/subjects'),
    versions: (subject: string) => get<number[]>(`/registry/subjects/${enc(subject)}/versions`),
    version: (subject: string, version: number | 'latest') => get<SchemaVersion>(`/registry/subjects/${enc(subject)}/versions/${version}`),
    subjectsOfId: (id: number) => get<{ subject: string; version: number }[]>(`/registry/schemas/ids/${id}/versions`),
    compatibilityLevel: (subject: string) => get<{ compatibilityLevel: string }>(`/registry/config/${enc(subject)}?defaultToGlobal=true`),
    checkCompatibility: (subject: string, body: object) => request<{ is_compatible: boolean; messages?: string[] }>('POST', `/registry/compatibility/subjects/${enc(subject)}/versions/latest?verbose=true`, body),
    register: (subject: string, body: object) => request<{ id: number; version?: number }>('POST', `/registry/subjects/${enc(subject)}/versions`, body),
  },

  catalog: {
    search: (query: { query?: string; tag?: string; types?: string }) => {
      const params = new URLSearchParams();
      for (const [k, v] of Object.entries(query)) if (v) params.set(k, v);
      return get<{ entities: CatalogEntity[]; approximateCount: number }>(`/registry/catalog/v1/search/basic?${params}`);
    },
    topicTags: (topic: string) => get<{ typeName: string }[]>(`/registry/catalog/v1/entity/type/kafka_topic/name/${enc(topic)}/tags`),
  },
};
