/**
 * The "Encrypt field" action (walkthrough: tag `cc_number` PII, add the `Encrypt_PII` rule):
 * one compatible contract evolution of `<topic>-value` that tags the field in the schema's
 * metadata (`{"Sale.cc_number": ["PII"]}`) and puts an ENCRYPT rule for that tag first among
 * the domain rules (so records a later rule sends to a DLQ are already encrypted). The KEK is
 * created in the DEK registry when missing (local KMS: producers holding the local KMS secret
 * encrypt, others read ciphertext).
 */
import { ShiftleftError } from '../common/errors.ts';
import type { Registry } from '../registry/registry.ts';
import type { Rule, SubjectVersion } from '../registry/types.ts';
import { evolveContract } from './contract-evolution.ts';
import { avroSchemaFields, findFieldPath } from './schema-fields.ts';
import type { StreamCatalog } from './stream-catalog.ts';

export interface EncryptFieldRequest {
  topic: string;
  field: string;
  tag: string;
  kekName: string;
  ruleName: string;
}

export interface EncryptFieldResult {
  subject: string;
  version: number;
  id: number;
  fieldPath: string;
  rule: Rule;
  kekCreated: boolean;
}

export function encryptFieldRequest(body: Record<string, unknown>): EncryptFieldRequest {
  const text = (key: string, fallback?: string): string => {
    const value = body[key] ?? fallback;
    if (typeof value !== 'string' || value === '') throw new ShiftleftError('INVALID_ARGUMENT', `${key} must be a non-empty string`);
    return value;
  };
  return { topic: text('topic'), field: text('field'), tag: text('tag', 'PII'), kekName: text('kekName', 'CSFLE_Key'), ruleName: text('ruleName', 'Encrypt_PII') };
}

/** Only STRING and BYTES fields can be encrypted (also as the non-null branch of a union). */
function encryptable(schema: string, path: string): boolean {
  const fieldName = path.slice(path.lastIndexOf('.') + 1);
  const recordName = path.slice(0, path.lastIndexOf('.'));
  let found: unknown;
  const visit = (node: unknown, namespace?: string): void => {
    if (found !== undefined || !node || typeof node !== 'object') return;
    if (Array.isArray(node)) return node.forEach((n) => visit(n, namespace));
    const n = node as { type?: unknown; name?: string; namespace?: string; fields?: { name: string; type: unknown }[]; items?: unknown; values?: unknown };
    if (n.type === 'record' && n.fields) {
      const ns = n.name?.includes('.') ? undefined : (n.namespace ?? namespace);
      const full = ns ? `${ns}.${n.name}` : n.name;
      if (full === recordName) found = n.fields.find((f) => f.name === fieldName)?.type ?? null;
      const child = full?.includes('.') ? full.slice(0, full.lastIndexOf('.')) : undefined;
      for (const f of n.fields) visit(f.type, child);
    }
    visit(n.items, namespace);
    visit(n.values, namespace);
  };
  visit(JSON.parse(schema));
  const types = Array.isArray(found) ? found : [found];
  const base = types.filter((t) => t !== 'null').map((t) => (typeof t === 'object' && t !== null ? (t as { type?: unknown }).type : t));
  return base.length === 1 && (base[0] === 'string' || base[0] === 'bytes');
}

async function ensureKek(registry: Registry, name: string): Promise<boolean> {
  try {
    registry.deks.getKek(name);
    return false;
  } catch {
    await registry.deks.createKek({ name, kmsType: 'local-kms', kmsKeyId: name, shared: false, doc: 'created by the Encrypt field action' });
    return true;
  }
}

export async function encryptField(registry: Registry, catalog: StreamCatalog, request: EncryptFieldRequest): Promise<EncryptFieldResult> {
  const subject = `${request.topic}-value`;
  let latest: SubjectVersion;
  try {
    latest = registry.schemas.getVersion(subject, 'latest');
  } catch (error) {
    throw new ShiftleftError('SUBJECT_NOT_FOUND', `topic '${request.topic}' has no value schema (subject '${subject}')`, { hint: 'register a schema for the topic first', cause: error });
  }
  if (latest.schemaType !== 'AVRO') throw new ShiftleftError('UNSUPPORTED', `the Encrypt field action supports Avro contracts; '${subject}' is ${latest.schemaType}`);
  const fields = avroSchemaFields(latest.schema);
  const path = findFieldPath(fields, request.field);
  if (!path) {
    throw new ShiftleftError('INVALID_ARGUMENT', `'${subject}' has no field '${request.field}'`, { hint: `its fields: ${fields.fields.join(', ')}`, details: { subject, field: request.field } });
  }
  if (!encryptable(latest.schema, path)) {
    throw new ShiftleftError('INVALID_ARGUMENT', `field '${path}' cannot be encrypted: only string and bytes fields can`, { details: { subject, field: path } });
  }
  // The tag must exist in the catalog so the field is found by tag there too.
  if (!catalog.tagDefs.has(request.tag)) {
    await catalog.putTagDefs([{ name: request.tag, description: 'Personally identifiable information', entityTypes: ['sr_field', 'sr_record', 'sr_schema'] }], true);
  }
  const kekCreated = await ensureKek(registry, request.kekName);
  const rule: Rule = {
    name: request.ruleName,
    kind: 'TRANSFORM',
    type: 'ENCRYPT',
    mode: 'WRITEREAD',
    tags: [request.tag],
    params: { 'encrypt.kek.name': request.kekName, 'encrypt.kms.type': 'local-kms', 'encrypt.kms.key.id': request.kekName },
    onFailure: 'ERROR,NONE',
  };
  const version = await evolveContract(registry, catalog, subject, (current) => {
    const tags = { ...(current.metadata?.tags ?? {}) };
    tags[path] = [...new Set([...(tags[path] ?? []), request.tag])];
    const others = (current.ruleSet?.domainRules ?? []).filter((r) => r.name !== request.ruleName);
    return {
      metadata: { ...(current.metadata ?? {}), tags },
      ruleSet: { ...(current.ruleSet ?? {}), domainRules: [rule, ...others] },
    };
  });
  return { subject, version: version.version, id: version.id, fieldPath: path, rule, kekCreated };
}
