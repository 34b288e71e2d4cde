/**
 * Protobuf compatibility, following Confluent Schema Registry's Protobuf `SchemaDiff`: the old
 * schema's file (`original`, the writer) is compared with the new one (`update`, the reader),
 * message by message and field by field *number* (names do not travel on the wire). Messages
 * keep Confluent's error types and wording, e.g.
 *   {errorType:"FIELD_SCALAR_KIND_CHANGED", description:"The kind of a SCALAR field at path
 *   '#/Sale/7' in the new schema does not match its kind in the old schema"}
 *
 * Incompatible (the rest is reported as compatible and filtered out):
 * - PACKAGE_CHANGED; MESSAGE_REMOVED (a top-level or nested message gone);
 * - FIELD_KIND_CHANGED: scalar ↔ message ↔ map (an enum counts as a scalar);
 * - FIELD_SCALAR_KIND_CHANGED: a change across wire-compatible groups, which are
 *   {int32, int64, uint32, uint64, bool, enums}, {sint32, sint64}, {string, bytes},
 *   {fixed32, sfixed32}, {fixed64, sfixed64}, {float}, {double};
 * - FIELD_NAMED_TYPE_CHANGED: a message field now of another message type (by name relative to
 *   its package), or of the same name but incompatible content (compared recursively);
 * - FIELD_NUMERIC_LABEL_CHANGED: a numeric field turned repeated or singular (string/bytes may);
 * - REQUIRED_FIELD_ADDED / REQUIRED_FIELD_REMOVED (proto2 `required`);
 * - ONEOF_FIELD_REMOVED; MULTIPLE_FIELDS_MOVED_TO_ONEOF; FIELD_MOVED_TO_EXISTING_ONEOF.
 * Compatible: fields added or removed (numbers not reused with another type), renamed fields,
 * messages and enums added, enum constants changed, oneofs added/removed, a syntax change
 * (proto2 ↔ proto3 encode fields identically), services (no effect on data).
 */
import protobuf from 'protobufjs';
import { roleWords, type ReaderRole } from '../format-common.ts';

export const PROTOBUF_COMPATIBLE_CHANGES = new Set([
  'MESSAGE_ADDED', 'MESSAGE_MOVED', 'ENUM_ADDED', 'ENUM_REMOVED', 'ENUM_CONST_ADDED', 'ENUM_CONST_CHANGED',
  'ENUM_CONST_REMOVED', 'FIELD_ADDED', 'FIELD_REMOVED', 'FIELD_NAME_CHANGED', 'FIELD_STRING_OR_BYTES_LABEL_CHANGED',
  'ONEOF_ADDED', 'ONEOF_REMOVED', 'ONEOF_FIELD_ADDED',
]);

export interface ProtobufDifference {
  type: string;
  /** Confluent's path: '#/Sale/7', '#/Sale.Item/1', '#/Sale/payment/6'. */
  path: string;
}

/** What the diff needs to know about one side. */
export interface ProtobufSide {
  package: string;
  /** Top-level messages and enums of the schema's own file, in order. */
  types: Array<protobuf.Type | protobuf.Enum>;
  /** Package of the file that defines a type, and the reference it came from (if any). */
  origin(type: protobuf.ReflectionObject): { package: string; reference?: string };
}

class Context {
  readonly diffs: ProtobufDifference[] = [];
  readonly path: string[] = [];
  constructor(
    readonly fullName: string,
    readonly visited: Set<protobuf.Type>,
  ) {}

  enterName(name: string): Context {
    const child = new Context(this.fullName ? `${this.fullName}.${name}` : name, this.visited);
    return child;
  }

  sub(fullName: string): Context {
    return new Context(fullName, this.visited);
  }

  at(segment: string, fn: () => void): void {
    this.path.push(segment);
    try {
      fn();
    } finally {
      this.path.pop();
    }
  }

  add(type: string): void {
    const parts = [this.fullName, ...this.path].filter((p) => p !== '');
    this.diffs.push({ type, path: `#/${parts.join('/')}` });
  }

  get compatible(): boolean {
    return this.diffs.every((d) => PROTOBUF_COMPATIBLE_CHANGES.has(d.type));
  }
}

function isMessage(o: unknown): o is protobuf.Type {
  return o instanceof protobuf.Type;
}

function isEnum(o: unknown): o is protobuf.Enum {
  return o instanceof protobuf.Enum;
}

/** Real oneofs (not the synthetic ones of proto3 `optional`). */
function realOneofs(type: protobuf.Type): protobuf.OneOf[] {
  return type.oneofsArray.filter((o) => !o.fieldsArray.every((f) => f.options?.proto3_optional === true));
}

function oneofOf(field: protobuf.Field): protobuf.OneOf | null {
  const o = field.partOf;
  if (!o) return null;
  return o.fieldsArray.every((f) => f.options?.proto3_optional === true) ? null : o;
}

type ScalarKind = 'GENERAL_NUMBER' | 'SIGNED_NUMBER' | 'STRING_OR_BYTES' | 'FIXED32' | 'FIXED64' | 'FLOAT' | 'DOUBLE';

function scalarKind(type: string): ScalarKind {
  switch (type) {
    case 'sint32':
    case 'sint64':
      return 'SIGNED_NUMBER';
    case 'string':
    case 'bytes':
      return 'STRING_OR_BYTES';
    case 'fixed32':
    case 'sfixed32':
      return 'FIXED32';
    case 'fixed64':
    case 'sfixed64':
      return 'FIXED64';
    case 'float':
      return 'FLOAT';
    case 'double':
      return 'DOUBLE';
    default:
      return 'GENERAL_NUMBER'; // int32, int64, uint32, uint64, bool, enums
  }
}

interface TypeRef {
  kind: 'SCALAR' | 'MESSAGE' | 'MAP';
  scalar?: ScalarKind;
  message?: protobuf.Type;
  key?: TypeRef;
  value?: TypeRef;
}

function typeRef(field: protobuf.Field): TypeRef {
  const resolved = field.resolvedType;
  const valueRef: TypeRef = isMessage(resolved)
    ? { kind: 'MESSAGE', message: resolved }
    : { kind: 'SCALAR', scalar: isEnum(resolved) ? 'GENERAL_NUMBER' : scalarKind(field.type) };
  if (field instanceof protobuf.MapField) {
    return { kind: 'MAP', key: { kind: 'SCALAR', scalar: scalarKind(field.keyType) }, value: valueRef };
  }
  return valueRef;
}

class Differ {
  constructor(
    private readonly original: ProtobufSide,
    private readonly update: ProtobufSide,
  ) {}

  compareFiles(ctx: Context): void {
    if (this.original.package !== this.update.package) ctx.add('PACKAGE_CHANGED');
    this.compareTypes(ctx, this.original.types, this.update.types);
  }

  private compareTypes(
    ctx: Context,
    original: ReadonlyArray<protobuf.ReflectionObject>,
    update: ReadonlyArray<protobuf.ReflectionObject>,
  ): void {
    const oMessages = original.filter(isMessage);
    const uMessages = update.filter(isMessage);
    const names = [...oMessages.map((m) => m.name), ...uMessages.map((m) => m.name).filter((n) => !oMessages.some((m) => m.name === n))];
    for (const name of names) {
      const sub = ctx.enterName(name);
      const oi = oMessages.findIndex((m) => m.name === name);
      const ui = uMessages.findIndex((m) => m.name === name);
      if (ui < 0) sub.add('MESSAGE_REMOVED');
      else if (oi < 0) sub.add('MESSAGE_ADDED');
      else {
        this.compareMessages(sub, oMessages[oi]!, uMessages[ui]!);
        if (oi !== ui) sub.add('MESSAGE_MOVED');
      }
      ctx.diffs.push(...sub.diffs);
    }
    const oEnums = original.filter(isEnum);
    const uEnums = update.filter(isEnum);
    const enumNames = [...oEnums.map((e) => e.name), ...uEnums.map((e) => e.name).filter((n) => !oEnums.some((e) => e.name === n))];
    for (const name of enumNames) {
      const sub = ctx.enterName(name);
      const o = oEnums.find((e) => e.name === name);
      const u = uEnums.find((e) => e.name === name);
      if (!u) sub.add('ENUM_REMOVED');
      else if (!o) sub.add('ENUM_ADDED');
      else this.compareEnums(sub, o, u);
      ctx.diffs.push(...sub.diffs);
    }
  }

  private compareEnums(ctx: Context, o: protobuf.Enum, u: protobuf.Enum): void {
    const numbers = new Set([...Object.values(o.values), ...Object.values(u.values)]);
    for (const n of [...numbers].sort((a, b) => a - b)) {
      ctx.at(String(n), () => {
        const on = Object.keys(o.values).find((k) => o.values[k] === n);
        const un = Object.keys(u.values).find((k) => u.values[k] === n);
        if (un === undefined) ctx.add('ENUM_CONST_REMOVED');
        else if (on === undefined) ctx.add('ENUM_CONST_ADDED');
        else if (on !== un) ctx.add('ENUM_CONST_CHANGED');
      });
    }
  }

  private compareMessages(ctx: Context, o: protobuf.Type, u: protobuf.Type): void {
    if (!ctx.visited.has(o)) {
      ctx.visited.add(o);
      this.compareMessageFields(ctx, o, u);
    }
    this.compareTypes(ctx, o.nestedArray, u.nestedArray);
  }

  private compareMessageFields(ctx: Context, o: protobuf.Type, u: protobuf.Type): void {
    const topLevel = (t: protobuf.Type): Map<number, protobuf.Field> =>
      new Map(t.fieldsArray.filter((f) => !oneofOf(f)).map((f) => [f.id, f]));
    const oByTag = topLevel(o);
    const uByTag = topLevel(u);
    const oAll = new Map(o.fieldsArray.map((f) => [f.id, f]));
    const uAll = new Map(u.fieldsArray.map((f) => [f.id, f]));
    const oOneofTag = new Map<number, string>();
    const uOneofTag = new Map<number, string>();
    const oOneofs = realOneofs(o);
    const uOneofs = realOneofs(u);
    const oOneofFieldTags = new Set<number>();
    for (const oneof of oOneofs) {
      for (const f of oneof.fieldsArray) {
        oOneofFieldTags.add(f.id);
        oOneofTag.set(f.id, oneof.name);
      }
    }
    for (const oneof of uOneofs) {
      ctx.at(oneof.name, () => {
        let moved = 0;
        let existing = 0;
        for (const f of oneof.fieldsArray) {
          uOneofTag.set(f.id, oneof.name);
          if (oByTag.delete(f.id)) moved++;
          else if (oOneofFieldTags.has(f.id)) existing++;
        }
        if (moved > 1) ctx.add('MULTIPLE_FIELDS_MOVED_TO_ONEOF');
        else if (moved === 1 && existing > 0) ctx.add('FIELD_MOVED_TO_EXISTING_ONEOF');
      });
    }
    const oneofNames = [...oOneofs.map((x) => x.name), ...uOneofs.map((x) => x.name).filter((n) => !oOneofs.some((x) => x.name === n))];
    for (const name of oneofNames) {
      ctx.at(name, () => {
        const oo = oOneofs.find((x) => x.name === name);
        const uo = uOneofs.find((x) => x.name === name);
        if (!uo) return ctx.add('ONEOF_REMOVED');
        if (!oo) return ctx.add('ONEOF_ADDED');
        const oTags = new Map(oo.fieldsArray.map((f) => [f.id, f]));
        const uTags = new Map(uo.fieldsArray.map((f) => [f.id, f]));
        for (const tag of [...new Set([...oTags.keys(), ...uTags.keys()])].sort((a, b) => a - b)) {
          ctx.at(String(tag), () => {
            const of = oTags.get(tag);
            const uf = uTags.get(tag);
            if (!uf) {
              if (!uAll.has(tag)) ctx.add('ONEOF_FIELD_REMOVED');
            } else if (!of) ctx.add('ONEOF_FIELD_ADDED');
            else this.compareFields(ctx, of, uf);
          });
        }
      });
    }
    for (const tag of [...new Set([...oByTag.keys(), ...uByTag.keys()])].sort((a, b) => a - b)) {
      ctx.at(String(tag), () => {
        const of = oByTag.get(tag);
        const uf = uByTag.get(tag);
        if (!uf) {
          // Still present inside a oneof of the update: compared below.
          if (uAll.has(tag)) return;
          ctx.add(of!.required ? 'REQUIRED_FIELD_REMOVED' : 'FIELD_REMOVED');
        } else if (!of) {
          if (oAll.has(tag)) return;
          ctx.add(uf.required ? 'REQUIRED_FIELD_ADDED' : 'FIELD_ADDED');
        } else this.compareFields(ctx, of, uf);
      });
    }
    // Fields whose oneof membership changed: compare their contents by number.
    for (const tag of [...oAll.keys()].filter((t) => uAll.has(t)).sort((a, b) => a - b)) {
      const on = oOneofTag.get(tag);
      const un = uOneofTag.get(tag);
      if ((on === undefined && un === undefined) || (on !== undefined && on === un)) continue;
      ctx.at(String(tag), () => this.compareFields(ctx, oAll.get(tag)!, uAll.get(tag)!));
    }
  }

  private compareFields(ctx: Context, o: protobuf.Field, u: protobuf.Field): void {
    if (o.name !== u.name) ctx.add('FIELD_NAME_CHANGED');
    const ot = typeRef(o);
    const ut = typeRef(u);
    if (ot.kind === ut.kind && ot.kind === 'SCALAR' && o.repeated !== u.repeated) {
      ctx.add(ot.scalar === 'STRING_OR_BYTES' ? 'FIELD_STRING_OR_BYTES_LABEL_CHANGED' : 'FIELD_NUMERIC_LABEL_CHANGED');
    }
    this.compareTypeRefs(ctx, ot, ut);
  }

  private compareTypeRefs(ctx: Context, o: TypeRef, u: TypeRef): void {
    if (o.kind !== u.kind) return ctx.add('FIELD_KIND_CHANGED');
    if (o.kind === 'SCALAR') {
      if (o.scalar !== u.scalar) ctx.add('FIELD_SCALAR_KIND_CHANGED');
      return;
    }
    if (o.kind === 'MAP') {
      this.compareTypeRefs(ctx, o.key!, u.key!);
      this.compareTypeRefs(ctx, o.value!, u.value!);
      return;
    }
    const om = o.message!;
    const um = u.message!;
    const oOrigin = this.original.origin(om);
    const uOrigin = this.update.origin(um);
    const oLocal = localName(om, oOrigin.package);
    const uLocal = localName(um, uOrigin.package);
    if (oLocal !== uLocal) return ctx.add('FIELD_NAMED_TYPE_CHANGED');
    if (oOrigin.reference !== undefined && oOrigin.reference === uOrigin.reference) return;
    const sub = ctx.sub(oLocal);
    this.compareMessages(sub, om, um);
    ctx.diffs.push(...sub.diffs);
    if (!sub.compatible) ctx.add('FIELD_NAMED_TYPE_CHANGED');
  }
}

function localName(type: protobuf.ReflectionObject, pkg: string): string {
  const full = type.fullName.replace(/^\./, '');
  return pkg && full.startsWith(`${pkg}.`) ? full.slice(pkg.length + 1) : full;
}

/** Every difference between `original` (old, writer) and `update` (new, reader). */
export function protobufDifferences(original: ProtobufSide, update: ProtobufSide): ProtobufDifference[] {
  const ctx = new Context('', new Set());
  new Differ(original, update).compareFiles(ctx);
  return ctx.diffs;
}

/** Confluent's wording of one difference. */
export function formatProtobufDifference(difference: ProtobufDifference, readerRole: ReaderRole = 'new'): string {
  const { reader, writer } = roleWords(readerRole);
  const p = difference.path;
  const descriptions: Record<string, string> = {
    PACKAGE_CHANGED: `The package at '${p}' in the ${reader} schema does not match the package in the ${writer} schema`,
    MESSAGE_REMOVED: `The ${reader} schema is missing a MESSAGE type at path '${p}' in the ${writer} schema`,
    FIELD_KIND_CHANGED: `The type of a field at path '${p}' in the ${reader} schema does not match the ${writer} schema`,
    FIELD_SCALAR_KIND_CHANGED: `The kind of a SCALAR field at path '${p}' in the ${reader} schema does not match its kind in the ${writer} schema`,
    FIELD_NAMED_TYPE_CHANGED: `The type of a MESSAGE field at path '${p}' in the ${reader} schema does not match its type in the ${writer} schema`,
    FIELD_NUMERIC_LABEL_CHANGED: `The label for a NUMERIC field at path '${p}' in the ${reader} schema does not match its label in the ${writer} schema`,
    REQUIRED_FIELD_ADDED: `A required field  at path '${p}' in the ${reader} schema is missing in the ${writer} schema`,
    REQUIRED_FIELD_REMOVED: `The ${reader} schema is missing a required field at path: '${p}' in the ${writer} schema`,
    ONEOF_FIELD_REMOVED: `The ${reader} schema is missing a oneof field at path '${p}' in the ${writer} schema`,
    MULTIPLE_FIELDS_MOVED_TO_ONEOF: `Multiple fields in the oneof at path '${p}' in the ${reader} schema are outside a oneof in the ${writer} schema`,
    FIELD_MOVED_TO_EXISTING_ONEOF: `A field in the oneof at path '${p}' in the ${reader} schema is outside an existing oneof in the ${writer} schema`,
  };
  return `{errorType:"${difference.type}", description:"${descriptions[difference.type] ?? ''}"}`;
}
