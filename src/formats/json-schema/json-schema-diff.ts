/**
 * JSON Schema compatibility, following Confluent Schema Registry's rules (its JSON Schema
 * `SchemaDiff`): the old schema (`original`, the writer) is compared with the new one
 * (`update`, the reader); each difference has a type and a path ('#/properties/amount'), and a
 * change is incompatible unless its type is in COMPATIBLE_CHANGES. Confluent's error types and
 * wording are kept, e.g.
 *   {errorType:"TYPE_CHANGED", description:"A type at path '#/properties/amount' is different
 *   between the new schema and the old schema"}
 *
 * Rules covered (compatible unless said otherwise):
 * - type changed (string → number, object → array...): TYPE_CHANGED, incompatible; except to an
 *   empty/true schema or from a false schema. integer → number is TYPE_EXTENDED; number →
 *   integer is TYPE_NARROWED (incompatible). A type becoming a union that contains it ("string"
 *   → ["string","null"], or anyOf/oneOf containing it) is SUM_TYPE_EXTENDED.
 * - objects: a property added to an open content model (additionalProperties absent or true,
 *   no patternProperties) is incompatible — old data may hold anything under that name —
 *   unless its schema is empty; added to a closed model (additionalProperties false) it is fine
 *   unless it is required without a default; added to a partially open model (additionalProperties
 *   or patternProperties with a schema) it must be compatible with the schema that covered it.
 *   A property removed from a closed model is incompatible (unless its schema was false),
 *   removed from an open model is fine, from a partially open model it must be covered.
 *   required added (without default) is incompatible; required removed is fine.
 *   additionalProperties removed (true → false) or narrowed is incompatible; min/maxProperties
 *   tightened or added is incompatible; dependencies added/extended/changed are incompatible.
 * - strings: maxLength added/decreased, minLength added/increased, pattern added/changed.
 * - numbers: maximum/exclusiveMaximum added/decreased, minimum/exclusiveMinimum added/increased,
 *   multipleOf added/expanded/changed.
 * - arrays: items compared recursively; tuple items added/removed under open, closed and
 *   partially open models as for properties; additionalItems removed/narrowed,
 *   min/maxItems tightened, uniqueItems added, min/maxContains tightened.
 * - enum: values removed (narrowed) or changed are incompatible, values added are fine; const
 *   changed is incompatible.
 * - allOf/anyOf/oneOf: criterion changes (to anyOf is fine; others mostly not), subschemas
 *   matched pairwise by compatibility (maximum matching); fewer anyOf/oneOf branches or more
 *   allOf branches are incompatible; unmatched subschemas give COMBINED_TYPE_SUBSCHEMAS_CHANGED.
 * - not: compared reversed.
 * - $ref is followed (also into referenced schemas); recursion is cut when a pair of schemas is
 *   already being compared.
 * Not covered: Confluent's reserved-properties metadata rules, if/then/else, propertyNames,
 *   unevaluatedProperties/unevaluatedItems changes (unevaluatedItems only decides whether an
 *   array's content model is open), `$ref` siblings in 2019-09+ (the target alone is compared);
 *   title/description/default/$id changes are ignored (always compatible in Confluent too).
 */
import { isPlainObject, jsonEqual, roleWords, type ReaderRole } from '../format-common.ts';
import type { JsonSchemaDocuments, Located } from './json-schema-documents.ts';

export const COMPATIBLE_CHANGES = new Set([
  'ID_CHANGED', 'DESCRIPTION_CHANGED', 'TITLE_CHANGED', 'DEFAULT_CHANGED', 'SCHEMA_REMOVED', 'TYPE_EXTENDED',
  'MAX_LENGTH_INCREASED', 'MAX_LENGTH_REMOVED', 'MIN_LENGTH_DECREASED', 'MIN_LENGTH_REMOVED', 'PATTERN_REMOVED',
  'MAXIMUM_INCREASED', 'MAXIMUM_REMOVED', 'MINIMUM_DECREASED', 'MINIMUM_REMOVED', 'EXCLUSIVE_MAXIMUM_INCREASED',
  'EXCLUSIVE_MAXIMUM_REMOVED', 'EXCLUSIVE_MINIMUM_DECREASED', 'EXCLUSIVE_MINIMUM_REMOVED', 'MULTIPLE_OF_REDUCED',
  'MULTIPLE_OF_REMOVED', 'REQUIRED_ATTRIBUTE_WITH_DEFAULT_ADDED', 'REQUIRED_ATTRIBUTE_REMOVED',
  'DEPENDENCY_ARRAY_NARROWED', 'DEPENDENCY_ARRAY_REMOVED', 'DEPENDENCY_SCHEMA_REMOVED', 'MAX_PROPERTIES_INCREASED',
  'MAX_PROPERTIES_REMOVED', 'MIN_PROPERTIES_DECREASED', 'MIN_PROPERTIES_REMOVED', 'ADDITIONAL_PROPERTIES_ADDED',
  'ADDITIONAL_PROPERTIES_EXTENDED', 'PROPERTY_WITH_EMPTY_SCHEMA_ADDED_TO_OPEN_CONTENT_MODEL',
  'REQUIRED_PROPERTY_WITH_DEFAULT_ADDED_TO_UNOPEN_CONTENT_MODEL', 'OPTIONAL_PROPERTY_ADDED_TO_UNOPEN_CONTENT_MODEL',
  'PROPERTY_WITH_FALSE_REMOVED_FROM_CLOSED_CONTENT_MODEL', 'PROPERTY_REMOVED_FROM_OPEN_CONTENT_MODEL',
  'PROPERTY_ADDED_IS_COVERED_BY_PARTIALLY_OPEN_CONTENT_MODEL', 'PROPERTY_REMOVED_IS_COVERED_BY_PARTIALLY_OPEN_CONTENT_MODEL',
  'MAX_ITEMS_INCREASED', 'MAX_ITEMS_REMOVED', 'MIN_ITEMS_DECREASED', 'MIN_ITEMS_REMOVED', 'UNIQUE_ITEMS_REMOVED',
  'ADDITIONAL_ITEMS_ADDED', 'ADDITIONAL_ITEMS_EXTENDED', 'ITEM_WITH_EMPTY_SCHEMA_ADDED_TO_OPEN_CONTENT_MODEL',
  'ITEM_ADDED_TO_CLOSED_CONTENT_MODEL', 'ITEM_WITH_FALSE_REMOVED_FROM_CLOSED_CONTENT_MODEL',
  'ITEM_REMOVED_FROM_OPEN_CONTENT_MODEL', 'ITEM_ADDED_IS_COVERED_BY_PARTIALLY_OPEN_CONTENT_MODEL',
  'ITEM_REMOVED_IS_COVERED_BY_PARTIALLY_OPEN_CONTENT_MODEL', 'MAX_CONTAINS_INCREASED', 'MAX_CONTAINS_REMOVED',
  'MIN_CONTAINS_DECREASED', 'MIN_CONTAINS_REMOVED', 'ENUM_ARRAY_EXTENDED', 'COMBINED_TYPE_EXTENDED',
  'PRODUCT_TYPE_NARROWED', 'SUM_TYPE_EXTENDED', 'NOT_TYPE_NARROWED',
]);

export interface JsonSchemaDifference {
  type: string;
  /** JSON path in Confluent's style: '#/properties/amount/maxLength'. */
  path: string;
}

// ---------------------------------------------------------------------------------------------
// Views: what kind of schema a JSON Schema object is, in the way Confluent's diff sees it.

type Criterion = 'allOf' | 'anyOf' | 'oneOf';
type View =
  | { kind: 'empty' | 'false' | 'boolean' | 'null' }
  | { kind: 'object' | 'array' | 'string'; s: Record<string, unknown>; loc: Located }
  | { kind: 'number'; s: Record<string, unknown>; loc: Located; integer: boolean }
  | { kind: 'enum'; values: unknown[] }
  | { kind: 'const'; value: unknown }
  | { kind: 'combined'; criterion: Criterion; subschemas: Located[] }
  | { kind: 'not'; schema: Located };

const OBJECT_KEYS = ['properties', 'required', 'additionalProperties', 'patternProperties', 'minProperties',
  'maxProperties', 'dependencies', 'dependentRequired', 'dependentSchemas', 'propertyNames'];
const ARRAY_KEYS = ['items', 'prefixItems', 'additionalItems', 'minItems', 'maxItems', 'uniqueItems', 'contains',
  'minContains', 'maxContains', 'unevaluatedItems'];
const STRING_KEYS = ['minLength', 'maxLength', 'pattern'];
const NUMBER_KEYS = ['minimum', 'maximum', 'exclusiveMinimum', 'exclusiveMaximum', 'multipleOf'];
const COMBINATORS: Criterion[] = ['allOf', 'anyOf', 'oneOf'];

class Views {
  private readonly synthetic = new WeakMap<object, Map<string, Record<string, unknown>>>();

  constructor(readonly docs: JsonSchemaDocuments) {}

  /** A schema object derived from `node` (stable identity, so recursion detection works). */
  private derive(node: Record<string, unknown>, key: string, make: () => Record<string, unknown>): Record<string, unknown> {
    let byKey = this.synthetic.get(node);
    if (!byKey) {
      byKey = new Map();
      this.synthetic.set(node, byKey);
    }
    let out = byKey.get(key);
    if (!out) {
      out = make();
      byKey.set(key, out);
    }
    return out;
  }

  child(parent: Located, value: unknown): Located | undefined {
    if (value === undefined) return undefined;
    if (isPlainObject(value)) {
      return this.docs.owns(value) ? this.docs.locate(value) : { node: value, base: parent.base, root: parent.root };
    }
    if (typeof value === 'boolean') return { node: value, base: parent.base, root: parent.root };
    return undefined;
  }

  /** Follows `$ref`s (a chain of them) to the schema they designate. */
  deref(loc: Located): Located {
    let current = loc;
    for (let hops = 0; hops < 64 && isPlainObject(current.node) && typeof current.node.$ref === 'string'; hops++) {
      const next = this.docs.resolve(current.node.$ref, current);
      if (!next) return { ...current, node: true };
      current = next;
    }
    return current;
  }

  view(loc: Located): View {
    const node = loc.node;
    if (node === true) return { kind: 'empty' };
    if (node === false) return { kind: 'false' };
    const s = node;
    const parts: Array<[string, () => Record<string, unknown>]> = [];
    const hasEnum = 'enum' in s || 'const' in s;
    const types = typeof s.type === 'string' ? [s.type] : Array.isArray(s.type) ? (s.type as string[]) : [];
    const inferred = !hasEnum && types.length === 0 ? inferType(s) : undefined;
    const valueKeys = ['not', ...COMBINATORS];
    if (hasEnum || types.length > 0 || inferred) parts.push(['value', () => omit(s, valueKeys)]);
    for (const c of COMBINATORS) if (Array.isArray(s[c])) parts.push([c, () => ({ [c]: s[c] })]);
    if (s.not !== undefined) parts.push(['not', () => ({ not: s.not })]);
    if (parts.length > 1) {
      return {
        kind: 'combined',
        criterion: 'allOf',
        subschemas: parts.map(([key, make]) => ({ node: this.derive(s, key, make), base: loc.base, root: loc.root })),
      };
    }
    if ('enum' in s) return { kind: 'enum', values: Array.isArray(s.enum) ? s.enum : [] };
    if ('const' in s) return { kind: 'const', value: s.const };
    for (const c of COMBINATORS) {
      if (Array.isArray(s[c])) {
        return {
          kind: 'combined',
          criterion: c,
          subschemas: (s[c] as unknown[]).map((sub) => this.child(loc, sub)).filter((x): x is Located => x !== undefined),
        };
      }
    }
    if (s.not !== undefined) return { kind: 'not', schema: this.child(loc, s.not) ?? { ...loc, node: true } };
    if (types.length > 1) {
      return {
        kind: 'combined',
        criterion: 'anyOf',
        subschemas: types.map((t) => ({ node: this.derive(s, `type:${t}`, () => ({ ...s, type: t })), base: loc.base, root: loc.root })),
      };
    }
    const type = types[0] ?? inferred;
    switch (type) {
      case 'object':
      case 'array':
      case 'string':
        return { kind: type, s, loc };
      case 'number':
      case 'integer':
        return { kind: 'number', s, loc, integer: type === 'integer' };
      case 'boolean':
      case 'null':
        return { kind: type };
      default:
        return { kind: 'empty' };
    }
  }
}

function inferType(s: Record<string, unknown>): string | undefined {
  if (OBJECT_KEYS.some((k) => k in s)) return 'object';
  if (ARRAY_KEYS.some((k) => k in s)) return 'array';
  if (STRING_KEYS.some((k) => k in s)) return 'string';
  if (NUMBER_KEYS.some((k) => k in s)) return 'number';
  return undefined;
}

function omit(s: Record<string, unknown>, keys: string[]): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(s)) if (!keys.includes(k)) out[k] = v;
  return out;
}

// ---------------------------------------------------------------------------------------------
// The comparison.

class Context {
  readonly diffs: JsonSchemaDifference[] = [];
  constructor(
    readonly path: string[],
    readonly inProgress: Map<unknown, Set<unknown>>,
  ) {}

  sub(): Context {
    return new Context([...this.path], this.inProgress);
  }

  at<T>(segment: string, fn: () => T): T {
    this.path.push(segment);
    try {
      return fn();
    } finally {
      this.path.pop();
    }
  }

  add(type: string, attribute?: string): void {
    const path = attribute === undefined ? this.path : [...this.path, attribute];
    this.diffs.push({ type, path: '#/' + path.join('/') });
  }

  addAll(diffs: JsonSchemaDifference[]): void {
    this.diffs.push(...diffs);
  }

  get compatible(): boolean {
    return this.diffs.every((d) => COMPATIBLE_CHANGES.has(d.type));
  }
}

class Differ {
  constructor(private readonly views: Views) {}

  compare(ctx: Context, originalIn: Located | undefined, updateIn: Located | undefined): void {
    if (!originalIn && !updateIn) return;
    if (!originalIn) return ctx.add('SCHEMA_ADDED');
    if (!updateIn) return ctx.add('SCHEMA_REMOVED');
    const original = this.views.deref(originalIn);
    const update = this.views.deref(updateIn);
    let seen = ctx.inProgress.get(original.node);
    if (seen?.has(update.node)) return; // recursion: assume compatible
    if (!seen) {
      seen = new Set();
      ctx.inProgress.set(original.node, seen);
    }
    seen.add(update.node);
    try {
      this.compareViews(ctx, original, update);
    } finally {
      seen.delete(update.node);
    }
  }

  private compareViews(ctx: Context, original: Located, update: Located): void {
    const o = this.views.view(original);
    const u = this.views.view(update);
    if (o.kind !== 'combined' && u.kind === 'combined') {
      if (u.subschemas.length === 1) {
        const sub = ctx.sub();
        this.compare(sub, original, u.subschemas[0]);
        if (sub.compatible) return ctx.addAll(sub.diffs);
      } else if (u.criterion === 'anyOf' || u.criterion === 'oneOf') {
        for (const subschema of u.subschemas) {
          const sub = ctx.sub();
          this.compare(sub, original, subschema);
          if (sub.compatible) {
            ctx.addAll(sub.diffs);
            return ctx.add('SUM_TYPE_EXTENDED');
          }
        }
      }
    } else if (o.kind === 'combined' && u.kind !== 'combined' && o.subschemas.length === 1) {
      const sub = ctx.sub();
      this.compare(sub, o.subschemas[0], update);
      if (sub.compatible) return ctx.addAll(sub.diffs);
    }
    if (o.kind !== u.kind) {
      if (o.kind === 'false' || u.kind === 'empty') return;
      return ctx.add('TYPE_CHANGED');
    }
    switch (o.kind) {
      case 'string':
        return this.compareString(ctx, o.s, (u as typeof o).s);
      case 'number':
        return this.compareNumber(ctx, o, u as typeof o);
      case 'enum': {
        const uv = (u as typeof o).values;
        if (!sameSet(o.values, uv)) {
          if (containsAll(uv, o.values)) ctx.add('ENUM_ARRAY_EXTENDED', 'enum');
          else if (containsAll(o.values, uv)) ctx.add('ENUM_ARRAY_NARROWED', 'enum');
          else ctx.add('ENUM_ARRAY_CHANGED', 'enum');
        }
        return;
      }
      case 'const':
        if (!jsonEqual(o.value, (u as typeof o).value)) ctx.add('ENUM_ARRAY_CHANGED', 'const');
        return;
      case 'combined':
        return this.compareCombined(ctx, o, u as typeof o);
      case 'not':
        return ctx.at('not', () => {
          const sub = ctx.sub();
          this.compare(sub, (u as typeof o).schema, o.schema);
          ctx.add(sub.compatible ? 'NOT_TYPE_NARROWED' : 'NOT_TYPE_EXTENDED');
        });
      case 'object':
        return this.compareObject(ctx, o.s, o.loc, (u as typeof o).s, (u as typeof o).loc);
      case 'array':
        return this.compareArray(ctx, o.s, o.loc, (u as typeof o).s, (u as typeof o).loc);
      default:
        return;
    }
  }

  private limit(
    ctx: Context,
    attribute: string,
    o: unknown,
    u: unknown,
    names: { added: string; removed: string; increased: string; decreased: string },
  ): void {
    const on = typeof o === 'number' ? o : undefined;
    const un = typeof u === 'number' ? u : undefined;
    if (on === un) return;
    if (on === undefined) ctx.add(names.added, attribute);
    else if (un === undefined) ctx.add(names.removed, attribute);
    else if (on < un) ctx.add(names.increased, attribute);
    else if (on > un) ctx.add(names.decreased, attribute);
  }

  private compareString(ctx: Context, o: Record<string, unknown>, u: Record<string, unknown>): void {
    this.limit(ctx, 'maxLength', o.maxLength, u.maxLength, kinds('MAX_LENGTH'));
    this.limit(ctx, 'minLength', o.minLength, u.minLength, kinds('MIN_LENGTH'));
    if (o.pattern === undefined && u.pattern !== undefined) ctx.add('PATTERN_ADDED', 'pattern');
    else if (o.pattern !== undefined && u.pattern === undefined) ctx.add('PATTERN_REMOVED', 'pattern');
    else if (o.pattern !== u.pattern) ctx.add('PATTERN_CHANGED', 'pattern');
  }

  private compareNumber(
    ctx: Context,
    o: { s: Record<string, unknown>; integer: boolean },
    u: { s: Record<string, unknown>; integer: boolean },
  ): void {
    this.limit(ctx, 'maximum', o.s.maximum, u.s.maximum, kinds('MAXIMUM'));
    this.limit(ctx, 'minimum', o.s.minimum, u.s.minimum, kinds('MINIMUM'));
    // draft-04 spells exclusive limits as booleans next to maximum/minimum.
    const exclusive = (s: Record<string, unknown>, key: 'exclusiveMaximum' | 'exclusiveMinimum', base: string): unknown =>
      s[key] === true ? s[base] : s[key];
    this.limit(ctx, 'exclusiveMaximum', exclusive(o.s, 'exclusiveMaximum', 'maximum'), exclusive(u.s, 'exclusiveMaximum', 'maximum'), kinds('EXCLUSIVE_MAXIMUM'));
    this.limit(ctx, 'exclusiveMinimum', exclusive(o.s, 'exclusiveMinimum', 'minimum'), exclusive(u.s, 'exclusiveMinimum', 'minimum'), kinds('EXCLUSIVE_MINIMUM'));
    const om = typeof o.s.multipleOf === 'number' ? o.s.multipleOf : undefined;
    const um = typeof u.s.multipleOf === 'number' ? u.s.multipleOf : undefined;
    if (om !== um) {
      if (om === undefined) ctx.add('MULTIPLE_OF_ADDED', 'multipleOf');
      else if (um === undefined) ctx.add('MULTIPLE_OF_REMOVED', 'multipleOf');
      else if (isMultiple(um, om)) ctx.add('MULTIPLE_OF_EXPANDED', 'multipleOf');
      else if (isMultiple(om, um)) ctx.add('MULTIPLE_OF_REDUCED', 'multipleOf');
      else ctx.add('MULTIPLE_OF_CHANGED', 'multipleOf');
    }
    if (o.integer !== u.integer) ctx.add(o.integer ? 'TYPE_EXTENDED' : 'TYPE_NARROWED');
  }

  private compareCombined(
    ctx: Context,
    o: { criterion: Criterion; subschemas: Located[] },
    u: { criterion: Criterion; subschemas: Located[] },
  ): void {
    let criterionChange: string | undefined;
    if (o.criterion !== u.criterion) {
      if (u.criterion === 'anyOf') criterionChange = 'COMBINED_TYPE_EXTENDED';
      else if (u.criterion === 'oneOf') criterionChange = o.subschemas.length === 1 ? 'COMBINED_TYPE_EXTENDED' : 'COMBINED_TYPE_CHANGED';
      else criterionChange = o.subschemas.length === 1 && u.subschemas.length === 1 ? 'COMBINED_TYPE_EXTENDED' : 'COMBINED_TYPE_CHANGED';
      ctx.add(criterionChange);
      if (criterionChange === 'COMBINED_TYPE_CHANGED') return;
    }
    const os = dedupe(o.subschemas);
    const us = dedupe(u.subschemas);
    if (os.length < us.length) ctx.add(u.criterion === 'allOf' ? 'PRODUCT_TYPE_EXTENDED' : 'SUM_TYPE_EXTENDED');
    else if (os.length > us.length) ctx.add(u.criterion === 'allOf' ? 'PRODUCT_TYPE_NARROWED' : 'SUM_TYPE_NARROWED');
    const edges: Array<Array<JsonSchemaDifference[] | undefined>> = os.map((orig, i) =>
      ctx.at(`${o.criterion}/${i}`, () =>
        us.map((upd) => {
          const sub = ctx.sub();
          this.compare(sub, orig, upd);
          return sub.compatible ? sub.diffs : undefined;
        }),
      ),
    );
    const matching = maximumMatching(edges);
    for (const [i, j] of matching) ctx.addAll(edges[i]![j]!);
    if (matching.length < Math.min(os.length, us.length)) ctx.add('COMBINED_TYPE_SUBSCHEMAS_CHANGED');
  }

  private compareObject(
    ctx: Context,
    o: Record<string, unknown>,
    oLoc: Located,
    u: Record<string, unknown>,
    uLoc: Located,
  ): void {
    const oProps = isPlainObject(o.properties) ? o.properties : {};
    const uProps = isPlainObject(u.properties) ? u.properties : {};
    const oRequired = new Set(Array.isArray(o.required) ? (o.required as string[]) : []);
    const uRequired = new Set(Array.isArray(u.required) ? (u.required as string[]) : []);
    const hasDefault = (schema: unknown): boolean => isPlainObject(schema) && 'default' in schema;

    ctx.at('required', () => {
      for (const key of Object.keys(oProps)) {
        if (!(key in uProps)) continue;
        if (oRequired.has(key) && !uRequired.has(key)) ctx.add('REQUIRED_ATTRIBUTE_REMOVED', key);
        else if (!oRequired.has(key) && uRequired.has(key)) {
          ctx.add(hasDefault(uProps[key]) ? 'REQUIRED_ATTRIBUTE_WITH_DEFAULT_ADDED' : 'REQUIRED_ATTRIBUTE_ADDED', key);
        }
      }
    });

    ctx.at('properties', () => {
      const keys = [...Object.keys(oProps), ...Object.keys(uProps).filter((k) => !(k in oProps))];
      for (const key of keys) {
        ctx.at(key, () => {
          const oSchema = this.views.child(oLoc, oProps[key]);
          const uSchema = this.views.child(uLoc, uProps[key]);
          if (!uSchema) {
            if (isOpenObject(u)) return ctx.add('PROPERTY_REMOVED_FROM_OPEN_CONTENT_MODEL');
            const partial = this.partialObjectSchema(u, uLoc, key);
            if (partial) {
              const sub = ctx.sub();
              this.compare(sub, oSchema, partial);
              ctx.addAll(sub.diffs);
              return ctx.add(
                sub.compatible
                  ? 'PROPERTY_REMOVED_IS_COVERED_BY_PARTIALLY_OPEN_CONTENT_MODEL'
                  : 'PROPERTY_REMOVED_NOT_COVERED_BY_PARTIALLY_OPEN_CONTENT_MODEL',
              );
            }
            return ctx.add(
              oSchema?.node === false ? 'PROPERTY_WITH_FALSE_REMOVED_FROM_CLOSED_CONTENT_MODEL' : 'PROPERTY_REMOVED_FROM_CLOSED_CONTENT_MODEL',
            );
          }
          if (!oSchema) {
            const required = uRequired.has(key);
            const withDefault = hasDefault(uProps[key]);
            if (isOpenObject(o)) {
              if (this.views.view(this.views.deref(uSchema)).kind === 'empty') {
                return ctx.add('PROPERTY_WITH_EMPTY_SCHEMA_ADDED_TO_OPEN_CONTENT_MODEL');
              }
              return ctx.add(
                required
                  ? withDefault
                    ? 'REQUIRED_PROPERTY_WITH_DEFAULT_ADDED_TO_OPEN_CONTENT_MODEL'
                    : 'REQUIRED_PROPERTY_ADDED_TO_OPEN_CONTENT_MODEL'
                  : 'OPTIONAL_PROPERTY_ADDED_TO_OPEN_CONTENT_MODEL',
              );
            }
            const partial = this.partialObjectSchema(o, oLoc, key);
            if (partial) {
              const sub = ctx.sub();
              this.compare(sub, partial, uSchema);
              ctx.addAll(sub.diffs);
              ctx.add(
                sub.compatible
                  ? 'PROPERTY_ADDED_IS_COVERED_BY_PARTIALLY_OPEN_CONTENT_MODEL'
                  : 'PROPERTY_ADDED_NOT_COVERED_BY_PARTIALLY_OPEN_CONTENT_MODEL',
              );
            }
            if (required) {
              return ctx.add(
                withDefault
                  ? 'REQUIRED_PROPERTY_WITH_DEFAULT_ADDED_TO_UNOPEN_CONTENT_MODEL'
                  : 'REQUIRED_PROPERTY_ADDED_TO_UNOPEN_CONTENT_MODEL',
              );
            }
            return ctx.add('OPTIONAL_PROPERTY_ADDED_TO_UNOPEN_CONTENT_MODEL');
          }
          this.compare(ctx, oSchema, uSchema);
        });
      }
    });

    ctx.at('dependencies', () => {
      const oDeps = dependencies(o);
      const uDeps = dependencies(u);
      for (const key of union(Object.keys(oDeps.arrays), Object.keys(uDeps.arrays))) {
        ctx.at(key, () => {
          const od = oDeps.arrays[key];
          const ud = uDeps.arrays[key];
          if (!ud) return ctx.add('DEPENDENCY_ARRAY_REMOVED');
          if (!od) return ctx.add('DEPENDENCY_ARRAY_ADDED');
          if (sameSet(od, ud)) return;
          if (containsAll(ud, od)) ctx.add('DEPENDENCY_ARRAY_EXTENDED');
          else if (containsAll(od, ud)) ctx.add('DEPENDENCY_ARRAY_NARROWED');
          else ctx.add('DEPENDENCY_ARRAY_CHANGED');
        });
      }
      for (const key of union(Object.keys(oDeps.schemas), Object.keys(uDeps.schemas))) {
        ctx.at(key, () => {
          const od = this.views.child(oLoc, oDeps.schemas[key]);
          const ud = this.views.child(uLoc, uDeps.schemas[key]);
          if (!ud) return ctx.add('DEPENDENCY_SCHEMA_REMOVED');
          if (!od) return ctx.add('DEPENDENCY_SCHEMA_ADDED');
          this.compare(ctx, od, ud);
        });
      }
    });

    ctx.at('additionalProperties', () => {
      const oPermits = o.additionalProperties !== false;
      const uPermits = u.additionalProperties !== false;
      const oSchema = isPlainObject(o.additionalProperties) ? this.views.child(oLoc, o.additionalProperties) : undefined;
      const uSchema = isPlainObject(u.additionalProperties) ? this.views.child(uLoc, u.additionalProperties) : undefined;
      if (oPermits !== uPermits) ctx.add(uPermits ? 'ADDITIONAL_PROPERTIES_ADDED' : 'ADDITIONAL_PROPERTIES_REMOVED');
      else if (!oSchema && uSchema) ctx.add('ADDITIONAL_PROPERTIES_NARROWED');
      else if (oSchema && !uSchema) ctx.add('ADDITIONAL_PROPERTIES_EXTENDED');
      else if (oSchema && uSchema) this.compare(ctx, oSchema, uSchema);
    });

    this.limit(ctx, 'maxProperties', o.maxProperties, u.maxProperties, kinds('MAX_PROPERTIES'));
    this.limit(ctx, 'minProperties', o.minProperties, u.minProperties, kinds('MIN_PROPERTIES'));
  }

  private partialObjectSchema(s: Record<string, unknown>, loc: Located, key: string): Located | undefined {
    if (isPlainObject(s.patternProperties)) {
      for (const [pattern, schema] of Object.entries(s.patternProperties)) {
        let matches = false;
        try {
          matches = new RegExp(pattern, 'u').test(key);
        } catch {
          matches = false;
        }
        if (matches) return this.views.child(loc, schema);
      }
    }
    return isPlainObject(s.additionalProperties) ? this.views.child(loc, s.additionalProperties) : undefined;
  }

  private compareArray(
    ctx: Context,
    o: Record<string, unknown>,
    oLoc: Located,
    u: Record<string, unknown>,
    uLoc: Located,
  ): void {
    const oa = arrayModel(o);
    const ua = arrayModel(u);
    ctx.at('items', () => this.compare(ctx, this.views.child(oLoc, oa.all), this.views.child(uLoc, ua.all)));

    const oItems = oa.tuple.map((x) => this.views.child(oLoc, x));
    const uItems = ua.tuple.map((x) => this.views.child(uLoc, x));
    const common = Math.min(oItems.length, uItems.length);
    for (let i = 0; i < Math.max(oItems.length, uItems.length); i++) {
      ctx.at(`items/${i}`, () => {
        if (i < common) return this.compare(ctx, oItems[i], uItems[i]);
        if (i < oItems.length) {
          // An item the update no longer describes.
          if (isOpenArray(ua)) return ctx.add('ITEM_REMOVED_FROM_OPEN_CONTENT_MODEL');
          const partial = this.views.child(uLoc, ua.additional);
          if (partial && isPlainObject(ua.additional)) {
            const sub = ctx.sub();
            this.compare(sub, oItems[i], partial);
            ctx.addAll(sub.diffs);
            return ctx.add(sub.compatible ? 'ITEM_REMOVED_IS_COVERED_BY_PARTIALLY_OPEN_CONTENT_MODEL' : 'ITEM_REMOVED_NOT_COVERED_BY_PARTIALLY_OPEN_CONTENT_MODEL');
          }
          return ctx.add(oItems[i]?.node === false ? 'ITEM_WITH_FALSE_REMOVED_FROM_CLOSED_CONTENT_MODEL' : 'ITEM_REMOVED_FROM_CLOSED_CONTENT_MODEL');
        }
        const added = uItems[i]!;
        if (isOpenArray(oa)) {
          return ctx.add(
            this.views.view(this.views.deref(added)).kind === 'empty'
              ? 'ITEM_WITH_EMPTY_SCHEMA_ADDED_TO_OPEN_CONTENT_MODEL'
              : 'ITEM_ADDED_TO_OPEN_CONTENT_MODEL',
          );
        }
        if (isPlainObject(oa.additional)) {
          const sub = ctx.sub();
          this.compare(sub, this.views.child(oLoc, oa.additional), added);
          ctx.addAll(sub.diffs);
          return ctx.add(sub.compatible ? 'ITEM_ADDED_IS_COVERED_BY_PARTIALLY_OPEN_CONTENT_MODEL' : 'ITEM_ADDED_NOT_COVERED_BY_PARTIALLY_OPEN_CONTENT_MODEL');
        }
        return ctx.add('ITEM_ADDED_TO_CLOSED_CONTENT_MODEL');
      });
    }

    ctx.at('additionalItems', () => {
      const oPermits = oa.additional !== false;
      const uPermits = ua.additional !== false;
      const oSchema = isPlainObject(oa.additional) ? this.views.child(oLoc, oa.additional) : undefined;
      const uSchema = isPlainObject(ua.additional) ? this.views.child(uLoc, ua.additional) : undefined;
      if (oPermits !== uPermits) ctx.add(oPermits ? 'ADDITIONAL_ITEMS_REMOVED' : 'ADDITIONAL_ITEMS_ADDED');
      else if (!oSchema && uSchema) ctx.add('ADDITIONAL_ITEMS_NARROWED');
      else if (oSchema && !uSchema) ctx.add('ADDITIONAL_ITEMS_EXTENDED');
      else if (oSchema && uSchema) this.compare(ctx, oSchema, uSchema);
    });

    this.limit(ctx, 'maxItems', o.maxItems, u.maxItems, kinds('MAX_ITEMS'));
    this.limit(ctx, 'minItems', o.minItems, u.minItems, kinds('MIN_ITEMS'));
    if (Boolean(o.uniqueItems) !== Boolean(u.uniqueItems)) ctx.add(o.uniqueItems ? 'UNIQUE_ITEMS_REMOVED' : 'UNIQUE_ITEMS_ADDED', 'uniqueItems');
    this.limit(ctx, 'maxContains', o.maxContains, u.maxContains, kinds('MAX_CONTAINS'));
    this.limit(ctx, 'minContains', o.minContains, u.minContains, kinds('MIN_CONTAINS'));
  }
}

function kinds(prefix: string): { added: string; removed: string; increased: string; decreased: string } {
  return { added: `${prefix}_ADDED`, removed: `${prefix}_REMOVED`, increased: `${prefix}_INCREASED`, decreased: `${prefix}_DECREASED` };
}

function isMultiple(a: number, b: number): boolean {
  if (b === 0) return false;
  const q = a / b;
  return Math.abs(q - Math.round(q)) < 1e-9;
}

function containsAll(haystack: unknown[], needles: unknown[]): boolean {
  return needles.every((n) => haystack.some((h) => jsonEqual(h, n)));
}

function sameSet(a: unknown[], b: unknown[]): boolean {
  return containsAll(a, b) && containsAll(b, a);
}

function union(a: string[], b: string[]): string[] {
  return [...a, ...b.filter((x) => !a.includes(x))];
}

function dedupe(schemas: Located[]): Located[] {
  const out: Located[] = [];
  for (const s of schemas) if (!out.some((x) => jsonEqual(x.node, s.node))) out.push(s);
  return out;
}

function isOpenObject(s: Record<string, unknown>): boolean {
  const noPatterns = !isPlainObject(s.patternProperties) || Object.keys(s.patternProperties).length === 0;
  return noPatterns && !isPlainObject(s.additionalProperties) && s.additionalProperties !== false;
}

interface ArrayModel {
  /** The schema of every item (`items` as a schema), if any. */
  all: unknown;
  /** Positional item schemas (`items` as an array, or `prefixItems`). */
  tuple: unknown[];
  /** What applies after the tuple: undefined (anything), false, or a schema. */
  additional: unknown;
  unevaluated: unknown;
}

function arrayModel(s: Record<string, unknown>): ArrayModel {
  if (Array.isArray(s.prefixItems)) {
    return { all: undefined, tuple: s.prefixItems, additional: s.items, unevaluated: s.unevaluatedItems };
  }
  if (Array.isArray(s.items)) return { all: undefined, tuple: s.items, additional: s.additionalItems, unevaluated: s.unevaluatedItems };
  return { all: s.items, tuple: [], additional: s.additionalItems, unevaluated: s.unevaluatedItems };
}

function isOpenArray(a: ArrayModel): boolean {
  if (a.additional === false || isPlainObject(a.additional)) return false;
  return a.unevaluated === undefined || a.unevaluated === true || (isPlainObject(a.unevaluated) && Object.keys(a.unevaluated).length === 0);
}

function dependencies(s: Record<string, unknown>): { arrays: Record<string, unknown[]>; schemas: Record<string, unknown> } {
  const arrays: Record<string, unknown[]> = {};
  const schemas: Record<string, unknown> = {};
  const take = (source: unknown): void => {
    if (!isPlainObject(source)) return;
    for (const [key, value] of Object.entries(source)) {
      if (Array.isArray(value)) arrays[key] = value;
      else schemas[key] = value;
    }
  };
  take(s.dependencies);
  take(s.dependentRequired);
  take(s.dependentSchemas);
  return { arrays, schemas };
}

/** Maximum bipartite matching (augmenting paths); edges[i][j] defined = i can match j. */
function maximumMatching(edges: Array<Array<unknown>>): Array<[number, number]> {
  const matchOfRight = new Map<number, number>();
  const tryAssign = (i: number, visited: Set<number>): boolean => {
    const row = edges[i] ?? [];
    for (let j = 0; j < row.length; j++) {
      if (row[j] === undefined || visited.has(j)) continue;
      visited.add(j);
      const current = matchOfRight.get(j);
      if (current === undefined || tryAssign(current, visited)) {
        matchOfRight.set(j, i);
        return true;
      }
    }
    return false;
  };
  for (let i = 0; i < edges.length; i++) tryAssign(i, new Set());
  return [...matchOfRight.entries()].map(([j, i]) => [i, j] as [number, number]).sort((a, b) => a[0] - b[0]);
}

// ---------------------------------------------------------------------------------------------

/** Every difference between `original` (old, writer) and `update` (new, reader), compatible or not. */
export function jsonSchemaDifferences(
  original: { docs: JsonSchemaDocuments },
  update: { docs: JsonSchemaDocuments },
): JsonSchemaDifference[] {
  const ctx = new Context([], new Map());
  // Each side resolves its own $refs: one Views per document set.
  const differ = new CrossDiffer(new Views(original.docs), new Views(update.docs));
  differ.compare(ctx, original.docs.mainLocated, update.docs.mainLocated);
  return ctx.diffs;
}

/** A Differ whose two sides live in different document sets. */
class CrossDiffer extends Differ {
  constructor(originalViews: Views, updateViews: Views) {
    super(new MergedViews(originalViews, updateViews));
  }
}

/** Dispatches each schema to the document set it belongs to (by identity of its root). */
class MergedViews extends Views {
  constructor(
    private readonly a: Views,
    private readonly b: Views,
  ) {
    super(a.docs);
  }

  private owner(loc: Located): Views {
    return this.b.docs.owns(loc.root) ? this.b : this.a;
  }

  override child(parent: Located, value: unknown): Located | undefined {
    return this.owner(parent).child(parent, value);
  }

  override deref(loc: Located): Located {
    return this.owner(loc).deref(loc);
  }

  override view(loc: Located): View {
    return this.owner(loc).view(loc);
  }
}

/** Confluent's wording of one incompatible difference. */
export function formatJsonSchemaDifference(difference: JsonSchemaDifference, readerRole: ReaderRole = 'new'): string {
  const { reader, writer } = roleWords(readerRole);
  const { type, path } = difference;
  let description: string;
  if (KEYWORD_ADDED_OR_REMOVED.has(type)) description = `The keyword at path '${path}' in the ${reader} schema is not present in the ${writer} schema`;
  else if (VALUE_INCREASED.has(type)) description = `The value at path '${path}' in the ${reader} schema is more than its value in the ${writer} schema`;
  else if (VALUE_DECREASED.has(type)) description = `The value at path '${path}' in the ${reader} schema is less than its value in the ${writer} schema`;
  else if (VALUE_CHANGED.has(type)) description = `The value at path '${path}' is different between the ${reader} and ${writer} schema`;
  else if (TYPE_NARROWED.has(type)) description = `An array or combined type at path '${path}' has fewer elements in the ${reader} schema than the ${writer} schema`;
  else if (TYPE_EXTENDED.has(type)) description = `An array or combined type at path '${path}' has more elements in the ${reader} schema than the ${writer} schema`;
  else if (TYPE_CHANGED.has(type)) description = `A type at path '${path}' is different between the ${reader} schema and the ${writer} schema`;
  else if (ADDED_TO_OPEN.has(type)) description = `The ${reader} schema has an open content model and has a property or item at path '${path}' which is missing in the ${writer} schema`;
  else if (type === 'REQUIRED_PROPERTY_ADDED_TO_UNOPEN_CONTENT_MODEL') description = `The ${reader} schema has an unopen content model and has a required property at path '${path}' which is missing in the ${writer} schema`;
  else if (type === 'PROPERTY_REMOVED_FROM_CLOSED_CONTENT_MODEL' || type === 'ITEM_REMOVED_FROM_CLOSED_CONTENT_MODEL') description = `The ${reader} schema has a closed content model and is missing a property or item present at path '${path}' in the ${writer} schema`;
  else if (type === 'PROPERTY_REMOVED_NOT_COVERED_BY_PARTIALLY_OPEN_CONTENT_MODEL' || type === 'ITEM_REMOVED_NOT_COVERED_BY_PARTIALLY_OPEN_CONTENT_MODEL') description = `A property or item is missing in the ${reader} schema but present at path '${path}' in the ${writer} schema and is not covered by its partially open content model`;
  else if (type === 'PROPERTY_ADDED_NOT_COVERED_BY_PARTIALLY_OPEN_CONTENT_MODEL' || type === 'ITEM_ADDED_NOT_COVERED_BY_PARTIALLY_OPEN_CONTENT_MODEL') description = `The ${reader} schema has a property or item at path '${path}' which is missing in the ${writer} schema and is not covered by its partially open content model`;
  else if (type === 'SCHEMA_ADDED') description = `The ${reader} schema has a schema at path '${path}' which is missing in the ${writer} schema`;
  else description = `The schema at path '${path}' differs between the ${reader} and ${writer} schema (${type})`;
  return `{errorType:"${type}", description:"${description}"}`;
}

const KEYWORD_ADDED_OR_REMOVED = new Set(['MAXIMUM_ADDED', 'MINIMUM_ADDED', 'EXCLUSIVE_MAXIMUM_ADDED', 'EXCLUSIVE_MINIMUM_ADDED',
  'MULTIPLE_OF_ADDED', 'MAX_LENGTH_ADDED', 'MIN_LENGTH_ADDED', 'PATTERN_ADDED', 'REQUIRED_ATTRIBUTE_ADDED',
  'MAX_PROPERTIES_ADDED', 'MIN_PROPERTIES_ADDED', 'DEPENDENCY_ARRAY_ADDED', 'DEPENDENCY_SCHEMA_ADDED', 'MAX_ITEMS_ADDED',
  'MIN_ITEMS_ADDED', 'MAX_CONTAINS_ADDED', 'MIN_CONTAINS_ADDED', 'UNIQUE_ITEMS_ADDED', 'ADDITIONAL_ITEMS_REMOVED',
  'ADDITIONAL_PROPERTIES_REMOVED', 'UNEVALUATED_PROPERTIES_REMOVED', 'UNEVALUATED_ITEMS_REMOVED']);
const VALUE_INCREASED = new Set(['MIN_LENGTH_INCREASED', 'MINIMUM_INCREASED', 'EXCLUSIVE_MINIMUM_INCREASED',
  'MIN_PROPERTIES_INCREASED', 'MULTIPLE_OF_EXPANDED', 'MIN_ITEMS_INCREASED', 'MIN_CONTAINS_INCREASED']);
const VALUE_DECREASED = new Set(['MAX_LENGTH_DECREASED', 'MAXIMUM_DECREASED', 'MAX_ITEMS_DECREASED', 'MAX_CONTAINS_DECREASED',
  'EXCLUSIVE_MAXIMUM_DECREASED', 'MAX_PROPERTIES_DECREASED']);
const TYPE_NARROWED = new Set(['ADDITIONAL_ITEMS_NARROWED', 'ENUM_ARRAY_NARROWED', 'SUM_TYPE_NARROWED',
  'ADDITIONAL_PROPERTIES_NARROWED', 'UNEVALUATED_PROPERTIES_NARROWED', 'UNEVALUATED_ITEMS_NARROWED']);
const VALUE_CHANGED = new Set(['PATTERN_CHANGED', 'MULTIPLE_OF_CHANGED', 'DEPENDENCY_ARRAY_CHANGED']);
const TYPE_CHANGED = new Set(['TYPE_CHANGED', 'TYPE_NARROWED', 'COMBINED_TYPE_CHANGED', 'COMBINED_TYPE_SUBSCHEMAS_CHANGED',
  'ENUM_ARRAY_CHANGED']);
const TYPE_EXTENDED = new Set(['DEPENDENCY_ARRAY_EXTENDED', 'PRODUCT_TYPE_EXTENDED', 'SUM_TYPE_EXTENDED', 'NOT_TYPE_EXTENDED']);
const ADDED_TO_OPEN = new Set(['REQUIRED_PROPERTY_ADDED_TO_OPEN_CONTENT_MODEL', 'REQUIRED_PROPERTY_WITH_DEFAULT_ADDED_TO_OPEN_CONTENT_MODEL',
  'OPTIONAL_PROPERTY_ADDED_TO_OPEN_CONTENT_MODEL', 'ITEM_ADDED_TO_OPEN_CONTENT_MODEL', 'PROPERTY_ADDED_TO_OPEN_CONTENT_MODEL']);

