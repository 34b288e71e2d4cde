/**
 * The records and fields of a schema as the catalog names them: `<record full name>` and
 * `<record full name>.<field>` (the paths Confluent's metadata tags use, e.g. `Sale.cc_number`),
 * plus the tags a schema already carries for them (`metadata.tags` and inline `confluent:tags`).
 * Avro only: for other formats the catalog accepts any path (it cannot check it).
 */

export interface SchemaFields {
  records: string[];
  fields: string[];
  /** path → tags written in the schema itself. */
  inlineTags: Map<string, string[]>;
}

type AvroNode = string | AvroNode[] | { type?: AvroNode; name?: string; namespace?: string; fields?: AvroField[]; items?: AvroNode; values?: AvroNode };
interface AvroField {
  name: string;
  type: AvroNode;
  'confluent:tags'?: string[];
}

export function avroSchemaFields(text: string): SchemaFields {
  const out: SchemaFields = { records: [], fields: [], inlineTags: new Map() };
  let parsed: AvroNode;
  try {
    parsed = JSON.parse(text) as AvroNode;
  } catch {
    return out;
  }
  const seen = new Set<string>();
  const visit = (node: AvroNode | undefined, namespace: string | undefined): void => {
    if (node === undefined || typeof node === 'string') return;
    if (Array.isArray(node)) {
      for (const branch of node) visit(branch, namespace);
      return;
    }
    if (node.type === 'record' && node.name && node.fields) {
      const ns = node.name.includes('.') ? undefined : (node.namespace ?? namespace);
      const fullName = ns ? `${ns}.${node.name}` : node.name;
      if (seen.has(fullName)) return;
      seen.add(fullName);
      out.records.push(fullName);
      const childNamespace = fullName.includes('.') ? fullName.slice(0, fullName.lastIndexOf('.')) : undefined;
      for (const field of node.fields) {
        const path = `${fullName}.${field.name}`;
        out.fields.push(path);
        if (field['confluent:tags']?.length) out.inlineTags.set(path, [...field['confluent:tags']]);
        visit(field.type, childNamespace);
      }
      return;
    }
    visit(node.type, namespace);
    visit(node.items, namespace);
    visit(node.values, namespace);
  };
  visit(parsed, undefined);
  return out;
}

/** The field path of `field` in a schema: `Record.field` as given, or the unique match of a bare field name. */
export function findFieldPath(fields: SchemaFields, field: string): string | undefined {
  if (fields.fields.includes(field)) return field;
  const matches = fields.fields.filter((path) => path.endsWith(`.${field}`) && path.slice(0, -field.length - 1).split('.').length >= 1);
  // Prefer the top-level record's field (first record visited).
  const top = fields.records[0];
  return matches.find((path) => path === `${top}.${field}`) ?? (matches.length === 1 ? matches[0] : undefined);
}
