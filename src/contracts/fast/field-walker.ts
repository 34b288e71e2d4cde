/**
 * Field rules (ENCRYPT) over an Avro value, with the semantics of the Avro serde's `transform`:
 *   - records visit the fields present in the value; each field's tags (inline + metadata) are
 *     those of the innermost enclosing field, and a rule applies to a primitive, enum or fixed
 *     value when the rule has no tags or shares one with that field;
 *   - an unwrapped union takes its first branch the value is valid for (none: left as it is);
 *   - arrays and maps apply to every item / value with the enclosing field's tags;
 *   - null and undefined are left as they are; a top-level primitive (no field) is left as is.
 * Compiled once per schema and rule: subtrees the rule cannot touch are skipped.
 *
 * Values are changed in place, like the client does on its (cloned) message. `copyContainer`
 * lets the caller work on a copy: a walker in copying mode replaces every container it descends
 * into by a shallow copy *before* descending, so a failure half-way leaves exactly the partial
 * result the client would leave, without ever touching the caller's objects.
 */
import type avro from 'avsc';
import { FieldType } from '@confluentinc/schemaregistry';

export type LeafTransform = (fieldType: FieldType, value: unknown) => unknown;

type Node =
  | { kind: 'record'; active: boolean; fields: { name: string; node: Node }[] }
  | { kind: 'union'; active: boolean; branches: { type: avro.Type; node: Node }[] }
  | { kind: 'array'; active: boolean; items: Node }
  | { kind: 'map'; active: boolean; values: Node }
  | { kind: 'leaf'; active: boolean; fieldType: FieldType };

export class UnsupportedSchemaError extends Error {}

function leafType(typeName: string): FieldType {
  switch (typeName) {
    case 'enum':
      return FieldType.ENUM;
    case 'fixed':
      return FieldType.FIXED;
    case 'string':
      return FieldType.STRING;
    case 'bytes':
      return FieldType.BYTES;
    case 'int':
      return FieldType.INT;
    case 'abstract:long':
    case 'long':
      return FieldType.LONG;
    case 'float':
      return FieldType.FLOAT;
    case 'double':
      return FieldType.DOUBLE;
    case 'boolean':
      return FieldType.BOOLEAN;
    default:
      return FieldType.NULL;
  }
}

export class FieldWalker {
  private constructor(private readonly root: Node) {}

  /**
   * @param fieldMatches whether a field (by full name, `Record.field`) carries one of the rule's tags.
   * @throws UnsupportedSchemaError for wrapped unions (the caller falls back to the client).
   */
  static compile(type: avro.Type, fieldMatches: (fullName: string) => boolean): FieldWalker {
    const all: Node[] = [];
    const records = new Map<avro.Type, Node>();
    const build = (t: avro.Type, inField: boolean | null): Node => {
      const typeName = t.typeName;
      let node: Node;
      if (typeName === 'record' || typeName === 'error') {
        const existing = records.get(t);
        if (existing) return existing;
        const record: Node & { kind: 'record' } = { kind: 'record', active: false, fields: [] };
        records.set(t, record);
        all.push(record);
        const recordType = t as avro.types.RecordType;
        for (const field of recordType.fields) {
          record.fields.push({ name: field.name, node: build(field.type, fieldMatches(`${recordType.name}.${field.name}`)) });
        }
        return record;
      } else if (typeName === 'union:unwrapped') {
        const union = t as avro.types.UnwrappedUnionType;
        node = { kind: 'union', active: false, branches: union.types.map((branch) => ({ type: branch, node: build(branch, inField) })) };
      } else if (typeName === 'union:wrapped') {
        throw new UnsupportedSchemaError('wrapped unions');
      } else if (typeName === 'array') {
        node = { kind: 'array', active: false, items: build((t as avro.types.ArrayType).itemsType, inField) };
      } else if (typeName === 'map') {
        node = { kind: 'map', active: false, values: build((t as avro.types.MapType).valuesType as avro.Type, inField) };
      } else {
        node = { kind: 'leaf', active: inField === true, fieldType: leafType(typeName) };
      }
      all.push(node);
      return node;
    };
    const root = build(type, null);
    // Activity to a fixpoint: recursive records reach themselves.
    for (let changed = true; changed; ) {
      changed = false;
      for (const node of all) {
        if (node.active) continue;
        const active =
          node.kind === 'record'
            ? node.fields.some((f) => f.node.active)
            : node.kind === 'union'
              ? node.branches.some((b) => b.node.active)
              : node.kind === 'array'
                ? node.items.active
                : node.kind === 'map'
                  ? node.values.active
                  : false;
        if (active) {
          node.active = true;
          changed = true;
        }
      }
    }
    return new FieldWalker(root);
  }

  /** Whether the rule can touch any field of this schema. */
  get active(): boolean {
    return this.root.active;
  }

  /**
   * Applies `leaf` to the value; returns the (possibly new) value. With `copy`, every container
   * below the top one is copied before it changes: pass a top-level value you own (see
   * `copyContainer`) and the caller's objects stay untouched, while a failure half-way leaves the
   * partial result in the value you passed.
   */
  apply(value: unknown, leaf: LeafTransform, copy: boolean): unknown {
    if (!this.root.active) return value;
    return visit(this.root, value, leaf, copy);
  }
}

export function copyContainer(value: unknown): unknown {
  if (Array.isArray(value)) return value.slice();
  if (typeof value === 'object' && value !== null && !ArrayBuffer.isView(value) && !(value instanceof Date)) return { ...(value as object) };
  return value;
}

function visit(node: Node, value: unknown, leaf: LeafTransform, copy: boolean): unknown {
  if (value === null || value === undefined) return value;
  switch (node.kind) {
    case 'record': {
      const record = value as Record<string, unknown>;
      for (const field of node.fields) {
        if (!field.node.active || !(field.name in record)) continue;
        if (copy) record[field.name] = copyContainer(record[field.name]);
        record[field.name] = visit(field.node, record[field.name], leaf, copy);
      }
      return record;
    }
    case 'union': {
      for (const branch of node.branches) {
        if (branch.type.isValid(value)) return branch.node.active ? visit(branch.node, value, leaf, copy) : value;
      }
      return value;
    }
    case 'array': {
      const array = value as unknown[];
      for (let i = 0; i < array.length; i++) {
        if (copy) array[i] = copyContainer(array[i]);
        array[i] = visit(node.items, array[i], leaf, copy);
      }
      return array;
    }
    case 'map': {
      const map = value as Record<string, unknown>;
      for (const key of Object.keys(map)) {
        if (copy) map[key] = copyContainer(map[key]);
        map[key] = visit(node.values, map[key], leaf, copy);
      }
      return map;
    }
    case 'leaf':
      return leaf(node.fieldType, value);
  }
}
