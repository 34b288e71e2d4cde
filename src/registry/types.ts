/**
 * The registry's domain types, shaped like Confluent Schema Registry's JSON entities so the REST
 * layer can return them as they are and Confluent's clients read them without translation.
 */
import type { SchemaReference, SchemaType } from '../formats/schema-provider.ts';

export type { SchemaReference, SchemaType };

export const COMPATIBILITY_LEVELS = [
  'NONE',
  'BACKWARD',
  'BACKWARD_TRANSITIVE',
  'FORWARD',
  'FORWARD_TRANSITIVE',
  'FULL',
  'FULL_TRANSITIVE',
] as const;
export type CompatibilityLevel = (typeof COMPATIBILITY_LEVELS)[number];

export const MODES = ['READWRITE', 'READONLY', 'READONLY_OVERRIDE', 'IMPORT'] as const;
export type Mode = (typeof MODES)[number];

export interface Rule {
  name: string;
  doc?: string;
  kind?: string;
  mode?: string;
  type: string;
  tags?: string[];
  params?: Record<string, string>;
  expr?: string;
  onSuccess?: string;
  onFailure?: string;
  disabled?: boolean;
}

export interface RuleSet {
  migrationRules?: Rule[];
  domainRules?: Rule[];
  encodingRules?: Rule[];
}

export interface Metadata {
  tags?: Record<string, string[]>;
  properties?: Record<string, string>;
  sensitive?: string[];
}

/** What a client sends to register or look up a schema. */
export interface SchemaInput {
  schema: string;
  schemaType: SchemaType;
  references: SchemaReference[];
  metadata?: Metadata | undefined;
  ruleSet?: RuleSet | undefined;
  /** Only honoured in IMPORT mode. */
  id?: number | undefined;
  version?: number | undefined;
}

/** One version of a subject, as stored in `_schemas`. */
export interface SubjectVersion {
  subject: string;
  version: number;
  id: number;
  /** Confluent's schema GUID: one UUID per global id (clients may put it in headers instead of the id). */
  guid: string;
  schema: string;
  schemaType: SchemaType;
  references: SchemaReference[];
  metadata?: Metadata | undefined;
  ruleSet?: RuleSet | undefined;
  deleted: boolean;
  /** Milliseconds since the epoch when this version was registered. */
  ts: number;
}

/** The configuration of one scope (global when subject is undefined). */
export interface RegistryConfig {
  compatibilityLevel?: CompatibilityLevel;
  normalize?: boolean;
  alias?: string;
  compatibilityGroup?: string;
  defaultMetadata?: Metadata;
  overrideMetadata?: Metadata;
  defaultRuleSet?: RuleSet;
  overrideRuleSet?: RuleSet;
}

/** A subject bound to a resource (topic) as key or value schema. */
export interface Association {
  subject: string;
  resourceName: string;
  resourceNamespace: string;
  resourceId: string;
  resourceType: string;
  associationType: string;
  lifecycle?: string;
  frozen?: boolean;
}

export interface Kek {
  name: string;
  kmsType: string;
  kmsKeyId: string;
  kmsProps: Record<string, string>;
  doc?: string | undefined;
  shared: boolean;
  ts: number;
  deleted: boolean;
}

export interface Dek {
  kekName: string;
  subject: string;
  version: number;
  algorithm: string;
  /** Base64 of the DEK encrypted by the KEK's KMS; never the plaintext key. */
  encryptedKeyMaterial: string;
  ts: number;
  deleted: boolean;
}
