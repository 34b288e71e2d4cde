/** The fields of an Avro schema with the paths contracts tag them by (`Sale.cc_number`). */

export interface SchemaField {
  /** `<record full name>.<field>`, as in a contract's `metadata.tags`. */
  path: string;
  name: string;
  type: string;
}

function typeName(type: unknown): string {
  if (typeof type === 'string') return type;
  if (Array.isArray(type)) return type.map(typeName).join(' | ');
  if (type && typeof type === 'object') {
    const t = type as { type?: unknown; logicalType?: string; name?: string; items?: unknown; values?: unknown };
    if (t.logicalType) return `${typeName(t.type)} (${t.logicalType})`;
    if (t.type === 'array') return `array<${typeName(t.items)}>`;
    if (t.type === 'map') return `map<${typeName(t.values)}>`;
    if (t.name) return `${String(t.type)} ${t.name}`;
    return typeName(t.type);
  }
  return String(type);
}

export function avroFields(schemaText: string): SchemaField[] {
  let root: unknown;
  try {
    root = JSON.parse(schemaText);
  } catch {
    return [];
  }
  const out: SchemaField[] = [];
  const visit = (node: unknown, namespace: string | undefined): void => {
    if (Array.isArray(node)) return node.forEach((n) => visit(n, namespace));
    if (!node || typeof node !== 'object') return;
    const n = node as { type?: unknown; name?: string; namespace?: string; fields?: { name: string; type: unknown }[]; items?: unknown; values?: unknown };
    if (n.type === 'record' && n.name && n.fields) {
      const ns = n.name.includes('.') ? undefined : (n.namespace ?? namespace);
      const full = ns ? `${ns}.${n.name}` : n.name;
      const childNamespace = full.includes('.') ? full.slice(0, full.lastIndexOf('.')) : undefined;
      for (const f of n.fields) {
        out.push({ path: `${full}.${f.name}`, name: f.name, type: typeName(f.type) });
        visit(f.type, childNamespace);
      }
      return;
    }
    if (typeof n.type === 'object') visit(n.type, namespace);
    visit(n.items, namespace);
    visit(n.values, namespace);
  };
  visit(root, undefined);
  return out;
}

/** Pretty-prints JSON text when it is JSON (Avro and JSON schemas), else returns it as it is (Protobuf). */
export function prettySchema(text: string): string {
  try {
    return JSON.stringify(JSON.parse(text), null, 2);
  } catch {
    return text;
  }
}
