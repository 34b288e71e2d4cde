/**
 * The documents a JSON Schema can point into with `$ref`: its own, and those of its references
 * (each known by the reference's `name`, by its `$id`, and by its name resolved against the
 * main schema's `$id`), plus every embedded `$id` and `$anchor`. `resolve` follows one `$ref`
 * to the schema it designates, for the compatibility check; ajv does the same for validation.
 */
import { isPlainObject } from '../format-common.ts';

export type JsonSchemaNode = boolean | Record<string, unknown>;

export interface Located {
  node: JsonSchemaNode;
  /** Base URI in effect at `node` (for resolving relative refs below it). */
  base: string;
  /** The document root containing `node` (for `#/...` pointers). */
  root: JsonSchemaNode;
}

function resolveUri(ref: string, base: string): string {
  if (!base) return ref;
  try {
    return new URL(ref, base).toString();
  } catch {
    return ref;
  }
}

function stripFragment(uri: string): string {
  const hash = uri.indexOf('#');
  return hash < 0 ? uri : uri.slice(0, hash);
}

function decodePointerToken(token: string): string {
  return decodeURIComponent(token).replace(/~1/g, '/').replace(/~0/g, '~');
}

export class JsonSchemaDocuments {
  /** URI without fragment → the root schema (document or embedded resource) found there. */
  private readonly byUri = new Map<string, Located>();
  /** `uri#anchor` → schema. */
  private readonly anchors = new Map<string, Located>();
  private readonly baseOf = new WeakMap<object, Located>();

  constructor(
    readonly main: JsonSchemaNode,
    references: ReadonlyArray<{ name: string; schema: JsonSchemaNode }>,
  ) {
    const mainBase = isPlainObject(main) && typeof main.$id === 'string' ? stripFragment(main.$id) : '';
    this.index(main, mainBase, main);
    for (const ref of references) {
      const keys = new Set([ref.name, stripFragment(ref.name), resolveUri(stripFragment(ref.name), mainBase)]);
      const ownId = isPlainObject(ref.schema) && typeof ref.schema.$id === 'string' ? stripFragment(ref.schema.$id) : '';
      const base = ownId || resolveUri(stripFragment(ref.name), mainBase);
      for (const key of keys) if (key) this.byUri.set(key, { node: ref.schema, base, root: ref.schema });
      this.index(ref.schema, base, ref.schema);
    }
  }

  get mainLocated(): Located {
    return this.locate(this.main);
  }

  /** Whether a schema object belongs to these documents. */
  owns(node: JsonSchemaNode): boolean {
    return node === this.main || (typeof node === 'object' && this.baseOf.has(node));
  }

  /** Where a schema object sits (base URI, document root). */
  locate(node: JsonSchemaNode): Located {
    if (typeof node === 'object') {
      const found = this.baseOf.get(node);
      if (found) return { ...found, node };
    }
    return { node, base: '', root: this.main };
  }

  private index(node: unknown, base: string, root: JsonSchemaNode): void {
    if (Array.isArray(node)) {
      for (const item of node) this.index(item, base, root);
      return;
    }
    if (!isPlainObject(node)) return;
    let here = base;
    let hereRoot = root;
    if (typeof node.$id === 'string' || typeof node.id === 'string') {
      const id = (typeof node.$id === 'string' ? node.$id : node.id) as string;
      if (id.startsWith('#') && id.length > 1) {
        this.anchors.set(`${base}${id}`, { node, base, root });
      } else {
        here = stripFragment(resolveUri(id, base));
        hereRoot = node;
        if (!this.byUri.has(here)) this.byUri.set(here, { node, base: here, root: node });
      }
    }
    if (typeof node.$anchor === 'string') this.anchors.set(`${here}#${node.$anchor}`, { node, base: here, root: hereRoot });
    this.baseOf.set(node, { node, base: here, root: hereRoot });
    for (const [key, value] of Object.entries(node)) {
      if (key === 'enum' || key === 'const' || key === 'default' || key === 'examples') continue;
      this.index(value, here, hereRoot);
    }
  }

  /** Follows a `$ref` found at `from`; undefined when it designates nothing known. */
  resolve(ref: string, from: Located): Located | undefined {
    const hash = ref.indexOf('#');
    const uriPart = hash < 0 ? ref : ref.slice(0, hash);
    const fragment = hash < 0 ? '' : ref.slice(hash + 1);
    let doc: Located | undefined;
    if (uriPart === '') {
      doc = { node: from.root, base: from.base, root: from.root };
    } else {
      doc = this.byUri.get(uriPart) ?? this.byUri.get(resolveUri(uriPart, from.base));
    }
    if (!doc) return undefined;
    if (fragment === '' || fragment === '/') return this.locate(doc.node);
    if (!fragment.startsWith('/')) return this.anchors.get(`${doc.base}#${fragment}`);
    let node: unknown = doc.node;
    for (const token of fragment.slice(1).split('/')) {
      const key = decodePointerToken(token);
      if (Array.isArray(node)) node = node[Number(key)];
      else if (isPlainObject(node)) node = node[key];
      else return undefined;
    }
    if (typeof node !== 'boolean' && !isPlainObject(node)) return undefined;
    return this.locate(node);
  }
}
