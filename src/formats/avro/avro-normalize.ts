/**
 * The normalized text of an Avro schema: Avro's Parsing Canonical Form made to keep what
 * Confluent keeps on `normalize=true` (doc, aliases, defaults, order, logical types and every
 * custom property such as `confluent:tags`).
 *
 * Rules: no whitespace; named types carry their full name in `name` and no `namespace`; names
 * that refer to named types are written as full names; `{"type":"int"}` without attributes is
 * written `"int"`; keys come in a fixed order (type, name, doc, aliases, the type's own
 * attributes, logical type attributes, then custom properties sorted by name); aliases are
 * qualified and sorted; `"order":"ascending"` (the default) is dropped; default values and custom
 * property values have their object keys sorted. Two schemas that differ only in whitespace, key
 * order or such equivalent spellings get the same text.
 *
 * It runs on the JSON of a schema that avsc has already accepted, so it does not re-validate.
 */
import { isPlainObject, sortKeysDeep } from '../format-common.ts';

const PRIMITIVES = new Set(['null', 'boolean', 'int', 'long', 'float', 'double', 'bytes', 'string']);
const NAMED = new Set(['record', 'error', 'enum', 'fixed']);

/** The full name of a named type given its `name`, `namespace` and the enclosing namespace. */
export function avroFullName(name: string, namespace: string | undefined, enclosing: string): string {
  if (name.includes('.')) return name;
  const ns = namespace ?? enclosing;
  return ns ? `${ns}.${name}` : name;
}

function namespaceOf(fullName: string): string {
  const dot = fullName.lastIndexOf('.');
  return dot < 0 ? '' : fullName.slice(0, dot);
}

/** Resolves a type name used as a reference: primitive, or a full name (qualified if needed). */
function resolveName(name: string, namespace: string, known: ReadonlySet<string>): string {
  if (PRIMITIVES.has(name)) return name;
  if (name.includes('.')) return name;
  const qualified = namespace ? `${namespace}.${name}` : name;
  if (known.has(qualified)) return qualified;
  return known.has(name) ? name : qualified;
}

/**
 * @param knownNames full names of named types defined in referenced schemas (so that references
 *   to them from any namespace resolve to the right full name).
 */
export function normalizeAvroSchema(schema: unknown, knownNames: Iterable<string> = []): string {
  const known = new Set(knownNames);
  collectNames(schema, '', known);
  return JSON.stringify(normalizeType(schema, '', known));
}

/** Adds the full names of every named type defined in a schema. */
export function collectNames(schema: unknown, namespace: string, into: Set<string>): void {
  if (Array.isArray(schema)) {
    for (const branch of schema) collectNames(branch, namespace, into);
    return;
  }
  if (!isPlainObject(schema)) return;
  const type = schema.type;
  if (typeof type !== 'string') {
    collectNames(type, namespace, into);
    return;
  }
  if (NAMED.has(type) && typeof schema.name === 'string') {
    const full = avroFullName(schema.name, schema.namespace as string | undefined, namespace);
    into.add(full);
    if (type === 'record' || type === 'error') {
      for (const field of (schema.fields as unknown[]) ?? []) {
        if (isPlainObject(field)) collectNames(field.type, namespaceOf(full), into);
      }
    }
  } else if (type === 'array') {
    collectNames(schema.items, namespace, into);
  } else if (type === 'map') {
    collectNames(schema.values, namespace, into);
  }
}

function qualifyAliases(aliases: unknown, namespace: string): string[] | undefined {
  if (!Array.isArray(aliases) || aliases.length === 0) return undefined;
  return aliases.map((a) => avroFullName(String(a), undefined, namespace)).sort();
}

const LOGICAL_KEYS = ['logicalType', 'precision', 'scale'];

function copyExtraProps(
  schema: Record<string, unknown>,
  out: Record<string, unknown>,
  handled: ReadonlySet<string>,
): void {
  for (const key of LOGICAL_KEYS) if (schema[key] !== undefined) out[key] = sortKeysDeep(schema[key]);
  const extra = Object.keys(schema)
    .filter((k) => !handled.has(k) && !LOGICAL_KEYS.includes(k))
    .sort();
  for (const key of extra) out[key] = sortKeysDeep(schema[key]);
}

const NAMED_KEYS = new Set(['type', 'name', 'namespace', 'doc', 'aliases', 'fields', 'symbols', 'default', 'size']);
const FIELD_KEYS = new Set(['name', 'doc', 'type', 'default', 'order', 'aliases']);

function normalizeType(schema: unknown, namespace: string, known: ReadonlySet<string>): unknown {
  if (typeof schema === 'string') return resolveName(schema, namespace, known);
  if (Array.isArray(schema)) return schema.map((branch) => normalizeType(branch, namespace, known));
  if (!isPlainObject(schema)) return schema;
  const type = schema.type;
  if (typeof type !== 'string') {
    // {"type": {...}} or {"type": [...]}: the attributes around a nested type are dropped as Avro does.
    return normalizeType(type, namespace, known);
  }
  if (PRIMITIVES.has(type)) {
    const out: Record<string, unknown> = { type };
    copyExtraProps(schema, out, new Set(['type']));
    return Object.keys(out).length === 1 ? type : out;
  }
  if (type === 'array' || type === 'map') {
    const out: Record<string, unknown> = { type };
    const key = type === 'array' ? 'items' : 'values';
    out[key] = normalizeType(schema[key], namespace, known);
    copyExtraProps(schema, out, new Set(['type', key]));
    return out;
  }
  if (NAMED.has(type)) {
    const full = avroFullName(String(schema.name), schema.namespace as string | undefined, namespace);
    const inner = namespaceOf(full);
    const out: Record<string, unknown> = { type, name: full };
    if (schema.doc !== undefined) out.doc = schema.doc;
    const aliases = qualifyAliases(schema.aliases, inner);
    if (aliases) out.aliases = aliases;
    if (type === 'record' || type === 'error') {
      out.fields = ((schema.fields as unknown[]) ?? []).map((field) => normalizeField(field, inner, known));
    } else if (type === 'enum') {
      out.symbols = schema.symbols;
      if (schema.default !== undefined) out.default = schema.default;
    } else {
      out.size = schema.size;
    }
    copyExtraProps(schema, out, NAMED_KEYS);
    return out;
  }
  // A named type referenced through {"type": "Name"}.
  const out: Record<string, unknown> = { type: resolveName(type, namespace, known) };
  copyExtraProps(schema, out, new Set(['type']));
  return Object.keys(out).length === 1 ? out.type : out;
}

function normalizeField(field: unknown, namespace: string, known: ReadonlySet<string>): unknown {
  if (!isPlainObject(field)) return field;
  const out: Record<string, unknown> = { name: field.name };
  if (field.doc !== undefined) out.doc = field.doc;
  out.type = normalizeType(field.type, namespace, known);
  if (field.default !== undefined) out.default = sortKeysDeep(field.default);
  if (field.order !== undefined && field.order !== 'ascending') out.order = field.order;
  if (Array.isArray(field.aliases) && field.aliases.length > 0) out.aliases = [...field.aliases].map(String).sort();
  const extra = Object.keys(field)
    .filter((k) => !FIELD_KEYS.has(k))
    .sort();
  for (const key of extra) out[key] = sortKeysDeep(field[key]);
  return out;
}
